// Zone benchmarks: map matching on the demo zone (Replays/demo: 16 intersections, 48 directed
// links, road network as the RSUs' MAP messages describe it). Each benchmark iteration matches
// 1,000 positions: half near the roads (on a link with up to 12 m of lateral noise), half anywhere
// in the zone's bounding box. Reported per match (scaling factor kilo). Run from Benchmarks/:
//   swift package --disable-sandbox benchmark --target ZoneBenchmarks

import Benchmark
import Simulator
import Zone

/// The demo zone's network and 4,096 test positions (deterministic).
private func fixture() -> (MapMatcher, [GeoPoint]) {
    var parameters = SimulationParameters()
    parameters.seed = 12
    let layout = ZoneLayout(parameters: parameters)
    let network = layout.roadNetwork()
    let matcher = MapMatcher(network: network, projection: layout.projection)
    var random = SimulationRandom(seed: 99)
    var points: [GeoPoint] = []
    let box = network.boundingBox!
    for index in 0..<4096 {
        if index % 2 == 0 {
            let link = layout.links[random.integer(in: 0...(layout.links.count - 1))]
            let located = link.locate(random.uniform(0, link.length))
            let noisy = LocalPoint(
                east: located.point.east + random.uniform(-12, 12),
                north: located.point.north + random.uniform(-12, 12))
            points.append(layout.projection.unproject(noisy))
        } else {
            points.append(
                GeoPoint(
                    latitude: random.uniform(box.southWest.latitude, box.northEast.latitude),
                    longitude: random.uniform(box.southWest.longitude, box.northEast.longitude)))
        }
    }
    return (matcher, points)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 10_000
    )

    let (matcher, points) = fixture()

    Benchmark("map matching, demo zone (per match, grid index)") { benchmark in
        var matched = 0
        var cursor = 0
        for _ in benchmark.scaledIterations {
            if matcher.match(points[cursor & 4095]) != nil { matched += 1 }
            cursor += 1
        }
        blackHole(matched)
    }

    Benchmark("map matching, demo zone (per match, brute force reference)") { benchmark in
        var matched = 0
        var cursor = 0
        for _ in benchmark.scaledIterations {
            if matcher.matchBruteForce(points[cursor & 4095]) != nil { matched += 1 }
            cursor += 1
        }
        blackHole(matched)
    }

    Benchmark("great-circle distance (per call)") { benchmark in
        var total = 0.0
        var cursor = 0
        for _ in benchmark.scaledIterations {
            total += Geodesy.greatCircleDistance(points[cursor & 4095], points[(cursor + 1) & 4095])
            cursor += 1
        }
        blackHole(total)
    }
}
