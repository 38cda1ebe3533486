/// The period a report covers: a calendar month, a half year (a stage report of the national
/// road-test rules), a DMV reporting year (1 December to 30 November) or any range of days, all
/// in the Asia/Shanghai calendar. Every report is built over a period with the same model and
/// renderers; the previous period (for the change column) is the one of the same kind just before.
public struct ReportPeriod: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// What kind of period it is.
    public enum Kind: String, Sendable, Hashable {
        /// A calendar month, `YYYY-MM`.
        case month
        /// January-June (`YYYY-H1`) or July-December (`YYYY-H2`).
        case halfYear = "half-year"
        /// The California DMV reporting year `YYYY`: 1 December of the year before to 30 November.
        case dmvYear = "dmv-year"
        /// Any range of whole days, `YYYY-MM-DD..YYYY-MM-DD` (both included).
        case range
    }

    /// The kind.
    public let kind: Kind
    /// First day, days since 1970-01-01 (Asia/Shanghai calendar).
    public let firstDay: Int64
    /// Day after the last day (exclusive), days since 1970-01-01.
    public let endDay: Int64

    /// The calendar month `month`.
    public init(month: ReportMonth) {
        kind = .month
        firstDay = daysFromCivil(year: month.year, month: month.month, day: 1)
        endDay = daysFromCivil(year: month.next.year, month: month.next.month, day: 1)
    }

    /// A half year: `half` 1 (January-June) or 2 (July-December).
    public init(year: Int, half: Int) throws(ReportError) {
        guard (1992...9999).contains(year), half == 1 || half == 2 else {
            throw .malformedPeriod("\(year)-H\(half)")
        }
        kind = .halfYear
        firstDay = daysFromCivil(year: year, month: half == 1 ? 1 : 7, day: 1)
        endDay =
            half == 1
            ? daysFromCivil(year: year, month: 7, day: 1) : daysFromCivil(year: year + 1, month: 1, day: 1)
    }

    /// The DMV reporting year `year`: 1 December `year - 1` to 30 November `year`.
    public init(dmvYear year: Int) throws(ReportError) {
        guard (1993...9999).contains(year) else { throw .malformedPeriod("\(year)") }
        kind = .dmvYear
        firstDay = daysFromCivil(year: year - 1, month: 12, day: 1)
        endDay = daysFromCivil(year: year, month: 12, day: 1)
    }

    /// The days `from` to `through` (both `YYYY-MM-DD`, both included).
    public init(from: String, through: String) throws(ReportError) {
        guard let first = Self.parseDay(from) else { throw .malformedPeriod(from) }
        guard let last = Self.parseDay(through) else { throw .malformedPeriod(through) }
        guard last >= first else {
            throw .malformedPeriod("\(from)..\(through): the end is before the start")
        }
        kind = .range
        firstDay = first
        endDay = last + 1
    }

    private init(kind: Kind, firstDay: Int64, endDay: Int64) {
        self.kind = kind
        self.firstDay = firstDay
        self.endDay = endDay
    }

    /// Parses `YYYY-MM` (a month), `YYYY-H1`/`YYYY-H2` (a half year) or `YYYY-MM-DD..YYYY-MM-DD`.
    public init(parsing text: String) throws(ReportError) {
        if let dots = text.firstRange(of: "..") {
            try self.init(from: String(text[..<dots.lowerBound]), through: String(text[dots.upperBound...]))
        } else if text.count == 7, text.dropFirst(4).hasPrefix("-H"), let year = Int(text.prefix(4)),
            let half = Int(text.suffix(1))
        {
            try self.init(year: year, half: half)
        } else {
            do {
                self.init(month: try ReportMonth(parsing: text))
            } catch {
                throw .malformedPeriod(text)
            }
        }
    }

    /// `2026-11`, `2026-H2`, `DMV 2026` or `2026-07-01..2026-09-30`.
    public var description: String {
        let (y, m, _) = civilFromDays(firstDay)
        switch kind {
        case .month: return format4(y) + "-" + format2(m)
        case .halfYear: return format4(y) + (m == 1 ? "-H1" : "-H2")
        case .dmvYear: return "DMV-" + format4(y + 1)
        case .range: return Self.dayString(firstDay) + ".." + Self.dayString(endDay - 1)
        }
    }

    /// A title for people: "November 2026", "July-December 2026 (H2)", "1 Dec 2025 - 30 Nov 2026".
    public var title: String {
        let (y, m, _) = civilFromDays(firstDay)
        switch kind {
        case .month: return Self.monthNames[m - 1] + " " + format4(y)
        case .halfYear:
            return (m == 1 ? "January-June " : "July-December ") + format4(y) + (m == 1 ? " (H1)" : " (H2)")
        case .dmvYear:
            return "DMV reporting year \(format4(y + 1)) (" + Self.longDay(firstDay) + " - "
                + Self.longDay(endDay - 1) + ")"
        case .range: return Self.longDay(firstDay) + " - " + Self.longDay(endDay - 1)
        }
    }

    /// What the period is called in a sentence: "month", "half year", "period".
    public var noun: String {
        switch kind {
        case .month: "month"
        case .halfYear: "half year"
        case .dmvYear: "reporting year"
        case .range: "period"
        }
    }

    /// The period of the same kind just before (a range: the same number of days before it).
    public var previous: ReportPeriod {
        let (y, m, _) = civilFromDays(firstDay)
        switch kind {
        case .month:
            let month = m == 1 ? (y - 1, 12) : (y, m - 1)
            return ReportPeriod(
                kind: .month, firstDay: daysFromCivil(year: month.0, month: month.1, day: 1), endDay: firstDay
            )
        case .halfYear:
            let start =
                m == 1
                ? daysFromCivil(year: y - 1, month: 7, day: 1) : daysFromCivil(year: y, month: 1, day: 1)
            return ReportPeriod(kind: .halfYear, firstDay: start, endDay: firstDay)
        case .dmvYear:
            return ReportPeriod(
                kind: .dmvYear, firstDay: daysFromCivil(year: y - 1, month: 12, day: 1), endDay: firstDay)
        case .range:
            return ReportPeriod(kind: .range, firstDay: firstDay - (endDay - firstDay), endDay: firstDay)
        }
    }

    /// Number of days.
    public var dayCount: Int { Int(endDay - firstDay) }

    /// Start: 00:00 Asia/Shanghai on the first day, microseconds since the epoch.
    public var startMicros: Int64 { (firstDay * 86_400 - ReportMonth.shanghaiOffsetSeconds) * 1_000_000 }

    /// End (exclusive): 00:00 Asia/Shanghai after the last day.
    public var endMicros: Int64 { (endDay * 86_400 - ReportMonth.shanghaiOffsetSeconds) * 1_000_000 }

    /// Whether `micros` falls in the period.
    public func contains(micros: Int64) -> Bool { micros >= startMicros && micros < endMicros }

    /// The days as `YYYY-MM-DD`.
    public var days: [String] { (firstDay..<endDay).map(Self.dayString) }

    /// First day `YYYY-MM-DD`.
    public var firstDayString: String { Self.dayString(firstDay) }
    /// Last day (included) `YYYY-MM-DD`.
    public var lastDayString: String { Self.dayString(endDay - 1) }
    /// Month of the first day, `YYYY-MM`.
    public var firstMonthString: String { String(firstDayString.prefix(7)) }
    /// Month of the last day, `YYYY-MM`.
    public var lastMonthString: String { String(lastDayString.prefix(7)) }

    /// The calendar months the period touches, in order.
    public var months: [ReportMonth] {
        var result: [ReportMonth] = []
        var (y, m, _) = civilFromDays(firstDay)
        while daysFromCivil(year: y, month: m, day: 1) < endDay {
            if let month = try? ReportMonth(year: y, month: m) { result.append(month) }
            (y, m) = m == 12 ? (y + 1, 1) : (y, m + 1)
        }
        return result
    }

    /// Whether the period ends after `micros` (the data of an unfinished period is provisional).
    public func isUnfinished(at micros: Int64) -> Bool { micros < endMicros }

    public static func < (lhs: ReportPeriod, rhs: ReportPeriod) -> Bool {
        (lhs.firstDay, lhs.endDay) < (rhs.firstDay, rhs.endDay)
    }

    static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December",
    ]

    static func dayString(_ day: Int64) -> String {
        let (y, m, d) = civilFromDays(day)
        return format4(y) + "-" + format2(m) + "-" + format2(d)
    }

    static func longDay(_ day: Int64) -> String {
        let (y, m, d) = civilFromDays(day)
        return "\(d) " + String(monthNames[m - 1].prefix(3)) + " " + format4(y)
    }

    /// Days since 1970-01-01 of `YYYY-MM-DD`, or nil.
    static func parseDay(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count == 10, b[4] == 45, b[7] == 45,
            b.enumerated().allSatisfy({ $0.offset == 4 || $0.offset == 7 || (48...57).contains($0.element) })
        else { return nil }
        let y = b[0..<4].reduce(0) { $0 * 10 + Int($1 - 48) }
        let m = b[5..<7].reduce(0) { $0 * 10 + Int($1 - 48) }
        let d = b[8..<10].reduce(0) { $0 * 10 + Int($1 - 48) }
        guard (1992...9999).contains(y), (1...12).contains(m), d >= 1,
            let month = try? ReportMonth(year: y, month: m), d <= month.dayCount
        else { return nil }
        return daysFromCivil(year: y, month: m, day: d)
    }
}
