/// The result of matching a position to the road network.
public struct MapMatch: Sendable, Hashable {
    /// Index of the link in ``RoadNetwork/links``.
    public var linkIndex: Int
    /// The link's id.
    public var linkID: LinkID
    /// Distance from the position to the link's centre line in metres (local plane).
    public var distance: Double
    /// Distance along the link from its upstream node to the matched point, metres (local plane).
    public var offset: Double
}

/// Matches positions to the nearest link of a ``RoadNetwork`` within half the link's width
/// plus 5 m (DESIGN.md section 5).
///
/// Link segments are projected into the zone's local east-north plane and put in a uniform
/// grid of buckets: each segment is listed in every bucket that its tolerance envelope (its
/// bounding box grown by the tolerance) overlaps, so one bucket lookup finds every candidate.
/// Ties (equal distance) go to the lower link index, then the earlier segment; the brute-force
/// ``matchBruteForce(_:)`` applies the same rule, so both give identical answers.
/// ``match(_:)`` does not allocate.
public struct MapMatcher: Sendable {
    /// Extra tolerance beyond half the link width, metres.
    public static let extraTolerance = 5.0

    struct Segment: Sendable {
        var ax: Double
        var ay: Double
        var bx: Double
        var by: Double
        var tolerance: Double
        var startOffset: Double
        var linkIndex: Int32
    }

    /// The network matched against.
    public let network: RoadNetwork
    /// The projection used for distances.
    public let projection: LocalProjection
    let segments: [Segment]
    let bucketStart: [Int32]
    let bucketEntries: [Int32]
    let minX: Double
    let minY: Double
    let cellSize: Double
    let columns: Int
    let rows: Int

    /// Builds the index; `cellSize` is the bucket edge in metres.
    public init(network: RoadNetwork, projection: LocalProjection, cellSize: Double = 50) {
        self.network = network
        self.projection = projection
        self.cellSize = cellSize
        var segments: [Segment] = []
        for (linkIndex, link) in network.links.enumerated() {
            let tolerance = link.width / 2 + Self.extraTolerance
            var offset = 0.0
            for index in 1..<max(link.geometry.count, 1) {
                let a = projection.project(link.geometry[index - 1])
                let b = projection.project(link.geometry[index])
                segments.append(
                    Segment(
                        ax: a.east, ay: a.north, bx: b.east, by: b.north, tolerance: tolerance,
                        startOffset: offset, linkIndex: Int32(linkIndex)))
                offset += a.distance(to: b)
            }
        }
        self.segments = segments
        var minX = Double.infinity
        var minY = Double.infinity
        var maxX = -Double.infinity
        var maxY = -Double.infinity
        for segment in segments {
            minX = min(minX, min(segment.ax, segment.bx) - segment.tolerance)
            minY = min(minY, min(segment.ay, segment.by) - segment.tolerance)
            maxX = max(maxX, max(segment.ax, segment.bx) + segment.tolerance)
            maxY = max(maxY, max(segment.ay, segment.by) + segment.tolerance)
        }
        if segments.isEmpty {
            minX = 0
            minY = 0
            maxX = 0
            maxY = 0
        }
        self.minX = minX
        self.minY = minY
        let columns = max(1, Int(((maxX - minX) / cellSize).rounded(.up)))
        let rows = max(1, Int(((maxY - minY) / cellSize).rounded(.up)))
        self.columns = columns
        self.rows = rows
        var buckets = [[Int32]](repeating: [], count: columns * rows)
        for (segmentIndex, segment) in segments.enumerated() {
            let x0 = Self.clamp(
                Int(((min(segment.ax, segment.bx) - segment.tolerance - minX) / cellSize).rounded(.down)),
                columns)
            let x1 = Self.clamp(
                Int(((max(segment.ax, segment.bx) + segment.tolerance - minX) / cellSize).rounded(.down)),
                columns)
            let y0 = Self.clamp(
                Int(((min(segment.ay, segment.by) - segment.tolerance - minY) / cellSize).rounded(.down)),
                rows)
            let y1 = Self.clamp(
                Int(((max(segment.ay, segment.by) + segment.tolerance - minY) / cellSize).rounded(.down)),
                rows)
            for y in y0...y1 {
                for x in x0...x1
                where Self.segment(segment, reaches: x, y, minX: minX, minY: minY, cellSize: cellSize) {
                    buckets[y * columns + x].append(Int32(segmentIndex))
                }
            }
        }
        var start: [Int32] = [0]
        var entries: [Int32] = []
        start.reserveCapacity(buckets.count + 1)
        for bucket in buckets {
            entries.append(contentsOf: bucket)
            start.append(Int32(entries.count))
        }
        self.bucketStart = start
        self.bucketEntries = entries
    }

    /// Number of projected segments indexed.
    public var segmentCount: Int { segments.count }

    /// The nearest link within tolerance of `point`, or nil.
    public func match(_ point: GeoPoint) -> MapMatch? {
        let local = projection.project(point)
        let fx = ((local.east - minX) / cellSize).rounded(.down)
        let fy = ((local.north - minY) / cellSize).rounded(.down)
        guard fx >= 0, fy >= 0, fx < Double(columns), fy < Double(rows) else { return nil }
        let bucket = Int(fy) * columns + Int(fx)
        var best = Candidate()
        return segments.withUnsafeBufferPointer { segments in
            bucketEntries.withUnsafeBufferPointer { entries in
                for entry in Int(bucketStart[bucket])..<Int(bucketStart[bucket + 1]) {
                    let index = Int(entries[entry])
                    best.consider(segments[index], index: index, x: local.east, y: local.north)
                }
                return result(best)
            }
        }
    }

