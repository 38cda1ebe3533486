/// Renders the summary of a ``MonthlyReport`` as Markdown for e-mail (`report.md`).
public enum MarkdownRenderer {
    /// The Markdown text: title, scope, key figures with the previous month, and provenance.
    public static func render(_ report: MonthlyReport) -> String {
        var out = "# \(escape(ReportText.title(report)))\n\n"
        out += escape(ReportText.scope(report)) + "\n\n"
        if !report.hasData { out += "> **No data.** " + escape(ReportText.noDataNote(report)) + "\n\n" }
        if let entity = ReportText.entity(report) { out += escape(entity) + "\n\n" }
        if report.provisional {
            out += "> **Provisional.** " + escape(ReportText.provisionalNote(report)) + "\n\n"
        }
        if !report.incompleteRuns.isEmpty {
            out += "> **Incomplete data.** " + escape(ReportText.incompleteNote(report)) + "\n\n"
        }
        let table = report.summaryTable
        let sections: [(String, String)] = [
            ("activity", "Activity"), ("disengagements", "Disengagements"),
            ("by_initiator", "Disengagements by initiator"),
            ("by_cause", "Disengagements by cause"), ("takeovers", "Takeovers"), ("safety", "Safety events"),
            ("coverage", "Coverage"),
        ]
        for (section, heading) in sections {
            let rows = table.rows.filter {
                guard case .text(let s) = $0[0], s == section, case .text(let key) = $0[1] else {
                    return false
                }
                // Keep e-mail short: per-category rates are in the attachments, and zero categories are left out.
                if section == "by_initiator" || section == "by_cause" {
                    return !key.hasSuffix("_per_1000km") && ($0[4].text != "0" || $0[5].text != "0")
                }
                return true
            }
            if rows.isEmpty { continue }
            out += "## \(heading)\n\n"
            out += "| Figure | Unit | \(report.month) | \(table.columns[5].title) | Change |\n"
            out += "|---|---|--:|--:|--:|\n"
            for row in rows {
                let cells = [row[2], row[3], row[4], row[5], row[6]].map { escape($0.text ?? "–") }
                out += "| " + cells.joined(separator: " | ") + " |\n"
            }
            out += "\n"
        }
        if !report.operators.isEmpty {
            out +=
                "## Operators\n\n| Operator | Vehicles active | Automated km | Disengagements | km / disengagement |\n"
            out += "|---|--:|--:|--:|--:|\n"
            for row in report.operatorsTable.rows {
                out +=
                    "| "
                    + [row[0], row[3], row[6], row[8], row[9]].map { escape($0.text ?? "–") }
                    .joined(separator: " | ") + " |\n"
            }
            out += "\n"
        }
        out += "The full report (HTML), the tables (CSV) and report.json are attached.\n\n"
        out += "---\n\n" + escape(ReportText.provenance(report)) + "  \n"
        out += "Records SHA-256: `\(report.digest)`\n"
        return out
    }

    /// Escapes the characters that Markdown would interpret inside table cells and text.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "|", "*", "_", "`", "<", ">", "[", "]", "\\": out += "\\" + String(character)
            default: out.append(character)
            }
        }
        return out
    }
}
