/// Decimal places used for each kind of quantity, in every output.
public enum Decimals {
    public static let kilometers = 2
    public static let hours = 2
    public static let rate = 2
    public static let percent = 1
    public static let seconds = 2
    public static let degrees = 6
    public static let speed = 1
    public static let meters = 1
    public static let millis = 1
}

extension MonthlyReport {
    /// All tables, in report order. The CSV files, the JSON `tables` member and the HTML tables
    /// are rendered from these.
    public var tables: [ReportTable] {
        [
            summaryTable, operatorsTable, vehiclesTable, dailyDistanceTable, disengagementsTable,
            registerTable, monthsTable,
            coverageTable,
            timeOfDayTable, v2xTable, dataHealthTable, sequencesTable, runsTable, journalFilesTable,
            rejectReasonsTable,
        ]
    }

    /// One summary line: a figure of this month and of the previous month.
    struct SummaryLine {
        var section: String
        var key: String
        var label: String
        var unit: String
        var decimals: Int?
        var current: Double?
        var previous: Double?
    }

    var summaryLines: [SummaryLine] {
        let now = summary
        let before = previous
        // A previous period without data has no figures to compare with (not zeros).
        let compare = previousHasData
        var lines: [SummaryLine] = []
        func add(
            _ section: String, _ key: String, _ label: String, _ unit: String, _ decimals: Int?,
            _ value: (PeriodSummary) -> Double?
        ) {
            lines.append(
                SummaryLine(
                    section: section, key: key, label: label, unit: unit, decimals: decimals,
                    current: value(now), previous: compare ? value(before) : nil))
        }
        func count(_ value: Int) -> Double { Double(value) }
        add("activity", "vehicles_active", "Vehicles active", "vehicles", nil) { count($0.vehiclesActive) }
        add("activity", "operators_active", "Operators active", "operators", nil) {
            count($0.operatorsActive)
        }
        let levels = ReportBuilder.automatedLevels
        for level in levels {
            add(
                "activity", "automated_km_l\(level)", "Automated distance, L\(level)", "km",
                Decimals.kilometers
            ) {
                ($0.levels.first { $0.level == level }?.meters ?? 0) / 1000
            }
        }
        add("activity", "automated_km", "Automated distance, L3 + L4", "km", Decimals.kilometers) {
            $0.meters / 1000
        }
        for level in levels {
            add("activity", "automated_hours_l\(level)", "Automated time, L\(level)", "h", Decimals.hours) {
                ($0.levels.first { $0.level == level }?.seconds ?? 0) / 3600
            }
        }
        add("activity", "automated_hours", "Automated time, L3 + L4", "h", Decimals.hours) {
            $0.seconds / 3600
        }
        add("disengagements", "disengagements", "Disengagements", "count", nil) { count($0.disengagements) }
        add("disengagements", "km_per_disengagement", "Automated km per disengagement", "km", Decimals.rate) {
            $0.kilometersPerDisengagement
        }
        add(
            "disengagements", "disengagements_per_1000km", "Disengagements per 1,000 km", "per 1,000 km",
            Decimals.rate
        ) {
            $0.disengagementsPerThousandKilometers
        }
        for level in levels {
            add("disengagements", "disengagements_l\(level)", "Disengagements from L\(level)", "count", nil) {
                count($0.levels.first { $0.level == level }?.disengagements ?? 0)
            }
            add(
                "disengagements", "disengagements_l\(level)_per_1000km",
                "Disengagements from L\(level) per 1,000 L\(level) km", "per 1,000 km", Decimals.rate
            ) {
                let entry = $0.levels.first { $0.level == level }
                return Rates.perThousandKilometers(
                    count: entry?.disengagements ?? 0, meters: entry?.meters ?? 0)
            }
        }
        // Categories of either month, in the order of this month's list (which lists all known names).
        let initiators =
            now.byInitiator + before.byInitiator.filter { b in !now.byInitiator.contains { $0.key == b.key } }
        let causes = now.byCause + before.byCause.filter { b in !now.byCause.contains { $0.key == b.key } }
        for category in initiators {
            add(
                "by_initiator", "initiator_\(Categories.metricKey(category.key))",
                "Initiator: \(category.label)", "count", nil
            ) {
                count($0.byInitiator.first { $0.key == category.key }?.count ?? 0)
            }
        }
        for category in initiators {
            add(
                "by_initiator", "initiator_\(Categories.metricKey(category.key))_per_1000km",
                "Initiator: \(category.label), per 1,000 km", "per 1,000 km", Decimals.rate
            ) {
                Rates.perThousandKilometers(
                    count: $0.byInitiator.first { $0.key == category.key }?.count ?? 0, meters: $0.meters)
            }
        }
        for category in causes {
            add(
                "by_cause", "cause_\(Categories.metricKey(category.key))", "Cause: \(category.label)",
                "count", nil
            ) {
                count($0.byCause.first { $0.key == category.key }?.count ?? 0)
            }
        }
        for category in causes {
            add(
                "by_cause", "cause_\(Categories.metricKey(category.key))_per_1000km",
                "Cause: \(category.label), per 1,000 km", "per 1,000 km", Decimals.rate
            ) {
                Rates.perThousandKilometers(
                    count: $0.byCause.first { $0.key == category.key }?.count ?? 0, meters: $0.meters)
            }
        }
        add(
            "disengagements", "planned_deactivations", "Planned deactivations (not disengagements)", "count",
            nil
        ) { count($0.plannedDeactivations) }
        add(
            "disengagements", "inferred_disengagements", "Inferred disengagements (no event item)", "count",
            nil
        ) { count($0.inferredDisengagements) }
        add("takeovers", "takeover_requests", "Takeover requests", "count", nil) {
            count($0.takeoverRequests)
        }
        add("takeovers", "takeovers_missed", "Missed takeovers (ended in MRM)", "count", nil) {
            count($0.takeoversMissed)
        }
        add("takeovers", "takeover_time_median_s", "Takeover time, median", "s", Decimals.seconds) {
            $0.takeoverMedianSeconds
        }
        add("takeovers", "takeover_time_p95_s", "Takeover time, 95th percentile", "s", Decimals.seconds) {
            $0.takeoverP95Seconds
        }
        add("takeovers", "takeover_time_max_s", "Takeover time, maximum", "s", Decimals.seconds) {
            $0.takeoverMaxSeconds
        }
        add("safety", "mrms", "Minimal-risk manoeuvres", "count", nil) { count($0.mrms) }
        add("safety", "collisions", "Collisions", "count", nil) { count($0.collisions) }
        add("safety", "severe_failures", "Severe system failures", "count", nil) { count($0.severeFailures) }
        add(
            "coverage", "link_coverage_pct", "Road network covered (share of link length)", "%",
            Decimals.percent
        ) { $0.linkCoverage.map { $0 * 100 } }
        add("coverage", "grid_coverage_pct", "Grid cells visited (100 m cells)", "%", Decimals.percent) {
            $0.gridCoverage.map { $0 * 100 }
        }
        add(
            "coverage", "uplink_coverage_pct", "Automated km with V2X uplink (own BSMs received within 1 s)",
            "%", Decimals.percent
        ) {
            $0.uplinkCoverage.map { $0 * 100 }
        }
        return lines
    }

