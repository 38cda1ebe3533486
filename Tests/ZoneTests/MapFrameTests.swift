import CV2X
import Testing
import UPER

@testable import Zone

/// Hand-made MAP frames of two editions, encoded and decoded with the project's codec, adapted
/// to MapNode and merged into one network.
@Suite struct MapFrameTests {
    @Test func handMadeFramesOfTwoEditionsMergeIntoOneNetwork() throws {
        // 2020: node 1.1 at (31.29, 121.17) with a link from 1.2, 2 lanes, linkWidth 750 cm,
        // two points given as offsets (position-LL3) from node 1.1's reference position.
        let frame2020 = CSAE53_2020.MessageFrame.mapFrame(
            CSAE53_2020.MapData(
                msgCnt: 1,
                nodes: [
                    CSAE53_2020.Node(
                        name: "A", id: .init(region: 1, id: 1),
                        refPos: .init(lat: 312_900_000, long: 1_211_700_000),
                        inLinks: [
                            CSAE53_2020.Link(
                                name: "AB", upstreamNodeId: .init(region: 1, id: 2),
                                speedLimits: [.init(type: .vehicleMaxSpeed, speed: 833)], linkWidth: 750,
                                points: [
                                    .init(
                                        posOffset: .init(
                                            offsetLL: .position_LL3(.init(lon: 10_000, lat: 100)))),
                                    .init(
                                        posOffset: .init(
                                            offsetLL: .position_LL3(.init(lon: 20_000, lat: 100)))),
                                ],
                                lanes: [.init(laneID: 1), .init(laneID: 2)])
                        ])
                ]))
        // 2017: node 1.2, 0.003 degree east, link from 1.1 with laneWidth 350 cm x 3 lanes.
        let frame2017 = CSAE53_2017.MessageFrame.mapFrame(
            CSAE53_2017.MapData(
                msgCnt: 9,
                nodes: [
                    CSAE53_2017.Node(
                        id: .init(region: 1, id: 2), refPos: .init(lat: 312_900_000, long: 1_211_730_000),
                        inLinks: [
                            CSAE53_2017.Link(
                                upstreamNodeId: .init(region: 1, id: 1), laneWidth: 350,
                                lanes: [.init(laneID: 1), .init(laneID: 2), .init(laneID: 3)])
                        ])
                ]))
        let decoded2020 = try CV2XFrame(uper: try frame2020.uperEncoded(), schema: .csae53_2020)
        let decoded2017 = try CV2XFrame(uper: try frame2017.uperEncoded(), schema: .csae53_2017)
        let nodes2020 = try #require(MapNode.nodes(from: decoded2020))
        let nodes2017 = try #require(MapNode.nodes(from: decoded2017))
        #expect(nodes2020[0].inLinks[0].width == 7.5)
        #expect(nodes2020[0].inLinks[0].lanes == 2)
        #expect(abs(nodes2020[0].inLinks[0].speedLimits[0] - 16.66) < 1e-9)
        #expect(nodes2020[0].inLinks[0].points[0] == GeoPoint(latitude: 31.29001, longitude: 121.171))
        #expect(abs(nodes2017[0].inLinks[0].width - 10.5) < 1e-12)

        var builder = RoadNetworkBuilder()
        builder.add(contentsOf: nodes2020)
        builder.add(contentsOf: nodes2017)
        let network = builder.build()
        #expect(network.links.map(\.id.description) == ["1.1-1.2", "1.2-1.1"])
        #expect(network.unresolvedLinks.isEmpty)
        let backwards = try #require(network[LinkID("1.2-1.1")!])
        #expect(backwards.geometry.count == 4)
        let straight = try #require(network[LinkID("1.1-1.2")!])
        #expect(abs(straight.length - 285.07) < 0.1)
        #expect(
            MapNode.nodes(
                from: .csae53_2020(
                    .rsmFrame(
                        .init(msgCnt: 0, id: Octets8(), refPos: .init(lat: 0, long: 0), participants: []))))
                == nil)
    }
}
