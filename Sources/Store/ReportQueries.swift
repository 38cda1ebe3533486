import Foundation
import GRDB
import Metrics

/// Filter of report queries: Shanghai month, vehicle, operator (all optional).
public struct ReportFilter: Sendable, Hashable {
    /// `YYYY-MM` (Asia/Shanghai), or `nil` for all time.
    public var month: String?
    /// VIN, or `nil` for all vehicles.
    public var vin: String?
    /// Operator id, or `nil` for all operators.
    public var operatorID: String?

    /// Creates a filter.
    public init(month: String? = nil, vin: String? = nil, operatorID: String? = nil) {
        self.month = month
        self.vin = vin
        self.operatorID = operatorID
    }

    /// SQL condition on a table with `month` and `vin` columns (aliased `alias.`), arguments appended.
    func condition(alias: String = "", arguments: inout [any DatabaseValueConvertible]) -> String {
        let p = alias.isEmpty ? "" : "\(alias)."
        var parts: [String] = []
        if let month {
            parts.append("\(p)month = ?")
            arguments.append(month)
        }
        if let vin {
            parts.append("\(p)vin = ?")
            arguments.append(vin)
        }
        if let operatorID {
            parts.append("\(p)vin IN (SELECT vin FROM vehicles WHERE operator_id = ?)")
            arguments.append(operatorID)
        }
        return parts.isEmpty ? "TRUE" : parts.joined(separator: " AND ")
    }
}

/// Report figures of one vehicle (or of the zone) over a filter, as stored.
public struct StoredSummary: Sendable, Hashable, Codable {
    /// VIN (`"*"` for zone totals).
    public var vin: String
    /// Operator id (empty for zone totals).
    public var operatorID: String
    /// Automated (status active) distance by level, metres.
    public var automatedMetresByLevel: [Int: Double] = [:]
    /// Automated time by level, seconds.
    public var automatedSecondsByLevel: [Int: Double] = [:]
    /// Uplink-covered automated L3/L4 distance, metres.
    public var uplinkCoveredMetres: Double = 0
    /// Disengagements (explicit and inferred).
    public var disengagements = 0
    /// Inferred disengagements (included in ``disengagements``).
    public var inferredDisengagements = 0
    /// Disengagements by initiator name.
    public var disengagementsByInitiator: [String: Int] = [:]
    /// Disengagements by cause name.
    public var disengagementsByCause: [String: Int] = [:]
    /// Planned deactivations (cause 11).
    public var plannedDeactivations = 0
    /// Takeover requests.
    public var takeoverRequests = 0
    /// Takeover times of taken-over requests, microseconds, sorted.
    public var takeoverTimes: [Int64] = []
    /// Missed takeovers (request closed by an MRM).
    public var missedTakeovers = 0
    /// MRMs started.
    public var mrms = 0
    /// Collisions.
    public var collisions = 0
    /// Severe failures.
    public var severeFailures = 0
    /// Covered road links (L3/L4 automated).
    public var coveredLinks = 0
    /// Covered link length, metres.
    public var coveredLinkMetres: Double = 0
    /// Total network length, metres.
    public var networkMetres: Double = 0
    /// Covered grid cells.
    public var coveredCells = 0
    /// Cells in the grid.
    public var gridCells = 0

