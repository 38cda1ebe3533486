import Testing

@testable import Zone

@Suite struct GeodesyTests {
    @Test(arguments: [
        // Reference values: haversine on the IUGG mean radius 6371008.8 m.
        (0.0, 0.0, 0.0, 1.0, 111_195.080),
        (0.0, 0.0, 90.0, 0.0, 10_007_557.221),
        (51.5007, -0.1246, 48.8584, 2.2945, 340_539.390),  // Big Ben - Eiffel Tower
        (31.2304, 121.4737, 39.9042, 116.4074, 1_067_311.645),  // Shanghai - Beijing
        (31.29, 121.17, 31.29, 121.18, 950.217),  // 0.01 degree of longitude at Jiading
    ])
    func greatCircleMatchesKnownDistances(
        lat1: Double, lon1: Double, lat2: Double, lon2: Double, metres: Double
    ) {
        let a = GeoPoint(latitude: lat1, longitude: lon1)
        let b = GeoPoint(latitude: lat2, longitude: lon2)
        #expect(abs(Geodesy.greatCircleDistance(a, b) - metres) < 0.01)
        #expect(Geodesy.greatCircleDistance(a, b) == Geodesy.greatCircleDistance(b, a))
        #expect(Geodesy.greatCircleDistance(a, a) == 0)
    }

    @Test func projectionRoundTripsAndAgreesLocally() {
        let origin = GeoPoint(latitude: 31.29, longitude: 121.17)
        let projection = LocalProjection(origin: origin)
        #expect(projection.project(origin) == LocalPoint(east: 0, north: 0))
        var random = SystemRandomNumberGeneratorFree(seed: 7)
        for _ in 0..<200 {
            let point = GeoPoint(
                latitude: 31.29 + random.uniform(-0.03, 0.03), longitude: 121.17 + random.uniform(-0.03, 0.03)
            )
            let local = projection.project(point)
            let back = projection.unproject(local)
            #expect(abs(back.latitude - point.latitude) < 1e-10)
            #expect(abs(back.longitude - point.longitude) < 1e-10)
            let planar = local.distance(to: LocalPoint(east: 0, north: 0))
            let sphere = Geodesy.greatCircleDistance(origin, point)
            #expect(abs(planar - sphere) <= sphere * 0.001 + 0.01)
        }
    }

    @Test func bearings() {
        let a = GeoPoint(latitude: 31.29, longitude: 121.17)
        #expect(abs(Geodesy.initialBearing(from: a, to: GeoPoint(latitude: 31.30, longitude: 121.17))) < 1e-9)
        #expect(
            abs(Geodesy.initialBearing(from: a, to: GeoPoint(latitude: 31.29, longitude: 121.18)) - 90) < 0.01
        )
        #expect(
            abs(Geodesy.initialBearing(from: a, to: GeoPoint(latitude: 31.28, longitude: 121.17)) - 180)
                < 1e-9)
    }

    @Test func formatting() {
        #expect(GeoPoint(latitude: 31.29, longitude: -0.5).description == "31.2900000,-0.5000000")
        #expect(Geodesy.format(-0.00000001, decimals: 7) == "0.0000000")
    }
}

/// A tiny deterministic generator for tests (SplitMix64).
struct SystemRandomNumberGeneratorFree: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * Double(next() >> 11) * 0x1.0p-53
    }
}
