#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A WGS-84 position in decimal degrees (north and east positive).
public struct GeoPoint: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Latitude in degrees, -90...90.
    public var latitude: Double
    /// Longitude in degrees, -180...180.
    public var longitude: Double

    /// Creates a position from degrees.
    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }

    /// `31.2900000,121.1700000` (seven decimals, the CSAE 53 resolution).
    public var description: String {
        "\(Geodesy.format(latitude, decimals: 7)),\(Geodesy.format(longitude, decimals: 7))"
    }
}

/// Distances on the Earth's surface.
///
/// All distances of the project (the metrics' integrated distance, the simulator's ground truth,
/// link lengths) use ``greatCircleDistance(_:_:)``: the haversine formula on a sphere of the
/// IUGG mean Earth radius. Over the 1 Hz steps of a road vehicle its difference from the
/// ellipsoidal distance is below 0.5 %, and using one formula everywhere makes results
/// reproducible to the last bit.
public enum Geodesy {
    /// IUGG mean Earth radius R1 in metres.
    public static let earthRadius: Double = 6_371_008.8

    /// Great-circle distance in metres between two positions (haversine formula).
    public static func greatCircleDistance(_ a: GeoPoint, _ b: GeoPoint) -> Double {
        let radiansPerDegree = Double.pi / 180
        let phi1 = a.latitude * radiansPerDegree
        let phi2 = b.latitude * radiansPerDegree
        let deltaPhi = phi2 - phi1
        let deltaLambda = (b.longitude - a.longitude) * radiansPerDegree
        let sinHalfPhi = sin(deltaPhi / 2)
        let sinHalfLambda = sin(deltaLambda / 2)
        let h = sinHalfPhi * sinHalfPhi + cos(phi1) * cos(phi2) * sinHalfLambda * sinHalfLambda
        return 2 * earthRadius * asin(min(1, h.squareRoot()))
    }

    /// Initial bearing from `a` to `b` in degrees clockwise from north, 0..<360.
    public static func initialBearing(from a: GeoPoint, to b: GeoPoint) -> Double {
        let radiansPerDegree = Double.pi / 180
        let phi1 = a.latitude * radiansPerDegree
        let phi2 = b.latitude * radiansPerDegree
        let deltaLambda = (b.longitude - a.longitude) * radiansPerDegree
        let y = sin(deltaLambda) * cos(phi2)
        let x = cos(phi1) * sin(phi2) - sin(phi1) * cos(phi2) * cos(deltaLambda)
        let degrees = atan2(y, x) / radiansPerDegree
        return degrees < 0 ? degrees + 360 : degrees
    }

    /// Fixed-point rendering without Foundation's locale-dependent formatting.
    static func format(_ value: Double, decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9.0e15 else { return "\(value)" }
        let integer = Int64(scaled)
        let divisor = Int64(scale)
        var fraction = String(integer % divisor)
        while fraction.count < decimals { fraction = "0" + fraction }
        let sign = value < 0 && integer != 0 ? "-" : ""
        return decimals == 0 ? "\(sign)\(integer)" : "\(sign)\(integer / divisor).\(fraction)"
    }
}

/// A point in a local east-north plane, metres from the projection's origin.
public struct LocalPoint: Sendable, Hashable, Codable {
    /// Metres east of the origin.
    public var east: Double
    /// Metres north of the origin.
    public var north: Double

    /// Creates a local point.
    public init(east: Double, north: Double) {
        self.east = east
        self.north = north
    }

    /// Euclidean distance to another local point in metres.
    public func distance(to other: LocalPoint) -> Double {
        let de = other.east - east
        let dn = other.north - north
        return (de * de + dn * dn).squareRoot()
    }
}

/// An equirectangular east-north projection around an origin.
///
/// Within the few kilometres of a test zone, distances in this plane differ from great-circle
/// distances by well under 0.1 %; it is what map matching and grids work in. Use
/// ``Geodesy/greatCircleDistance(_:_:)`` for distances that are reported.
public struct LocalProjection: Sendable, Hashable {
    /// The position that maps to (0, 0).
    public let origin: GeoPoint
    let metresPerDegreeLatitude: Double
    let metresPerDegreeLongitude: Double

    /// Creates a projection around `origin`.
    public init(origin: GeoPoint) {
        self.origin = origin
        let metresPerRadian = Geodesy.earthRadius
        self.metresPerDegreeLatitude = metresPerRadian * Double.pi / 180
        self.metresPerDegreeLongitude =
            metresPerRadian * Double.pi / 180 * cos(origin.latitude * Double.pi / 180)
    }

    /// Projects a position into the local plane.
    public func project(_ point: GeoPoint) -> LocalPoint {
        LocalPoint(
            east: (point.longitude - origin.longitude) * metresPerDegreeLongitude,
            north: (point.latitude - origin.latitude) * metresPerDegreeLatitude)
    }

    /// The position of a local point.
    public func unproject(_ point: LocalPoint) -> GeoPoint {
        GeoPoint(
            latitude: origin.latitude + point.north / metresPerDegreeLatitude,
            longitude: origin.longitude + point.east / metresPerDegreeLongitude)
    }
}