    /// Automated L3 + L4 kilometres: the denominator of every rate.
    public var automatedKilometres: Double {
        ((automatedMetresByLevel[3] ?? 0) + (automatedMetresByLevel[4] ?? 0)) / 1000
    }
    /// Kilometres per disengagement.
    public var kilometresPerDisengagement: Double? {
        disengagements > 0 ? automatedKilometres / Double(disengagements) : nil
    }
    /// Disengagements per 1,000 km.
    public var disengagementsPerThousandKilometres: Double? {
        automatedKilometres > 0 ? Double(disengagements) / automatedKilometres * 1000 : nil
    }
    /// Share of network length covered.
    public var linkCoverage: Double? { networkMetres > 0 ? coveredLinkMetres / networkMetres : nil }
    /// Share of grid cells covered.
    public var gridCoverage: Double? { gridCells > 0 ? Double(coveredCells) / Double(gridCells) : nil }
    /// Share of automated L3/L4 distance with uplink coverage.
    public var uplinkCoverage: Double? {
        automatedKilometres > 0 ? uplinkCoveredMetres / (automatedKilometres * 1000) : nil
    }
    /// 95th-percentile takeover time (nearest rank), microseconds.
    public var p95TakeoverTime: Int64? {
        guard !takeoverTimes.isEmpty else { return nil }
        let rank = Int((0.95 * Double(takeoverTimes.count)).rounded(.up))
        return takeoverTimes[min(takeoverTimes.count, max(1, rank)) - 1]
    }
    /// Longest takeover time, microseconds.
    public var maximumTakeoverTime: Int64? { takeoverTimes.last }
    /// Median takeover time, microseconds.
    public var medianTakeoverTime: Int64? {
        guard !takeoverTimes.isEmpty else { return nil }
        let n = takeoverTimes.count
        return n % 2 == 1 ? takeoverTimes[n / 2] : (takeoverTimes[n / 2 - 1] + takeoverTimes[n / 2]) / 2
    }
}

/// Daily automated distance of a vehicle.
public struct DailyMileage: Sendable, Hashable, Codable {
    /// VIN.
    public var vin: String
    /// `YYYY-MM-DD` (Asia/Shanghai).
    public var day: String
    /// Level.
    public var level: Int
    /// Automated kilometres.
    public var kilometres: Double
}

/// How `testzone metrics --by` groups the figures (DESIGN.md 5 "Rates").
public enum SummaryGrouping: String, Sendable, CaseIterable {
    /// One row per vehicle (VIN).
    case vehicle
    /// One row per operator.
    case `operator`
    /// One row per SAE level (distance at that level; disengagements by their level before).
    case level
    /// One row per Asia/Shanghai month.
    case month
    /// The zone as one row.
    case zone

    /// The SQL key expression on `table` (which has a `vin` column); nil when the table has no
    /// such dimension (link and grid coverage have no level).
    func key(_ table: String) -> String? {
        switch self {
        case .vehicle: "\(table).vin"
        case .operator: "COALESCE((SELECT v.operator_id FROM vehicles v WHERE v.vin = \(table).vin), '')"
        case .level: table == "vehicle_daily" || table == "events" ? "CAST(\(table).level AS TEXT)" : nil
        case .month: "\(table).month"
        case .zone: "'*'"
        }
    }
}

extension ZoneStore {
    /// Opens an existing database for reading only: no migration, no writes (`testzone metrics`).
    public convenience init(readingOnly path: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(30)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ZoneStoreError(path: path, reason: "no such database")
        }
        if isDirectory.boolValue {
            throw ZoneStoreError(path: path, reason: "is a directory, not a database file")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        // A TestZone database has run the first migration (GRDB's grdb_migrations table).
        let isTestZone = try pool.read { db in
            try db.tableExists("grdb_migrations")
                && (try Bool.fetchOne(
                    db, sql: "SELECT COUNT(*) > 0 FROM grdb_migrations WHERE identifier = ?",
                    arguments: [Schema.firstMigration]) ?? false)
        }
        guard isTestZone else {
            throw ZoneStoreError(
                path: path,
                reason:
                    "not a TestZone database (no TestZone tables; one is written by `testzone replay --db` or `testzone ingest`)"
            )
        }
        self.init(pool: pool)
    }

    /// The database as a ``StoreReader`` (its figures: ``StoreSummaries``).
    public var reader: SQLiteStoreReader { SQLiteStoreReader(pool, description: pool.path) }

    /// Operator ids in the database, sorted.
    public func operatorIDs() throws -> [String] { try StoreSummaries(reader).operatorIDs() }

    /// Whether the database knows this VIN (registered, or seen unregistered).
    public func hasVehicle(_ vin: String) throws -> Bool { try StoreSummaries(reader).hasVehicle(vin) }

