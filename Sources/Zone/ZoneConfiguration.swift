import Foundation
import TOMLKit

/// A test-zone operator: a company that runs test vehicles under permits.
public struct ZoneOperator: Sendable, Hashable, Codable {
    /// Short stable identifier, e.g. `"SAIC-AILAB"`; vehicles refer to it.
    public var id: String
    /// Display name.
    public var name: String
    /// JT/T 808 additional-item id of the ICV automation-state item on this operator's terminals
    /// (`automation_state_item`, default 0xE1; DESIGN.md 4).
    public var automationStateItem: UInt8 = 0xE1
    /// Item id of the ICV automation-event item (`automation_event_item`, default 0xE2).
    public var automationEventItem: UInt8 = 0xE2
    /// Manufacturer as reported to regulators (the DMV reports' `Manufacturer`); `nil`: ``name``.
    public var manufacturer: String?
    /// The operator's testing permit number (the DMV reports' `Permit Number`); `nil`: none given.
    public var permitNumber: String?

    /// Creates an operator.
    public init(
        id: String, name: String, automationStateItem: UInt8 = 0xE1, automationEventItem: UInt8 = 0xE2,
        manufacturer: String? = nil, permitNumber: String? = nil
    ) {
        self.id = id
        self.name = name
        self.automationStateItem = automationStateItem
        self.automationEventItem = automationEventItem
        self.manufacturer = manufacturer
        self.permitNumber = permitNumber
    }
}

/// Location category of a road link: the disengagement locations of the California DMV reports.
public enum LinkCategory: String, Sendable, Hashable, Codable, CaseIterable {
    case street
    case highway
    case freeway
    case interstate
    case ruralRoad = "rural_road"
    case parkingFacility = "parking_facility"

    /// The DMV's wording (`Street`, `Rural Road`, `Parking Facility`, ...).
    public var dmvLabel: String {
        switch self {
        case .street: "Street"
        case .highway: "Highway"
        case .freeway: "Freeway"
        case .interstate: "Interstate"
        case .ruralRoad: "Rural Road"
        case .parkingFacility: "Parking Facility"
        }
    }

    /// The Chinese wording.
    public var chineseLabel: String {
        switch self {
        case .street: "城市道路"
        case .highway: "公路"
        case .freeway: "快速路"
        case .interstate: "高速公路"
        case .ruralRoad: "乡村道路"
        case .parkingFacility: "停车场"
        }
    }
}

/// A road link's settings in `zone.toml` (`[[links]]`): its location category and optional name.
public struct ZoneLink: Sendable, Hashable, Codable {
    /// MAP link id, `<region>.<upstream node>-<region>.<node>` (e.g. `1.3-1.4`).
    public var id: String
    /// Location category.
    public var category: LinkCategory
    /// Display name (overrides the MAP's), if given.
    public var name: String?

    /// Creates a link entry.
    public init(id: String, category: LinkCategory, name: String? = nil) {
        self.id = id
        self.category = category
        self.name = name
    }
}

/// A test vehicle registered in the zone.
public struct ZoneVehicle: Sendable, Hashable, Codable {
    /// Vehicle identification number (17 characters, ISO 3779, no I/O/Q).
    public var vin: String
    /// Licence plate (test plate), free text.
    public var plate: String
    /// Identifier of the operating company (``ZoneOperator/id``).
    public var operatorID: String
    /// Road-test permit number.
    public var permit: String
    /// JT/T 808 terminal number (the header's terminal phone number): 1 to 20 decimal digits.
    public var terminal: String
    /// OBU identifier sent in the BSM `id` field (8 octets).
    public var obuID: OBUIdentifier
    /// Highest SAE automation level the permit allows (0-5; 3 or 4 for the zone's tests).
    public var maxLevel: Int
    /// The rate at which its OBU sends BSMs, Hz (`bsm_rate_hz`); `nil`: the zone's.
    public var bsmRate: Double?
    /// Whether the vehicle can operate without a driver (`driverless_capable`); `nil`: level 4 or 5.
    public var driverlessCapable: Bool?

