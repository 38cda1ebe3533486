/// The identifier of a directed road link: from its upstream node to its downstream node.
public struct LinkID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Start node.
    public var upstream: MapNodeID
    /// End node (the node whose MAP entry lists the link).
    public var downstream: MapNodeID

    /// Creates a link id.
    public init(upstream: MapNodeID, downstream: MapNodeID) {
        self.upstream = upstream
        self.downstream = downstream
    }

    public static func < (lhs: LinkID, rhs: LinkID) -> Bool {
        (lhs.upstream, lhs.downstream) < (rhs.upstream, rhs.downstream)
    }

    /// `"<upstream>-<downstream>"`, e.g. `"1.3-1.4"`.
    public var description: String { "\(upstream)-\(downstream)" }

    /// Parses `"<region>.<id>-<region>.<id>"`.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "-")
        guard parts.count == 2, let up = MapNodeID(parts[0]), let down = MapNodeID(parts[1]) else {
            return nil
        }
        self.init(upstream: up, downstream: down)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = LinkID(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "expected '<r>.<n>-<r>.<n>'"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A directed road link of the network with its full geometry.
public struct RoadLink: Sendable, Hashable {
    /// Identifier (upstream and downstream node).
    public var id: LinkID
    /// Optional name.
    public var name: String?
    /// Number of lanes.
    public var lanes: Int
    /// Total width in metres.
    public var width: Double
    /// Maximum speed limit in m/s, if the MAP gives one.
    public var speedLimit: Double?
    /// Polyline: upstream node, intermediate points, downstream node.
    public var geometry: [GeoPoint]
    /// Length in metres: sum of great-circle distances along ``geometry``.
    public var length: Double
}

/// The zone's road network: links from MAP messages, merged across RSUs and editions.
///
/// Build it with ``RoadNetworkBuilder``. Links are sorted by ``LinkID``; their indices are
/// stable for a given set of MAP contents.
public struct RoadNetwork: Sendable {
    /// Node positions.
    public let nodes: [MapNodeID: GeoPoint]
    /// Links sorted by id.
    public let links: [RoadLink]
    /// Links whose upstream node no MAP message described (left out of ``links``).
    public let unresolvedLinks: [LinkID]
    private let indexByID: [LinkID: Int]

    init(nodes: [MapNodeID: GeoPoint], links: [RoadLink], unresolvedLinks: [LinkID]) {
        self.nodes = nodes
        self.links = links
        self.unresolvedLinks = unresolvedLinks
        var index: [LinkID: Int] = [:]
        for (position, link) in links.enumerated() { index[link.id] = position }
        self.indexByID = index
    }

    /// The index in ``links`` of a link id.
    public func index(of id: LinkID) -> Int? { indexByID[id] }

    /// The link with `id`.
    public subscript(id: LinkID) -> RoadLink? { indexByID[id].map { links[$0] } }

    /// Total length of all links in metres.
    public var totalLength: Double { links.reduce(0) { $0 + $1.length } }

    /// South-west and north-east corners of all link geometry and nodes; nil when empty.
    public var boundingBox: (southWest: GeoPoint, northEast: GeoPoint)? {
        var points = Array(nodes.values)
        for link in links { points.append(contentsOf: link.geometry) }
        guard let first = points.first else { return nil }
        var south = first.latitude
        var north = first.latitude
        var west = first.longitude
        var east = first.longitude
        for point in points {
            south = min(south, point.latitude)
            north = max(north, point.latitude)
            west = min(west, point.longitude)
            east = max(east, point.longitude)
        }
        return (GeoPoint(latitude: south, longitude: west), GeoPoint(latitude: north, longitude: east))
    }
}

/// Accumulates MAP nodes from any number of RSUs and message editions into a ``RoadNetwork``.
///
/// Merge rule: nodes are keyed by ``MapNodeID``, links by (upstream, downstream); a later
/// ``add(_:)`` of the same node replaces its position and name, and a later description of the
/// same link replaces the earlier one. Links not mentioned again are kept (an RSU's MAP
/// normally describes only its own intersection). Feed messages in receive order so the
/// newest description wins.
public struct RoadNetworkBuilder: Sendable {
    private var positions: [MapNodeID: GeoPoint] = [:]
    private var names: [MapNodeID: String] = [:]
    private var links: [LinkID: MapLink] = [:]

    /// An empty builder.
    public init() {}

    /// Adds (or updates) a node and its incoming links.
    public mutating func add(_ node: MapNode) {
        positions[node.id] = node.position
        if let name = node.name { names[node.id] = name }
        for link in node.inLinks {
            links[LinkID(upstream: link.upstream, downstream: node.id)] = link
        }
    }

    /// Adds several nodes in order.
    public mutating func add(contentsOf nodes: some Sequence<MapNode>) {
        for node in nodes { add(node) }
    }

    /// Number of distinct nodes seen.
    public var nodeCount: Int { positions.count }

    /// The network as described so far.
    public func build() -> RoadNetwork {
        var built: [RoadLink] = []
        var unresolved: [LinkID] = []
        for (id, link) in links {
            guard let start = positions[id.upstream], let end = positions[id.downstream] else {
                unresolved.append(id)
                continue
            }
            let geometry = [start] + link.points + [end]
            var length = 0.0
            for index in 1..<geometry.count {
                length += Geodesy.greatCircleDistance(geometry[index - 1], geometry[index])
            }
            built.append(
                RoadLink(
                    id: id, name: link.name, lanes: link.lanes, width: link.width,
                    speedLimit: link.speedLimits.max(), geometry: geometry, length: length))
        }
        built.sort { $0.id < $1.id }
        unresolved.sort()
        return RoadNetwork(nodes: positions, links: built, unresolvedLinks: unresolved)
    }
}