    /// Summaries grouped by `grouping` (see ``StoreSummaries/summaries(_:by:)``).
    public func summaries(_ filter: ReportFilter = ReportFilter(), by grouping: SummaryGrouping) throws
        -> [StoredSummary]
    {
        try StoreSummaries(reader).summaries(filter, by: grouping)
    }

    /// Per-vehicle summaries matching the filter (vehicles with any data in it), sorted by VIN.
    public func vehicleSummaries(_ filter: ReportFilter = ReportFilter()) throws -> [StoredSummary] {
        try StoreSummaries(reader).vehicleSummaries(filter)
    }

    /// Zone totals over the filter (link and grid coverage are unions over vehicles).
    public func zoneSummary(_ filter: ReportFilter = ReportFilter()) throws -> StoredSummary {
        try StoreSummaries(reader).zoneSummary(filter)
    }

    /// Daily automated kilometres by vehicle and level.
    public func dailyMileage(_ filter: ReportFilter = ReportFilter()) throws -> [DailyMileage] {
        try StoreSummaries(reader).dailyMileage(filter)
    }

    /// Stored event rows matching the filter, in time order.
    public func events(_ filter: ReportFilter = ReportFilter(), kinds: [EventKind]? = nil) throws -> [Row] {
        try pool.read { db in
            var values: [any DatabaseValueConvertible] = []
            var condition = filter.condition(arguments: &values)
            if let kinds {
                condition += " AND kind IN (\(kinds.map { _ in "?" }.joined(separator: ",")))"
                values += kinds.map(\.rawValue)
            }
            return try Row.fetchAll(
                db, sql: "SELECT * FROM events WHERE \(condition) ORDER BY time_us, vin",
                arguments: StatementArguments(values))
        }
    }
}

/// The stored figures of `testzone metrics` (and the console's summaries), read through a
/// ``StoreReader``: one set of queries for SQLite and PostgreSQL. Every figure adds up the
/// rows of all runs in the store; over the partials of several ingest nodes (sharded by
/// vehicle) that is exactly one node's result.
public struct StoreSummaries: Sendable {
    /// The database.
    public let reader: any StoreReader

    /// Reads through `reader`.
    public init(_ reader: any StoreReader) { self.reader = reader }

    /// Opens the TestZone database at `location` for reading only (SQLite read-only, no
    /// migration; PostgreSQL plain reads) and checks that it has the TestZone schema. Call from a
    /// thread of its own, not from async code (see ``openStoreReader(_:)``).
    public static func open(_ location: StoreLocation) throws -> StoreSummaries {
        switch location {
        case .sqlite(let path):
            return StoreSummaries(try ZoneStore(readingOnly: path).reader)
        case .postgres(let postgres):
            let reader = try PostgresStoreReader(postgres)
            let tables = try reader.read { try $0.tableNames() }
            guard tables.contains(PostgresSchema.migrationsTable), tables.contains("runs") else {
                reader.close()
                throw ZoneStoreError(
                    path: postgres.description,
                    reason:
                        "not a TestZone database (no TestZone tables; one is written by `testzone ingest --db postgres://...`)"
                )
            }
            return StoreSummaries(reader)
        }
    }

    /// Operator ids in the database, sorted.
    public func operatorIDs() throws -> [String] {
        try reader.read { try $0.texts("SELECT id FROM operators ORDER BY id\($0.dialect.bytewise)") }
    }

    /// Whether the database knows this VIN (registered, or seen unregistered).
    public func hasVehicle(_ vin: String) throws -> Bool {
        try reader.read { try $0.int64("SELECT COUNT(*) FROM vehicles WHERE vin = ?", [vin]) ?? 0 > 0 }
    }

    /// Summaries grouped by `grouping` (the key is in ``StoredSummary/vin``: a VIN, operator id,
    /// level, month or `*`), sorted by key.
    public func summaries(_ filter: ReportFilter = ReportFilter(), by grouping: SummaryGrouping) throws
        -> [StoredSummary]
    {
        try reader.read { try Self.summaries($0, filter, grouping: grouping) }
    }

