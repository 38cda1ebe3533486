import CV2X
import Foundation
import JT808
import Metrics
import Pipeline
import Recording
import UPER
import Zone

/// Writes a recording that Foxglove (or Lichtblick) shows without plugins, from TestZone
/// journals: the raw frames on their original channels, plus JSON channels with JSON Schemas
/// (see `FoxgloveSchemas` and the README, "Export for Foxglove").
///
/// Every derived message has the log and publish time of the journal message it comes from, so
/// the panels play in step with the raw frames.
final class FoxgloveExport {
    struct Options {
        /// Log-time range ([from, to), ns); nil for no bound.
        var from: UInt64?
        var to: UInt64?
        /// Journal topic prefixes to export; nil for all.
        var topicPrefixes: [String]?
        /// The zone (vehicle registry: VINs for terminals and OBUs; coverage grid origin).
        var zone: ZoneConfiguration?
    }

    /// A channel of the export and the messages written to it.
    struct ChannelCount: Encodable {
        var topic: String
        var schema: String
        var encoding: String
        var messages: UInt64
    }

    struct Result {
        var frames: UInt64 = 0
        var cv2xDecoded: UInt64 = 0
        var cv2xUndecoded: UInt64 = 0
        var jt808Packets: UInt64 = 0
        var jt808Undecoded: UInt64 = 0
        var channels: [ChannelCount] = []
        var bytes: UInt64 = 0
        var seconds: Double = 0
        var firstTime: UInt64?
        var lastTime: UInt64?
        var warnings: [String] = []
    }

    /// Topics of the derived channels.
    enum Topics {
        static let roadNetwork = "/zone/road_network"
        static let coverage = "/zone/coverage"
        static let automationEvents = "/events/automation"
        static let alarms = "/events/alarms"
        static func jer(_ journalTopic: String) -> String { "/\(journalTopic)/jer" }
        static func jt808JSON(_ journalTopic: String) -> String { "/\(journalTopic)/json" }
        static func jt808Fix(_ vehicle: String) -> String { "/vehicles/\(vehicle)/jt808_fix" }
        static func bsmFix(_ vehicle: String) -> String { "/vehicles/\(vehicle)/bsm_fix" }
    }

    private let journals: MergedJournals
    private let files: [String]
    private let options: Options
    private let writer: MCAPWriter
    /// The raw frames, copied as they were.
    private let raw: ChannelCopier
    private var schemaIDs: [String: UInt16] = [:]
    private var derivedChannels: [String: UInt16] = [:]
    /// Derived channels by id.
    private var channelCounts: [UInt16: ChannelCount] = [:]
    private var directory: VehicleDirectory
    private var lastAlarms: [String: UInt32] = [:]
    private var coverage: CoverageState?
    private var result = Result()

    /// Coverage cells visited in automated L3/L4 mode, published as GeoJSON now and then.
    private struct CoverageState {
        var grid: CoverageGrid
        var cells: Set<Int> = []
        var published = 0
        var lastPublished: UInt64 = 0
    }

    init(journals: MergedJournals, output: String, options: Options) throws {
        self.journals = journals
        files = journals.readers.map(\.path)
        self.options = options
        writer = try MCAPWriter(
            path: output,
            options: MCAPWriter.Options(
                compression: .zstd, library: "testzone \(TestZone.softwareVersion) export"))
        raw = ChannelCopier(writer: writer)
        var identities: [VehicleIdentity] = []
        if let zone = options.zone {
            identities =
                ZoneSetup.metricsConfiguration(zone: zone, network: RoadNetworkBuilder().build()).vehicles
        }
        directory = VehicleDirectory(identities)
    }

