import Foundation
import Reports
import Store

/// The tables of `testzone metrics --by`: one row per group with the rates of DESIGN.md 5 (per
/// 1,000 automated L3 + L4 km of the same group; by initiator and by cause over the zone's km, as
/// the California DMV reports them) and takeover count, median, p95 and maximum; a TOTAL row last.
enum MetricsBreakdown {
    static func table(store: StoreSummaries, filter: ReportFilter, by: String) throws -> ReportTable {
        switch by {
        case "initiator", "cause": return try categories(store: store, filter: filter, by: by)
        default:
            let grouping = SummaryGrouping(rawValue: by) ?? .vehicle
            var rows = try store.summaries(filter, by: grouping)
            if grouping == .level { rows = rows.filter { $0.vin == "3" || $0.vin == "4" } }
            let total = try store.zoneSummary(filter)
            return groups(rows, total: total, key: by, grouping: grouping)
        }
    }

    static let rateColumns = [
        ReportColumn("km", "Automated km"), ReportColumn("hours", "Hours"),
        ReportColumn("disengagements", "Diseng."), ReportColumn("inferred", "Inferred"),
        ReportColumn("km_per_disengagement", "km/diseng."),
        ReportColumn("disengagements_per_1000km", "per 1,000 km"), ReportColumn("planned", "Planned"),
        ReportColumn("takeover_requests", "TORs"), ReportColumn("takeovers", "Taken over"),
        ReportColumn("takeover_median_s", "Median s"), ReportColumn("takeover_p95_s", "p95 s"),
        ReportColumn("takeover_max_s", "Max s"), ReportColumn("missed", "Missed"),
        ReportColumn("mrms", "MRMs"),
        ReportColumn("collisions", "Coll."), ReportColumn("severe_failures", "Sev. fail."),
    ]

    static func groups(_ rows: [StoredSummary], total: StoredSummary, key: String, grouping: SummaryGrouping)
        -> ReportTable
    {
        func values(_ s: StoredSummary, level: Int?) -> [ReportValue] {
            // A level row's distance is the distance at that level; every other row uses L3 + L4.
            let metres = level.map { s.automatedMetresByLevel[$0] ?? 0 } ?? s.automatedKilometres * 1000
            let seconds =
                level.map { s.automatedSecondsByLevel[$0] ?? 0 }
                ?? ((s.automatedSecondsByLevel[3] ?? 0) + (s.automatedSecondsByLevel[4] ?? 0))
            func duration(_ t: Int64?) -> ReportValue { .number(t.map { Double($0) / 1e6 }, decimals: 2) }
            return [
                .number(metres / 1000, decimals: 2), .number(seconds / 3600, decimals: 2),
                .integer(s.disengagements), .integer(s.inferredDisengagements),
                .number(Rates.kilometersPer(meters: metres, count: s.disengagements), decimals: 2),
                .number(Rates.perThousandKilometers(count: s.disengagements, meters: metres), decimals: 2),
                .integer(s.plannedDeactivations), .integer(s.takeoverRequests),
                .integer(s.takeoverTimes.count),
                duration(s.medianTakeoverTime), duration(s.p95TakeoverTime), duration(s.maximumTakeoverTime),
                .integer(s.missedTakeovers), .integer(s.mrms), .integer(s.collisions),
                .integer(s.severeFailures),
            ]
        }
        var body = rows.map { row -> [ReportValue] in
            let label = grouping == .level ? "L" + row.vin : row.vin
            return [.text(label)] + values(row, level: grouping == .level ? Int(row.vin) : nil)
        }
        body.append([.text("TOTAL")] + values(total, level: nil))
        return ReportTable(
            id: "metrics_by_\(key)", title: "Metrics by \(key)",
            columns: [ReportColumn(key, key.capitalized)] + rateColumns,
            rows: body)
    }

    static func categories(store: StoreSummaries, filter: ReportFilter, by: String) throws -> ReportTable {
        let zone = try store.zoneSummary(filter)
        let counts = by == "initiator" ? zone.disengagementsByInitiator : zone.disengagementsByCause
        let order = by == "initiator" ? Categories.initiatorOrder : Categories.causeOrder
        let names = order.filter { counts[$0] != nil } + counts.keys.filter { !order.contains($0) }.sorted()
        let metres = zone.automatedKilometres * 1000
        var rows: [[ReportValue]] = names.map { name in
            let n = counts[name] ?? 0
            let label = by == "initiator" ? Categories.initiator(name).label : Categories.cause(name).label
            return [
                .text(name), .text(label), .integer(n),
                .number(Rates.perThousandKilometers(count: n, meters: metres), decimals: 2),
                .number(
                    zone.disengagements > 0 ? Double(n) / Double(zone.disengagements) * 100 : nil, decimals: 1
                ),
            ]
        }
        rows.append([
            .text("TOTAL"), .text(""), .integer(zone.disengagements),
            .number(Rates.perThousandKilometers(count: zone.disengagements, meters: metres), decimals: 2),
            .number(zone.disengagements > 0 ? 100 : nil, decimals: 1),
        ])
        return ReportTable(
            id: "metrics_by_\(by)", title: "Disengagements by \(by)",
            columns: [
                ReportColumn(by, by.capitalized), ReportColumn("label", "Label"),
                ReportColumn("disengagements", "Diseng."),
                ReportColumn("disengagements_per_1000km", "per 1,000 km"),
                ReportColumn("share_pct", "Share %"),
            ], rows: rows)
    }

    /// A plain-text table for the terminal: text columns left-aligned, numbers right-aligned.
    static func text(_ table: ReportTable) -> String {
        let header = table.columns.map(\.title)
        let cells = table.rows.map { $0.map { $0.text ?? "-" } }
        var widths = header.map(\.count)
        for row in cells {
            for (i, cell) in row.enumerated() where i < widths.count {
                widths[i] = max(widths[i], cell.count)
            }
        }
        let numeric = table.columns.indices.map { i in table.rows.contains { $0[i].isNumeric } }
        func line(_ row: [String]) -> String {
            row.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: max(0, widths[i] - cell.count))
                return numeric[i] ? pad + cell : cell + pad
            }.joined(separator: "  ")
        }
        var out = [
            table.title, "", line(header),
            widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "),
        ]
        out += cells.map(line)
        return out.joined(separator: "\n")
    }
}
