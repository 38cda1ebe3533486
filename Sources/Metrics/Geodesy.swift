#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Great-circle geometry on the mean-radius sphere.
public enum Geodesy {
    /// Mean Earth radius (IUGG), metres.
    public static let earthRadius = 6_371_008.8
    @usableFromInline static let radiansPerDegree = Double.pi / 180

    /// Great-circle (haversine) distance in metres between two WGS-84 positions in degrees.
    @inlinable
    public static func distance(
        latitude1: Double, longitude1: Double, latitude2: Double, longitude2: Double
    ) -> Double {
        let phi1 = latitude1 * radiansPerDegree
        let phi2 = latitude2 * radiansPerDegree
        let dPhi = phi2 - phi1
        let dLambda = (longitude2 - longitude1) * radiansPerDegree
        let s1 = sin(dPhi / 2)
        let s2 = sin(dLambda / 2)
        let a = s1 * s1 + cos(phi1) * cos(phi2) * s2 * s2
        return 2 * earthRadius * asin(min(1, a.squareRoot()))
    }

    /// Metres east between two longitudes at a latitude (equirectangular).
    public static func eastMetres(fromLongitude: Double, toLongitude: Double, atLatitude: Double) -> Double {
        (toLongitude - fromLongitude) * radiansPerDegree * earthRadius * cos(atLatitude * radiansPerDegree)
    }

    /// Metres north between two latitudes.
    public static func northMetres(fromLatitude: Double, toLatitude: Double) -> Double {
        (toLatitude - fromLatitude) * radiansPerDegree * earthRadius
    }
}

/// Asia/Shanghai calendar (UTC+8 all year; China has no daylight saving time since 1991).
public enum ShanghaiCalendar {
    /// UTC offset in microseconds.
    public static let offset: Microseconds = 8 * 3_600_000_000
    /// Microseconds per day.
    public static let day: Microseconds = 86_400_000_000

    /// Day number (days since 1970-01-01 in Shanghai local time) of an instant.
    @inlinable
    public static func dayNumber(_ time: Microseconds) -> Int32 {
        let local = time + 8 * 3_600_000_000
        let days = local >= 0 ? local / 86_400_000_000 : (local - 86_400_000_000 + 1) / 86_400_000_000
        return Int32(truncatingIfNeeded: days)
    }

    /// The UTC instant at which a Shanghai day starts.
    public static func start(ofDay dayNumber: Int32) -> Microseconds { Int64(dayNumber) * day - offset }

    /// Civil date (year, month, day) of a day number (proleptic Gregorian).
    public static func civil(_ dayNumber: Int32) -> (year: Int, month: Int, day: Int) {
        // Howard Hinnant's days_from_civil inverse.
        let z = Int(dayNumber) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// Day number of a civil date.
    public static func dayNumber(year: Int, month: Int, day: Int) -> Int32 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return Int32(era * 146_097 + doe - 719_468)
    }

    /// The day number of the first day of the month that contains `dayNumber`.
    public static func firstDayOfMonth(_ dayNumber: Int32) -> Int32 {
        let c = civil(dayNumber)
        return self.dayNumber(year: c.year, month: c.month, day: 1)
    }

    /// `YYYY-MM-DD` of a day number.
    public static func dateString(_ dayNumber: Int32) -> String {
        let c = civil(dayNumber)
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))"
    }

    /// `YYYY-MM` of a day number.
    public static func monthString(_ dayNumber: Int32) -> String {
        let c = civil(dayNumber)
        return "\(pad(c.year, 4))-\(pad(c.month, 2))"
    }

    /// The day-number range `[first, end)` of a month given as `YYYY-MM`, or `nil` if malformed.
    public static func dayRange(month: String) -> Range<Int32>? {
        let parts = month.split(separator: "-")
        guard parts.count == 2, let year = Int(parts[0]), let m = Int(parts[1]), (1...12).contains(m),
            parts[0].count == 4, parts[1].count == 2
        else { return nil }
        let first = dayNumber(year: year, month: m, day: 1)
        let next =
            m == 12
            ? dayNumber(year: year + 1, month: 1, day: 1) : dayNumber(year: year, month: m + 1, day: 1)
        return first..<next
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
