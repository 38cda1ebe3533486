/// The identifier of a MAP node: region (0 when the message omits it) and node id.
public struct MapNodeID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Road-regulator region; 0 when absent in the message.
    public var region: UInt16
    /// Node id, unique within the region.
    public var id: UInt16

    /// Creates a node id.
    public init(region: UInt16 = 0, id: UInt16) {
        self.region = region
        self.id = id
    }

    public static func < (lhs: MapNodeID, rhs: MapNodeID) -> Bool {
        (lhs.region, lhs.id) < (rhs.region, rhs.id)
    }

    /// `"<region>.<id>"`, e.g. `"1.12"`.
    public var description: String { "\(region).\(id)" }

    /// Parses `"<region>.<id>"`.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ".")
        guard parts.count == 2, let region = UInt16(parts[0]), let id = UInt16(parts[1]) else { return nil }
        self.init(region: region, id: id)
    }
}

/// A link as a MAP message describes it, independent of the CSAE 53 edition.
///
/// In CSAE 53 a node lists its *incoming* links: each link runs from `upstream` to the node
/// that carries it. Adapters from each edition's `MapData` produce these values (units
/// converted: metres, metres per second, degrees).
public struct MapLink: Sendable, Hashable, Codable {
    /// The node this link starts at.
    public var upstream: MapNodeID
    /// Optional name.
    public var name: String?
    /// Number of lanes (the length of the link's lane list).
    public var lanes: Int
    /// Total width of the link in metres (`linkWidth`).
    public var width: Double
    /// Intermediate points from upstream to downstream (without the two nodes).
    public var points: [GeoPoint]
    /// Speed limits in m/s (all regulatory limits given; the maximum-speed one first if known).
    public var speedLimits: [Double]

    /// Creates a link.
    public init(
        upstream: MapNodeID, name: String? = nil, lanes: Int, width: Double, points: [GeoPoint] = [],
        speedLimits: [Double] = []
    ) {
        self.upstream = upstream
        self.name = name
        self.lanes = lanes
        self.width = width
        self.points = points
        self.speedLimits = speedLimits
    }
}

/// A node as a MAP message describes it: reference position and incoming links.
public struct MapNode: Sendable, Hashable, Codable {
    /// Node id.
    public var id: MapNodeID
    /// Optional name.
    public var name: String?
    /// Reference position.
    public var position: GeoPoint
    /// Links arriving at this node.
    public var inLinks: [MapLink]

    /// Creates a node.
    public init(id: MapNodeID, name: String? = nil, position: GeoPoint, inLinks: [MapLink]) {
        self.id = id
        self.name = name
        self.position = position
        self.inLinks = inLinks
    }
}