    /// The same answer as ``match(_:)`` by testing every segment (for tests and checks).
    public func matchBruteForce(_ point: GeoPoint) -> MapMatch? {
        let local = projection.project(point)
        var best = Candidate()
        for (index, segment) in segments.enumerated() {
            best.consider(segment, index: index, x: local.east, y: local.north)
        }
        return result(best)
    }
    func result(_ best: Candidate) -> MapMatch? {
        guard best.segment >= 0 else { return nil }
        let linkIndex = Int(segments[best.segment].linkIndex)
        return MapMatch(
            linkIndex: linkIndex, linkID: network.links[linkIndex].id, distance: best.distance,
            offset: segments[best.segment].startOffset + best.along)
    }
    struct Candidate {
        var segment = -1
        var linkIndex: Int32 = .max
        var distance = Double.infinity
        var along = 0.0

        init() {}
        mutating func consider(_ s: Segment, index: Int, x: Double, y: Double) {
            let dx = s.bx - s.ax
            let dy = s.by - s.ay
            let lengthSquared = dx * dx + dy * dy
            var t = 0.0
            if lengthSquared > 0 {
                t = ((x - s.ax) * dx + (y - s.ay) * dy) / lengthSquared
                t = min(1, max(0, t))
            }
            let px = s.ax + t * dx - x
            let py = s.ay + t * dy - y
            let d = (px * px + py * py).squareRoot()
            guard d <= s.tolerance else { return }
            if d < distance
                || (d == distance
                    && (s.linkIndex < linkIndex || (s.linkIndex == linkIndex && index < segment)))
            {
                segment = index
                linkIndex = s.linkIndex
                distance = d
                along = t * lengthSquared.squareRoot()
            }
        }
    }

    private static func clamp(_ value: Int, _ count: Int) -> Int { min(count - 1, max(0, value)) }

    /// Whether the tolerance envelope (capsule) of `segment` can reach cell (x, y): the distance
    /// from the segment to the cell rectangle is at most the tolerance. Conservative.
    private static func segment(
        _ segment: Segment, reaches x: Int, _ y: Int, minX: Double, minY: Double, cellSize: Double
    ) -> Bool {
        let cx = minX + (Double(x) + 0.5) * cellSize
        let cy = minY + (Double(y) + 0.5) * cellSize
        // Distance from the cell centre to the segment, minus the cell's half diagonal.
        let dx = segment.bx - segment.ax
        let dy = segment.by - segment.ay
        let lengthSquared = dx * dx + dy * dy
        var t = 0.0
        if lengthSquared > 0 {
            t = min(1, max(0, ((cx - segment.ax) * dx + (cy - segment.ay) * dy) / lengthSquared))
        }
        let px = segment.ax + t * dx - cx
        let py = segment.ay + t * dy - cy
        let halfDiagonal = cellSize * 0.7072
        return (px * px + py * py).squareRoot() <= segment.tolerance + halfDiagonal + 1e-6
    }
}

/// A uniform grid of square cells (100 m by default) over the bounding box of a road network,
/// in the zone's local east-north plane.
///
/// Cell ids run row by row from the south-west corner: `id = row * columns + column`, row 0
/// southmost, column 0 westmost. Positions outside the box have no cell.
public struct CoverageGrid: Sendable, Hashable {
    /// Cell edge in metres.
    public let cellSize: Double
    /// Local coordinates of the box's south-west corner.
    public let southWest: LocalPoint
    /// Number of columns (west to east).
    public let columns: Int
    /// Number of rows (south to north).
    public let rows: Int
    /// The projection of the zone.
    public let projection: LocalProjection

    /// A grid over the network's bounding box (all link geometry and nodes).
    public init(network: RoadNetwork, projection: LocalProjection, cellSize: Double = 100) {
        var minX = 0.0
        var minY = 0.0
        var maxX = 0.0
        var maxY = 0.0
        var first = true
        var points = Array(network.nodes.values)
        for link in network.links { points.append(contentsOf: link.geometry) }
        for point in points {
            let local = projection.project(point)
            if first {
                (minX, maxX, minY, maxY) = (local.east, local.east, local.north, local.north)
                first = false
            }
            minX = min(minX, local.east)
            maxX = max(maxX, local.east)
            minY = min(minY, local.north)
            maxY = max(maxY, local.north)
        }
        self.init(
            southWest: LocalPoint(east: minX, north: minY),
            columns: max(1, Int(((maxX - minX) / cellSize).rounded(.up))),
            rows: max(1, Int(((maxY - minY) / cellSize).rounded(.up))),
            cellSize: cellSize, projection: projection)
    }

    /// A grid with explicit geometry.
    public init(southWest: LocalPoint, columns: Int, rows: Int, cellSize: Double, projection: LocalProjection)
    {
        self.southWest = southWest
        self.columns = columns
        self.rows = rows
        self.cellSize = cellSize
        self.projection = projection
    }

    /// Total number of cells.
    public var cellCount: Int { columns * rows }

    /// The id of the cell containing `point`, or nil outside the box. Points on the east or
    /// north edge belong to the last column or row.
    public func cell(of point: GeoPoint) -> Int? {
        let local = projection.project(point)
        let fx = (local.east - southWest.east) / cellSize
        let fy = (local.north - southWest.north) / cellSize
        guard fx >= 0, fy >= 0, fx <= Double(columns), fy <= Double(rows) else { return nil }
        let column = min(columns - 1, Int(fx))
        let row = min(rows - 1, Int(fy))
        return row * columns + column
    }
}