    /// Per-vehicle summaries matching the filter (vehicles with any data in it), sorted by VIN.
    public func vehicleSummaries(_ filter: ReportFilter = ReportFilter()) throws -> [StoredSummary] {
        try reader.read { try Self.summaries($0, filter, grouping: .vehicle) }
    }

    /// Zone totals over the filter (link and grid coverage are unions over vehicles).
    public func zoneSummary(_ filter: ReportFilter = ReportFilter()) throws -> StoredSummary {
        try reader.read { session in
            try Self.summaries(session, filter, grouping: .zone).first
                ?? StoredSummary(vin: "*", operatorID: "")
        }
    }

    /// Daily automated kilometres by vehicle and level.
    public func dailyMileage(_ filter: ReportFilter = ReportFilter()) throws -> [DailyMileage] {
        try reader.read { session in
            var arguments: [any DatabaseValueConvertible] = []
            let condition = filter.condition(arguments: &arguments)
            let bytewise = session.dialect.bytewise
            // Summed exactly (``ExactSum``): the same rows give the same figure in any order.
            var mileage: [DailyMileage] = []
            var metres = ExactSum()
            func close() {
                guard var last = mileage.popLast() else { return }
                last.kilometres = metres.value / 1000
                mileage.append(last)
                metres = ExactSum()
            }
            try session.forEach(
                """
                SELECT vin, day, level, distance_m AS d FROM vehicle_daily WHERE \(condition)
                ORDER BY vin\(bytewise), day\(bytewise), level
                """, arguments
            ) { row in
                let vin = row.text("vin")
                let day = row.text("day")
                let level = row.int("level")
                if mileage.last.map({ $0.vin != vin || $0.day != day || $0.level != level }) ?? true {
                    close()  // the previous (vehicle, day, level)
                    mileage.append(DailyMileage(vin: vin, day: day, level: level, kilometres: 0))
                }
                metres += row.double("d")
            }
            close()
            return mileage
        }
    }

