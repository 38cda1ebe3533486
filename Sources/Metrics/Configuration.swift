import Zone

/// Identity of a test vehicle in the zone registry: links the OBU id seen in BSMs, the JT/T 808
/// terminal number and the VIN (the key used in every report).
public struct VehicleIdentity: Sendable, Hashable, Codable {
    /// Vehicle identification number: the report key.
    public var vin: String
    /// Operator (test licence holder) id.
    public var operatorID: String
    /// JT/T 808 terminal number (digits as reported in the header).
    public var terminalNumber: String
    /// OBU temporary id from the BSM (8 octets as a big-endian integer), if the vehicle has an OBU.
    public var obuID: UInt64?
    /// Whether the vehicle is listed in the zone registry (`false`: seen on the wire only).
    public var registered: Bool
    /// The rate at which the vehicle sends BSMs, Hz (zone.toml `bsm_rate_hz`); `nil`: the
    /// configuration's ``MetricsConfiguration/nominalBSMRate``. Expected receptions use it.
    public var nominalBSMRate: Double?

    /// Creates an identity.
    public init(
        vin: String, operatorID: String, terminalNumber: String, obuID: UInt64?, registered: Bool = true,
        nominalBSMRate: Double? = nil
    ) {
        self.vin = vin
        self.operatorID = operatorID
        self.terminalNumber = terminalNumber
        self.obuID = obuID
        self.registered = registered
        self.nominalBSMRate = nominalBSMRate
    }

    /// The key of a vehicle seen on the wire but absent from the registry.
    public static func unregisteredKey(terminal: String) -> String { "UNREGISTERED-\(terminal)" }
}

/// A roadside unit of the zone.
public struct RSUSite: Sendable, Hashable, Codable {
    /// RSU id (the `sourceId` of its `cv2x/` topic).
    public var id: String
    /// Latitude, degrees.
    public var latitude: Double
    /// Longitude, degrees.
    public var longitude: Double
    /// Configured (nominal) range, metres: reception bands are counted only within it
    /// (`nil`: every band).
    public var range: Double?

    /// Creates an RSU site.
    public init(id: String, latitude: Double, longitude: Double, range: Double? = nil) {
        self.id = id
        self.latitude = latitude
        self.longitude = longitude
        self.range = range
    }
}

/// A road link of the zone's road network, as the metrics see it.
public struct RoadLinkInfo: Sendable, Hashable, Codable {
    /// Stable link id (e.g. `"<region>/<upstream node>-<node>"`).
    public var id: String
    /// Length in metres.
    public var length: Double
    /// Location category (`street`, `highway`, `freeway`, `interstate`, `rural_road`,
    /// `parking_facility`: the California DMV's disengagement locations), empty when unknown.
    public var roadClass: String
    /// Display name (the MAP link name, or zone.toml's), empty when unknown.
    public var name: String

    /// Creates a link description.
    public init(id: String, length: Double, roadClass: String = "", name: String = "") {
        self.id = id
        self.length = length
        self.roadClass = roadClass
        self.name = name
    }
}

/// Map matching as the metrics need it: the zone's links and the link a position matches.
/// The zone module's road network provides this; tests use small synthetic networks.
public protocol RoadMatcher: Sendable {
    /// All links of the network, indexed densely; ``match(latitude:longitude:)`` returns an index.
    var links: [RoadLinkInfo] { get }
    /// The index of the link a position matches (nearest link within half its width plus 5 m).
    func match(latitude: Double, longitude: Double) -> Int?
    /// The same, for a vehicle travelling on `heading` (degrees clockwise from north): where the
    /// two directions of a road share a centre line, the direction closer to the heading wins.
    func match(latitude: Double, longitude: Double, heading: Double?) -> Int?
    /// For coverage: like ``match(latitude:longitude:heading:)`` but `nil` where the matched road
    /// runs across the heading (a vehicle turning at a junction: which link it is on is ambiguous).
    func matchAligned(latitude: Double, longitude: Double, heading: Double) -> Int?
}

extension RoadMatcher {
    /// Without direction information: ``match(latitude:longitude:)``.
    public func match(latitude: Double, longitude: Double, heading: Double?) -> Int? {
        match(latitude: latitude, longitude: longitude)
    }

    /// Without direction information: ``match(latitude:longitude:)``.
    public func matchAligned(latitude: Double, longitude: Double, heading: Double) -> Int? {
        match(latitude: latitude, longitude: longitude)
    }
}

/// Map matching through the zone's road network (``Zone/MapMatcher``): link ids are the MAP
/// link ids (`<region>.<node>-<region>.<node>`). MAP messages carry no road class: the location
/// category of each link comes from the zone configuration (`[[links]]`, else its default).
public struct ZoneRoadMatcher: RoadMatcher {
    /// The matcher.
    public let matcher: MapMatcher
    /// The network's links, by matcher index.
    public let links: [RoadLinkInfo]
    /// Per link: the link of the opposite direction (downstream to upstream), if in the network.
    let reverse: [Int?]
    /// Per link: bearing from its first to its last geometry point, degrees.
    let bearing: [Double]

    /// Wraps a matcher; `categories` gives the location category (and optionally a name) by link
    /// id, `defaultCategory` the category of every other link.
    public init(
        _ matcher: MapMatcher, categories: [String: (category: String, name: String?)] = [:],
        defaultCategory: String = ""
    ) {
        self.matcher = matcher
        let network = matcher.network
        links = network.links.map {
            let id = $0.id.description
            let configured = categories[id]
            return RoadLinkInfo(
                id: id, length: $0.length, roadClass: configured?.category ?? defaultCategory,
                name: configured?.name ?? $0.name ?? "")
        }
        reverse = network.links.map {
            network.index(of: LinkID(upstream: $0.id.downstream, downstream: $0.id.upstream))
        }
        bearing = network.links.map { link in
            guard let first = link.geometry.first, let last = link.geometry.last else { return 0 }
            return Zone.Geodesy.initialBearing(from: first, to: last)
        }
    }

