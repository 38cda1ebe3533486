/// A value in a report table, with the one text every renderer shows for it.
public enum ReportValue: Sendable, Equatable {
    /// Free text (names, ids, labels).
    case text(String)
    /// A count.
    case integer(Int)
    /// A measured value with a fixed number of decimals; nil is "not defined" (e.g. a rate with a
    /// zero denominator).
    case number(Double?, decimals: Int)
    /// A signed change with a fixed number of decimals (`+1.5`, `-2.0`).
    case change(Double?, decimals: Int)
    /// An instant, microseconds since the epoch, shown as ISO 8601 in Asia/Shanghai (+08:00).
    case time(Int64)
    /// A yes/no flag.
    case flag(Bool)

    /// The text shown in every output; nil for a missing value (empty CSV field, JSON null,
    /// a dash in HTML and Markdown).
    public var text: String? {
        switch self {
        case .text(let value): return value
        case .integer(let value): return String(value)
        case .number(let value, let decimals):
            return value.flatMap { NumberFormat.fixed($0, decimals: decimals) }
        case .change(let value, let decimals):
            return value.flatMap { NumberFormat.signed($0, decimals: decimals) }
        case .time(let micros): return ShanghaiTime.iso8601(micros: micros)
        case .flag(let value): return value ? "yes" : "no"
        }
    }

    /// Whether the value is numeric (right-aligned in tables, a JSON number).
    public var isNumeric: Bool {
        switch self {
        case .integer, .number, .change: return true
        case .text, .time, .flag: return false
        }
    }
}

/// A column of a report table.
public struct ReportColumn: Sendable, Equatable {
    /// Machine key: CSV header and JSON member name (snake_case, with the unit, e.g. `km_l3`).
    public var key: String
    /// Human heading for HTML and Markdown.
    public var title: String

    public init(_ key: String, _ title: String) {
        self.key = key
        self.title = title
    }
}

/// A table of the report: the unit shared by the CSV files, the JSON arrays and the HTML tables.
public struct ReportTable: Sendable, Equatable {
    /// Identifier, also the CSV file's base name (e.g. `vehicles` → `vehicles.csv`).
    public var id: String
    /// Human title.
    public var title: String
    public var columns: [ReportColumn]
    public var rows: [[ReportValue]]

    public init(id: String, title: String, columns: [ReportColumn], rows: [[ReportValue]]) {
        self.id = id
        self.title = title
        self.columns = columns
        self.rows = rows
    }
}