    /// Reads the journals and writes the export; `progress` gets (frames read, share done).
    func run(progress: (UInt64, Double) -> Void) throws -> Result {
        let clock = ContinuousClock()
        let started = clock.now
        try writer.addMetadata(
            MCAPMetadata(
                name: "testzone-export",
                entries: [
                    "version": TestZone.softwareVersion,
                    "sources": files.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(
                        separator: " "),
                    "zone": options.zone?.name ?? "",
                ]))
        let network = try ZoneSetup.roadNetwork(fromRecordings: files)
        if !network.links.isEmpty, let box = network.boundingBox {
            let origin =
                options.zone?.origin
                ?? GeoPoint(
                    latitude: (box.southWest.latitude + box.northEast.latitude) / 2,
                    longitude: (box.southWest.longitude + box.northEast.longitude) / 2)
            coverage = CoverageState(
                grid: CoverageGrid(network: network, projection: LocalProjection(origin: origin)))
        }
        let span = Double(max(1, journals.recordingEnd &- journals.recordingStart))
        var framer = JT808Framer()
        var jer = JERWriter(capacity: 4096)
        try journals.forEach(
            MCAPQuery(startTime: options.from, endTime: options.to, topicPrefixes: options.topicPrefixes)
        ) { message, cursor, file in
            if result.firstTime == nil {
                result.firstTime = message.logTime
                if !network.links.isEmpty {
                    try write(
                        Topics.roadNetwork, FoxgloveSchemas.geoJSON,
                        Self.geoJSONMessage(Self.roadNetworkGeoJSON(network)),
                        message)
                }
            }
            result.lastTime = message.logTime
            result.frames += 1
            if result.frames & 0xFFF == 0 {
                progress(result.frames, Double(message.logTime &- journals.recordingStart) / span)
            }
            let topic = cursor.channel(message.channelID)?.topic ?? "channel-\(message.channelID)"
            try raw.copy(message, cursor: cursor, file: file)
            if topic.hasPrefix("cv2x/") {
                try exportCV2X(message, topic: topic, jer: &jer)
            } else if topic.hasPrefix("jt808/") {
                try exportJT808(message, topic: topic, framer: &framer)
            }
        }
        if let last = result.lastTime, let coverage, coverage.cells.count != coverage.published {
            try publishCoverage(at: last, publish: last)
        }
        try writer.finish()
        result.warnings = journals.warnings
        result.bytes = writer.bytesWritten
        let rawCounts = raw.channels.mapValues {
            ChannelCount(topic: $0.topic, schema: $0.schema, encoding: $0.encoding, messages: $0.messages)
        }
        result.channels = channelCounts.merging(rawCounts) { a, _ in a }.sorted { $0.key < $1.key }.map(
            \.value)
        let elapsed = started.duration(to: clock.now)
        result.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return result
    }

    // MARK: Channels

    private func schemaID(_ schema: FoxgloveSchemas.Schema) throws -> UInt16 {
        if let id = schemaIDs[schema.name] { return id }
        let id = try writer.addSchema(
            name: schema.name, encoding: "jsonschema", data: Array(schema.text.utf8))
        schemaIDs[schema.name] = id
        return id
    }

    /// Writes a JSON message on a derived channel (created on first use).
    private func write(
        _ topic: String, _ schema: FoxgloveSchemas.Schema, _ json: String, _ source: MCAPMessageView
    ) throws {
        try write(topic, schema, json, logTime: source.logTime, publishTime: source.publishTime)
    }

    private func write(
        _ topic: String, _ schema: FoxgloveSchemas.Schema, _ json: String, logTime: UInt64,
        publishTime: UInt64
    ) throws {
        let id: UInt16
        if let known = derivedChannels[topic] {
            id = known
        } else {
            id = try writer.addChannel(topic: topic, messageEncoding: "json", schemaID: try schemaID(schema))
            derivedChannels[topic] = id
            channelCounts[id] = ChannelCount(topic: topic, schema: schema.name, encoding: "json", messages: 0)
        }
        let sequence = UInt32(truncatingIfNeeded: channelCounts[id]!.messages)
        channelCounts[id]!.messages += 1
        var text = json
        try text.withUTF8 { bytes in
            try writer.write(
                channelID: id, sequence: sequence, logTime: logTime, publishTime: publishTime,
                payload: UnsafeRawBufferPointer(bytes))
        }
    }

    // MARK: C-V2X

    private func exportCV2X(_ message: MCAPMessageView, topic: String, jer: inout JERWriter) throws {
        guard let frame = try? CV2XFrame(autoDetecting: message.payload) else {
            result.cv2xUndecoded += 1
            return
        }
        result.cv2xDecoded += 1
        jer.reset()
        frame.writeJER(to: &jer)
        let json =
            "{\"schema\":\"\(frame.schema.rawValue)\",\"frame\":" + String(decoding: jer.bytes, as: UTF8.self)
            + "}"
        try write(Topics.jer(topic), FoxgloveSchemas.cv2xFrame, json, message)
        guard let bsm = Self.bsmPosition(frame) else { return }
        let vehicle =
            directory.vehicle(forOBU: bsm.obu).map { directory.identities[$0].vin }
            ?? "OBU-\(Self.hex(bsm.obu))"
        let fix = Self.locationFix(
            timeNs: message.publishTime, frame: vehicle, latitude: Double(bsm.latitude) / 1e7,
            longitude: Double(bsm.longitude) / 1e7, altitude: bsm.elevation.map { Double($0) / 10 } ?? 0)
        try write(Topics.bsmFix(vehicle), FoxgloveSchemas.locationFix, fix, message)
    }