    /// Summary: each figure for this month, the previous month, and the change.
    public var summaryTable: ReportTable {
        let rows: [[ReportValue]] = summaryLines.map { line in
            let decimals = line.decimals ?? 0
            func value(_ v: Double?) -> ReportValue {
                line.decimals == nil
                    ? (v.map { .integer(Int($0)) } ?? .number(nil, decimals: 0))
                    : .number(v, decimals: decimals)
            }
            // The change is computed from the values as shown, so it adds up on paper.
            let shownNow = line.current.flatMap { NumberFormat.fixed($0, decimals: decimals) }.flatMap(
                Double.init)
            let shownBefore = line.previous.flatMap { NumberFormat.fixed($0, decimals: decimals) }.flatMap(
                Double.init)
            var change: Double?
            var percent: Double?
            if let a = shownNow, let b = shownBefore {
                change = a - b
                // Shares change in percentage points: "change %" of a percentage is not shown.
                percent = b != 0 && line.unit != "%" ? (a - b) / abs(b) * 100 : nil
            }
            return [
                .text(line.section), .text(line.key), .text(line.label), .text(line.unit),
                value(line.current),
                value(line.previous), .change(change, decimals: decimals),
                .change(percent, decimals: Decimals.percent),
            ]
        }
        return ReportTable(
            id: "summary", title: "Summary",
            columns: [
                ReportColumn("section", "Section"), ReportColumn("metric", "Metric"),
                ReportColumn("label", "Figure"),
                ReportColumn("unit", "Unit"), ReportColumn("value", month.description),
                ReportColumn(
                    "previous", previousMonth.description + (previousHasData ? "" : " (no data)")),
                ReportColumn("change", "Change"),
                ReportColumn("change_pct", "Change %"),
            ],
            rows: rows)
    }

