import CV2X
import Metrics
import Recording
import Zone

/// Builds the metrics configuration of a zone: the registry from `zone.toml`, the road network
/// from the MAP messages the RSUs broadcast (DESIGN.md 5), map matching and the 100 m grid over
/// the network's bounding box, both in the zone's local projection around its origin.
public enum ZoneSetup {
    /// The road network of every MAP frame on `cv2x/` topics of the recordings (all of them are
    /// read: a MAP lost or corrupted once is repeated later). Frames that do not decode are skipped.
    public static func roadNetwork(fromRecordings paths: [String]) throws -> RoadNetwork {
        var builder = RoadNetworkBuilder()
        for path in paths {
            let reader: MCAPReader
            do {
                reader = try MCAPReader(path: path)
            } catch {
                throw ReplayError.cannotOpen(path: path, detail: "\(error)")
            }
            let cursor = reader.makeCursor(MCAPQuery(topicPrefixes: ["cv2x/"], order: .file))
            var seen = Set<UInt64>()
            while let message = cursor.next() {
                // The MessageFrame CHOICE of all three sets starts with the extension bit and the
                // 3-bit root index; mapFrame is index 1 (bits 0001): skip everything else unread.
                guard let first = message.payload.first, first >> 4 == 1 else { continue }
                // MAP frames repeat unchanged: decode each distinct content once.
                guard seen.insert(FNV1a.hash(message.payload) ^ UInt64(message.payload.count)).inserted else {
                    continue
                }
                guard let frame = try? CV2XFrame(autoDetecting: message.payload),
                    let nodes = MapNode.nodes(from: frame)
                else { continue }
                builder.add(contentsOf: nodes)
            }
        }
        return builder.build()
    }

    /// The metrics configuration of a zone and its road network.
    public static func metricsConfiguration(zone: ZoneConfiguration, network: RoadNetwork)
        -> MetricsConfiguration
    {
        let projection = LocalProjection(origin: zone.origin)
        // Issue 18: nominal BSM rate per vehicle, RSU range for the reception bands, link categories.
        let vehicles = zone.vehicles.map {
            VehicleIdentity(
                vin: $0.vin, operatorID: $0.operatorID, terminalNumber: $0.terminal, obuID: $0.obuID.rawValue,
                nominalBSMRate: $0.bsmRate ?? zone.bsmRate)
        }
        let rsus = zone.rsus.map {
            RSUSite(
                id: $0.id, latitude: $0.position.latitude, longitude: $0.position.longitude, range: $0.nominalRange)
        }
        var roads: (any RoadMatcher)?
        var grid: CoverageGrid?
        if !network.links.isEmpty {
            let categories = Dictionary(
                zone.links.map { ($0.id, (category: $0.category.rawValue, name: $0.name)) },
                uniquingKeysWith: { a, _ in a })
            roads = ZoneRoadMatcher(
                MapMatcher(network: network, projection: projection), categories: categories,
                defaultCategory: zone.defaultLinkCategory.rawValue)
            grid = CoverageGrid(network: network, projection: projection)
        }
        var configuration = MetricsConfiguration(vehicles: vehicles, rsus: rsus, roads: roads, grid: grid)
        configuration.automationItemIDs = automationItemIDs(zone: zone)
        return configuration
    }

    /// ICV item ids by terminal (without leading zeros) for vehicles of operators that do not
    /// use 0xE1/0xE2.
    public static func automationItemIDs(zone: ZoneConfiguration) -> [String: AutomationItemIDs] {
        let operators = Dictionary(zone.operators.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var result: [String: AutomationItemIDs] = [:]
        for vehicle in zone.vehicles {
            guard let op = operators[vehicle.operatorID] else { continue }
            let ids = AutomationItemIDs(state: op.automationStateItem, event: op.automationEventItem)
            let digits = vehicle.terminal.drop { $0 == "0" }
            if ids != .standard { result[digits.isEmpty ? "0" : String(digits)] = ids }
        }
        return result
    }

    /// Operator names by id.
    public static func operatorNames(zone: ZoneConfiguration) -> [String: String] {
        Dictionary(zone.operators.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
    }
}
