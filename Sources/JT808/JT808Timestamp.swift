/// A JT/T 808 time: BCD YYMMDDhhmmss in Beijing time (UTC+8) on the wire, held as UTC seconds.
///
/// Two-digit years are 2000-2099. Decoding rejects days and times that do not exist.
public struct JT808Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var secondsSince1970: Int64

    /// The offset of Beijing time from UTC, in seconds.
    public static let beijingOffset: Int64 = 8 * 3600

    /// Creates a timestamp from UTC seconds since the Unix epoch.
    public init(secondsSince1970: Int64) {
        self.secondsSince1970 = secondsSince1970
    }

    /// Creates a timestamp from Beijing (UTC+8) calendar fields; nil when the date or time does not exist.
    public init?(beijingYear year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        guard (1...12).contains(month), day >= 1, day <= Self.daysInMonth(year: year, month: month),
            (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second)
        else { return nil }
        let days = Self.daysFromCivil(year: year, month: month, day: day)
        let local = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        secondsSince1970 = local - Self.beijingOffset
    }

    /// Fast path for the wire range: year 2000 + `yearOfCentury` (0-99), Beijing time.
    @inline(__always)
    init?(yearOfCentury: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        let leap = yearOfCentury & 3 == 0  // 2000 is a leap year; so is every 4th year up to 2096
        let monthLength: Int
        let before: Int
        switch month {
        case 1: (monthLength, before) = (31, 0)
        case 2: (monthLength, before) = (leap ? 29 : 28, 31)
        case 3: (monthLength, before) = (31, 59)
        case 4: (monthLength, before) = (30, 90)
        case 5: (monthLength, before) = (31, 120)
        case 6: (monthLength, before) = (30, 151)
        case 7: (monthLength, before) = (31, 181)
        case 8: (monthLength, before) = (31, 212)
        case 9: (monthLength, before) = (30, 243)
        case 10: (monthLength, before) = (31, 273)
        case 11: (monthLength, before) = (30, 304)
        case 12: (monthLength, before) = (31, 334)
        default: return nil
        }
        guard day >= 1, day <= monthLength, hour < 24, minute < 60, second < 60 else { return nil }
        // Days from 1970-01-01 to 2000-01-01 = 10957; leap days in earlier years of the century.
        let days =
            10_957 &+ 365 &* yearOfCentury &+ (yearOfCentury &+ 3) >> 2 &+ before
            &+ (leap && month > 2 ? 1 : 0) &+ day &- 1
        let local = Int64(days &* 86_400 &+ hour &* 3600 &+ minute &* 60 &+ second)
        secondsSince1970 = local - Self.beijingOffset
    }

    /// Calendar fields in Beijing time (UTC+8).
    public var beijingComponents: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        Self.components(secondsSince1970 + Self.beijingOffset)
    }

    /// Calendar fields in UTC.
    public var utcComponents: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        Self.components(secondsSince1970)
    }

    /// ISO 8601 in UTC, e.g. "2026-11-29T08:00:00Z".
    public var description: String {
        let c = utcComponents
        return Self.format(
            year: c.year, month: c.month, day: c.day, hour: c.hour, minute: c.minute, second: c.second
        )
        .replacingSpaceWithT() + "Z"
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.secondsSince1970 < rhs.secondsSince1970 }

    static func components(_ seconds: Int64) -> (
        year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
    ) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = civilFromDays(days)
        return (year, month, day, secondOfDay / 3600, secondOfDay / 60 % 60, secondOfDay % 60)
    }

    /// "2026-02-30 12:00:00" (fields as given, zero-padded).
    static func format(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(year)-\(two(month))-\(two(day)) \(two(hour)):\(two(minute)):\(two(second))"
    }

    static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civilFromDays(_ days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }
}

extension String {
    fileprivate func replacingSpaceWithT() -> String {
        String(self.map { $0 == " " ? "T" : $0 })
    }
}