    public var operatorsTable: ReportTable {
        ReportTable(
            id: "operators", title: "Operators",
            columns: [
                ReportColumn("operator", "Operator"), ReportColumn("name", "Name"),
                ReportColumn("vehicles", "Vehicles"),
                ReportColumn("vehicles_active", "Active"), ReportColumn("km_l3", "km L3"),
                ReportColumn("km_l4", "km L4"),
                ReportColumn("km_total", "km total"), ReportColumn("hours", "Hours"),
                ReportColumn("disengagements", "Diseng."),
                ReportColumn("km_per_disengagement", "km / diseng."),
                ReportColumn("disengagements_per_1000km", "Diseng. / 1,000 km"),
                ReportColumn("takeover_requests", "TORs"), ReportColumn("mrms", "MRMs"),
                ReportColumn("collisions", "Coll."), ReportColumn("severe_failures", "Sev. fail."),
            ],
            rows: operators.map { row in
                [
                    .text(row.id), .text(row.name), .integer(row.vehicles), .integer(row.vehiclesActive),
                    .number(row.metersL3 / 1000, decimals: Decimals.kilometers),
                    .number(row.metersL4 / 1000, decimals: Decimals.kilometers),
                    .number(row.meters / 1000, decimals: Decimals.kilometers),
                    .number(row.seconds / 3600, decimals: Decimals.hours), .integer(row.disengagements),
                    ReportValue.kilometersPerDisengagement(meters: row.meters, count: row.disengagements),
                    ReportValue.disengagementsPerThousandKilometers(
                        count: row.disengagements, meters: row.meters),
                    .integer(row.takeoverRequests), .integer(row.mrms), .integer(row.collisions),
                    .integer(row.severeFailures),
                ]
            })
    }

    public var vehiclesTable: ReportTable {
        ReportTable(
            id: "vehicles", title: "Vehicles",
            columns: [
                ReportColumn("vin", "VIN"), ReportColumn("plate", "Plate"),
                ReportColumn("operator", "Operator"),
                ReportColumn("permit", "Permit"), ReportColumn("active_days", "Days"),
                ReportColumn("km_l3", "km L3"),
                ReportColumn("km_l4", "km L4"), ReportColumn("km_total", "km total"),
                ReportColumn("hours", "Hours"),
                ReportColumn("disengagements", "Diseng."),
                ReportColumn("km_per_disengagement", "km / diseng."),
                ReportColumn("disengagements_per_1000km", "Diseng. / 1,000 km"),
                ReportColumn("takeover_requests", "TORs"), ReportColumn("mrms", "MRMs"),
                ReportColumn("collisions", "Coll."), ReportColumn("severe_failures", "Sev. fail."),
                ReportColumn("registered", "Registered"),
            ],
            rows: vehicles.map { row in
                [
                    .text(row.vin), .text(row.plate), .text(row.operatorID), .text(row.permit),
                    .integer(row.activeDays),
                    .number(row.metersL3 / 1000, decimals: Decimals.kilometers),
                    .number(row.metersL4 / 1000, decimals: Decimals.kilometers),
                    .number(row.meters / 1000, decimals: Decimals.kilometers),
                    .number(row.seconds / 3600, decimals: Decimals.hours), .integer(row.disengagements),
                    ReportValue.kilometersPerDisengagement(meters: row.meters, count: row.disengagements),
                    ReportValue.disengagementsPerThousandKilometers(
                        count: row.disengagements, meters: row.meters),
                    .integer(row.takeoverRequests), .integer(row.mrms), .integer(row.collisions),
                    .integer(row.severeFailures),
                    .flag(row.registered),
                ]
            })
    }

