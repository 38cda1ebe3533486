import ArgumentParser
import Foundation
import Metrics
import Reports
import Store

/// `testzone metrics`: the per-vehicle L3/L4 safety figures stored in a database.
struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Show per-vehicle L3/L4 disengagement and coverage metrics from a database.",
        discussion: """
            One row per vehicle: operator, automated km by level (status active; the rates use \
            L3 + L4 km), disengagements (explicit and inferred) by initiator (ADS, safety driver, \
            remote operator, passenger, unknown = inferred), km per disengagement, disengagements \
            per 1,000 km, takeover requests with the median takeover time and missed takeovers, \
            MRMs, road-link coverage and V2X uplink coverage; then the zone totals. Months are \
            Asia/Shanghai calendar months. --by operator|level|month|initiator|cause gives one row \
            per group with rates per 1,000 km and takeover count/median/p95/max; --events lists the \
            event register. The database is opened read-only; over a PostgreSQL store shared by \
            several ingest nodes (--shard K/N) the figures are the merged result.
            """
    )

    @Option(
        help:
            "The database written by `testzone replay --db` or live ingest: an SQLite file, or postgres://user@host[:port]/database (the merged result of several ingest nodes)."
    )
    var db: String

    @Option(help: "Only this month (YYYY-MM, Asia/Shanghai).")
    var month: String?

    @Option(help: "Only this vehicle (VIN).")
    var vehicle: String?

    @Option(name: .customLong("operator"), help: "Only this operator's vehicles.")
    var operatorID: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Flag(help: "Print CSV (RFC 4180) instead of a table (with --by or --events).")
    var csv = false

    @Option(help: "Group the figures: vehicle, operator, level, month, initiator or cause.")
    var by: String?

    @Flag(help: "List the event register (every occurrence with time, place, initiator, cause, flags).")
    var events = false

    @Option(
        name: .customLong("config"), help: "zone.toml: plates, names and location categories for --events.")
    var zone: String?

    func validate() throws {
        if !events {
            GivenOptions.warnIgnored(
                "metrics", ["--config"], "without --events (plates, names and places are for the register)")
        }
        if !events && by == nil {
            GivenOptions.warnIgnored(
                "metrics", ["--csv"], "without --by or --events (the summary is a table; --json for machines)"
            )
        }
        if let month, ShanghaiCalendar.dayRange(month: month) == nil {
            throw ValidationError("--month must be YYYY-MM, got \(month)")
        }
        if case .sqlite = try? StoreLocation(db) { try InputFiles.require([db], "cannot open the database") }
        try InputFiles.require(zone, "cannot read the zone configuration")
        if let by, !Self.groupings.contains(by) {
            throw ValidationError("--by must be one of \(Self.groupings.joined(separator: ", ")), got \(by)")
        }
        if json && csv { throw ValidationError("--json and --csv exclude each other") }
        if events && by != nil { throw ValidationError("--events and --by exclude each other") }
    }

    /// `--db` for messages: the path, or the URL without its password.
    var shownDatabase: String? { (try? StoreLocation(db))?.description }

    static let groupings = ["vehicle", "operator", "level", "month", "initiator", "cause"]

    func run() throws {
        if events {
            ZoneTimeZone.check(path: zone, command: "metrics")
            try printEvents()
            return
        }
        let store: StoreSummaries
        do {
            store = try StoreSummaries.open(try StoreLocation(db))
        } catch {
            throw CommandFailure.from(
                error, what: "cannot open the database", path: error is ZoneStoreError ? nil : db
            )
            .report("metrics")
        }
        defer { store.reader.close() }
        // Like `report`: an unknown operator or vehicle is an error, not an empty table.
        if let operatorID, let known = try? store.operatorIDs(), !known.contains(operatorID) {
            throw CommandFailure(
                "unknown operator '\(operatorID)'", store.reader.description,
                "operators in the database: \(known.joined(separator: ", "))"
            ).report("metrics")
        }
        if let vehicle, (try? store.hasVehicle(vehicle)) == false {
            throw CommandFailure(
                "unknown vehicle '\(vehicle)'", store.reader.description, "no such VIN in the database"
            ).report(
                "metrics")
        }
        let filter = ReportFilter(month: month, vin: vehicle, operatorID: operatorID)
        if let by {
            let table = try MetricsBreakdown.table(store: store, filter: filter, by: by)
            print(
                json
                    ? JSONRenderer.render(table: table)
                    : csv ? CSVRenderer.render(table) : MetricsBreakdown.text(table),
                terminator: json || csv ? "" : "\n")
            return
        }
        let vehicles = try store.vehicleSummaries(filter)
        let zone = try store.zoneSummary(filter)
        if json {
            print(try Self.json(vehicles: vehicles, zone: zone, filter: filter))
        } else {
            print(Self.table(vehicles: vehicles, zone: zone, filter: filter))
        }
    }

    /// `--events`: the register, from the same rows and code as the report's.
    func printEvents() throws {
        let table: ReportTable
        do {
            table = try eventTable()
        } catch {
            throw CommandFailure.from(error, what: "cannot read the event register", path: shownDatabase)
                .report(
                    "metrics")
        }
        let text =
            json
            ? JSONRenderer.render(table: table)
            : csv ? CSVRenderer.render(table) : MetricsBreakdown.text(table) + "\n"
        print(text, terminator: "")
    }

    /// The register rows of the filter (all time: the days with data).
    func eventTable() throws(ReportError) -> ReportTable {
        let location: StoreLocation
        do {
            location = try StoreLocation(db)
        } catch let error as ZoneStoreError {
            throw .databaseUnavailable(path: error.path, reason: error.reason)
        } catch {
            throw .databaseUnavailable(path: db, reason: "\(error)")
        }
        let reader = try StoreReportReader(location: location)
        defer { reader.close() }
        let period: ReportPeriod
        if let month {
            period = ReportPeriod(month: try ReportMonth(parsing: month))
        } else if let days = try reader.dataDays() {
            period = try ReportPeriod(from: days.first, through: days.last)
        } else {
            return RegisterTable.table([])
        }
        var records = try reader.records(month: period, operatorID: operatorID)
        if let zone { records = try ZoneRegistryOverlay(path: zone).apply(to: records) }
        var rows = ReportBuilder.eventRegister(records: records, period: period)
        if let vehicle { rows = rows.filter { $0.vin == vehicle } }
        return RegisterTable.table(rows)
    }

    static func describe(_ error: any Error) -> String {
        let text = "\(error)"
        return text.split(separator: "\n").first.map(String.init) ?? text
    }

    // MARK: Rendering

    static let initiators = ["ads", "safety-driver", "remote-operator", "passenger", "unknown"]

    static func table(vehicles: [StoredSummary], zone: StoredSummary, filter: ReportFilter) -> String {
        let header = [
            "VIN", "Operator", "L3 km", "L4 km", "Diseng", "ADS/Drv/Rem/Pas/Unk", "km/Diseng", "per 1000 km",
            "TOR", "Median TOR s", "p95 TOR s", "Max TOR s", "Missed", "MRM", "Links %", "V2X %",
        ]
        func row(_ s: StoredSummary, name: String, operatorID: String) -> [String] {
            [
                name, operatorID,
                decimal((s.automatedMetresByLevel[3] ?? 0) / 1000, 2),
                decimal((s.automatedMetresByLevel[4] ?? 0) / 1000, 2),
                String(s.disengagements),
                initiators.map { String(s.disengagementsByInitiator[$0] ?? 0) }.joined(separator: "/"),
                s.kilometresPerDisengagement.map { decimal($0, 2) } ?? "-",
                s.disengagementsPerThousandKilometres.map { decimal($0, 1) } ?? "-",
                String(s.takeoverRequests),
                s.medianTakeoverTime.map { decimal(Double($0) / 1e6, 2) } ?? "-",
                s.p95TakeoverTime.map { decimal(Double($0) / 1e6, 2) } ?? "-",
                s.maximumTakeoverTime.map { decimal(Double($0) / 1e6, 2) } ?? "-",
                String(s.missedTakeovers),
                String(s.mrms),
                s.linkCoverage.map { decimal($0 * 100, 1) } ?? "-",
                s.uplinkCoverage.map { decimal($0 * 100, 1) } ?? "-",
            ]
        }
        var rows = vehicles.map { row($0, name: $0.vin, operatorID: $0.operatorID) }
        rows.append(row(zone, name: "ZONE TOTAL", operatorID: "\(vehicles.count) vehicles"))
        var widths = header.map(\.count)
        for r in rows { for (i, cell) in r.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                i < 2
                    ? cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[i] - cell.count) + cell
            }.joined(separator: "  ")
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        var scope = ["all time"]
        if let month = filter.month { scope = ["month \(month) (Asia/Shanghai)"] }
        if let vin = filter.vin { scope.append("vehicle \(vin)") }
        if let op = filter.operatorID { scope.append("operator \(op)") }
        var out = ["TestZone L3/L4 metrics, \(scope.joined(separator: ", "))", "", line(header), rule]
        out += rows.dropLast().map(line)
        out.append(rule)
        out.append(line(rows[rows.count - 1]))
        out.append("")
        out.append(
            "Rates use automated L3 + L4 km. Diseng = explicit + inferred (Unk = inferred from 0xE1, no event). "
                + "Planned deactivations: \(zone.plannedDeactivations); inferred: \(zone.inferredDisengagements); "
                + "collisions: \(zone.collisions); severe failures: \(zone.severeFailures).")
        return out.joined(separator: "\n")
    }

    static func decimal(_ value: Double, _ places: Int) -> String {
        guard value.isFinite else { return "-" }
        return String(format: "%.\(places)f", value)
    }

    static func json(vehicles: [StoredSummary], zone: StoredSummary, filter: ReportFilter) throws -> String {
        try MetricsJSON.render(vehicles: vehicles, zone: zone, filter: filter)
    }
}