    /// The matched link index.
    public func match(latitude: Double, longitude: Double) -> Int? {
        matcher.match(GeoPoint(latitude: latitude, longitude: longitude))?.linkIndex
    }

    /// The matched link index, choosing between the two directions of a road by heading.
    public func match(latitude: Double, longitude: Double, heading: Double?) -> Int? {
        guard let index = match(latitude: latitude, longitude: longitude) else { return nil }
        guard let heading, let other = reverse[index] else { return index }
        func difference(_ a: Double, _ b: Double) -> Double {
            let d = abs((a - b).truncatingRemainder(dividingBy: 360))
            return min(d, 360 - d)
        }
        return difference(bearing[other], heading) < difference(bearing[index], heading) ? other : index
    }

    /// The matched link when it runs within 45 degrees of the heading, else `nil`.
    public func matchAligned(latitude: Double, longitude: Double, heading: Double) -> Int? {
        guard let index = match(latitude: latitude, longitude: longitude, heading: heading) else {
            return nil
        }
        let d = abs((bearing[index] - heading).truncatingRemainder(dividingBy: 360))
        return min(d, 360 - d) <= 45 ? index : nil
    }
}

/// Everything the metrics engine needs to know about the zone, plus the integration parameters.
public struct MetricsConfiguration: Sendable {
    /// Registered vehicles.
    public var vehicles: [VehicleIdentity]
    /// Roadside units (positions for reception ratios by distance band).
    public var rsus: [RSUSite]
    /// Road network for link coverage; `nil` disables link coverage.
    public var roads: (any RoadMatcher)?
    /// The 100 m grid for cell coverage (``Zone/CoverageGrid`` over the MAP network's bounding
    /// box); `nil` disables grid coverage.
    public var grid: CoverageGrid?
    /// Steps between fixes further apart than this are track gaps (10 s).
    public var maximumStepInterval: Microseconds = 10_000_000
    /// Steps implying a higher speed are GNSS outliers, i.e. track gaps (70 m/s).
    public var maximumStepSpeed: Double = 70
    /// A vehicle's BSM received within this time covers its track (1 s).
    public var uplinkWindow: Microseconds = 1_000_000
    /// Nominal BSM rate for reception ratios (10 Hz).
    public var nominalBSMRate: Double = 10
    /// Observations are held per vehicle and released in event-time order once this much later
    /// event time has been seen; older arrivals are *late* (counted; see the README).
    public var reorderWindow: Microseconds = 300_000_000
    /// Upper bounds of the reception distance bands in metres (0-100, 100-200, 200-300, 300-500).
    public var distanceBands: [Double] = [100, 200, 300, 500]
    /// JT/T 808 additional-item ids of the ICV items (automation state, automation event) by
    /// terminal number without leading zeros, for operators whose terminals do not use 0xE1/0xE2.
    public var automationItemIDs: [String: AutomationItemIDs] = [:]

    /// Creates a configuration.
    public init(
        vehicles: [VehicleIdentity], rsus: [RSUSite] = [], roads: (any RoadMatcher)? = nil,
        grid: CoverageGrid? = nil
    ) {
        self.vehicles = vehicles
        self.rsus = rsus
        self.roads = roads
        self.grid = grid
    }

    /// The band index of a distance, or `nil` beyond the last band.
    @inlinable
    public func band(ofDistance metres: Double) -> Int? {
        var index = 0
        while index < distanceBands.count {
            if metres < distanceBands[index] { return index }
            index += 1
        }
        return nil
    }

    /// Human-readable band labels ("0-100", ...).
    public var bandLabels: [String] {
        var lower = 0.0
        return distanceBands.map { upper in
            defer { lower = upper }
            return "\(Int(lower))-\(Int(upper))"
        }
    }
}

/// The 100 m coverage grid of the zone (``Zone/CoverageGrid``), re-exported for users of Metrics.
public typealias CoverageGrid = Zone.CoverageGrid

extension Zone.CoverageGrid {
    /// A grid over an explicit bounding box (projection at its south-west corner).
    public init(
        minLatitude: Double, minLongitude: Double, maxLatitude: Double, maxLongitude: Double,
        cellSize: Double = 100
    ) {
        let projection = LocalProjection(origin: GeoPoint(latitude: minLatitude, longitude: minLongitude))
        let northEast = projection.project(GeoPoint(latitude: maxLatitude, longitude: maxLongitude))
        self.init(
            southWest: LocalPoint(east: 0, north: 0),
            columns: max(1, Int((northEast.east / cellSize).rounded(.up))),
            rows: max(1, Int((northEast.north / cellSize).rounded(.up))), cellSize: cellSize,
            projection: projection)
    }

    /// The cell of a position, or `nil` outside the box.
    public func cell(latitude: Double, longitude: Double) -> Int? {
        cell(of: GeoPoint(latitude: latitude, longitude: longitude))
    }
}

/// Which JT/T 808 additional-item ids carry the ICV items (DESIGN.md 4), an operator's convention.
public struct AutomationItemIDs: Sendable, Hashable, Codable {
    /// The automation-state item (0xE1 by default).
    public var state: UInt8
    /// The automation-event item (0xE2 by default).
    public var event: UInt8

    /// Creates the ids.
    public init(state: UInt8 = 0xE1, event: UInt8 = 0xE2) {
        self.state = state
        self.event = event
    }

    /// DESIGN.md 4: 0xE1 state, 0xE2 event.
    public static let standard = AutomationItemIDs()
}
