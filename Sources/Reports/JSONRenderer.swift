/// Renders a ``MonthlyReport`` as one JSON document (`report.json`).
///
/// Members are written in a fixed order and numbers with the same fixed decimals as the HTML
/// (``ReportValue/text``), so the two outputs carry identical figures and the same report always
/// gives the same bytes. Each table is an array of objects keyed by the column keys of the CSV files.
public enum JSONRenderer {
    /// The JSON text, UTF-8, two-space indentation, one table row per line, final newline.
    public static func render(_ report: MonthlyReport) -> String {
        var out = "{\n"
        func member(_ name: String, _ value: String, last: Bool = false) {
            out += "  " + string(name) + ": " + value + (last ? "\n" : ",\n")
        }
        member("report", string("TestZone monthly safety summary"))
        member("month", string(report.month.description))
        member("period_kind", string(report.month.kind.rawValue))
        member("zone", string(report.zone.name))
        member(
            "reporting_entity",
            report.zone.reportingEntity.isEmpty ? "null" : string(report.zone.reportingEntity))
        member("provisional", report.provisional ? "true" : "false")
        member("previous_has_data", report.previousHasData ? "true" : "false")
        member(
            "incomplete_runs", "[" + report.incompleteRuns.map { String($0.id) }.joined(separator: ", ") + "]"
        )
        member(
            "period",
            "{\"start\": \(string(ShanghaiTime.iso8601(micros: report.month.startMicros))), "
                + "\"end\": \(string(ShanghaiTime.iso8601(micros: report.month.endMicros))), "
                + "\"time_zone\": \"Asia/Shanghai\"}")
        member("previous_month", string(report.previousMonth.description))
        member("operator", report.operatorFilter.map(string) ?? "null")
        member("generated_at", string(ShanghaiTime.iso8601(micros: report.generatedAtMicros)))
        member("software_version", string(report.softwareVersion))
        member("records_sha256", string(report.digest))
        member("records_canonical_form", string(RecordDigest.versionLine))
        member("has_data", report.hasData ? "true" : "false")
        member("note", report.hasData ? "null" : string(ReportText.noDataNote(report)))
        let health = report.dataHealth
        member(
            "data_health",
            object([
                ("inferred_disengagements", .integer(health.inferredDisengagements)),
                ("track_time_gaps", .integer(health.trackTimeGaps)),
                ("track_outlier_steps", .integer(health.trackOutlierSteps)),
                ("bsm_from_unregistered_obu", .integer(health.unattributed.bsmFromUnregisteredOBU)),
                ("unknown_vehicle_observations", .integer(health.unattributed.unknownVehicleObservations)),
                ("days_without_driving", .integer(health.daysWithoutDriving)),
            ])
                + ", \"unregistered_vehicles\": ["
                + health.unregisteredVehicles.map(string).joined(separator: ", ")
                + "]}")
        let coverage = report.coverage
        member(
            "coverage",
            object([
                ("network_km", .number(coverage.networkMeters / 1000, decimals: Decimals.kilometers)),
                ("covered_km", .number(coverage.coveredMeters / 1000, decimals: Decimals.kilometers)),
                (
                    "link_coverage_pct",
                    .number(coverage.linkShare.map { $0 * 100 }, decimals: Decimals.percent)
                ),
                ("links", .integer(coverage.links.count)),
                ("links_driven", .integer(coverage.linksDriven)),
                ("link_distance_recorded", .flag(coverage.hasLinkDistance)),
                ("grid_cell_m", .number(coverage.gridCellMeters, decimals: Decimals.meters)),
                ("grid_cells", .integer(coverage.gridCells)),
                ("grid_cells_visited", .integer(coverage.gridCellsVisited)),
                (
                    "grid_coverage_pct",
                    .number(coverage.gridShare.map { $0 * 100 }, decimals: Decimals.percent)
                ),
            ]) + "}")
        out += "  \"tables\": {\n"
        // Tens of megabytes on a large zone: each table is rendered on its own core, its rows
        // appended in place into a string reserved once.
        let tables = report.tables
        out += Parallel.map(Array(tables.indices)) { tableIndex in
            let table = tables[tableIndex]
            var member = "    " + string(table.id) + ": ["
            if table.rows.isEmpty {
                member += "]"
            } else {
                member.reserveCapacity(64 + table.rows.count * table.columns.count * 24)
                member += "\n"
                let keys = Self.keys(table)
                for (rowIndex, row) in table.rows.enumerated() {
                    member += "      "
                    appendObject(keys, row, to: &member)
                    member += rowIndex + 1 < table.rows.count ? ",\n" : "\n"
                }
                member += "    ]"
            }
            return member + (tableIndex + 1 < tables.count ? ",\n" : "\n")
        }.joined()
        out += "  }\n}\n"
        return out
    }

    /// Renders one table as a JSON array of objects (column key to value), one per line.
    public static func render(table: ReportTable) -> String {
        guard !table.rows.isEmpty else { return "[]\n" }
        var out = "[\n"
        let keys = Self.keys(table)
        for (index, row) in table.rows.enumerated() {
            out += "  "
            appendObject(keys, row, to: &out)
            out += index + 1 < table.rows.count ? ",\n" : "\n"
        }
        return out + "]\n"
    }

    /// Each column's member name, quoted, with its colon: escaped once per table.
    private static func keys(_ table: ReportTable) -> [String] { table.columns.map { string($0.key) + ": " } }

    /// `{"key": value, ...}` of one row.
    private static func appendObject(_ keys: [String], _ row: [ReportValue], to out: inout String) {
        out += "{"
        for (index, value) in row.enumerated() where index < keys.count {
            if index > 0 { out += ", " }
            out += keys[index]
            appendValue(value, to: &out)
        }
        out += "}"
    }

    private static func appendValue(_ value: ReportValue, to out: inout String) {
        switch value {
        case .integer(let number): out += String(number)
        case .flag(let flag): out += flag ? "true" : "false"
        case .text(let text): appendString(text, to: &out)
        default: out += Self.value(value)
        }
    }

    private static func appendString(_ text: String, to out: inout String) {
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            out += "\""
            out += text
            out += "\""
        } else {
            out += string(text)
        }
    }

    private static func object(_ pairs: [(String, ReportValue)]) -> String {
        "{" + pairs.map { string($0.0) + ": " + value($0.1) }.joined(separator: ", ")
    }

    /// A value as a JSON token: numbers and counts as numbers, missing as null, the rest as strings.
    static func value(_ value: ReportValue) -> String {
        guard let text = value.text else { return "null" }
        switch value {
        case .integer, .number: return text
        case .change: return text.hasPrefix("+") ? String(text.dropFirst()) : text
        case .flag(let flag): return flag ? "true" : "false"
        case .text, .time: return string(text)
        }
    }

    /// A JSON string literal (RFC 8259): quotes, backslashes and control characters escaped.
    static func string(_ text: String) -> String {
        // Most texts need no escape: copy them whole.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) { return "\"" + text + "\"" }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
