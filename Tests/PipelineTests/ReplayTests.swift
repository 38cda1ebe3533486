import CV2X
import Foundation
import GRDB
import JT808
import Metrics
import Pipeline
import Recording
import Store
import Testing

@Suite("Frame processor and replay into the database")
struct ReplayTests {
    static let start: Int64 = 1_793_500_000  // 2026-11-01T02:26:40Z
    static let configuration = MetricsConfiguration(vehicles: [
        VehicleIdentity(
            vin: "LSVAU2180N2183294", operatorID: "saic", terminalNumber: "013800000001",
            obuID: 0x0102_0304_0506_0708)
    ])

    static func report(
        second: Int, east: Double, level: UInt8, mode: AutomationMode, events: [JT808.AutomationEvent] = []
    )
        -> LocationReport
    {
        var report = LocationReport(
            status: [.positioned], latitudeMagnitude: 31_280_000,
            longitudeMagnitude: UInt32(121_160_000 + east / 0.0951), speed: 360, direction: 90,
            time: JT808Timestamp(secondsSince1970: start + Int64(second)))
        report.automationState = JT808.AutomationState(level: level, mode: mode)
        report.automationEvents = AutomationEvents(events)
        return report
    }

    static func packet(_ report: LocationReport, serial: UInt16, terminal: String = "013800000001") throws
        -> [UInt8]
    {
        let header = JT808Header(
            messageID: JT808MessageID.locationReport,
            terminal: TerminalNumber(terminal) ?? TerminalNumber(value: 0, byteCount: 10),
            serial: serial)
        return try JT808Packet(header: header, body: .locationReport(report)).encoded()
    }

    /// Writes a 200 s drive: L4 until 100 s, a takeover request at 99.2 s, a disengagement by the
    /// safety driver at 100.5 s; plus one duplicate, one corrupt frame, an empty payload, an
    /// unknown topic and an unregistered terminal.
    static func writeRecording(_ path: String) throws {
        let writer = try MCAPWriter(path: path)
        let channel = try writer.addChannel(topic: "jt808/013800000001", messageEncoding: "jt808")
        let stranger = try writer.addChannel(topic: "jt808/019900000000", messageEncoding: "jt808")
        let unknown = try writer.addChannel(topic: "can/bus0", messageEncoding: "raw")
        func log(_ second: Double) -> UInt64 { UInt64((Double(start) + second + 0.2) * 1e9) }
        for s in 0...200 {
            var events: [JT808.AutomationEvent] = []
            if s == 100 {
                events.append(
                    .init(
                        type: .takeoverRequest, initiator: .ads, cause: .leftODD, levelBefore: 4,
                        time: JT808Timestamp(secondsSince1970: start + 99), milliseconds: 200))
            }
            if s == 101 {
                events.append(
                    .init(
                        type: .disengaged, initiator: .safetyDriver, cause: .leftODD, levelBefore: 4,
                        time: JT808Timestamp(secondsSince1970: start + 100), milliseconds: 500))
            }
            let report = report(
                second: s, east: Double(s) * 10, level: s <= 100 ? 4 : 0, mode: s <= 100 ? .active : .off,
                events: events)
            let bytes = try packet(report, serial: UInt16(s))
            try writer.write(channelID: channel, logTime: log(Double(s)), publishTime: 0, payload: bytes)
            if s == 50 {
                try writer.write(channelID: channel, logTime: log(50.01), publishTime: 0, payload: bytes)
            }
            if s == 60 {
                var corrupt = bytes
                corrupt[20] ^= 0x55
                try writer.write(channelID: channel, logTime: log(60.01), publishTime: 0, payload: corrupt)
            }
            if s % 10 == 0 {
                let other = try packet(report, serial: UInt16(s / 10), terminal: "019900000000")
                try writer.write(
                    channelID: stranger, logTime: log(Double(s) + 0.05), publishTime: 0, payload: other)
            }
        }
        try writer.write(channelID: channel, logTime: log(150.5), publishTime: 0, payload: [UInt8]())
        try writer.write(channelID: unknown, logTime: log(151.5), publishTime: 0, payload: [1, 2, 3])
        try writer.finish()
    }

    func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "testzone-replay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func sha256KnownAnswers() {
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            SHA256.hex(Array("abc".utf8))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(SHA256.hex(long) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        var hasher = SHA256()
        for _ in 0..<1000 { hasher.update([UInt8](repeating: 0x61, count: 1000)) }
        #expect(hasher.finalizeHex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func processorCountsEveryFrame() throws {
        var processor = FrameProcessor(configuration: Self.configuration)
        let good = try Self.packet(Self.report(second: 0, east: 0, level: 4, mode: .active), serial: 1)
        var bad = good
        bad[bad.count - 2] ^= 0xFF  // check code
        var undefined = Self.report(second: 1, east: 10, level: 4, mode: AutomationMode(rawValue: 9))
        undefined.automationEvents = AutomationEvents()
        let undefinedBytes = try Self.packet(undefined, serial: 2)
        for payload in [good, good, bad, undefinedBytes, [UInt8](repeating: 0, count: 70_000)] {
            processor.process(
                topic: "jt808/013800000001", payload: payload, logTime: UInt64(Self.start) * 1_000_000_000)
        }
        processor.process(topic: "weird/x", payload: [1], logTime: 0)
        let metrics = processor.finish()
        let health = try #require(metrics.sources["jt808/013800000001"])
        #expect(health.received == 5)
        // The report with an undefined 0xE1 state is used (its position), the item kept aside.
        #expect(health.decoded == 2)
        #expect(health.malformedItems == 1)
        #expect(health.duplicates == 1)
        #expect(health.rejected == ["jt808: bad check code": 1, "frame: payload over 64 KiB": 1])
        #expect(metrics.sources["weird/x"]?.rejected == ["frame: unknown topic prefix": 1])
        #expect(processor.rejected.count == 3)
        #expect(metrics.vehicles["LSVAU2180N2183294"] != nil)
    }

