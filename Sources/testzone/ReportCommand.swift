import ArgumentParser
import Foundation
import Pipeline
import Reports
import Store
import Zone

/// `testzone report`: the monthly safety summary for regulators.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the monthly safety summary (HTML, CSV, JSON, Markdown) from a TestZone database.",
        discussion: """
            Reads the complete runs of the database for the Asia/Shanghai calendar month and the \
            month before, and writes into --out: report.html (one self-contained file for people and \
            A4 print), one CSV per table (summary, operators, vehicles, daily_km, disengagements, \
            coverage, time_of_day, v2x, data_health, sequences), report.json, and report.md (the \
            summary for e-mail). The footer carries the software version, the data period and the \
            SHA-256 of the rows the report was computed from. With --generated-at the output is \
            byte-identical for the same database. The same report covers a half year (--period \
            2026-H2, a stage report) or any range of days (--from/--to); --dmv --year writes the \
            California DMV annual disengagement and mileage files instead.
            """
    )

    @Option(
        name: .customLong("db"),
        help:
            "The TestZone database: an SQLite file, or postgres://user@host[:port]/database (the merged result of several ingest nodes)."
    )
    var database: String

    @Option(help: "The month, YYYY-MM (Asia/Shanghai calendar).")
    var month: String?

    @Option(help: "A stage report over a half year: YYYY-H1 (January-June) or YYYY-H2 (July-December).")
    var period: String?

    @Option(help: "A summary over a range of days: first day, YYYY-MM-DD (with --to).")
    var from: String?

    @Option(help: "Last day (included) of --from's range, YYYY-MM-DD.")
    var to: String?

    @Flag(help: "Write the California DMV annual files (dmv-disengagements.csv, dmv-mileage.csv) for --year.")
    var dmv = false

    @Option(help: "With --dmv: the DMV reporting year (1 December of the year before to 30 November).")
    var year: Int?

    @Option(name: .customLong("out"), help: "Output directory (created if missing).")
    var output: String

    @Option(help: "Comma-separated formats: html, csv, json, md.")
    var format = "html,csv,json,md"

    @Option(name: .customLong("operator"), help: "Restrict the report to one operator id.")
    var operatorID: String?

    @Option(
        name: .customLong("config"),
        help: "The zone configuration (zone.toml): plates, permits and names the database does not hold.")
    var zone: String?

    @Option(name: .customLong("zone"), help: .hidden)
    var zoneDeprecated: String?

    @Option(
        name: .customLong("map"), parsing: .upToNextOption,
        help: "Recordings (MCAP) whose MAP messages give the links' geometry for the coverage map.")
    var mapFrom: [String] = []

    @Option(name: .customLong("map-from"), parsing: .upToNextOption, help: .hidden)
    var mapFromDeprecated: [String] = []

    @Option(
        name: .customLong("generated-at"),
        help: "Generation time to print (ISO 8601 with offset, e.g. 2026-12-01T09:00:00+08:00); default: now."
    )
    var generatedAt: String?

    @Flag(help: "No progress line.")
    var quiet = false

    func validate() throws {
        if zoneDeprecated != nil {
            CommandFailure.deprecated("report", "--zone", use: "--config")
            if zone != nil { throw ValidationError("give --config only (--zone is its old spelling)") }
        }
        if !mapFromDeprecated.isEmpty {
            CommandFailure.deprecated("report", "--map-from", use: "--map")
            if !mapFrom.isEmpty { throw ValidationError("give --map only (--map-from is its old spelling)") }
        }
        if dmv {
            GivenOptions.warnIgnored(
                "report", ["--format"], "with --dmv (it writes the two DMV CSV files instead of the report)")
        }
        if case .sqlite = try? StoreLocation(database) {
            try InputFiles.require([database], "cannot open the database")
        }
        try InputFiles.require(zoneFile, "cannot read the zone configuration")
        try InputFiles.require(mapFiles, "cannot read the road network")
    }

    /// `--config`, or its old spelling `--zone`.
    var zoneFile: String? { zone ?? zoneDeprecated }

    /// `--map`, or its old spelling `--map-from`.
    var mapFiles: [String] { mapFrom.isEmpty ? mapFromDeprecated : mapFrom }

    func run() throws {
        ZoneTimeZone.check(path: zoneFile, command: "report")
        do {
            let month = try selectedPeriod()
            let formats = try ReportFormat.parseList(format)
            let generated: Int64
            if let generatedAt {
                guard let micros = ShanghaiTime.parseISO8601(generatedAt) else {
                    throw ReportError.malformedTimestamp(generatedAt)
                }
                generated = micros
            } else {
                generated = Int64((Date().timeIntervalSince1970 * 1e6).rounded())
            }
            let job = ReportJob(
                databasePath: database, month: month, outputDirectory: output, formats: formats,
                operatorID: operatorID, zonePath: zoneFile,
                roadNetwork: mapFiles.isEmpty ? nil : try Self.network(fromRecordings: mapFiles),
                generatedAtMicros: generated,
                softwareVersion: TestZone.softwareVersion)
            var dmvJob = job
            dmvJob.dmv = dmv
            let progress = quiet ? nil : StepProgress(label: "report")
            dmvJob.progress = { step in
                progress?.step(
                    Self.describe(step, period: month, database: database), done: Self.share(before: step))
            }
            let outcome: (report: MonthlyReport, paths: [String])
            do {
                outcome = try dmvJob.run()
                progress?.finish()
            } catch {
                progress?.finish()
                throw error
            }
            let (report, paths) = outcome
            if !report.hasData { print("note: \(ReportText.noDataNote(report))") }
            for path in paths { print(path) }
            print("records SHA-256 \(report.digest)")
        } catch let error as ReportError {
            throw CommandFailure.from(error, what: Self.what(error)).report("report")
        }
    }

    /// Estimated share of a report's time per step (reading the period is most of it), for the
    /// progress line's percentage and ETA: a guide, not a measurement of this database.
    static let stepWeights: [ReportJob.Step: Double] = [
        .readingPeriod: 0.45, .readingPrevious: 0.3, .building: 0.1, .writing: 0.15,
    ]

    /// The share done when `step` starts.
    static func share(before step: ReportJob.Step) -> Double {
        ReportJob.Step.allCases.filter { $0.rawValue < step.rawValue }.reduce(0) {
            $0 + (stepWeights[$1] ?? 0)
        }
    }

    /// The progress line's words for `step`.
    static func describe(_ step: ReportJob.Step, period: ReportPeriod, database: String) -> String {
        let number = "step \(step.rawValue + 1) of \(ReportJob.Step.allCases.count)"
        switch step {
        case .readingPeriod: return "reading \(period) from \(database), \(number)"
        case .readingPrevious: return "reading the previous \(period.noun) for comparison, \(number)"
        case .building: return "computing the figures, \(number)"
        case .writing: return "rendering and writing the files, \(number)"
        }
    }

    /// The first part of a report error's line (`testzone report: error: <what> (<path>): <why>`).
    static func what(_ error: ReportError) -> String {
        switch error {
        case .databaseUnavailable, .missingSchema, .emptyDatabase: return "cannot use the database"
        case .writeFailed: return "cannot write the report"
        case .zoneUnavailable: return "cannot read the zone configuration"
        case .mapUnavailable: return "cannot read the road network"
        default: return "\(error)"
        }
    }

    /// The period named by exactly one of --month, --period, --from/--to, --dmv --year.
    func selectedPeriod() throws(ReportError) -> ReportPeriod {
        let chosen = [month != nil, period != nil, from != nil || to != nil, dmv || year != nil].filter { $0 }
        guard chosen.count == 1 else {
            throw .ambiguousPeriod(
                "name exactly one period: --month YYYY-MM, --period YYYY-H1|YYYY-H2, --from/--to YYYY-MM-DD, or --dmv --year YYYY"
            )
        }
        if let month { return ReportPeriod(month: try ReportMonth(parsing: month)) }
        if let period { return try ReportPeriod(parsing: period) }
        if from != nil || to != nil {
            guard let from, let to else { throw .ambiguousPeriod("--from and --to go together (YYYY-MM-DD)") }
            return try ReportPeriod(from: from, through: to)
        }
        guard dmv, let year else {
            throw .ambiguousPeriod("--dmv needs --year YYYY (and --year needs --dmv)")
        }
        return try ReportPeriod(dmvYear: year)
    }

    /// The road network of the recordings' MAP messages (the database has no link geometry).
    static func network(fromRecordings paths: [String]) throws(ReportError) -> RoadNetwork {
        do {
            return try ZoneSetup.roadNetwork(fromRecordings: paths)
        } catch {
            throw .mapUnavailable(path: paths.joined(separator: ", "), reason: "\(error)")
        }
    }
}