    static func summaries(_ session: any StoreReadSession, _ filter: ReportFilter, grouping: SummaryGrouping)
        throws -> [StoredSummary]
    {
        var result: [String: StoredSummary] = [:]
        let perVehicle = grouping == .vehicle
        func entry(_ vin: String) -> String {
            if result[vin] == nil { result[vin] = StoredSummary(vin: vin, operatorID: "") }
            return vin
        }
        var arguments: [any DatabaseValueConvertible] = []
        let condition = filter.condition(arguments: &arguments)
        // Distances and times are added up here, exactly (``ExactSum``), not by SQL SUM: SQLite
        // and PostgreSQL add up rows in their physical or plan order (SQLite 3.43 and later with
        // compensated summation), and a live database, the replay of its journal and the merged
        // partials of several nodes hold the same rows in different orders. The correctly
        // rounded sum of the same rows is the same to the last bit, whatever the order.
        struct LevelSums {
            var metres = ExactSum()
            var seconds = ExactSum()
            var uplinkMetres = ExactSum()
        }
        var sums: [String: [Int: LevelSums]] = [:]
        try session.forEach(
            """
            SELECT \(grouping.key("vehicle_daily")!) AS k, level, distance_m AS d, time_s AS t,
            uplink_covered_m AS u FROM vehicle_daily WHERE \(condition)
            """, arguments
        ) { row in
            let k = entry(row.text("k"))
            let level = row.int("level")
            sums[k, default: [:]][level, default: LevelSums()].metres += row.double("d")
            sums[k, default: [:]][level, default: LevelSums()].seconds += row.double("t")
            sums[k, default: [:]][level, default: LevelSums()].uplinkMetres += row.double("u")
        }
        for (k, levels) in sums {
            var uplink = ExactSum()
            for (level, sum) in levels {
                result[k]!.automatedMetresByLevel[level] = sum.metres.value
                result[k]!.automatedSecondsByLevel[level] = sum.seconds.value
                if level == 3 || level == 4 { uplink.add(sum.uplinkMetres) }
            }
            result[k]!.uplinkCoveredMetres = uplink.value
        }
        for row in try session.rows(
            """
            SELECT \(grouping.key("events")!) AS k, kind, initiator, cause, COUNT(*) AS n FROM events
            WHERE \(condition) GROUP BY k, kind, initiator, cause
            """, arguments)
        {
            let k = entry(row.text("k"))
            let n = row.int("n")
            let kind = row.text("kind")
            switch EventKind(rawValue: kind) {
            case .disengagement?, .inferredDisengagement?:
                result[k]!.disengagements += n
                if kind == EventKind.inferredDisengagement.rawValue { result[k]!.inferredDisengagements += n }
                result[k]!.disengagementsByInitiator[row.text("initiator"), default: 0] += n
                // An inferred disengagement has no cause item: its cause is "unknown" (as in reports).
                let cause = kind == EventKind.inferredDisengagement.rawValue ? "unknown" : row.text("cause")
                result[k]!.disengagementsByCause[cause, default: 0] += n
            case .plannedDeactivation?: result[k]!.plannedDeactivations += n
            case .takeoverRequest?: result[k]!.takeoverRequests += n
            case .mrmStarted?: result[k]!.mrms += n
            case .collision?: result[k]!.collisions += n
            case .severeFailure?: result[k]!.severeFailures += n
            default: break
            }
        }
        for row in try session.rows(
            """
            SELECT \(grouping.key("events")!) AS k, takeover_outcome AS o, takeover_time_us AS t FROM events
            WHERE kind = 'takeover-request' AND \(condition) ORDER BY t
            """, arguments)
        {
            let k = entry(row.text("k"))
            let outcome = row.optionalText("o")
            if outcome == "taken-over", let t = row.optionalInt64("t") { result[k]!.takeoverTimes.append(t) }
            if outcome == "missed" { result[k]!.missedTakeovers += 1 }
        }
        let linkKey = grouping.key("link_coverage") ?? ""
        let cellKey = grouping.key("grid_coverage") ?? ""
        var network = ExactSum()
        try session.forEach("SELECT length_m FROM road_links", []) { network += $0.double(at: 0) }
        var coveredLinkMetres: [String: ExactSum] = [:]
        for row in try linkKey.isEmpty
            ? []
            : session.rows(
                """
                SELECT c.k AS k, r.length_m AS m FROM
                (SELECT DISTINCT \(linkKey) AS k, link_id FROM link_coverage WHERE \(condition)) AS c
                LEFT JOIN road_links r ON r.id = c.link_id
                """, arguments)
        {
            let k = entry(row.text("k"))
            result[k]!.coveredLinks += 1
            coveredLinkMetres[k, default: ExactSum()] += row.optionalDouble("m") ?? 0
        }
        for (k, metres) in coveredLinkMetres { result[k]!.coveredLinkMetres = metres.value }
        let cells = Int(try session.int64("SELECT columns * rows FROM coverage_grid WHERE id = 1") ?? 0)
        for row in try cellKey.isEmpty
            ? []
            : session.rows(
                """
                SELECT c.k AS k, COUNT(*) AS n FROM (SELECT DISTINCT \(cellKey) AS k, cell FROM grid_coverage
                WHERE \(condition)) AS c GROUP BY c.k
                """, arguments)
        {
            result[entry(row.text("k"))]!.coveredCells = row.int("n")
        }
        var operators: [String: String] = [:]
        try session.forEach("SELECT vin, operator_id FROM vehicles", []) { row in
            let vin = row.text("vin")
            if operators[vin] == nil { operators[vin] = row.text("operator_id") }
        }
        return result.keys.sorted().map { vin in
            var summary = result[vin]!
            summary.operatorID = perVehicle ? operators[vin] ?? "" : ""
            summary.networkMetres = network.value
            summary.gridCells = cells
            return summary
        }
    }
}
