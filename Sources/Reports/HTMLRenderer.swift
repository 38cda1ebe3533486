/// Escaping for HTML text and attribute values.
enum HTMLText {
    /// `&`, `<`, `>`, `"` and `'` as character references; control characters (not allowed in
    /// HTML or XML) are dropped.
    static func escape(_ text: String) -> String {
        // Most texts need no escape: return them whole. U+007F-U+009F are 0x7F or 0xC2 0x80-0x9F
        // in UTF-8; any 0x7F or 0xC2 byte takes the careful path.
        if !text.utf8.contains(where: {
            $0 < 0x20 || $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 || $0 == 0x7F
                || $0 == 0xC2
        }) {
            return text
        }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value): continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// Renders a ``MonthlyReport`` as one self-contained HTML file (`report.html`): inline CSS and
/// SVG, no scripts, no external resources, laid out for A4 paper.
///
/// The markup is also well-formed XML (every element closed, only XML's predefined entities),
/// so it can be checked by XML tools as well as HTML parsers. Every number comes from
/// ``ReportValue/text``, as in the JSON and CSV outputs.
public enum HTMLRenderer {
    /// The HTML text.
    public static func render(_ report: MonthlyReport) -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en" xmlns="http://www.w3.org/1999/xhtml">
            <head>
            <meta charset="utf-8"/>
            <meta name="viewport" content="width=device-width, initial-scale=1"/>
            <meta name="generator" content="testzone \(HTMLText.escape(report.softwareVersion))"/>
            <title>\(HTMLText.escape(ReportText.title(report)))</title>
            <style>
            \(stylesheet)
            \(pageRule(report))
            </style>
            </head>
            <body>

