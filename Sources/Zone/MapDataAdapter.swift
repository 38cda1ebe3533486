import CV2X

// MAP adapters: the set-specific MapData of each CSAE 53 edition to the set-agnostic MapNode.

extension MapNode {
    /// The nodes of a MAP frame of any edition; nil when the frame is not a MAP.
    public static func nodes(from frame: CV2XFrame) -> [MapNode]? {
        switch frame {
        case .csae53_2020(.mapFrame(let map)): nodes(from: map)
        case .csae53_2019(.mapFrame(let map)): nodes(from: map)
        case .csae53_2017(.mapFrame(let map)): nodes(from: map)
        default: nil
        }
    }
}

extension MapNode {
    /// The nodes of a CSAE53_2020 `MapData`, in message order.
    ///
    /// Units are converted (1e-7 degree to degrees, cm to m, 0.02 m/s to m/s). Intermediate
    /// points with a relative offset (`position-LL1` ... `LL6`) are offsets from the reference
    /// position of the node that lists the link (ASN.1: "offset to the reference position");
    /// `position-LatLon` points are absolute. `linkWidth` is the width of the whole link.
    public static func nodes(from map: CSAE53_2020.MapData) -> [MapNode] {
        map.nodes.map { node in
            let reference = GeoPoint(
                latitude: Double(node.refPos.lat) / 1e7, longitude: Double(node.refPos.long) / 1e7)
            let links: [MapLink] = (node.inLinks ?? []).map { link in
                let points: [GeoPoint] = (link.points ?? []).map { point in
                    switch point.posOffset.offsetLL {
                    case .position_LL1(let offset): reference.offset(Int(offset.lat), Int(offset.lon))
                    case .position_LL2(let offset): reference.offset(Int(offset.lat), Int(offset.lon))
                    case .position_LL3(let offset): reference.offset(Int(offset.lat), Int(offset.lon))
                    case .position_LL4(let offset): reference.offset(Int(offset.lat), Int(offset.lon))
                    case .position_LL5(let offset): reference.offset(Int(offset.lat), Int(offset.lon))
                    case .position_LL6(let offset): reference.offset(Int(offset.lat), Int(offset.lon))
                    case .position_LatLon(let absolute):
                        GeoPoint(latitude: Double(absolute.lat) / 1e7, longitude: Double(absolute.lon) / 1e7)
                    }
                }
                let speedLimits = (link.speedLimits ?? []).map { Double($0.speed) * 0.02 }
                let lanes = link.lanes.count
                return MapLink(
                    upstream: MapNodeID(region: link.upstreamNodeId.region ?? 0, id: link.upstreamNodeId.id),
                    name: link.name, lanes: lanes, width: Double(link.linkWidth) / 100, points: points,
                    speedLimits: speedLimits)
            }
            return MapNode(
                id: MapNodeID(region: node.id.region ?? 0, id: node.id.id), name: node.name,
                position: reference,
                inLinks: links)
        }
    }
}

