import Foundation
import JT808
import Metrics
import Pipeline
import Testing
import Zone

@Suite("JT/T 808 vendor items and per-operator ICV item ids")
struct VendorItemTests {
    /// A report with vendor items appended as they are (id, value), after its own items.
    static func packet(_ report: LocationReport, appending items: [RawItem], terminal: String, serial: UInt16)
        throws -> [UInt8]
    {
        var report = report
        report.otherItems += items
        return try ReplayTests.packet(report, serial: serial, terminal: terminal)
    }

    @Test("a vendor item with a clashing id is kept raw; the report's position is used")
    func clashingVendorItemKeepsThePosition() throws {
        let report = ReplayTests.report(second: 0, east: 0, level: 4, mode: .active)
        // A GPS tracker's base-station item under 0xE1 (7 bytes: not an automation state).
        let vendor = RawItem(id: 0xE1, value: [0x01, 0xCC, 0x00, 0x12, 0x34, 0x56, 0x78])
        var plain = report
        plain.automationState = nil
        let bytes = try Self.packet(plain, appending: [vendor], terminal: "013800000001", serial: 1)

        // The codec: strict decoding fails, lenient decoding keeps the item and the position.
        var content: [UInt8] = []
        var framer = JT808Framer()
        framer.append(bytes) { event in
            if case .packet(let packet, _) = event { content = Array(packet) }
        }
        #expect(throws: JT808Error.self) { try JT808Packet(decoding: content) }
        let lenient = try content.withUnsafeBytes { bytes in
            try JT808Packet(decoding: bytes) { _ in .lenient }
        }
        guard case .locationReport(let decoded) = lenient.body else {
            Issue.record("not a location report")
            return
        }
        #expect(decoded.latitudeMagnitude == report.latitudeMagnitude)
        #expect(decoded.automationState == nil)
        #expect(decoded.malformedItems == [vendor])

        // The pipeline: the fix is used, the item counted in the source's data health.
        var processor = FrameProcessor(configuration: ReplayTests.configuration)
        processor.process(
            topic: "jt808/013800000001", payload: bytes, logTime: UInt64(ReplayTests.start) * 1_000_000_000)
        let metrics = processor.finish()
        let health = try #require(metrics.sources["jt808/013800000001"])
        #expect(health.decoded == 1)
        #expect(health.rejectedTotal == 0)
        #expect(health.malformedItems == 1)
        #expect(metrics.vehicles["LSVAU2180N2183294"]?.summary.firstTime != nil)
    }

    @Test("an operator whose terminals carry the ICV items under other ids (zone.toml)")
    func operatorItemIDs() throws {
        let toml = """
            [zone]
            name = "test"
            time_zone = "Asia/Shanghai"
            origin = { latitude = 31.28, longitude = 121.16 }

            [[operators]]
            id = "saic"
            name = "SAIC"
            automation_state_item = 0xF1
            automation_event_item = 0xF2

            [[vehicles]]
            vin = "LSVAU2180N2183294"
            plate = "沪A·0001试"
            operator = "saic"
            permit = "P-1"
            terminal = "013800000001"
            obu_id = "0102030405060708"
            max_level = 4
            """
        let zone = try ZoneConfiguration.parse(toml, fileName: "zone.toml")
        #expect(zone.operators[0].automationStateItem == 0xF1)
        let configuration = ZoneSetup.metricsConfiguration(zone: zone, network: RoadNetworkBuilder().build())
        #expect(configuration.automationItemIDs["13800000001"] == AutomationItemIDs(state: 0xF1, event: 0xF2))

        // Vendor base-station item at 0xE1, the automation state (L4 active) at 0xF1.
        var processor = FrameProcessor(configuration: configuration)
        for second in 0..<3 {
            var report = ReplayTests.report(
                second: second, east: Double(second) * 10, level: 4, mode: .active)
            report.automationState = nil
            let items = [
                RawItem(id: 0xE1, value: [0x01, 0xCC, 0x00, 0x12, 0x34, 0x56, 0x78]),
                RawItem(id: 0xF1, value: [0x04, 0x02, 0x00, 0x00]),
            ]
            let bytes = try Self.packet(
                report, appending: items, terminal: "013800000001", serial: UInt16(second))
            processor.process(
                topic: "jt808/013800000001", payload: bytes,
                logTime: UInt64(ReplayTests.start + Int64(second)) * 1_000_000_000)
        }
        let metrics = processor.finish()
        let health = try #require(metrics.sources["jt808/013800000001"])
        #expect(health.decoded == 3)
        #expect(health.malformedItems == 0, "0xE1 is an ordinary vendor item for this operator")
        let totals = try #require(metrics.vehicles["LSVAU2180N2183294"]).summary.totals(
            configuration: configuration)
        let automated = totals.daily.filter { $0.key.level == 4 }.map(\.value.distance).reduce(0, +)
        #expect(automated > 0, "the 0xF1 state is read as the automation state")

        // An item id outside 0...255 is a configuration error with its line.
        #expect(throws: ZoneConfigurationError.self) {
            try ZoneConfiguration.parse(
                toml.replacingOccurrences(of: "0xF2", with: "0x1F2"), fileName: "zone.toml")
        }
    }
}