            """
        // The sections are independent: each is rendered on its own core (the register and the
        // daily table are megabytes on a large zone).
        let sections: [@Sendable (MonthlyReport) -> String] = [
            header, summarySection, operatorsSection, vehiclesSection, dailySection, disengagementSection,
            registerSection, coverageSection, v2xSection, dataHealthSection, completenessSection, footer,
        ]
        html += Parallel.map(Array(sections.indices)) { sections[$0](report) }.joined()
        html += "</body>\n</html>\n"
        return html
    }

    static let stylesheet = """
        @page { size: A4; margin: 14mm 12mm 15mm 12mm; }
        * { box-sizing: border-box; }
        html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        body { font-family: "DejaVu Sans", "Noto Sans", "Helvetica Neue", Arial, "Noto Sans CJK SC", "WenQuanYi Micro Hei",
          "PingFang SC", "Microsoft YaHei", sans-serif; font-size: 9.5pt;
          line-height: 1.35; color: #111; margin: 0 auto; max-width: 186mm; }
        @media screen { body { padding: 8mm 0; } }
        header.report { border-bottom: 2pt solid #1f3a5f; margin-bottom: 4mm; padding-bottom: 2mm; }
        h1 { font-size: 16pt; margin: 0 0 1.5mm 0; color: #1f3a5f; }
        h2 { font-size: 12.5pt; margin: 6mm 0 2mm 0; color: #1f3a5f; border-bottom: 0.75pt solid #9fb3c8;
          break-after: avoid; page-break-after: avoid; }
        h3 { font-size: 10.5pt; margin: 4mm 0 1.5mm 0; break-after: avoid; page-break-after: avoid; }
        p { margin: 1mm 0 2mm 0; }
        .meta { color: #333; font-size: 9pt; margin: 0.5mm 0; }
        .notice { border: 1pt solid #b8860b; background: #fff8dc; padding: 2.5mm 3.5mm; margin: 3mm 0;
          font-weight: bold; }
        .muted { color: #555; font-size: 8.5pt; }
        .empty { color: #555; font-style: italic; }
        section { margin-bottom: 3mm; }
        section.break { break-before: page; page-break-before: always; }
        .cards { display: flex; flex-wrap: wrap; gap: 2mm; margin: 2mm 0 3mm 0; }
        .card { flex: 1 1 40mm; border: 0.75pt solid #9fb3c8; border-radius: 1.5mm; padding: 1.5mm 2.5mm;
          break-inside: avoid; page-break-inside: avoid; }
        .card .value { font-size: 14pt; font-weight: bold; color: #1f3a5f; }
        .card .label { font-size: 8pt; color: #333; }
        .card .prev { font-size: 7.5pt; color: #555; }
        table { border-collapse: collapse; width: 100%; margin: 1mm 0 3mm 0; font-size: 8pt; }
        thead { display: table-header-group; }
        tr { break-inside: avoid; page-break-inside: avoid; }
        th, td { padding: 0.6mm 1.2mm; border-bottom: 0.5pt solid #c9d3dd; vertical-align: top; text-align: left; }
        th { background: #e8eef5; font-weight: bold; vertical-align: bottom; border-bottom: 0.75pt solid #1f3a5f; }
        th.n { text-align: right; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        td.id { font-family: "DejaVu Sans Mono", "Noto Sans Mono", monospace; font-size: 0.95em; white-space: nowrap; }
        td.nowrap { white-space: nowrap; }
        td .sub { color: #444; }
        tr.group td { background: #f3f6f9; font-weight: bold; border-bottom: 0.5pt solid #9fb3c8; }
        tr.group { break-after: avoid; page-break-after: avoid; }
        table.summary th { white-space: nowrap; }
        table.compact { font-size: 7pt; }
        table.compact th, table.compact td { padding: 0.4mm 0.8mm; }
        table.matrix { font-size: 6.3pt; table-layout: fixed; }
        table.matrix th, table.matrix td { padding: 0.3mm 0.5mm; }
        table.matrix col.vin { width: 31mm; }
        table.matrix td.zero { color: #aaa; }
        figure { margin: 2mm 0 4mm 0; break-inside: avoid; page-break-inside: avoid; }
        figcaption { font-size: 8.5pt; color: #333; margin-top: 1mm; }
        svg { display: block; width: 100%; height: auto; }
        svg text { font-family: "DejaVu Sans", Arial, sans-serif; }
        svg .axis { font-size: 9px; fill: #333; }
        svg .grid { stroke: #e0e0e0; stroke-width: 0.6; }
        svg .baseline { stroke: #333; stroke-width: 0.8; }
        svg .bar { fill: #3c6e9f; }
        svg .mapbg { fill: #fbfbf8; stroke: #d0d0d0; stroke-width: 0.6; }
        svg .link { fill: none; stroke-width: 3.2; stroke-linecap: round; stroke-linejoin: round; }
        svg .link.idle { stroke-width: 1.8; stroke-dasharray: 4 3; }
        svg .diseng { stroke: #1a1a1a; stroke-width: 1.6; fill: none; }
        svg .rsu { fill: #1f3a5f; }
        svg .rsulabel { font-size: 8px; fill: #1f3a5f; paint-order: stroke; stroke: #ffffff; stroke-width: 2.5px;
          stroke-linejoin: round; }
        svg .scalebar { stroke: #333; stroke-width: 2; }
        svg .north { font-size: 10px; font-weight: bold; fill: #333; }
        svg .northarrow { fill: #333; }
        .two { display: flex; gap: 5mm; }
        .two > * { flex: 1 1 0; min-width: 0; break-inside: avoid; page-break-inside: avoid; }
        dl.facts { display: grid; grid-template-columns: auto 1fr; gap: 0.5mm 4mm; margin: 1mm 0 3mm 0; }
        dl.facts dt { color: #333; }
        dl.facts dd { margin: 0; font-weight: bold; }
        footer.report { margin-top: 6mm; border-top: 1pt solid #1f3a5f; padding-top: 2mm; font-size: 8pt; color: #222;
          break-inside: avoid; page-break-inside: avoid; }
        table.register td { font-size: 6.8pt; }
        table.files td.id { white-space: normal; word-break: break-all; font-size: 6.5pt; }
        footer.report code { font-family: "DejaVu Sans Mono", monospace; font-size: 7.5pt; word-break: break-all; }
        ul.defs { margin: 1mm 0 2mm 4mm; padding-left: 3mm; font-size: 8pt; color: #333; }
        """

    /// Printed pages carry the zone, the period and "page N of M" in their bottom margin (CSS
    /// paged media margin boxes with the page counters).
    static func pageRule(_ report: MonthlyReport) -> String {
        func cssString(_ text: String) -> String {
            "\""
                + text.unicodeScalars.map { scalar -> String in
                    scalar == "\"" || scalar == "\\" || scalar.value < 0x20 || scalar == "<" || scalar == ">"
                        ? "\\" + String(scalar.value, radix: 16) + " " : String(scalar)
                }.joined() + "\""
        }
        let zone = report.zone.name.isEmpty ? "TestZone" : report.zone.name
        let left = zone + " \u{b7} " + report.month.description + (report.provisional ? " (provisional)" : "")
        let font =
            "font-family: \"DejaVu Sans\", \"Noto Sans CJK SC\", sans-serif; font-size: 7.5pt; color: #444;"
        return "@page { @bottom-left { content: \(cssString(left)); \(font) }\n"
            + "  @bottom-right { content: \"Page \" counter(page) \" of \" counter(pages); \(font) } }"
    }

    // MARK: Sections

    static func header(_ report: MonthlyReport) -> String {
        var html = "<header class=\"report\">\n<h1>\(HTMLText.escape(ReportText.title(report)))</h1>\n"
        if let entity = ReportText.entity(report) {
            html += "<p class=\"meta\">\(HTMLText.escape(entity))</p>\n"
        }
        html += "<p class=\"meta\">\(HTMLText.escape(ReportText.scope(report)))</p>\n"
        html +=
            "<p class=\"meta\">Generated \(HTMLText.escape(ShanghaiTime.iso8601(micros: report.generatedAtMicros)))"
            + " by testzone \(HTMLText.escape(report.softwareVersion)). Compared with "
            + "\(HTMLText.escape(report.previousMonth.title)).</p>\n</header>\n"
        if !report.hasData {
            html += "<p class=\"notice\">No data: \(HTMLText.escape(ReportText.noDataNote(report)))</p>\n"
        }
        if report.provisional {
            html += "<p class=\"notice\">\(HTMLText.escape(ReportText.provisionalNote(report)))</p>\n"
        }
        if !report.incompleteRuns.isEmpty {
            html += "<p class=\"notice\">\(HTMLText.escape(ReportText.incompleteNote(report)))</p>\n"
        }
        return html
    }

    static func summarySection(_ report: MonthlyReport) -> String {
        let table = report.summaryTable
        var byKey: [String: [ReportValue]] = [:]
        for row in table.rows { if case .text(let key) = row[1] { byKey[key] = row } }
        func shown(_ key: String, _ column: Int) -> String { byKey[key].flatMap { $0[column].text } ?? "–" }
        var html = "<section id=\"summary\">\n<h2>1. Summary</h2>\n<div class=\"cards\">\n"
        let cards: [(String, String, String)] = [
            ("automated_km", "Automated km", "km"), ("automated_hours", "Automated hours", "h"),
            ("disengagements", "Disengagements", ""), ("km_per_disengagement", "km per disengagement", "km"),
            ("vehicles_active", "Vehicles active", ""), ("takeover_requests", "Takeover requests", ""),
            ("mrms", "Minimal-risk manoeuvres", ""), ("collisions", "Collisions", ""),
        ]
        for (key, label, _) in cards {
            let previous =
                report.previousHasData
                ? "\(shown(key, 5)) (\(shown(key, 6)))" : "no data"
            html +=
                "<div class=\"card\"><div class=\"value\">\(HTMLText.escape(shown(key, 4)))</div>"
                + "<div class=\"label\">\(HTMLText.escape(label))</div>"
                + "<div class=\"prev\">\(HTMLText.escape(report.previousMonth.description)): "
                + "\(HTMLText.escape(previous))</div></div>\n"
        }
        html += "</div>\n"
        // The headline table, grouped by section; category breakdowns get their own table.
        let groups: [(String, String)] = [
            ("activity", "Activity"), ("disengagements", "Disengagements"), ("takeovers", "Takeovers"),
            ("safety", "Safety events"), ("coverage", "Coverage"),
        ]
        html += "<table class=\"summary\">\n<thead><tr><th>Figure</th><th>Unit</th>"
        html += "<th class=\"n\">\(HTMLText.escape(report.month.description))</th>"
        html += "<th class=\"n\">\(HTMLText.escape(table.columns[5].title))</th>"
        html += "<th class=\"n\">Change</th><th class=\"n\">Change %</th></tr></thead>\n<tbody>\n"
        for (section, heading) in groups {
            html += "<tr class=\"group\"><td colspan=\"6\">\(HTMLText.escape(heading))</td></tr>\n"
            for row in table.rows {
                guard case .text(let rowSection) = row[0], rowSection == section else { continue }
                html += "<tr>" + cell(row[2]) + cell(row[3]) + cell(row[4]) + cell(row[5]) + cell(row[6])
                html += cell(row[7]) + "</tr>\n"
            }
        }
        html += "</tbody>\n</table>\n"
        if !report.previousHasData {
            html +=
                "<p class=\"muted\">No data in \(HTMLText.escape(report.previousMonth.description)): "
                + "there is nothing to compare with (shown as –, not as zero).</p>\n"
        }
        if report.months.count > 1 {
            html += "<h3>Month by month</h3>\n"
            html += Self.table(
                report.monthsTable, identifierColumns: [0], emptyText: "", className: "compact")
        }
        // Breakdown by initiator and by cause: count and rate, this month and the previous.
        html += "<div class=\"two\">\n"
        for (section, heading, categories) in [
            (
                "by_initiator", "Disengagements by initiator",
                report.summary.byInitiator.map { "initiator_" + Categories.metricKey($0.key) }
            ),
            (
                "by_cause", "Disengagements by cause",
                report.summary.byCause.map { "cause_" + Categories.metricKey($0.key) }
            ),
        ] {
            _ = section
            html += "<div>\n<h3>\(HTMLText.escape(heading))</h3>\n<table class=\"compact\">\n<thead><tr>"
            html += "<th></th><th class=\"n\">Count</th><th class=\"n\">per 1,000 km</th>"
            html +=
                "<th class=\"n\">\(HTMLText.escape(report.previousMonth.description))</th></tr></thead>\n<tbody>\n"
            for key in categories {
                guard let row = byKey[key], let rate = byKey[key + "_per_1000km"] else { continue }
                let label = row[2].text.map { String($0.drop { $0 != ":" }.dropFirst(2)) } ?? key
                html +=
                    "<tr><td>\(HTMLText.escape(label))</td>" + cell(row[4]) + cell(rate[4]) + cell(row[5])
                    + "</tr>\n"
            }
            html += "</tbody>\n</table>\n</div>\n"
        }
        html += "</div>\n<ul class=\"defs\">\n"
        for line in ReportText.definitions { html += "<li>\(HTMLText.escape(line))</li>\n" }
        html += "</ul>\n</section>\n"
        return html
    }

    static func operatorsSection(_ report: MonthlyReport) -> String {
        "<section id=\"operators\">\n<h2>2. Operators</h2>\n"
            + table(
                report.operatorsTable, identifierColumns: [0], emptyText: "No operators in scope.",
                className: "compact")
            + "</section>\n"
    }

    static func vehiclesSection(_ report: MonthlyReport) -> String {
        // Plates and permits come from the zone registry; a database without them shows no empty columns.
        let noRegistry = report.vehicles.allSatisfy { $0.plate.isEmpty && $0.permit.isEmpty }
        return "<section id=\"vehicles\">\n<h2>3. Vehicles</h2>\n"
            + "<p class=\"muted\">Registered vehicles in scope. Days: days with automated driving. TORs: takeover requests."
            + (noRegistry ? " Plates and permits are not recorded in this database." : "") + "</p>\n"
            + table(
                report.vehiclesTable, identifierColumns: [0], emptyText: "No vehicles registered in scope.",
                className: "compact", nowrapColumns: [1, 3], hiddenColumns: noRegistry ? [1, 3, 16] : [16],
                groupColumn: 2,
                groupTitle: { id in
                    if id.isEmpty { return "Vehicles not in the zone registry" }
                    let name = report.operators.first { $0.id == id }?.name ?? ""
                    return name.isEmpty ? "Operator \(id)" : "Operator \(id): \(name)"
                })
            + "</section>\n"
    }

    static func dailySection(_ report: MonthlyReport) -> String {
        var html = "<section id=\"daily\" class=\"break\">\n<h2>4. Daily automated distance</h2>\n"
        let days = report.month.days
        var totals: [String: Double] = [:]
        var cells: [String: [String: ReportValue]] = [:]
        let table = report.dailyDistanceTable
        for (row, values) in zip(report.dailyDistance, table.rows) {
            totals[row.day, default: 0] += row.meters / 1000
            cells[row.vin, default: [:]][row.day] = values[5]
        }
        let bars = days.map { day in
            let km = totals[day] ?? 0
            return SVGChart.Bar(
                label: String(day.suffix(2)), value: km,
                text: NumberFormat.fixed(km, decimals: Decimals.kilometers) ?? "")
        }
        html +=
            "<figure>\n"
            + SVGChart.bars(bars, title: "Automated km per day, all vehicles in scope", unit: "km")
        html +=
            "\n<figcaption>Automated km per day (Asia/Shanghai), all vehicles in scope.</figcaption>\n</figure>\n"
        let vins = report.vehicles.map(\.vin).filter { cells[$0] != nil }
        if vins.isEmpty {
            return html + "<p class=\"empty\">No automated driving in this month.</p>\n</section>\n"
        }
        html +=
            "<p class=\"muted\">Automated km per vehicle and day (all levels); a dot is a day without automated driving. "
        html += "Per-level figures are in daily_km.csv.</p>\n"
        guard days.count <= 31 else {
            return html
                + "<p class=\"muted\">The per-vehicle, per-day table of a period longer than a month is in daily_km.csv.</p>\n</section>\n"
        }
        let halves = [Array(days.prefix(16)), Array(days.dropFirst(16))]
        for half in halves where !half.isEmpty {
            html += "<table class=\"matrix\">\n<colgroup><col class=\"vin\"/>"
            html += String(repeating: "<col/>", count: half.count) + "</colgroup>\n<thead><tr><th>VIN</th>"
            for day in half { html += "<th class=\"n\">\(HTMLText.escape(String(day.suffix(5))))</th>" }
            html += "</tr></thead>\n<tbody>\n"
            for vin in vins {
                html += "<tr><td class=\"id\">\(HTMLText.escape(vin))</td>"
                for day in half {
                    if let value = cells[vin]?[day] {
                        html += cell(value)
                    } else {
                        html += "<td class=\"n zero\">·</td>"
                    }
                }
                html += "</tr>\n"
            }
            html += "</tbody>\n</table>\n"
        }
        return html + "</section>\n"
    }

    static func disengagementSection(_ report: MonthlyReport) -> String {
        var html = "<section id=\"disengagements\" class=\"break\">\n<h2>5. Disengagements</h2>\n"
        html +=
            "<p class=\"muted\">Every disengagement of the month in time order (times Asia/Shanghai, +08:00). "
        html +=
            "Place: WGS-84 coordinates, matched link, road name and location category. Takeover: seconds from the takeover request, "
        html += "if one preceded it. The same rows, one field per column, are in disengagements.csv.</p>\n"
        let table = report.disengagementsTable
        guard !table.rows.isEmpty else {
            return html + "<p class=\"empty\">No disengagements in this month.</p>\n</section>\n"
        }
        html +=
            "<table class=\"compact\">\n<thead><tr><th>Date and time</th><th>VIN</th><th>Operator, permit</th>"
        html += "<th>Level</th><th>Initiator</th><th>Cause</th><th>Place</th><th class=\"n\">Speed km/h</th>"
        html += "<th class=\"n\">Takeover s</th></tr></thead>\n<tbody>\n"
        for row in table.rows {
            // Columns as in disengagementsTable: time, vin, operator, permit, level, initiator, cause,
            // inferred, latitude, longitude, link, location, speed, takeover, road.
            let time = row[0].text ?? ""
            let date = String(time.prefix(10))
            let clock = String(time.dropFirst(11).prefix { $0 != "+" })
            let text = row.map { HTMLText.escape($0.text ?? "–") }
            var place = "\(text[8]), \(text[9])"
            if row[10].text?.isEmpty == false || row[11].text?.isEmpty == false {
                let road = row[14].text?.isEmpty == false ? " \(text[14])" : ""
                place += "<br/><span class=\"sub\">\(text[10])\(road) \u{b7} \(text[11])</span>"
            }
            html += "<tr><td class=\"nowrap\">\(HTMLText.escape(date))<br/>\(HTMLText.escape(clock))</td>"
            html +=
                "<td class=\"id\">\(text[1])</td><td class=\"nowrap\">\(text[2])<br/><span class=\"sub\">\(text[3])</span></td>"
            html +=
                "<td>\(text[4])</td><td>\(text[5])</td><td>\(text[6])</td><td class=\"nowrap\">\(place)</td>"
            html += cell(row[12]) + cell(row[13]) + "</tr>\n"
        }
        return html + "</tbody>\n</table>\n</section>\n"
    }

    static func coverageSection(_ report: MonthlyReport) -> String {
        let coverage = report.coverage
        var html = "<section id=\"coverage\" class=\"break\">\n<h2>7. Coverage</h2>\n"
        html += "<dl class=\"facts\">\n"
        let facts: [(String, ReportValue)] = [
            ("Road network", .number(coverage.networkMeters / 1000, decimals: Decimals.kilometers)),
            (
                "Covered in automated mode",
                .number(coverage.coveredMeters / 1000, decimals: Decimals.kilometers)
            ),
            (
                "Share of link length covered (%)",
                .number(coverage.linkShare.map { $0 * 100 }, decimals: Decimals.percent)
            ),
            ("Links driven / links", .text("\(coverage.linksDriven) / \(coverage.links.count)")),
            (
                "Grid cells visited / cells", .text("\(coverage.gridCellsVisited) / \(coverage.gridCells)")
            ),
            (
                "Share of grid cells visited (%)",
                .number(coverage.gridShare.map { $0 * 100 }, decimals: Decimals.percent)
            ),
        ]
        for (index, (label, value)) in facts.enumerated() {
            let unit = index < 2 ? " km" : ""
            html +=
                "<dt>\(HTMLText.escape(label))</dt><dd>\(HTMLText.escape((value.text ?? "–") + (value.text == nil ? "" : unit)))</dd>\n"
        }
        html += "</dl>\n"
        let rsus = report.v2x.rsus.compactMap { rsu in rsu.position.map { (id: rsu.id, point: $0) } }
        let places = report.disengagements.compactMap { row -> GeoPoint? in
            guard let lat = row.latitude, let lon = row.longitude else { return nil }
            return GeoPoint(latitude: lat, longitude: lon)
        }
        if coverage.links.isEmpty {
            html +=
                "<p class=\"empty\">The zone's road network is not in the database (no MAP messages received).</p>\n"
        } else if !coverage.links.contains(where: { $0.points.count >= 2 }) {
            html +=
                "<p class=\"empty\">No map: the database holds the links' lengths and classes but not their "
            html += "geometry. Coverage figures are above, per-link figures below.</p>\n"
        } else {
            html += "<figure>\n" + SVGChart.map(links: coverage.links, rsus: rsus, events: places)
            let measure =
                coverage.hasLinkDistance
                ? "automated km"
                : "vehicle-days of automated driving (the database records which links were driven, not the km on each)"
            html +=
                "\n<figcaption>Road links of the zone coloured by \(measure) in the month (grey dashed: not driven "
            html +=
                "in automated mode); crosses mark disengagements, triangles RSUs. Local projection, north up.</figcaption>\n</figure>\n"
        }
        let hourBars = coverage.hours.map {
            SVGChart.Bar(
                label: format2($0.hour), value: $0.seconds / 3600,
                text: NumberFormat.fixed($0.seconds / 3600, decimals: Decimals.hours) ?? "")
        }
        html +=
            "<figure>\n"
            + SVGChart.bars(hourBars, title: "Automated hours by hour of day", unit: "h", height: 170)
        html +=
            "\n<figcaption>Automated driving by hour of day (Asia/Shanghai), hours summed over the month.</figcaption>\n</figure>\n"
        html += "<h3>Road links</h3>\n"
        // Without per-link distance in the store, the automated-km column would only show dashes.
        html += table(
            report.coverageTable, identifierColumns: [0], emptyText: "No road links known.",
            className: "compact",
            hiddenColumns: coverage.hasLinkDistance ? [] : [6])
        return html + "</section>\n"
    }

    static func v2xSection(_ report: MonthlyReport) -> String {
        // The HTML shows availability and the reception ratios; the packet counts are in v2x.csv.
        let full = report.v2xTable
        let shownColumns = 0..<(3 + V2XSection.bands.count)
        let table = ReportTable(
            id: full.id, title: full.title, columns: Array(full.columns[shownColumns]),
            rows: full.rows.map { Array($0[shownColumns]) })
        return "<section id=\"v2x\">\n<h2>8. V2X</h2>\n"
            + "<p class=\"muted\">Available: share of the month's recorded time (each run from its first to its last "
            + "frame) between the RSU's first and last frame in that run. PRR: BSM packets received by the RSU against "
            + "each vehicle's nominal BSM rate (zone.toml bsm_rate_hz, default 10 Hz) while it was in the distance band, "
            + "counted only within the RSU's configured range (packet counts in v2x.csv).</p>\n"
            + Self.table(table, identifierColumns: [0], emptyText: "No RSU data in this month.")
            + "</section>\n"
    }

    static func dataHealthSection(_ report: MonthlyReport) -> String {
        let health = report.dataHealth
        var html = "<section id=\"data-health\">\n<h2>9. Data health</h2>\n<dl class=\"facts\">\n"
        let facts: [(String, String)] = [
            (
                "Inferred disengagements (drop to off without event item)",
                String(health.inferredDisengagements)
            ),
            ("Track steps not integrated: fixes over 10 s apart", String(health.trackTimeGaps)),
            ("Track steps not integrated: over 70 m/s (GNSS outliers)", String(health.trackOutlierSteps)),
            ("BSMs from OBUs not in the registry", String(health.unattributed.bsmFromUnregisteredOBU)),
            (
                "Other observations of unknown vehicles",
                String(health.unattributed.unknownVehicleObservations)
            ),
            ("Days without automated driving", "\(health.daysWithoutDriving) of \(report.month.dayCount)"),
            (
                "Vehicles not in the registry",
                health.unregisteredVehicles.isEmpty
                    ? "none" : health.unregisteredVehicles.joined(separator: ", ")
            ),
        ]
        for (label, value) in facts {
            html += "<dt>\(HTMLText.escape(label))</dt><dd>\(HTMLText.escape(value))</dd>\n"
        }
        html += "</dl>\n"
        html += table(
            report.dataHealthTable, identifierColumns: [0], emptyText: "No frames received in this month.",
            className: "compact")
        html +=
            "<h3>Sequence numbers</h3>\n<p class=\"muted\">BSM msgCnt per OBU (mod 128) and JT/T 808 serial "
        html += "per terminal (mod 65536); streams with findings first.</p>\n"
        html += table(
            report.sequencesTable, identifierColumns: [1],
            emptyText: "No sequence-numbered streams in this month.",
            className: "compact")
        return html + "</section>\n"
    }

    static func registerSection(_ report: MonthlyReport) -> String {
        var html = "<section id=\"register\" class=\"break\">\n<h2>6. Event register</h2>\n"
        html +=
            "<p class=\"muted\">Every occurrence in time order (UN R157 / GB 44497-2024 occurrence record): activation, "
            + "disengagement (explicit and inferred), planned deactivation, takeover request with its outcome and time, "
            + "MRM start and end, collision, severe failure. Flags from item 0xE1 at the event: SD safety driver on board, "
            + "RO remote operator connected. All columns, with the evidence clip's SHA-256, are in events.csv.</p>\n"
        // Routine transitions (activations, planned deactivations, deactivations below L3) are
        // counted here and listed in events.csv; the page lists every other occurrence.
        let routine: Set<EventKind> = [.engagement, .plannedDeactivation, .deactivation]
        let counts = Dictionary(grouping: report.register.filter { routine.contains($0.kind) }, by: \.kind)
        html +=
            "<p class=\"muted\">Routine transitions, listed in events.csv only: "
            + "\(counts[.engagement]?.count ?? 0) activations, \(counts[.plannedDeactivation]?.count ?? 0) planned "
            + "deactivations, \(counts[.deactivation]?.count ?? 0) deactivations below L3.</p>\n"
        let table = RegisterTable.table(report.register.filter { !routine.contains($0.kind) })
        guard !table.rows.isEmpty else {
            return html + "<p class=\"empty\">No other events in this \(report.month.noun).</p>\n</section>\n"
        }
        html +=
            "<table class=\"compact register\">\n<thead><tr><th>Date and time</th><th>Vehicle</th><th>Event</th>"
        html += "<th>Initiator, cause</th><th>Place</th><th class=\"n\">km/h</th><th>SD/RO</th>"
        html += "<th>Takeover</th><th>Evidence</th></tr></thead>\n<tbody>\n"
        for row in table.rows {
            // Columns as in registerTable.
            let text = row.map { HTMLText.escape($0.text ?? "–") }
            let time = row[0].text ?? ""
            let date = String(time.prefix(10))
            let clock = String(time.dropFirst(11).prefix { $0 != "+" })
            var place = row[10].text == nil ? "–" : "\(text[10]), \(text[11])"
            let road = [text[12], text[13]].filter { !$0.isEmpty }.joined(separator: " ")
            place += "<br/><span class=\"sub\">\(road.isEmpty ? "" : road + " \u{b7} ")\(text[14])</span>"
            func yesNo(_ value: ReportValue) -> String {
                switch value.text {
                case "yes"?: "Y"
                case "no"?: "N"
                default: "?"
                }
            }
            let takeover =
                row[17].text?.isEmpty == false
                ? "\(text[17])<br/><span class=\"sub\">\(text[18]) s</span>" : ""
            let evidence =
                row[19].text?.isEmpty == false
                ? "\(text[19])<br/><span class=\"sub\">\(HTMLText.escape(String((row[20].text ?? "").prefix(16))))…</span>"
                : ""
            html += "<tr><td class=\"nowrap\">\(HTMLText.escape(date))<br/>\(HTMLText.escape(clock))</td>"
            html +=
                "<td class=\"nowrap\"><span class=\"id\">\(text[1])</span><br/><span class=\"sub\">\(text[2]) \u{b7} \(text[3])</span></td>"
            html += "<td>\(text[4])<br/><span class=\"sub\">\(text[6])</span></td>"
            html +=
                "<td>\(text[7])<br/><span class=\"sub\">\(text[8])</span></td><td class=\"nowrap\">\(place)</td>"
            html +=
                cell(row[9])
                + "<td>\(yesNo(row[15]))/\(yesNo(row[16]))</td><td>\(takeover)</td><td>\(evidence)</td></tr>\n"
        }
        return html + "</tbody>\n</table>\n</section>\n"
    }

    static func completenessSection(_ report: MonthlyReport) -> String {
        var html = "<section id=\"completeness\">\n<h2>10. Data completeness</h2>\n"
        html +=
            "<p class=\"muted\">The runs whose data time overlaps the \(report.month.noun): only complete runs are counted. "
            + "A run whose recording had corrupt or lost parts (reported by the journal reader) is marked INCOMPLETE. "
            + "Journal files are identified by their SHA-256 (run_files).</p>\n"
        html += table(
            report.runsTable, identifierColumns: [0], emptyText: "No runs overlap this period.",
            className: "compact")
        html += "<h3>Journal files</h3>\n"
        html += table(
            report.journalFilesTable, identifierColumns: [3],
            emptyText: "No journal files recorded (live run not finished).",
            className: "compact files")
        html += "<h3>Frames rejected, by reason</h3>\n"
        html += table(
            report.rejectReasonsTable, identifierColumns: [], emptyText: "No frames rejected.",
            className: "compact")
        let missing = report.dataHealth.sequences.reduce(0) { $0 + $1.gaps }
        html += "<dl class=\"facts\">\n"
        for (label, value) in [
            ("Sequence numbers missing (all streams)", String(missing)),
            ("Track gaps: fixes over 10 s apart", String(report.dataHealth.trackTimeGaps)),
            ("Track gaps: steps over 70 m/s", String(report.dataHealth.trackOutlierSteps)),
            (
                "Frames received / decoded",
                "\(report.dataHealth.sources.reduce(0) { $0 + $1.received }) / \(report.dataHealth.sources.reduce(0) { $0 + $1.decoded })"
            ),
        ] {
            html += "<dt>\(HTMLText.escape(label))</dt><dd>\(HTMLText.escape(value))</dd>\n"
        }
        return html + "</dl>\n</section>\n"
    }

    static func footer(_ report: MonthlyReport) -> String {
        "<footer class=\"report\">\n<p>\(HTMLText.escape(ReportText.provenance(report)))</p>\n"
            + "<p>Records SHA-256: <code>\(HTMLText.escape(report.digest))</code></p>\n"
            + "<p>\(HTMLText.escape(ReportText.digestDefinition))</p>\n</footer>\n"
    }

    // MARK: Tables

    static func cell(_ value: ReportValue, identifier: Bool = false) -> String {
        let text = value.text.map(HTMLText.escape) ?? "–"
        if value.isNumeric { return "<td class=\"n\">\(text)</td>" }
        return identifier ? "<td class=\"id\">\(text)</td>" : "<td>\(text)</td>"
    }

    /// A generic table. With `groupColumn`, rows are grouped under a heading row per value of
    /// that column (rows must be sorted by it), and the column itself is not repeated.
    static func table(
        _ table: ReportTable, identifierColumns: Set<Int>, emptyText: String, className: String? = nil,
        nowrapColumns: Set<Int> = [], hiddenColumns: Set<Int> = [], groupColumn: Int? = nil,
        groupTitle: (String) -> String = { $0 }
    ) -> String {
        guard !table.rows.isEmpty else { return "<p class=\"empty\">\(HTMLText.escape(emptyText))</p>\n" }
        let numeric = table.columns.indices.map { index in table.rows.contains { $0[index].isNumeric } }
        let shown = table.columns.indices.filter { $0 != groupColumn && !hiddenColumns.contains($0) }
        var html = className.map { "<table class=\"\($0)\">\n" } ?? "<table>\n"
        html += "<thead><tr>"
        for index in shown {
            html += numeric[index] ? "<th class=\"n\">" : "<th>"
            html += HTMLText.escape(table.columns[index].title) + "</th>"
        }
        html += "</tr></thead>\n<tbody>\n"
        var currentGroup: String?
        for row in table.rows {
            if let groupColumn {
                let group = row[groupColumn].text ?? ""
                if group != currentGroup {
                    html +=
                        "<tr class=\"group\"><td colspan=\"\(shown.count)\">\(HTMLText.escape(groupTitle(group)))</td></tr>\n"
                    currentGroup = group
                }
            }
            html += "<tr>"
            for index in shown {
                if nowrapColumns.contains(index) {
                    html += "<td class=\"nowrap\">\(HTMLText.escape(row[index].text ?? "–"))</td>"
                } else {
                    html += cell(row[index], identifier: identifierColumns.contains(index))
                }
            }
            html += "</tr>\n"
        }
        return html + "</tbody>\n</table>\n"
    }
}
