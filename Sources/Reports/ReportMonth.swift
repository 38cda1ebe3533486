/// A calendar month in Asia/Shanghai time, the period a monthly report covers.
///
/// Asia/Shanghai has kept UTC+08:00 without daylight saving since 1991, so periods are computed
/// with that fixed offset (no time-zone database is consulted; months before 1992 are refused).
public struct ReportMonth: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The offset of Asia/Shanghai from UTC, in seconds.
    public static let shanghaiOffsetSeconds: Int64 = 8 * 3600

    /// Four-digit year.
    public let year: Int
    /// Month of the year, 1...12.
    public let month: Int

    /// A month from its parts; throws ``ReportError/malformedMonth(_:)`` outside 1992-01...9999-12.
    public init(year: Int, month: Int) throws(ReportError) {
        guard (1992...9999).contains(year), (1...12).contains(month) else {
            throw .malformedMonth(String(format4(year)) + "-" + format2(month))
        }
        self.year = year
        self.month = month
    }

    /// Parses `YYYY-MM` (exactly four digits, a hyphen, two digits).
    public init(parsing text: String) throws(ReportError) {
        let bytes = Array(text.utf8)
        guard bytes.count == 7, bytes[4] == UInt8(ascii: "-"),
            bytes.enumerated().allSatisfy({ $0.offset == 4 || (48...57).contains($0.element) })
        else { throw .malformedMonth(text) }
        let year = bytes[0..<4].reduce(0) { $0 * 10 + Int($1 - 48) }
        let month = bytes[5..<7].reduce(0) { $0 * 10 + Int($1 - 48) }
        guard (1992...9999).contains(year), (1...12).contains(month) else { throw .malformedMonth(text) }
        self.year = year
        self.month = month
    }

    /// `YYYY-MM`.
    public var description: String { format4(year) + "-" + format2(month) }

    /// The month before this one.
    public var previous: ReportMonth {
        month == 1 ? ReportMonth(unchecked: year - 1, 12) : ReportMonth(unchecked: year, month - 1)
    }

    /// The month after this one.
    public var next: ReportMonth {
        month == 12 ? ReportMonth(unchecked: year + 1, 1) : ReportMonth(unchecked: year, month + 1)
    }

    /// Number of days in the month (Gregorian calendar).
    public var dayCount: Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Start of the month: 00:00 Asia/Shanghai on day 1, in microseconds since the Unix epoch.
    public var startMicros: Int64 {
        (daysFromCivil(year: year, month: month, day: 1) * 86_400 - Self.shanghaiOffsetSeconds) * 1_000_000
    }

    /// End of the month (exclusive): the start of the next month, in microseconds since the epoch.
    public var endMicros: Int64 { next.startMicros }

    /// Whether `micros` (since the epoch) falls in this month, Asia/Shanghai.
    public func contains(micros: Int64) -> Bool { micros >= startMicros && micros < endMicros }

    /// The calendar days of the month as `YYYY-MM-DD`.
    public var days: [String] { (1...dayCount).map { description + "-" + format2($0) } }

    /// The name of the month in English, e.g. "October 2026".
    public var title: String {
        let names = [
            "January", "February", "March", "April", "May", "June", "July", "August", "September",
            "October", "November", "December",
        ]
        return names[month - 1] + " " + format4(year)
    }

    public static func < (lhs: ReportMonth, rhs: ReportMonth) -> Bool {
        (lhs.year, lhs.month) < (rhs.year, rhs.month)
    }

    private init(unchecked year: Int, _ month: Int) {
        self.year = year
        self.month = month
    }
}

/// Calendar arithmetic and ISO 8601 rendering in Asia/Shanghai time (UTC+08:00).
public enum ShanghaiTime {
    /// The local calendar date `YYYY-MM-DD` of an instant given in microseconds since the epoch.
    public static func day(micros: Int64) -> String {
        let local = floorDiv(micros, 1_000_000) + ReportMonth.shanghaiOffsetSeconds
        let (y, m, d) = civilFromDays(floorDiv(local, 86_400))
        return format4(y) + "-" + format2(m) + "-" + format2(d)
    }

    /// The local hour of day, 0...23.
    public static func hour(micros: Int64) -> Int {
        let local = floorDiv(micros, 1_000_000) + ReportMonth.shanghaiOffsetSeconds
        return Int(floorMod(local, 86_400) / 3600)
    }