    public var dailyDistanceTable: ReportTable {
        ReportTable(
            id: "daily_km", title: "Daily automated distance per vehicle",
            columns: [
                ReportColumn("date", "Date"), ReportColumn("vin", "VIN"),
                ReportColumn("operator", "Operator"),
                ReportColumn("km_l3", "km L3"), ReportColumn("km_l4", "km L4"),
                ReportColumn("km_total", "km total"),
                ReportColumn("hours", "Hours"),
            ],
            rows: dailyDistance.map { row in
                [
                    .text(row.day), .text(row.vin), .text(row.operatorID),
                    .number(row.metersL3 / 1000, decimals: Decimals.kilometers),
                    .number(row.metersL4 / 1000, decimals: Decimals.kilometers),
                    .number(row.meters / 1000, decimals: Decimals.kilometers),
                    .number(row.seconds / 3600, decimals: Decimals.hours),
                ]
            })
    }

    public var disengagementsTable: ReportTable {
        ReportTable(
            id: "disengagements", title: "Disengagements",
            columns: [
                ReportColumn("time", "Date and time (+08:00)"), ReportColumn("vin", "VIN"),
                ReportColumn("operator", "Operator"), ReportColumn("permit", "Permit"),
                ReportColumn("level", "Level"),
                ReportColumn("initiator", "Initiator"), ReportColumn("cause", "Cause"),
                ReportColumn("inferred", "Inferred"), ReportColumn("latitude", "Latitude"),
                ReportColumn("longitude", "Longitude"), ReportColumn("link", "Link"),
                ReportColumn("location", "Location"), ReportColumn("speed_kmh", "Speed km/h"),
                ReportColumn("takeover_time_s", "Takeover s"), ReportColumn("road", "Road"),
            ],
            rows: disengagements.map { row in
                [
                    .time(row.micros), .text(row.vin), .text(row.operatorID), .text(row.permit),
                    .text("L\(row.level)"), .text(row.initiator.label), .text(row.cause.label),
                    .flag(row.inferred),
                    .number(row.latitude, decimals: Decimals.degrees),
                    .number(row.longitude, decimals: Decimals.degrees),
                    .text(row.linkID ?? ""), .text(row.roadClass.map(RegisterText.category) ?? ""),
                    .number(row.speedKmh, decimals: Decimals.speed),
                    .number(row.takeoverSeconds, decimals: Decimals.seconds), .text(row.roadName ?? ""),
                ]
            })
    }

    public var coverageTable: ReportTable {
        ReportTable(
            id: "coverage", title: "Road links",
            columns: [
                ReportColumn("link", "Link"), ReportColumn("name", "Name"),
                ReportColumn("location", "Location"),
                ReportColumn("length_m", "Length m"), ReportColumn("covered", "Covered"),
                ReportColumn("vehicle_days", "Vehicle-days"), ReportColumn("automated_km", "Automated km"),
            ],
            rows: coverage.links.map { link in
                [
                    .text(link.id), .text(link.name), .text(RegisterText.category(link.roadClass)),
                    .number(link.lengthMeters, decimals: Decimals.meters), .flag(link.covered),
                    .integer(link.vehicleDays),
                    .number(link.automatedMeters.map { $0 / 1000 }, decimals: Decimals.kilometers),
                ]
            })
    }

