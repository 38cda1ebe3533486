import Foundation
import Zone

/// Fills registry fields the database does not hold (plates, permits, operator names, RSU
/// positions) from the zone's configuration file, `zone.toml`, and link names and geometry (for
/// the coverage map) from the road network of the RSUs' MAP messages.
///
/// Only blanks are filled: what the database says wins. The filled rows are part of the rows the
/// report is computed from, so they enter the record digest like every other row.
public struct ZoneRegistryOverlay: Sendable {
    /// The zone configuration.
    public let configuration: ZoneConfiguration?
    /// The road network (links keyed by `LinkID.description`, as the Store's `road_links.id`).
    public let network: RoadNetwork?

    /// Loads `zone.toml`; a file that does not load gives ``ReportError/zoneUnavailable(path:reason:)``.
    public init(path: String, network: RoadNetwork? = nil) throws(ReportError) {
        do {
            configuration = try ZoneConfiguration.load(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .zoneUnavailable(path: path, reason: error.description)
        }
        self.network = network
    }

    /// An overlay from a configuration and/or a network already loaded.
    public init(configuration: ZoneConfiguration?, network: RoadNetwork? = nil) {
        self.configuration = configuration
        self.network = network
    }

    /// `records` with blank plates, permits, operator names and RSU positions filled in.
    public func apply(to records: ReportRecords) -> ReportRecords {
        var records = records
        if let network {
            let byID = Dictionary(
                network.links.map { ($0.id.description, $0) }, uniquingKeysWith: { a, _ in a })
            for index in records.links.indices {
                guard let link = byID[records.links[index].id] else { continue }
                if records.links[index].points.isEmpty {
                    records.links[index].points = link.geometry.map {
                        GeoPoint(latitude: $0.latitude, longitude: $0.longitude)
                    }
                }
                if records.links[index].name.isEmpty { records.links[index].name = link.name ?? "" }
            }
        }
        guard let configuration else { return records }
        let registry = ZoneRegistry(configuration: configuration)
        // Issue 18: zone, reporting entity, DMV fields, location categories.
        records.zone = ZoneRecord(
            name: configuration.name, reportingEntity: configuration.reportingEntity ?? "",
            defaultCategory: configuration.defaultLinkCategory.rawValue)
        // A database written before location categories held the MAP link name in `road_class`:
        // such values become the name, and the category comes from zone.toml.
        func category(_ value: String?, link: String?) -> (category: String?, name: String?) {
            if let value, LinkCategory(rawValue: value) != nil { return (value, nil) }
            guard let link else { return (value.flatMap { $0.isEmpty ? nil : $0 }, nil) }
            return (configuration.category(ofLink: link).rawValue, value.flatMap { $0.isEmpty ? nil : $0 })
        }
        for index in records.links.indices {
            let fixed = category(records.links[index].roadClass, link: records.links[index].id)
            records.links[index].roadClass = fixed.category ?? ""
            if records.links[index].name.isEmpty, let name = fixed.name { records.links[index].name = name }
            if let name = configuration.links.first(where: { $0.id == records.links[index].id })?.name,
                records.links[index].name.isEmpty
            {
                records.links[index].name = name
            }
        }
        for index in records.events.indices where records.events[index].linkID != nil {
            let fixed = category(records.events[index].roadClass, link: records.events[index].linkID)
            records.events[index].roadClass = fixed.category
            if records.events[index].roadName == nil { records.events[index].roadName = fixed.name }
        }
        for index in records.vehicles.indices {
            guard let vehicle = registry.vehicle(vin: records.vehicles[index].vin) else { continue }
            if records.vehicles[index].plate.isEmpty { records.vehicles[index].plate = vehicle.plate }
            if records.vehicles[index].permit.isEmpty { records.vehicles[index].permit = vehicle.permit }
            if records.vehicles[index].operatorID.isEmpty {
                records.vehicles[index].operatorID = vehicle.operatorID
            }
            if records.vehicles[index].driverlessCapable == nil {
                records.vehicles[index].driverlessCapable = vehicle.isDriverlessCapable
            }
        }
        for index in records.operators.indices {
            let record = records.operators[index]
            // The Store names an operator by its id when it was registered without a name.
            if record.name.isEmpty || record.name == record.id,
                let zoneOperator = registry.operator(id: record.id)
            {
                records.operators[index].name = zoneOperator.name
            }
            if let zoneOperator = registry.operator(id: record.id) {
                if record.manufacturer.isEmpty {
                    records.operators[index].manufacturer = zoneOperator.manufacturer ?? zoneOperator.name
                }
                if record.permitNumber.isEmpty {
                    records.operators[index].permitNumber = zoneOperator.permitNumber ?? ""
                }
            }
        }
        for index in records.rsus.indices where records.rsus[index].position == nil {
            if let rsu = registry.rsu(id: records.rsus[index].id) {
                records.rsus[index].position = GeoPoint(
                    latitude: rsu.position.latitude, longitude: rsu.position.longitude)
            }
        }
        return records
    }
}