    /// Whether the vehicle can operate without a driver: as configured, else max level 4 or above.
    public var isDriverlessCapable: Bool { driverlessCapable ?? (maxLevel >= 4) }

    /// Creates a vehicle record.
    public init(
        vin: String, plate: String, operatorID: String, permit: String, terminal: String,
        obuID: OBUIdentifier, maxLevel: Int
    ) {
        self.vin = vin
        self.plate = plate
        self.operatorID = operatorID
        self.permit = permit
        self.terminal = terminal
        self.obuID = obuID
        self.maxLevel = maxLevel
    }
}

/// The 8-octet temporary/OBU identifier carried in a BSM's `id` field.
public struct OBUIdentifier: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The eight octets as a big-endian integer (first octet most significant).
    public var rawValue: UInt64

    /// Creates an identifier from its big-endian integer value.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Creates an identifier from exactly eight octets.
    public init?<Bytes: Collection>(octets: Bytes) where Bytes.Element == UInt8 {
        guard octets.count == 8 else { return nil }
        self.rawValue = octets.reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Parses 16 hexadecimal digits (upper or lower case).
    public init?(hex: String) {
        guard hex.utf8.count == 16, let value = UInt64(hex, radix: 16) else { return nil }
        self.rawValue = value
    }

    /// The eight octets, first octet first.
    public var octets: [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: rawValue >> (56 - 8 * $0)) } }

    /// 16 upper-case hexadecimal digits.
    public var description: String {
        let digits = String(rawValue, radix: 16, uppercase: true)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = OBUIdentifier(hex: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "expected 16 hex digits"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// The CSAE 53 message-set edition an RSU sends.
public enum CSAESchemaSet: String, Sendable, Hashable, Codable, CaseIterable {
    /// T/CSAE 53-2020.
    case csae53_2020 = "csae53-2020"
    /// T/CSAE 53-2019 (wire variant).
    case csae53_2019 = "csae53-2019"
    /// T/CSAE 53-2017.
    case csae53_2017 = "csae53-2017"
}

/// A roadside unit.
public struct ZoneRSU: Sendable, Hashable, Codable {
    /// Identifier; also the source id in the `cv2x/<id>` topic.
    public var id: String
    /// Antenna position.
    public var position: GeoPoint
    /// Nominal communication range in metres.
    public var nominalRange: Double
    /// Message-set edition of its frames.
    public var schema: CSAESchemaSet

    /// Creates an RSU record.
    public init(id: String, position: GeoPoint, nominalRange: Double, schema: CSAESchemaSet) {
        self.id = id
        self.position = position
        self.nominalRange = nominalRange
        self.schema = schema
    }
}

/// A zone configuration: the contents of `zone.toml`.
///
/// See the README section "Zone configuration" for the file format. Load with
/// ``load(contentsOf:)`` or ``parse(_:fileName:)``; every problem is reported as a
/// ``ZoneConfigurationError`` naming the file, line and field.
public struct ZoneConfiguration: Sendable, Hashable, Codable {
    /// Zone name.
    public var name: String
    /// IANA time-zone identifier for calendar periods (`Asia/Shanghai`).
    public var timeZone: String
    /// Origin of the zone's local east-north projection.
    public var origin: GeoPoint
    /// Operators.
    public var operators: [ZoneOperator]
    /// Test vehicles.
    public var vehicles: [ZoneVehicle]
    /// Roadside units.
    public var rsus: [ZoneRSU]
    /// Sources admitted by CURVE key (`[[sources]]`); empty for a zone without keys.
    public var sources: [ZoneSource]
    /// The organisation that reports to the regulator (`reporting_entity`); `nil`: none given.
    public var reportingEntity: String?
    /// Location category of links not listed in ``links`` (`link_category`, default street).
    public var defaultLinkCategory: LinkCategory = .street
    /// Nominal BSM rate of vehicles without their own (`bsm_rate_hz`, default 10 Hz).
    public var bsmRate: Double = 10
    /// Per-link settings (`[[links]]`).
    public var links: [ZoneLink] = []

    /// The location category of a link id.
    public func category(ofLink id: String) -> LinkCategory {
        links.first { $0.id == id }?.category ?? defaultLinkCategory
    }
    /// Alarm thresholds of the live console (`[alarms]`; `nil`: the defaults).
    public var alarms: ZoneAlarms?

    /// Creates a configuration; call ``validate(fileName:source:)`` before use if not loaded.
    public init(
        name: String, timeZone: String, origin: GeoPoint, operators: [ZoneOperator],
        vehicles: [ZoneVehicle], rsus: [ZoneRSU], sources: [ZoneSource] = []
    ) {
        self.name = name
        self.timeZone = timeZone
        self.origin = origin
        self.operators = operators
        self.vehicles = vehicles
        self.rsus = rsus
        self.sources = sources
    }

    /// Reads and validates a `zone.toml` file.
    public static func load(contentsOf url: URL) throws(ZoneConfigurationError) -> ZoneConfiguration {
        func failure(_ reason: String) -> ZoneConfigurationError {
            ZoneConfigurationError(file: url.path, line: nil, field: nil, message: reason)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw failure("no such file (give the zone configuration, e.g. Replays/demo/zone.toml)")
        }
        if isDirectory.boolValue { throw failure("is a directory, not a zone.toml file") }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw failure("cannot read the file (permissions?)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw failure("not UTF-8 text") }
        return try parse(text, fileName: url.path)
    }

    /// Parses and validates TOML text; `fileName` is used in error messages.
    public static func parse(_ text: String, fileName: String) throws(ZoneConfigurationError)
        -> ZoneConfiguration
    {
        let locator = TOMLKeyLocator(source: text)
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ZoneConfigurationError(
                file: fileName, line: error.source.begin.line, field: nil,
                message: "TOML syntax: \(error.description)")
        } catch {
            throw ZoneConfigurationError(file: fileName, line: nil, field: nil, message: "\(error)")
        }
        var reader = TableReader(fileName: fileName, locator: locator)
        let configuration = try reader.readConfiguration(table)
        try configuration.validate(fileName: fileName, source: text)
        return configuration
    }

    /// Checks the semantic rules (unique ids, references, formats, ranges).
    ///
    /// `source` (the TOML text, if any) is used to find the line of the offending field.
    public func validate(fileName: String, source: String? = nil) throws(ZoneConfigurationError) {
        let locator = TOMLKeyLocator(source: source ?? "")
        func fail(_ field: String, _ message: String) -> ZoneConfigurationError {
            ZoneConfigurationError(
                file: fileName, line: locator.line(of: field), field: field, message: message)
        }
        if name.isEmpty { throw fail("zone.name", "must not be empty") }
        if TimeZone(identifier: timeZone) == nil {
            throw fail("zone.time_zone", "unknown time zone '\(timeZone)'")
        }
        if !(-90...90).contains(origin.latitude) {
            throw fail("zone.origin.latitude", "must be within -90...90, got \(origin.latitude)")
        }
        if !(-180...180).contains(origin.longitude) {
            throw fail("zone.origin.longitude", "must be within -180...180, got \(origin.longitude)")
        }
        var operatorIDs = Set<String>()
        for (index, op) in operators.enumerated() {
            if op.id.isEmpty { throw fail("operators[\(index)].id", "must not be empty") }
            if !operatorIDs.insert(op.id).inserted {
                throw fail("operators[\(index)].id", "duplicate operator id '\(op.id)'")
            }
        }
        var vins = Set<String>()
        var terminals = Set<String>()
        var obuIDs = Set<OBUIdentifier>()
        for (index, vehicle) in vehicles.enumerated() {
            let prefix = "vehicles[\(index)]"
            if !Self.isValidVIN(vehicle.vin) {
                throw fail(
                    "\(prefix).vin",
                    "'\(vehicle.vin)' is not a VIN (17 characters A-Z/0-9 without I, O, Q)")
            }
            if !vins.insert(vehicle.vin).inserted {
                throw fail("\(prefix).vin", "duplicate VIN '\(vehicle.vin)'")
            }
            if vehicle.plate.isEmpty { throw fail("\(prefix).plate", "must not be empty") }
            if !operatorIDs.contains(vehicle.operatorID) {
                throw fail("\(prefix).operator", "unknown operator '\(vehicle.operatorID)'")
            }
            if vehicle.permit.isEmpty { throw fail("\(prefix).permit", "must not be empty") }
            let digits = vehicle.terminal.utf8
            if digits.isEmpty || digits.count > 20 || !digits.allSatisfy({ (48...57).contains($0) }) {
                throw fail(
                    "\(prefix).terminal", "'\(vehicle.terminal)' is not a terminal number (1-20 digits)")
            }
            if !terminals.insert(vehicle.terminal).inserted {
                throw fail("\(prefix).terminal", "duplicate terminal number '\(vehicle.terminal)'")
            }
            if !obuIDs.insert(vehicle.obuID).inserted {
                throw fail("\(prefix).obu_id", "duplicate OBU id '\(vehicle.obuID)'")
            }
            if !(0...5).contains(vehicle.maxLevel) {
                throw fail("\(prefix).max_level", "must be an SAE level 0-5, got \(vehicle.maxLevel)")
            }
            if let rate = vehicle.bsmRate, !(rate > 0 && rate <= 100) {
                throw fail("\(prefix).bsm_rate_hz", "must be within (0, 100] Hz, got \(rate)")
            }
        }
        if !(bsmRate > 0 && bsmRate <= 100) {
            throw fail("zone.bsm_rate_hz", "must be within (0, 100] Hz, got \(bsmRate)")
        }
        var linkIDs = Set<String>()
        for (index, link) in links.enumerated() where !linkIDs.insert(link.id).inserted || link.id.isEmpty {
            throw fail(
                "links[\(index)].id", link.id.isEmpty ? "must not be empty" : "duplicate link id '\(link.id)'"
            )
        }
        var rsuIDs = Set<String>()
        for (index, rsu) in rsus.enumerated() {
            let prefix = "rsus[\(index)]"
            if rsu.id.isEmpty || rsu.id.contains("/") || rsu.id.contains(where: \.isWhitespace) {
                throw fail("\(prefix).id", "'\(rsu.id)' must be non-empty without '/' or spaces")
            }
            if !rsuIDs.insert(rsu.id).inserted { throw fail("\(prefix).id", "duplicate RSU id '\(rsu.id)'") }
            if !(-90...90).contains(rsu.position.latitude) {
                throw fail("\(prefix).latitude", "must be within -90...90, got \(rsu.position.latitude)")
            }
            if !(-180...180).contains(rsu.position.longitude) {
                throw fail("\(prefix).longitude", "must be within -180...180, got \(rsu.position.longitude)")
            }
            if !(rsu.nominalRange > 0 && rsu.nominalRange <= 5000) {
                throw fail("\(prefix).range_m", "must be within (0, 5000] m, got \(rsu.nominalRange)")
            }
        }
        var sourceNames = Set<String>()
        var sourceKeys = Set<String>()
        for (index, source) in sources.enumerated() {
            let prefix = "sources[\(index)]"
            if source.name.isEmpty { throw fail("\(prefix).name", "must not be empty") }
            if !sourceNames.insert(source.name).inserted {
                throw fail("\(prefix).name", "duplicate source name '\(source.name)'")
            }
            if !ZoneSource.isZ85Key(source.publicKey) {
                throw fail("\(prefix).public_key", "not a CURVE public key (40 characters of Z85)")
            }
            if !sourceKeys.insert(source.publicKey).inserted {
                throw fail("\(prefix).public_key", "the same key is already listed for another source")
            }
            if source.topics.isEmpty { throw fail("\(prefix).topics", "must list at least one topic prefix") }
            for topic in source.topics where !(topic.hasPrefix("cv2x/") || topic.hasPrefix("jt808/")) {
                throw fail("\(prefix).topics", "'\(topic)' does not start with cv2x/ or jt808/")
            }
        }
    }

    /// Whether `vin` has the ISO 3779 shape: 17 characters of A-Z and 0-9 except I, O and Q.
    public static func isValidVIN(_ vin: String) -> Bool {
        let bytes = Array(vin.utf8)
        guard bytes.count == 17 else { return false }
        return bytes.allSatisfy { byte in
            (48...57).contains(byte) || ((65...90).contains(byte) && byte != 73 && byte != 79 && byte != 81)
        }
    }

    /// Renders the configuration as `zone.toml` text in the documented layout.
    public func tomlText() -> String {
        let quoted = TOMLString.quoted
        func number(_ value: Double, _ decimals: Int) -> String { Geodesy.format(value, decimals: decimals) }
        var lines: [String] = []
        lines.append("[zone]")
        lines.append("name = \(quoted(name))")
        lines.append("time_zone = \(quoted(timeZone))")
        lines.append(
            "origin = { latitude = \(number(origin.latitude, 7)), longitude = \(number(origin.longitude, 7)) }"
        )
        if let reportingEntity { lines.append("reporting_entity = \(quoted(reportingEntity))") }
        if defaultLinkCategory != .street {
            lines.append("link_category = \(quoted(defaultLinkCategory.rawValue))")
        }
        if bsmRate != 10 { lines.append("bsm_rate_hz = \(number(bsmRate, 1))") }
        for op in operators {
            lines.append("")
            lines.append("[[operators]]")
            lines.append("id = \(quoted(op.id))")
            lines.append("name = \(quoted(op.name))")
            if op.automationStateItem != 0xE1 || op.automationEventItem != 0xE2 {
                lines.append(
                    "automation_state_item = 0x\(String(op.automationStateItem, radix: 16, uppercase: true))")
                lines.append(
                    "automation_event_item = 0x\(String(op.automationEventItem, radix: 16, uppercase: true))")
            }
            if let manufacturer = op.manufacturer { lines.append("manufacturer = \(quoted(manufacturer))") }
            if let permit = op.permitNumber { lines.append("permit_number = \(quoted(permit))") }
        }
        for vehicle in vehicles {
            lines.append("")
            lines.append("[[vehicles]]")
            lines.append("vin = \(quoted(vehicle.vin))")
            lines.append("plate = \(quoted(vehicle.plate))")
            lines.append("operator = \(quoted(vehicle.operatorID))")
            lines.append("permit = \(quoted(vehicle.permit))")
            lines.append("terminal = \(quoted(vehicle.terminal))")
            lines.append("obu_id = \(quoted(vehicle.obuID.description))")
            lines.append("max_level = \(vehicle.maxLevel)")
            if let rate = vehicle.bsmRate { lines.append("bsm_rate_hz = \(number(rate, 1))") }
            if let capable = vehicle.driverlessCapable { lines.append("driverless_capable = \(capable)") }
        }
        for link in links {
            lines.append("")
            lines.append("[[links]]")
            lines.append("id = \(quoted(link.id))")
            lines.append("category = \(quoted(link.category.rawValue))")
            if let name = link.name { lines.append("name = \(quoted(name))") }
        }
        for rsu in rsus {
            lines.append("")
            lines.append("[[rsus]]")
            lines.append("id = \(quoted(rsu.id))")
            lines.append("latitude = \(number(rsu.position.latitude, 7))")
            lines.append("longitude = \(number(rsu.position.longitude, 7))")
            lines.append("range_m = \(number(rsu.nominalRange, 1))")
            lines.append("schema = \(quoted(rsu.schema.rawValue))")
        }
        for source in sources {
            lines.append("")
            lines.append("[[sources]]")
            lines.append("name = \(quoted(source.name))")
            lines.append("public_key = \(quoted(source.publicKey))")
            lines.append("topics = [\(source.topics.map(quoted).joined(separator: ", "))]")
        }
        if let alarms {
            lines.append("")
            lines.append("[alarms]")
            lines.append("rsu_silent_seconds = \(number(alarms.rsuSilentSeconds, 3))")
            lines.append("track_silent_seconds = \(number(alarms.trackSilentSeconds, 3))")
            lines.append("reject_rate = \(number(alarms.rejectRate, 6))")
            lines.append("reject_rate_minimum_frames = \(alarms.rejectRateMinimumFrames)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// A problem in a zone configuration, located by file, line (when it can be found) and field.
public struct ZoneConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file name given to the loader.
    public var file: String
    /// 1-based line of the field (or of the syntax error); nil when the field is absent.
    public var line: Int?
    /// Dotted field path, e.g. `vehicles[2].obu_id`; nil for syntax and I/O errors.
    public var field: String?
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(file: String, line: Int?, field: String?, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    /// `zone.toml:12: vehicles[1].obu_id: duplicate OBU id '...'`.
    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": "
        if let field { text += "\(field): " }
        return text + message
    }
}

/// Reads the typed configuration out of a parsed TOML table, reporting missing or mistyped fields.
private struct TableReader {
    let fileName: String
    let locator: TOMLKeyLocator

    func error(_ field: String, _ message: String) -> ZoneConfigurationError {
        ZoneConfigurationError(file: fileName, line: locator.line(of: field), field: field, message: message)
    }

    func value(_ table: TOMLTable, _ key: String, _ path: String) throws(ZoneConfigurationError)
        -> any TOMLValueConvertible
    {
        guard let value = table[key] else { throw error(path, "missing required field") }
        return value
    }

    func string(_ table: TOMLTable, _ key: String, _ path: String) throws(ZoneConfigurationError) -> String {
        let raw = try value(table, key, path)
        guard let text = raw.string else { throw error(path, "expected a string, found \(raw.type)") }
        return text
    }

    func int(_ table: TOMLTable, _ key: String, _ path: String) throws(ZoneConfigurationError) -> Int {
        let raw = try value(table, key, path)
        guard let number = raw.int else { throw error(path, "expected an integer, found \(raw.type)") }
        return number
    }

    /// An optional JT/T 808 additional-item id (0...255; TOML allows `0xE1`).
    func itemID(_ table: TOMLTable, _ key: String, _ path: String, default fallback: UInt8)
        throws(ZoneConfigurationError) -> UInt8
    {
        guard table[key] != nil else { return fallback }
        let number = try int(table, key, "\(path).\(key)")
        guard let id = UInt8(exactly: number) else {
            throw error("\(path).\(key)", "must be an item id 0...255 (e.g. 0xE1), got \(number)")
        }
        return id
    }

    func double(_ table: TOMLTable, _ key: String, _ path: String) throws(ZoneConfigurationError) -> Double {
        let raw = try value(table, key, path)
        if let number = raw.double { return number }
        if let number = raw.int { return Double(number) }
        throw error(path, "expected a number, found \(raw.type)")
    }

    func tables(_ table: TOMLTable, _ key: String) throws(ZoneConfigurationError) -> [TOMLTable] {
        guard let raw = table[key] else { return [] }
        guard let array = raw.array else {
            throw error(key, "expected an array of tables ([[\(key)]]), found \(raw.type)")
        }
        var result: [TOMLTable] = []
        for (index, element) in array.enumerated() {
            guard let entry = element.table else {
                throw error("\(key)[\(index)]", "expected a table, found \(element.type)")
            }
            result.append(entry)
        }
        return result
    }

    mutating func readConfiguration(_ root: TOMLTable) throws(ZoneConfigurationError) -> ZoneConfiguration {
        let known: Set<String> = ["zone", "operators", "vehicles", "rsus", "links", "sources", "alarms"]
        for key in root.keys where !known.contains(key) {
            throw error(
                key, "unknown section (expected zone, operators, vehicles, rsus, links, sources, alarms)")
        }
        guard let zoneValue = root["zone"] else { throw error("zone", "missing [zone] section") }
        guard let zone = zoneValue.table else { throw error("zone", "expected a table") }
        try rejectUnknown(
            zone, "zone", ["name", "time_zone", "origin", "reporting_entity", "link_category", "bsm_rate_hz"])
        let name = try string(zone, "name", "zone.name")
        let timeZone = try string(zone, "time_zone", "zone.time_zone")
        let originValue = try value(zone, "origin", "zone.origin")
        guard let originTable = originValue.table else {
            throw error("zone.origin", "expected a table { latitude = ..., longitude = ... }")
        }
        try rejectUnknown(originTable, "zone.origin", ["latitude", "longitude"])
        let origin = GeoPoint(
            latitude: try double(originTable, "latitude", "zone.origin.latitude"),
            longitude: try double(originTable, "longitude", "zone.origin.longitude"))

        var operators: [ZoneOperator] = []
        for (index, entry) in try tables(root, "operators").enumerated() {
            let path = "operators[\(index)]"
            try rejectUnknown(
                entry, path,
                [
                    "id", "name", "automation_state_item", "automation_event_item", "manufacturer",
                    "permit_number",
                ])
            operators.append(
                ZoneOperator(
                    id: try string(entry, "id", "\(path).id"),
                    name: try string(entry, "name", "\(path).name"),
                    automationStateItem: try itemID(entry, "automation_state_item", path, default: 0xE1),
                    automationEventItem: try itemID(entry, "automation_event_item", path, default: 0xE2),
                    manufacturer: try optionalString(entry, "manufacturer", "\(path).manufacturer"),
                    permitNumber: try optionalString(entry, "permit_number", "\(path).permit_number")))
            if operators[index].automationStateItem == operators[index].automationEventItem {
                throw error("\(path).automation_event_item", "must differ from automation_state_item")
            }
        }
        var vehicles: [ZoneVehicle] = []
        for (index, entry) in try tables(root, "vehicles").enumerated() {
            let path = "vehicles[\(index)]"
            try rejectUnknown(
                entry, path,
                [
                    "vin", "plate", "operator", "permit", "terminal", "obu_id", "max_level", "bsm_rate_hz",
                    "driverless_capable",
                ])
            let obuText = try string(entry, "obu_id", "\(path).obu_id")
            guard let obuID = OBUIdentifier(hex: obuText) else {
                throw error("\(path).obu_id", "'\(obuText)' is not 8 octets as 16 hexadecimal digits")
            }
            vehicles.append(
                ZoneVehicle(
                    vin: try string(entry, "vin", "\(path).vin"),
                    plate: try string(entry, "plate", "\(path).plate"),
                    operatorID: try string(entry, "operator", "\(path).operator"),
                    permit: try string(entry, "permit", "\(path).permit"),
                    terminal: try string(entry, "terminal", "\(path).terminal"),
                    obuID: obuID,
                    maxLevel: try int(entry, "max_level", "\(path).max_level")))
            if entry["bsm_rate_hz"] != nil {
                vehicles[vehicles.count - 1].bsmRate = try double(entry, "bsm_rate_hz", "\(path).bsm_rate_hz")
            }
            if let raw = entry["driverless_capable"] {
                guard let flag = raw.bool else {
                    throw error("\(path).driverless_capable", "expected true or false, found \(raw.type)")
                }
                vehicles[vehicles.count - 1].driverlessCapable = flag
            }
        }
        var links: [ZoneLink] = []
        for (index, entry) in try tables(root, "links").enumerated() {
            let path = "links[\(index)]"
            try rejectUnknown(entry, path, ["id", "category", "name"])
            links.append(
                ZoneLink(
                    id: try string(entry, "id", "\(path).id"),
                    category: try category(entry, "category", "\(path).category"),
                    name: try optionalString(entry, "name", "\(path).name")))
        }
        var rsus: [ZoneRSU] = []
        for (index, entry) in try tables(root, "rsus").enumerated() {
            let path = "rsus[\(index)]"
            try rejectUnknown(entry, path, ["id", "latitude", "longitude", "range_m", "schema"])
            let schemaText = try string(entry, "schema", "\(path).schema")
            guard let schema = CSAESchemaSet(rawValue: schemaText) else {
                let allowed = CSAESchemaSet.allCases.map(\.rawValue).joined(separator: ", ")
                throw error(
                    "\(path).schema", "unknown schema set '\(schemaText)' (expected one of \(allowed))")
            }
            rsus.append(
                ZoneRSU(
                    id: try string(entry, "id", "\(path).id"),
                    position: GeoPoint(
                        latitude: try double(entry, "latitude", "\(path).latitude"),
                        longitude: try double(entry, "longitude", "\(path).longitude")),
                    nominalRange: try double(entry, "range_m", "\(path).range_m"),
                    schema: schema))
        }
        var sources: [ZoneSource] = []
        for (index, entry) in try tables(root, "sources").enumerated() {
            let path = "sources[\(index)]"
            try rejectUnknown(entry, path, ["name", "public_key", "topics"])
            sources.append(
                ZoneSource(
                    name: try string(entry, "name", "\(path).name"),
                    publicKey: try string(entry, "public_key", "\(path).public_key"),
                    topics: try strings(entry, "topics", "\(path).topics")))
        }
        var configuration = ZoneConfiguration(
            name: name, timeZone: timeZone, origin: origin, operators: operators, vehicles: vehicles,
            rsus: rsus, sources: sources)
        configuration.reportingEntity = try optionalString(zone, "reporting_entity", "zone.reporting_entity")
        if zone["link_category"] != nil {
            configuration.defaultLinkCategory = try category(zone, "link_category", "zone.link_category")
        }
        if zone["bsm_rate_hz"] != nil {
            configuration.bsmRate = try double(zone, "bsm_rate_hz", "zone.bsm_rate_hz")
        }
        configuration.links = links
        configuration.alarms = try readAlarms(root)
        return configuration
    }

    func optionalString(_ table: TOMLTable, _ key: String, _ path: String) throws(ZoneConfigurationError)
        -> String?
    {
        guard table[key] != nil else { return nil }
        return try string(table, key, path)
    }

    func category(_ table: TOMLTable, _ key: String, _ path: String) throws(ZoneConfigurationError)
        -> LinkCategory
    {
        let text = try string(table, key, path)
        guard let category = LinkCategory(rawValue: text) else {
            let allowed = LinkCategory.allCases.map(\.rawValue).joined(separator: ", ")
            throw error(path, "unknown location category '\(text)' (expected one of \(allowed))")
        }
        return category
    }

    func strings(_ table: TOMLTable, _ key: String, _ path: String) throws(ZoneConfigurationError) -> [String]
    {
        let raw = try value(table, key, path)
        guard let array = raw.array else {
            throw error(path, "expected an array of strings, found \(raw.type)")
        }
        var result: [String] = []
        for element in array {
            guard let text = element.string else {
                throw error(path, "expected strings, found \(element.type)")
            }
            result.append(text)
        }
        return result
    }

    /// The optional `[alarms]` section (issue 15).
    func readAlarms(_ root: TOMLTable) throws(ZoneConfigurationError) -> ZoneAlarms? {
        guard let value = root["alarms"] else { return nil }
        guard let table = value.table else { throw error("alarms", "expected a table") }
        let keys = [
            "rsu_silent_seconds", "track_silent_seconds", "reject_rate", "reject_rate_minimum_frames",
        ]
        try rejectUnknown(table, "alarms", Set(keys))
        var alarms = ZoneAlarms()
        if table["rsu_silent_seconds"] != nil {
            alarms.rsuSilentSeconds = try double(table, "rsu_silent_seconds", "alarms.rsu_silent_seconds")
        }
        if table["track_silent_seconds"] != nil {
            alarms.trackSilentSeconds = try double(
                table, "track_silent_seconds", "alarms.track_silent_seconds")
        }
        if table["reject_rate"] != nil {
            alarms.rejectRate = try double(table, "reject_rate", "alarms.reject_rate")
        }
        if table["reject_rate_minimum_frames"] != nil {
            alarms.rejectRateMinimumFrames = try int(
                table, "reject_rate_minimum_frames", "alarms.reject_rate_minimum_frames")
        }
        for key in keys.dropLast() where alarms.value(of: key) <= 0 {
            throw error("alarms.\(key)", "must be greater than 0")
        }
        return alarms
    }

    func rejectUnknown(_ table: TOMLTable, _ path: String, _ known: Set<String>)
        throws(ZoneConfigurationError)
    {
        for key in table.keys.sorted() where !known.contains(key) {
            let allowed = known.sorted().joined(separator: ", ")
            throw error("\(path).\(key)", "unknown field (expected one of \(allowed))")
        }
    }
}