    public var timeOfDayTable: ReportTable {
        ReportTable(
            id: "time_of_day", title: "Automated driving by hour of day (Asia/Shanghai)",
            columns: [
                ReportColumn("hour", "Hour"), ReportColumn("automated_hours", "Automated hours"),
                ReportColumn("automated_km", "Automated km"),
            ],
            rows: coverage.hours.map { hour in
                [
                    .integer(hour.hour), .number(hour.seconds / 3600, decimals: Decimals.hours),
                    .number(hour.meters / 1000, decimals: Decimals.kilometers),
                ]
            })
    }

    public var v2xTable: ReportTable {
        var columns = [
            ReportColumn("rsu", "RSU"), ReportColumn("name", "Name"),
            ReportColumn("availability_pct", "Available %"),
        ]
        for band in V2XSection.bands {
            columns.append(ReportColumn("prr_\(band.0)_\(band.1)m_pct", "PRR \(band.0)-\(band.1) m %"))
        }
        for band in V2XSection.bands {
            columns.append(ReportColumn("received_\(band.0)_\(band.1)m", "Rx \(band.0)-\(band.1) m"))
            columns.append(ReportColumn("expected_\(band.0)_\(band.1)m", "Exp. \(band.0)-\(band.1) m"))
        }
        return ReportTable(
            id: "v2x", title: "V2X: RSU availability and BSM reception",
            columns: columns,
            rows: v2x.rsus.map { rsu in
                var row: [ReportValue] = [
                    .text(rsu.id), .text(rsu.name),
                    .number(rsu.availability.map { $0 * 100 }, decimals: Decimals.percent),
                ]
                row += rsu.bands.map { .number($0.ratio.map { $0 * 100 }, decimals: Decimals.percent) }
                for band in rsu.bands {
                    row += [.integer(band.received), .number(band.expected, decimals: 1)]
                }
                return row
            })
    }

    public var dataHealthTable: ReportTable {
        ReportTable(
            id: "data_health", title: "Data health per source",
            columns: [
                ReportColumn("source", "Source"), ReportColumn("kind", "Kind"),
                ReportColumn("received", "Received"),
                ReportColumn("decoded", "Decoded"), ReportColumn("rejected", "Rejected"),
                ReportColumn("duplicates", "Duplicates"), ReportColumn("completeness_pct", "Decoded %"),
                ReportColumn("clock_offset_ms", "Clock offset ms"),
                ReportColumn("reject_reasons", "Reject reasons"),
            ],
            rows: dataHealth.sources.map { source in
                [
                    .text(source.source), .text(source.kind), .integer(source.received),
                    .integer(source.decoded),
                    .integer(source.rejected), .integer(source.duplicates),
                    .number(source.completeness.map { $0 * 100 }, decimals: Decimals.percent),
                    .number(source.clockOffsetMillis, decimals: Decimals.millis),
                    .text(source.rejectReasons.map { "\($0.reason)=\($0.count)" }.joined(separator: "; ")),
                ]
            })
    }

    public var sequencesTable: ReportTable {
        ReportTable(
            id: "sequences", title: "Sequence numbers per stream",
            columns: [
                ReportColumn("stream_kind", "Stream"), ReportColumn("stream", "Id"),
                ReportColumn("count", "Messages"),
                ReportColumn("gaps", "Missing"), ReportColumn("repeats", "Repeats"),
                ReportColumn("reordered", "Reordered"), ReportColumn("resets", "Resets"),
            ],
            rows: dataHealth.sequences.map { stream in
                [
                    .text(stream.streamKind), .text(stream.streamID), .integer(stream.count),
                    .integer(stream.gaps),
                    .integer(stream.repeats), .integer(stream.reordered), .integer(stream.resets),
                ]
            })
    }