    /// The OBU id and position of a BSM, whichever CSAE 53 set it decoded with.
    static func bsmPosition(_ frame: CV2XFrame) -> (
        obu: UInt64, latitude: Int32, longitude: Int32, elevation: Int32?
    )? {
        switch frame {
        case .csae53_2020(let f):
            guard case .bsmFrame(let b) = f else { return nil }
            return (b.id.words.high, b.pos.lat, b.pos.long, b.pos.elevation)
        case .csae53_2019(let f):
            guard case .bsmFrame(let b) = f else { return nil }
            return (b.id.words.high, b.pos.lat, b.pos.long, b.pos.elevation)
        case .csae53_2017(let f):
            guard case .bsmFrame(let b) = f else { return nil }
            return (b.id.words.high, b.pos.lat, b.pos.long, b.pos.elevation)
        }
    }

    // MARK: JT/T 808

    private func exportJT808(_ message: MCAPMessageView, topic: String, framer: inout JT808Framer) throws {
        var packets: [JT808Packet] = []
        framer.reset()
        framer.append(message.payload) { event in
            switch event {
            case .packet(let content, _):
                if let packet = try? JT808Packet(decoding: content) {
                    packets.append(packet)
                } else {
                    result.jt808Undecoded += 1
                }
            case .error:
                result.jt808Undecoded += 1
            }
        }
        framer.finish { event in
            if case .error = event { result.jt808Undecoded += 1 }
        }
        for packet in packets {
            result.jt808Packets += 1
            try write(Topics.jt808JSON(topic), FoxgloveSchemas.jt808Packet, JT808JSON.render(packet), message)
            let terminal = packet.header.terminal.significantDigits
            // The index first: `vehicle(forTerminal:)` appends an unregistered terminal, and
            // `identities` read in the same expression would be the array from before.
            let index = directory.vehicle(forTerminal: terminal)
            let vehicle = directory.identities[index].vin
            switch packet.body {
            case .locationReport(let report):
                try exportReport(report, vehicle: vehicle, topic: topic, message)
            case .batchLocationUpload(let batch):
                for report in batch.reports {
                    try exportReport(report, vehicle: vehicle, topic: topic, message)
                }
            default:
                break
            }
        }
    }

    private func exportReport(
        _ report: LocationReport, vehicle: String, topic: String, _ message: MCAPMessageView
    )
        throws
    {
        let timeNs = UInt64(max(0, report.time.secondsSince1970)) * 1_000_000_000
        for event in report.automationEvents {
            let type = event.type.name ?? "event \(event.type.rawValue)"
            let level: Int =
                switch event.type {
                case .engaged, .mrmEnded: 2
                case .collision, .severeFailure: 4
                default: 3
                }
            let text =
                "\(type) (initiator \(event.initiator.name ?? "\(event.initiator.rawValue)"), "
                + "cause \(event.cause.name ?? "\(event.cause.rawValue)"), level before \(event.levelBefore))"
            try write(
                Topics.automationEvents, FoxgloveSchemas.log,
                Self.log(
                    timeNs: UInt64(max(0, event.millisecondsSince1970)) * 1_000_000, level: level,
                    message: text,
                    name: "automation/\(vehicle)", file: topic), message)
        }
        let previous = lastAlarms[vehicle] ?? 0
        let alarms = report.alarm.rawValue
        if alarms != previous {
            lastAlarms[vehicle] = alarms
            for bit in 0..<32 where (alarms ^ previous) & (1 << bit) != 0 {
                let raised = alarms & (1 << bit) != 0
                let severe = bit == 0 || bit == 29 || bit == 30  // emergency, collision, rollover
                try write(
                    Topics.alarms, FoxgloveSchemas.log,
                    Self.log(
                        timeNs: timeNs, level: raised ? (severe ? 4 : 3) : 2,
                        message: "alarm \(raised ? "raised" : "cleared"): \(AlarmFlags.bitNames[bit])",
                        name: "alarm/\(vehicle)", file: topic), message)
            }
        }
        guard report.isPositioned else { return }
        let fix = Self.locationFix(
            timeNs: timeNs, frame: vehicle, latitude: report.latitude, longitude: report.longitude,
            altitude: Double(report.altitude))
        try write(Topics.jt808Fix(vehicle), FoxgloveSchemas.locationFix, fix, message)
        if let state = report.automationState, state.mode == .active, state.level == 3 || state.level == 4,
            coverage != nil,
            let cell = coverage!.grid.cell(
                of: GeoPoint(latitude: report.latitude, longitude: report.longitude)),
            coverage!.cells.insert(cell).inserted,
            message.logTime >= coverage!.lastPublished + 10_000_000_000
        {
            try publishCoverage(at: message.logTime, publish: message.publishTime)
        }
    }

