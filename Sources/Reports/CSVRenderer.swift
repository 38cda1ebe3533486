/// Renders report tables as CSV (RFC 4180): UTF-8, a header row of column keys, CRLF line
/// ends, fields quoted when they contain a comma, a quote, a line break or edge spaces (quotes
/// doubled). Times are ISO 8601 in Asia/Shanghai (+08:00); missing values are empty fields.
public enum CSVRenderer {
    /// The CSV text of one table.
    public static func render(_ table: ReportTable) -> String {
        var text = table.columns.map { field($0.key) }.joined(separator: ",") + "\r\n"
        text.reserveCapacity(text.utf8.count * (table.rows.count + 1) * 2)
        for row in table.rows {
            for (index, value) in row.enumerated() {
                if index > 0 { text += "," }
                switch value {
                case .integer(let number): text += String(number)
                default: text += field(value.text ?? "")
                }
            }
            text += "\r\n"
        }
        return text
    }

    /// One field, quoted if needed.
    public static func field(_ value: String) -> String {
        let needsQuotes =
            value.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
            || value.hasPrefix(" ") || value.hasSuffix(" ")
        guard needsQuotes else { return value }
        var quoted = "\""
        for scalar in value.unicodeScalars {
            if scalar == "\"" { quoted += "\"\"" } else { quoted.unicodeScalars.append(scalar) }
        }
        return quoted + "\""
    }

    /// Parses CSV text (RFC 4180, as written by ``render(_:)``) into rows of fields.
    public static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = String.UnicodeScalarView()
        var inQuotes = false
        var afterQuote = false
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            if inQuotes {
                if scalar == "\"" {
                    if index < scalars.count, scalars[index] == "\"" {
                        field.append("\"")
                        index += 1
                    } else {
                        inQuotes = false
                        afterQuote = true
                    }
                } else {
                    field.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty && !afterQuote:
                inQuotes = true
            case ",":
                row.append(String(field))
                field = String.UnicodeScalarView()
                afterQuote = false
            case "\r":
                break
            case "\n":
                row.append(String(field))
                rows.append(row)
                row = []
                field = String.UnicodeScalarView()
                afterQuote = false
            default:
                field.append(scalar)
            }
        }
        if !field.isEmpty || !row.isEmpty || afterQuote {
            row.append(String(field))
            rows.append(row)
        }
        return rows
    }
}
