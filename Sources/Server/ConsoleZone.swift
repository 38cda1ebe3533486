import Metrics
import Zone

/// What the console knows of the zone before any data: registry, RSUs, road network, alarm
/// thresholds.
public struct ConsoleZone: Sendable {
    /// The zone configuration (zone.toml).
    public var zone: ZoneConfiguration
    /// The metrics configuration derived from it (vehicles, RSUs, road matcher, grid).
    public var configuration: MetricsConfiguration
    /// Alarm thresholds.
    public var alarms: ZoneAlarms

    /// Creates the zone description.
    public init(zone: ZoneConfiguration, configuration: MetricsConfiguration) {
        self.zone = zone
        self.configuration = configuration
        self.alarms = zone.alarms ?? ZoneAlarms()
    }

    /// The road network of the MAP messages, if any.
    public var network: RoadNetwork? { (configuration.roads as? ZoneRoadMatcher)?.matcher.network }

    /// Plates by VIN.
    var plates: [String: String] {
        Dictionary(zone.vehicles.map { ($0.vin, $0.plate) }, uniquingKeysWith: { a, _ in a })
    }

    /// The road links as GeoJSON.
    var roadLinks: GeoJSON.FeatureCollection {
        guard let network else { return GeoJSON.FeatureCollection(features: []) }
        return GeoJSON.FeatureCollection(
            features: network.links.map { link in
                GeoJSON.Feature(
                    geometry: GeoJSON.LineString(
                        coordinates: link.geometry.map { [$0.longitude, $0.latitude] }),
                    properties: GeoJSON.LinkProperties(
                        id: link.id.description, name: link.name, lanes: link.lanes, width: link.width,
                        length: link.length))
            })
    }

    var rsuSites: [ConsoleModel.RSUSite] {
        zone.rsus.map {
            ConsoleModel.RSUSite(
                id: $0.id, latitude: $0.position.latitude, longitude: $0.position.longitude,
                rangeMetres: $0.nominalRange)
        }
    }

    /// The matched road link of a position.
    func link(latitude: Double, longitude: Double, heading: Double?) -> String? {
        guard let roads = configuration.roads,
            let index = roads.match(latitude: latitude, longitude: longitude, heading: heading)
        else { return nil }
        return roads.links[index].id
    }
}
