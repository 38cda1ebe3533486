import Foundation
import Testing

@testable import Zone

@Suite struct ZoneConfigurationTests {
    static func fixture(_ name: String) throws -> URL {
        try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil))
    }

    static let good = """
        [zone]
        name = "Z"
        time_zone = "Asia/Shanghai"
        origin = { latitude = 31.29, longitude = 121.17 }

        [[operators]]
        id = "A"
        name = "Operator A"

        [[vehicles]]
        vin = "LTZAS260000000001"
        plate = "P1"
        operator = "A"
        permit = "PERMIT-1"
        terminal = "013900000001"
        obu_id = "4A445A0100000001"
        max_level = 4

        [[vehicles]]
        vin = "LTZAS260000000002"
        plate = "P2"
        operator = "A"
        permit = "PERMIT-2"
        terminal = "013900000002"
        obu_id = "4A445A0100000002"
        max_level = 3

        [[rsus]]
        id = "RSU-1"
        latitude = 31.29
        longitude = 121.17
        range_m = 400
        schema = "csae53-2020"

        """

    /// Parses `text` expecting an error; returns it.
    func failure(_ text: String, file: String = "zone.toml") -> ZoneConfigurationError? {
        do {
            _ = try ZoneConfiguration.parse(text, fileName: file)
            return nil
        } catch {
            return error
        }
    }

    @Test func loadsTheGoodFixture() throws {
        let configuration = try ZoneConfiguration.load(contentsOf: try Self.fixture("zone-good.toml"))
        #expect(configuration.name == "Jiading ICV pilot zone")
        #expect(configuration.timeZone == "Asia/Shanghai")
        #expect(configuration.origin == GeoPoint(latitude: 31.29, longitude: 121.17))
        #expect(configuration.operators.map(\.id) == ["JDRT", "ATAL"])
        #expect(configuration.vehicles.count == 2)
        #expect(configuration.vehicles[1].obuID == OBUIdentifier(rawValue: 0x4A44_5A02_0000_0002))
        #expect(configuration.vehicles[1].maxLevel == 3)
        #expect(configuration.vehicles[0].plate == "沪A0001试")
        #expect(configuration.rsus[1].schema == .csae53_2017)
        #expect(configuration.rsus[1].nominalRange == 350.5)
        #expect(configuration.rsus[0].position.latitude == 31.2912345)
    }

    @Test func badFixtureNamesFileLineAndField() throws {
        let url = try Self.fixture("zone-bad-obu.toml")
        #expect(throws: ZoneConfigurationError.self) { try ZoneConfiguration.load(contentsOf: url) }
        do {
            _ = try ZoneConfiguration.load(contentsOf: url)
        } catch {
            #expect(error.file == url.path)
            #expect(error.line == 16)
            #expect(error.field == "vehicles[0].obu_id")
            #expect(error.description.hasPrefix("\(url.path):16: vehicles[0].obu_id: "))
        }
    }

    @Test func renderedTextRoundTrips() throws {
        let configuration = try ZoneConfiguration.parse(Self.good, fileName: "zone.toml")
        let again = try ZoneConfiguration.parse(configuration.tomlText(), fileName: "rendered.toml")
        #expect(again == configuration)
    }

    @Test(arguments: [
        // (replace, with, expected line, expected field)
        ("obu_id = \"4A445A0100000002\"", "obu_id = \"4A445A0100000001\"", 25, "vehicles[1].obu_id"),
        ("vin = \"LTZAS260000000002\"", "vin = \"LTZAS26000000000I\"", 20, "vehicles[1].vin"),
        ("vin = \"LTZAS260000000002\"", "vin = \"LTZAS260000000001\"", 20, "vehicles[1].vin"),
        (
            "operator = \"A\"\npermit = \"PERMIT-2\"", "operator = \"B\"\npermit = \"PERMIT-2\"", 22,
            "vehicles[1].operator"
        ),
        ("terminal = \"013900000002\"", "terminal = \"0139-0000002\"", 24, "vehicles[1].terminal"),
        ("terminal = \"013900000002\"", "terminal = \"013900000001\"", 24, "vehicles[1].terminal"),
        ("max_level = 3", "max_level = 7", 26, "vehicles[1].max_level"),
        ("max_level = 3", "max_level = \"three\"", 26, "vehicles[1].max_level"),
        ("time_zone = \"Asia/Shanghai\"", "time_zone = \"Asia/Jiading\"", 3, "zone.time_zone"),
        ("latitude = 31.29, longitude", "latitude = 131.29, longitude", 4, "zone.origin.latitude"),
        ("schema = \"csae53-2020\"", "schema = \"csae53-2021\"", 33, "rsus[0].schema"),
        ("range_m = 400", "range_m = -1", 32, "rsus[0].range_m"),
        ("range_m = 400", "range = 400", 32, "rsus[0].range"),
        ("plate = \"P2\"\n", "", 19, "vehicles[1].plate"),
        ("id = \"RSU-1\"", "id = \"RSU/1\"", 29, "rsus[0].id"),
    ])
    func badFieldsAreLocated(replace: String, with replacement: String, line: Int, field: String) throws {
        let text = Self.good.replacingOccurrences(of: replace, with: replacement)
        #expect(text != Self.good)
        let error = try #require(failure(text, file: "bad.toml"))
        #expect(error.file == "bad.toml")
        #expect(error.field == field, "\(error)")
        #expect(error.line == line, "\(error)")
    }

    @Test func syntaxErrorsCarryTheParserLine() throws {
        let text = Self.good.replacingOccurrences(of: "plate = \"P1\"", with: "plate = \"P1")
        let error = try #require(failure(text))
        #expect(error.line == 12)
        #expect(error.field == nil)
        #expect(error.message.contains("TOML syntax"))
    }

    @Test func missingSectionAndDuplicateOperator() throws {
        let noZone = Self.good.replacingOccurrences(of: "[zone]", with: "[zonee]")
        let error = try #require(failure(noZone))
        #expect(error.field == "zonee")
        #expect(error.line == 1)
        let duplicate = Self.good + "\n[[operators]]\nid = \"A\"\nname = \"Again\"\n"
        let second = try #require(failure(duplicate))
        #expect(second.field == "operators[1].id")
        #expect(second.line == 36)
    }

    @Test func missingFileIsAnErrorNotACrash() {
        let url = URL(fileURLWithPath: "/nonexistent/zone.toml")
        do {
            _ = try ZoneConfiguration.load(contentsOf: url)
            Issue.record("expected an error")
        } catch {
            #expect(error.file == "/nonexistent/zone.toml")
            #expect(error.line == nil)
        }
    }

    @Test func registryLooksUpByWireIdentifiers() throws {
        let registry = ZoneRegistry(configuration: try ZoneConfiguration.parse(Self.good, fileName: "z"))
        #expect(registry.vehicle(obuID: OBUIdentifier(rawValue: 0x4A44_5A01_0000_0002))?.plate == "P2")
        #expect(registry.vehicle(terminal: "00000000013900000001")?.plate == "P1")
        #expect(registry.vehicle(terminal: "13900000001")?.plate == "P1")
        #expect(registry.vehicle(vin: "LTZAS260000000002")?.plate == "P2")
        #expect(registry.vehicle(vin: "LTZAS260000000003") == nil)
        #expect(registry.operator(id: "A")?.name == "Operator A")
        #expect(registry.rsu(id: "RSU-1")?.nominalRange == 400)
        #expect(
            OBUIdentifier(octets: [0x4A, 0x44, 0x5A, 0x01, 0, 0, 0, 2])?.description == "4A445A0100000002")
        #expect(OBUIdentifier(hex: "4A445A01") == nil)
    }

    @Test func vinShape() {
        #expect(ZoneConfiguration.isValidVIN("LSVAU2180N2183294"))
        #expect(!ZoneConfiguration.isValidVIN("LSVAU2180N218329"))
        #expect(!ZoneConfiguration.isValidVIN("LSVAU2180N218329O"))
        #expect(!ZoneConfiguration.isValidVIN("lsvau2180n2183294"))
    }
}