    private func publishCoverage(at logTime: UInt64, publish: UInt64) throws {
        guard let state = coverage else { return }
        try write(
            Topics.coverage, FoxgloveSchemas.geoJSON,
            Self.geoJSONMessage(Self.coverageGeoJSON(state.grid, state.cells)),
            logTime: logTime, publishTime: publish)
        coverage!.published = state.cells.count
        coverage!.lastPublished = logTime
    }

    // MARK: JSON

    static func locationFix(
        timeNs: UInt64, frame: String, latitude: Double, longitude: Double, altitude: Double
    )
        -> String
    {
        "{\"timestamp\":\(time(timeNs)),\"frame_id\":\(jsonString(frame)),\"latitude\":\(number(latitude)),"
            + "\"longitude\":\(number(longitude)),\"altitude\":\(number(altitude)),"
            + "\"position_covariance\":[0,0,0,0,0,0,0,0,0],\"position_covariance_type\":0}"
    }

    static func log(timeNs: UInt64, level: Int, message: String, name: String, file: String) -> String {
        "{\"timestamp\":\(time(timeNs)),\"level\":\(level),\"message\":\(jsonString(message)),"
            + "\"name\":\(jsonString(name)),\"file\":\(jsonString(file)),\"line\":0}"
    }

    static func geoJSONMessage(_ geojson: String) -> String { "{\"geojson\":\(jsonString(geojson))}" }

    /// The road network: one LineString feature per link.
    static func roadNetworkGeoJSON(_ network: RoadNetwork) -> String {
        let features = network.links.map { link in
            let coordinates = link.geometry.map { "[\(number($0.longitude)),\(number($0.latitude))]" }
            var properties = "\"id\":\(jsonString(link.id.description)),\"lanes\":\(link.lanes),"
            properties += "\"width_m\":\(number(link.width)),\"length_m\":\(number(link.length))"
            if let name = link.name { properties += ",\"name\":\(jsonString(name))" }
            if let limit = link.speedLimit { properties += ",\"speed_limit_mps\":\(number(limit))" }
            return "{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\",\"coordinates\":["
                + coordinates.joined(separator: ",") + "]},\"properties\":{\(properties)}}"
        }
        return "{\"type\":\"FeatureCollection\",\"features\":[" + features.joined(separator: ",") + "]}"
    }

    /// Grid cells visited in automated L3/L4 mode: one Polygon feature per cell.
    static func coverageGeoJSON(_ grid: CoverageGrid, _ cells: Set<Int>) -> String {
        let features = cells.sorted().map { cell in
            let column = cell % grid.columns
            let row = cell / grid.columns
            let west = grid.southWest.east + Double(column) * grid.cellSize
            let south = grid.southWest.north + Double(row) * grid.cellSize
            let corners = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)].map { dx, dy in
                let point = grid.projection.unproject(
                    LocalPoint(east: west + dx * grid.cellSize, north: south + dy * grid.cellSize))
                return "[\(number(point.longitude)),\(number(point.latitude))]"
            }
            return "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[["
                + corners.joined(separator: ",") + "]]},\"properties\":{\"cell\":\(cell)}}"
        }
        return "{\"type\":\"FeatureCollection\",\"features\":[" + features.joined(separator: ",") + "]}"
    }

    static func time(_ ns: UInt64) -> String {
        "{\"sec\":\(ns / 1_000_000_000),\"nsec\":\(ns % 1_000_000_000)}"
    }

    static func number(_ value: Double) -> String { value.isFinite ? "\(value)" : "0" }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
    }
}
