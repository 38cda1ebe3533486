import Foundation
import Store
import Zone

/// One `testzone report` invocation: read the month and the previous month from the database,
/// build the report, render the formats and write them into the output directory.
public struct ReportJob: Sendable {
    /// The database: an SQLite file, or a PostgreSQL store (`postgres://user@host/database`)
    /// shared by several ingest nodes, whose report is the merged result.
    public var databasePath: String
    public var month: ReportPeriod
    public var outputDirectory: String
    public var formats: [ReportFormat]
    public var operatorID: String?
    /// `zone.toml`, for registry fields the database does not hold (plates, permits, names).
    public var zonePath: String?
    /// The road network, for link geometry (the coverage map) the database does not hold.
    public var roadNetwork: RoadNetwork?
    /// Generation time, microseconds since the epoch (fixed by `--generated-at` for reproducible output).
    public var generatedAtMicros: Int64
    public var softwareVersion: String
    /// Write the DMV annual files (`dmv-disengagements.csv`, `dmv-mileage.csv`) instead of the
    /// report (the period should be a DMV year).
    public var dmv = false
    /// Told when each step of ``run()`` starts (for a progress line; reports over a year take
    /// long enough to want one).
    public var progress: (@Sendable (Step) -> Void)?

    /// The steps of a report, in order.
    public enum Step: Int, Sendable, CaseIterable {
        /// Reading the rows of the period.
        case readingPeriod
        /// Reading the rows of the previous period (for the comparison).
        case readingPrevious
        /// Computing the figures and tables.
        case building
        /// Rendering the formats and writing the files.
        case writing
    }

    public init(
        databasePath: String, month: ReportPeriod, outputDirectory: String,
        formats: [ReportFormat] = ReportFormat.allCases,
        operatorID: String? = nil, zonePath: String? = nil, roadNetwork: RoadNetwork? = nil,
        generatedAtMicros: Int64,
        softwareVersion: String
    ) {
        self.zonePath = zonePath
        self.roadNetwork = roadNetwork
        self.databasePath = databasePath
        self.month = month
        self.outputDirectory = outputDirectory
        self.formats = formats
        self.operatorID = operatorID
        self.generatedAtMicros = generatedAtMicros
        self.softwareVersion = softwareVersion
    }

    /// The report, without writing anything.
    public func report() throws(ReportError) -> MonthlyReport { try build().report }

    /// The report and the rows of its period.
    public func build() throws(ReportError) -> (report: MonthlyReport, records: ReportRecords) {
        let location: StoreLocation
        do {
            location = try StoreLocation(databasePath)
        } catch let error as ZoneStoreError {
            throw .databaseUnavailable(path: error.path, reason: error.reason)
        } catch {
            throw .databaseUnavailable(path: databasePath, reason: "\(error)")
        }
        let reader = try StoreReportReader(location: location)
        defer { reader.close() }
        var overlay = try zonePath.map { path throws(ReportError) in
            try ZoneRegistryOverlay(path: path, network: roadNetwork)
        }
        if overlay == nil, let roadNetwork {
            overlay = ZoneRegistryOverlay(configuration: nil, network: roadNetwork)
        }
        progress?(.readingPeriod)
        var records = try reader.records(month: month, operatorID: operatorID)
        progress?(.readingPrevious)
        var previous = try reader.records(month: month.previous, operatorID: operatorID)
        if let overlay {
            records = overlay.apply(to: records)
            previous = overlay.apply(to: previous)
        }
        progress?(.building)
        let report = ReportBuilder(
            month: month, operatorFilter: operatorID, generatedAtMicros: generatedAtMicros,
            softwareVersion: softwareVersion
        ).build(records: records, previous: previous)
        return (report, records)
    }

    /// Builds the report, writes the files and returns the report and the paths written.
    public func run() throws(ReportError) -> (report: MonthlyReport, paths: [String]) {
        let (report, records) = try build()
        progress?(.writing)
        // The DMV files replace the report's formats: those are not rendered at all.
        var files = ReportFiles(report: report, formats: dmv ? [] : formats)
        if dmv { files.files = DMVExport(report: report, records: records).files }
        let paths = try files.write(to: outputDirectory)
        return (report, paths)
    }
}