    @Test func replayIntoDatabaseTwiceDoesNotDoubleCount() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let recording = directory.appendingPathComponent("drive.mcap").path
        try Self.writeRecording(recording)
        let store = try ZoneStore(path: directory.appendingPathComponent("zone.sqlite").path)
        let replay = DatabaseReplay(store: store, configuration: Self.configuration, softwareVersion: "test")
        var progressCalls = 0
        for _ in 0..<2 {
            let result = try replay.run(files: [recording]) { _ in progressCalls += 1 }
            #expect(result.messages == 201 + 1 + 1 + 21 + 2)
            #expect(result.rejectedFrames == 3)
            #expect(result.warnings.isEmpty)
        }
        #expect(progressCalls >= 2)
        #expect(try store.runs().count == 1)
        let summary = try #require(try store.vehicleSummaries(ReportFilter(vin: "LSVAU2180N2183294")).first)
        #expect(summary.disengagements == 1)
        #expect(summary.disengagementsByInitiator == ["safety-driver": 1])
        #expect(summary.takeoverRequests == 1)
        #expect(summary.takeoverTimes == [1_300_000])
        #expect(summary.inferredDisengagements == 0)
        // 100 steps of ~10 m in L4 (the step from 100 s to 101 s still counts at the state at 100 s).
        #expect(abs(summary.automatedKilometres - 1.01) < 0.01)
        let rows = try store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM data_health ORDER BY source_id")
        }
        let own = try #require(rows.first { $0["source_id"] == "jt808/013800000001" })
        #expect(own["received"] as Int == 204)
        #expect(own["decoded"] as Int == 201)
        #expect(own["duplicates"] as Int == 1)
        #expect(own["rejected"] as Int == 2)
        let reasons = try store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT source_id, reason, count FROM rejected_reasons ORDER BY reason")
                .map { "\($0["source_id"] as String): \($0["reason"] as String) x\($0["count"] as Int)" }
        }
        #expect(
            reasons == [
                "jt808/013800000001: frame: empty payload x1",
                "can/bus0: frame: unknown topic prefix x1",
                "jt808/013800000001: jt808: bad check code x1",
            ])
        let unregistered = try store.pool.read { db in
            try Int.fetchOne(
                db, sql: "SELECT registered FROM vehicles WHERE vin = 'UNREGISTERED-19900000000'")
        }
        #expect(unregistered == 0)
        let checkpoint = try #require(try store.checkpoint(journalFile: recording))
        #expect(checkpoint.complete && checkpoint.messageIndex == 226)
    }
}

@Suite("C-V2X frames")
struct CV2XFrameTests {
    /// The 38-byte BSM of the CV2X fixtures (id "JDZL0001", msgCnt 17, secMark 42350).
    static let bsmHex = "000229488b498606060634add9094f0816705ca3e205a856c7081fcdf31fe01dc00b91e00280"

    static func bsm(msgCnt: UInt8, secMark: UInt16) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var index = bsmHex.startIndex
        while index < bsmHex.endIndex {
            let next = bsmHex.index(index, offsetBy: 2)
            bytes.append(UInt8(bsmHex[index..<next], radix: 16) ?? 0)
            index = next
        }
        guard case .bsmFrame(var message) = try CSAE53_2020.MessageFrame(uper: bytes) else { return [] }
        message.msgCnt = msgCnt
        message.secMark = secMark
        return try CSAE53_2020.MessageFrame.bsmFrame(message).uperEncoded()
    }

    @Test func bsmReceptionsSequenceGapsDuplicatesAndRejects() throws {
        let configuration = MetricsConfiguration(
            vehicles: [
                VehicleIdentity(
                    vin: "VIN-OBU", operatorID: "op", terminalNumber: "1", obuID: 0x4A44_5A4C_3030_3031)
            ],
            rsus: [RSUSite(id: "RSU-7", latitude: 31.2840, longitude: 121.1700)])
        var processor = FrameProcessor(configuration: configuration)
        // 2026-11-01T02:26:42.350Z: secMark 42350 matches exactly; later frames 100 ms apart.
        let base: UInt64 = 1_793_500_002_350_000_000
        for (i, count) in [17, 18, 20].enumerated() {
            let payload = try Self.bsm(msgCnt: UInt8(count), secMark: UInt16(42_350 + 100 * i))
            processor.process(topic: "cv2x/RSU-7", payload: payload, logTime: base + UInt64(i) * 100_000_000)
            if i == 1 {
                processor.process(topic: "cv2x/RSU-7", payload: payload, logTime: base + 150_000_000)
            }
        }
        let truncated = Array(try Self.bsm(msgCnt: 21, secMark: 0).prefix(10))
        processor.process(topic: "cv2x/RSU-7", payload: truncated, logTime: base + 400_000_000)
        let metrics = processor.finish()
        let health = try #require(metrics.sources["cv2x/RSU-7"])
        #expect(health.received == 5)
        #expect(health.decoded == 3)
        #expect(health.duplicates == 1)
        #expect(health.rejected == ["cv2x: truncated": 1])
        #expect(health.clockOffset.count == 3)
        #expect(health.clockOffset.maximum == 0 && health.clockOffset.minimum == 0)
        let stream = try #require(metrics.sequences[SequenceStream(kind: .bsmMsgCnt, id: "4a445a4c30303031")])
        #expect(stream.gaps == 1)
        let vehicle = try #require(metrics.vehicles["VIN-OBU"])
        #expect(vehicle.summary.totals(configuration: configuration).bsmReceived == 3)
    }
}