    /// Month by month within the period: automated km, disengagements and rates.
    public var monthsTable: ReportTable {
        ReportTable(
            id: "months", title: "Month by month",
            columns: [
                ReportColumn("month", "Month"), ReportColumn("km_total", "Automated km"),
                ReportColumn("hours", "Hours"), ReportColumn("disengagements", "Diseng."),
                ReportColumn("km_per_disengagement", "km / diseng."),
                ReportColumn("disengagements_per_1000km", "Diseng. / 1,000 km"),
                ReportColumn("planned_deactivations", "Planned"), ReportColumn("takeover_requests", "TORs"),
                ReportColumn("mrms", "MRMs"), ReportColumn("collisions", "Coll."),
                ReportColumn("severe_failures", "Sev. fail."),
            ],
            rows: months.map { row in
                [
                    .text(row.month), .number(row.meters / 1000, decimals: Decimals.kilometers),
                    .number(row.seconds / 3600, decimals: Decimals.hours), .integer(row.disengagements),
                    ReportValue.kilometersPerDisengagement(meters: row.meters, count: row.disengagements),
                    ReportValue.disengagementsPerThousandKilometers(
                        count: row.disengagements, meters: row.meters),
                    .integer(row.plannedDeactivations), .integer(row.takeoverRequests), .integer(row.mrms),
                    .integer(row.collisions), .integer(row.severeFailures),
                ]
            })
    }

    /// The runs behind the figures: counted (complete) or not, and whether their recordings were whole.
    /// A run's kind (live ingest or replay) is left out: the figures are a function of the journal,
    /// and a replay of a live session's journal must give the byte-identical report.
    public var runsTable: ReportTable {
        ReportTable(
            id: "runs", title: "Runs",
            columns: [
                ReportColumn("run", "Run"), ReportColumn("status", "Status"),
                ReportColumn("counted", "Counted"), ReportColumn("first", "First data (+08:00)"),
                ReportColumn("last", "Last data (+08:00)"), ReportColumn("frames", "Frames"),
                ReportColumn("files", "Journal files"), ReportColumn("recording", "Recording"),
                ReportColumn("warnings", "Reader warnings"),
            ],
            rows: runs.map { run in
                [
                    .integer(Int(run.id)), .text(run.status),
                    .flag(run.status == "complete"),
                    run.firstMicros.map { ReportValue.time($0) } ?? .text(""),
                    run.lastMicros.map { ReportValue.time($0) } ?? .text(""),
                    .integer(Int(run.frames)), .integer(run.files.count),
                    .text(run.warnings.isEmpty ? "whole" : "INCOMPLETE: corrupt or lost parts"),
                    .text(run.warnings.joined(separator: "; ")),
                ]
            })
    }

    /// The journal files of the runs, with their SHA-256 (`run_files`).
    public var journalFilesTable: ReportTable {
        ReportTable(
            id: "journal_files", title: "Journal files",
            columns: [
                ReportColumn("run", "Run"), ReportColumn("path", "File"), ReportColumn("bytes", "Bytes"),
                ReportColumn("sha256", "SHA-256"),
            ],
            rows: runs.flatMap { run in
                run.files.map {
                    [.integer(Int(run.id)), .text($0.path), .integer(Int($0.bytes)), .text($0.sha256)]
                }
            })
    }

    /// Rejected frames by reason, over all sources in scope.
    public var rejectReasonsTable: ReportTable {
        ReportTable(
            id: "rejected_by_reason", title: "Frames rejected, by reason",
            columns: [ReportColumn("reason", "Reason"), ReportColumn("frames", "Frames")],
            rows: rejectsByReason.map { [.text($0.reason), .integer($0.count)] })
    }
}

extension ReportValue {
    /// Km per disengagement (DESIGN.md 5 "Rates"), as a rate cell.
    static func kilometersPerDisengagement(meters: Double, count: Int) -> ReportValue {
        .number(Rates.kilometersPer(meters: meters, count: count), decimals: Decimals.rate)
    }

    /// Disengagements per 1,000 km, as a rate cell.
    static func disengagementsPerThousandKilometers(count: Int, meters: Double) -> ReportValue {
        .number(Rates.perThousandKilometers(count: count, meters: meters), decimals: Decimals.rate)
    }
}
