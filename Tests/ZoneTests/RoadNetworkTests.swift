import Testing

@testable import Zone

@Suite struct RoadNetworkTests {
    static let origin = GeoPoint(latitude: 31.29, longitude: 121.17)
    static let projection = LocalProjection(origin: origin)

    static func point(_ east: Double, _ north: Double) -> GeoPoint {
        projection.unproject(LocalPoint(east: east, north: north))
    }

    /// Three nodes in an L, as two RSUs would describe them: A(0,0) - B(500,0) - C(500,400).
    static func handMadeNodes() -> (rsu1: [MapNode], rsu2: [MapNode]) {
        let a = MapNodeID(region: 1, id: 1)
        let b = MapNodeID(region: 1, id: 2)
        let c = MapNodeID(region: 1, id: 3)
        let rsu1 = [
            MapNode(
                id: a, name: "A", position: point(0, 0),
                inLinks: [MapLink(upstream: b, name: "AB", lanes: 2, width: 7, speedLimits: [50 / 3.6])]),
            MapNode(
                id: b, name: "B", position: point(500, 0),
                inLinks: [
                    MapLink(upstream: a, name: "AB", lanes: 2, width: 7, speedLimits: [50 / 3.6]),
                    MapLink(upstream: c, name: "BC", lanes: 3, width: 10.5, points: [point(520, 200)]),
                ]),
        ]
        let rsu2 = [
            MapNode(
                id: c, name: "C", position: point(500, 400),
                inLinks: [MapLink(upstream: b, name: "BC", lanes: 3, width: 10.5, points: [point(520, 200)])]),
            // An older description of B from another RSU, later updated with a new width.
            MapNode(
                id: b, name: "B", position: point(500, 0),
                inLinks: [MapLink(upstream: a, name: "AB", lanes: 2, width: 8, speedLimits: [60 / 3.6])]),
        ]
        return (rsu1, rsu2)
    }

    @Test func buildsAndMergesAcrossRSUs() throws {
        var builder = RoadNetworkBuilder()
        let nodes = Self.handMadeNodes()
        builder.add(contentsOf: nodes.rsu1)
        builder.add(contentsOf: nodes.rsu2)
        let network = builder.build()
        #expect(network.nodes.count == 3)
        #expect(network.unresolvedLinks.isEmpty)
        #expect(network.links.map(\.id.description) == ["1.1-1.2", "1.2-1.1", "1.2-1.3", "1.3-1.2"])
        let ab = try #require(network[LinkID("1.1-1.2")!])
        #expect(ab.width == 8)  // the later description wins
        #expect(abs(ab.speedLimit! - 60 / 3.6) < 1e-12)
        #expect(abs(ab.length - 500) < 0.5)
        let bc = try #require(network[LinkID("1.2-1.3")!])
        #expect(bc.geometry.count == 3)
        let expected = 2 * (20.0 * 20 + 200 * 200).squareRoot()
        #expect(abs(bc.length - expected) < 0.5)
        #expect(network.index(of: bc.id) == 2)
    }

    @Test func linksWithUnknownUpstreamAreReported() {
        var builder = RoadNetworkBuilder()
        builder.add(Self.handMadeNodes().rsu1[1])
        let network = builder.build()
        #expect(network.links.isEmpty)
        #expect(network.unresolvedLinks.map(\.description) == ["1.1-1.2", "1.3-1.2"])
    }

    @Test func matchesAgainstBruteForceOnRandomPoints() throws {
        var builder = RoadNetworkBuilder()
        // A 5 x 5 grid with some bent links: plenty of near-ties at nodes.
        var random = SystemRandomNumberGeneratorFree(seed: 42)
        func id(_ x: Int, _ y: Int) -> MapNodeID { MapNodeID(region: 2, id: UInt16(y * 5 + x + 1)) }
        for y in 0..<5 {
            for x in 0..<5 {
                var links: [MapLink] = []
                for (dx, dy) in [(-1, 0), (1, 0), (0, -1), (0, 1)] {
                    let ux = x + dx
                    let uy = y + dy
                    guard (0..<5).contains(ux), (0..<5).contains(uy) else { continue }
                    let bend =
                        (ux + uy) % 3 == 0
                        ? [Self.point(Double(x + ux) * 200 + 9, Double(y + uy) * 200 - 7)] : []
                    links.append(
                        MapLink(
                            upstream: id(ux, uy), lanes: 2 + (x + y) % 2,
                            width: 7 + Double((x + y) % 2) * 3.5, points: bend))
                }
                builder.add(
                    MapNode(
                        id: id(x, y), position: Self.point(Double(x) * 400, Double(y) * 400), inLinks: links))
            }
        }
        let network = builder.build()
        #expect(network.links.count == 80)
        let matcher = MapMatcher(network: network, projection: Self.projection, cellSize: 37)
        var matched = 0
        for _ in 0..<5000 {
            let point = Self.point(random.uniform(-100, 1700), random.uniform(-100, 1700))
            let fast = matcher.match(point)
            let slow = matcher.matchBruteForce(point)
            #expect(fast == slow)
            if let fast {
                matched += 1
                #expect(fast.distance <= network.links[fast.linkIndex].width / 2 + 5)
            }
        }
        #expect(matched > 500)
        // Points on a link's centre line match it at distance 0 and the right offset.
        let link = try #require(network[LinkID(upstream: id(0, 0), downstream: id(1, 0))])
        let along = Self.point(150, 0)
        let match = try #require(matcher.match(along))
        #expect(match.distance < 1e-6)
        #expect(
            network.links[match.linkIndex].geometry.first == link.geometry.first
                || match.linkID.upstream == id(1, 0))
        #expect(abs(match.offset - (match.linkID == link.id ? 150 : 250)) < 0.01)
    }

    @Test func toleranceIsHalfWidthPlusFiveMetres() throws {
        var builder = RoadNetworkBuilder()
        builder.add(contentsOf: Self.handMadeNodes().rsu1)
        let network = builder.build()
        let matcher = MapMatcher(network: network, projection: Self.projection)
        // AB is 7 m wide: tolerance 8.5 m.
        #expect(matcher.match(Self.point(250, 8.4)) != nil)
        #expect(matcher.match(Self.point(250, 8.6)) == nil)
        #expect(matcher.match(Self.point(5000, 5000)) == nil)
    }

    @Test func gridCellsRunRowByRowFromTheSouthWest() throws {
        var builder = RoadNetworkBuilder()
        let nodes = Self.handMadeNodes()
        builder.add(contentsOf: nodes.rsu1)
        builder.add(contentsOf: nodes.rsu2)
        let network = builder.build()
        let grid = CoverageGrid(network: network, projection: Self.projection)
        // Box: east 0...520, north 0...400 -> 6 columns, 4 rows.
        #expect(grid.columns == 6)
        #expect(grid.rows == 4)
        #expect(grid.cellCount == 24)
        #expect(grid.cell(of: Self.point(1, 1)) == 0)
        #expect(grid.cell(of: Self.point(150, 1)) == 1)
        #expect(grid.cell(of: Self.point(1, 150)) == 6)
        #expect(grid.cell(of: Self.point(519.9, 399.9)) == 23)
        #expect(grid.cell(of: Self.point(-5, 10)) == nil)
    }
}