extension MapNode {
    /// The nodes of a CSAE53_2019 `MapData`, in message order.
    ///
    /// Units are converted (1e-7 degree to degrees, cm to m, 0.02 m/s to m/s). Intermediate
    /// points with a relative offset (`position-LL1` ... `LL6`) are offsets from the reference
    /// position of the node that lists the link (ASN.1: "offset to the reference position");
    /// `position-LatLon` points are absolute. `linkWidth` (optional in this edition) is the width of the whole link; when absent, the sum of the lanes' `laneWidth`s (3.5 m for a lane without one).
    public static func nodes(from map: CSAE53_2019.MapData) -> [MapNode] {
        map.nodes.map { node in
            let reference = GeoPoint(
                latitude: Double(node.refPos.lat) / 1e7, longitude: Double(node.refPos.long) / 1e7)
            let links: [MapLink] = (node.inLinks ?? []).map { link in
                let points: [GeoPoint] = (link.points ?? []).map { point in
                    switch point.posOffset.offsetLL {
                    case .position_LL1(let offset): reference.offset(Int(offset.lat), Int(offset.lon))
                    case .position_LL2(let offset): reference.offset(Int(offset.lat), Int(offset.lon))
                    case .position_LL3(let offset): reference.offset(Int(offset.lat), Int(offset.lon))
                    case .position_LL4(let offset): reference.offset(Int(offset.lat), Int(offset.lon))
                    case .position_LL5(let offset): reference.offset(Int(offset.lat), Int(offset.lon))
                    case .position_LL6(let offset): reference.offset(Int(offset.lat), Int(offset.lon))
                    case .position_LatLon(let absolute):
                        GeoPoint(latitude: Double(absolute.lat) / 1e7, longitude: Double(absolute.lon) / 1e7)
                    }
                }
                let speedLimits = (link.speedLimits ?? []).map { Double($0.speed) * 0.02 }
                let lanes = link.lanes.count
                return MapLink(
                    upstream: MapNodeID(region: link.upstreamNodeId.region ?? 0, id: link.upstreamNodeId.id),
                    name: link.name, lanes: lanes,
                    width: link.linkWidth.map { Double($0) / 100 }
                        ?? link.lanes.reduce(0) { $0 + Double($1.laneWidth ?? 350) / 100 }, points: points,
                    speedLimits: speedLimits)
            }
            return MapNode(
                id: MapNodeID(region: node.id.region ?? 0, id: node.id.id), name: node.name,
                position: reference,
                inLinks: links)
        }
    }
}

extension MapNode {
    /// The nodes of a CSAE53_2017 `MapData`, in message order.
    ///
    /// Units are converted (1e-7 degree to degrees, cm to m, 0.02 m/s to m/s). Intermediate
    /// points with a relative offset (`position-LL1` ... `LL6`) are offsets from the reference
    /// position of the node that lists the link (ASN.1: "offset to the reference position");
    /// `position-LatLon` points are absolute. This edition gives `laneWidth`, the width of each lane: the link is `laneWidth x lanes` wide.
    public static func nodes(from map: CSAE53_2017.MapData) -> [MapNode] {
        map.nodes.map { node in
            let reference = GeoPoint(
                latitude: Double(node.refPos.lat) / 1e7, longitude: Double(node.refPos.long) / 1e7)
            let links: [MapLink] = (node.inLinks ?? []).map { link in
                let points: [GeoPoint] = (link.points ?? []).map { point in
                    switch point.posOffset.offsetLL {
                    case .position_LL1(let offset): reference.offset(Int(offset.lat), Int(offset.lon))
                    case .position_LL2(let offset): reference.offset(Int(offset.lat), Int(offset.lon))
                    case .position_LL3(let offset): reference.offset(Int(offset.lat), Int(offset.lon))
                    case .position_LL4(let offset): reference.offset(Int(offset.lat), Int(offset.lon))
                    case .position_LL5(let offset): reference.offset(Int(offset.lat), Int(offset.lon))
                    case .position_LL6(let offset): reference.offset(Int(offset.lat), Int(offset.lon))
                    case .position_LatLon(let absolute):
                        GeoPoint(latitude: Double(absolute.lat) / 1e7, longitude: Double(absolute.lon) / 1e7)
                    }
                }
                let speedLimits = (link.speedLimits ?? []).map { Double($0.speed) * 0.02 }
                let lanes = link.lanes.count
                return MapLink(
                    upstream: MapNodeID(region: link.upstreamNodeId.region ?? 0, id: link.upstreamNodeId.id),
                    name: link.name, lanes: lanes, width: Double(link.laneWidth) / 100 * Double(lanes),
                    points: points,
                    speedLimits: speedLimits)
            }
            return MapNode(
                id: MapNodeID(region: node.id.region ?? 0, id: node.id.id), name: node.name,
                position: reference,
                inLinks: links)
        }
    }
}

extension GeoPoint {
    /// The position `latitudeUnits` and `longitudeUnits` of 1e-7 degree away.
    fileprivate func offset(_ latitudeUnits: Int, _ longitudeUnits: Int) -> GeoPoint {
        GeoPoint(
            latitude: (latitude * 1e7 + Double(latitudeUnits)).rounded() / 1e7,
            longitude: (longitude * 1e7 + Double(longitudeUnits)).rounded() / 1e7)
    }
}