    /// ISO 8601 with the +08:00 offset, e.g. `2026-10-03T14:22:05+08:00`; milliseconds are added
    /// when the instant is not on a whole second (`2026-10-03T14:22:05.250+08:00`).
    public static func iso8601(micros: Int64) -> String {
        let seconds = floorDiv(micros, 1_000_000)
        let millis = Int(floorMod(micros, 1_000_000) / 1000)
        let local = seconds + ReportMonth.shanghaiOffsetSeconds
        let (y, m, d) = civilFromDays(floorDiv(local, 86_400))
        let secondOfDay = Int(floorMod(local, 86_400))
        guard (0...9999).contains(y) else {
            var text = format4(y) + "-" + format2(m) + "-" + format2(d) + "T"
            text +=
                format2(secondOfDay / 3600) + ":" + format2(secondOfDay / 60 % 60) + ":"
                + format2(secondOfDay % 60)
            if millis != 0 { text += "." + format3(millis) }
            return text + "+08:00"
        }
        // `YYYY-MM-DDThh:mm:ss[.mmm]+08:00` written into a stack buffer, one String made at the
        // end (reports format a time for every event).
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { buffer in
            var count = 0
            func digits(_ value: Int, _ width: Int) {
                var divisor = 1
                for _ in 1..<width { divisor *= 10 }
                while divisor > 0 {
                    buffer[count] = 48 + UInt8(value / divisor % 10)
                    count += 1
                    divisor /= 10
                }
            }
            func byte(_ value: UInt8) {
                buffer[count] = value
                count += 1
            }
            digits(y, 4)
            byte(45)
            digits(m, 2)
            byte(45)
            digits(d, 2)
            byte(84)  // T
            digits(secondOfDay / 3600, 2)
            byte(58)
            digits(secondOfDay / 60 % 60, 2)
            byte(58)
            digits(secondOfDay % 60, 2)
            if millis != 0 {
                byte(46)
                digits(millis, 3)
            }
            for character in "+08:00".utf8 { byte(character) }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[..<count]), as: UTF8.self)
        }
    }

    /// Parses an ISO 8601 date-time with an explicit offset (`Z` or `±HH:MM`), optional fraction
    /// of a second; returns microseconds since the epoch, or nil when the text is not of that form.
    public static func parseISO8601(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= b.count else { return nil }
            var value: Int64 = 0
            for i in range {
                guard (48...57).contains(b[i]) else { return nil }
                value = value * 10 + Int64(b[i] - 48)
            }
            return value
        }
        guard b.count >= 20, b[4] == 45, b[7] == 45, b[10] == 84 || b[10] == 116 || b[10] == 32,
            b[13] == 58, b[16] == 58,
            let y = number(0..<4), let mo = number(5..<7), let d = number(8..<10),
            let h = number(11..<13), let mi = number(14..<16), let s = number(17..<19),
            (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61
        else { return nil }
        var index = 19
        var fraction: Int64 = 0
        if index < b.count, b[index] == 46 {
            index += 1
            var digits = 0
            while index < b.count, (48...57).contains(b[index]) {
                if digits < 6 { fraction = fraction * 10 + Int64(b[index] - 48) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 6) { fraction *= 10 }
        }
        var offset: Int64 = 0
        if index < b.count, b[index] == 90 || b[index] == 122 {
            index += 1
        } else if index < b.count, b[index] == 43 || b[index] == 45 {
            guard index + 6 == b.count, b[index + 3] == 58, let oh = number(index + 1..<index + 3),
                let om = number(index + 4..<index + 6), oh < 24, om < 60
            else { return nil }
            offset = (oh * 3600 + om * 60) * (b[index] == 45 ? -1 : 1)
            index += 6
        } else {
            return nil
        }
        guard index == b.count else { return nil }
        let days = daysFromCivil(year: Int(y), month: Int(mo), day: Int(d))
        let seconds = days * 86_400 + h * 3600 + mi * 60 + s - offset
        return seconds * 1_000_000 + fraction
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
    let y = Int64(month <= 2 ? year - 1 : year)
    let era = floorDiv(y, 400)
    let yearOfEra = y - era * 400
    let m = Int64(month)
    let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01.
func civilFromDays(_ days: Int64) -> (Int, Int, Int) {
    let z = days + 719_468
    let era = floorDiv(z, 146_097)
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let mp = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    return (Int(year), Int(month), Int(day))
}

func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

func floorMod(_ a: Int64, _ b: Int64) -> Int64 { a - floorDiv(a, b) * b }

func format2(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

func format3(_ value: Int) -> String { value < 10 ? "00\(value)" : value < 100 ? "0\(value)" : "\(value)" }

func format4(_ value: Int) -> String {
    let text = "\(value)"
    return String(repeating: "0", count: max(0, 4 - text.count)) + text
}
