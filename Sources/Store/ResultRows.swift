import GRDB
import Metrics

/// The result tables a run's aggregate is written to, with their columns (after `run_id`) and
/// what identifies a row of a run.
enum ResultTable: Int, CaseIterable, Sendable {
    case vehicleRuns, vehicleDaily, modeSegments, events, linkCoverage, gridCoverage, v2xReception
    case dataHealth, rejectedReasons, sequenceHealth, unattributed

    var name: String {
        switch self {
        case .vehicleRuns: "vehicle_runs"
        case .vehicleDaily: "vehicle_daily"
        case .modeSegments: "mode_segments"
        case .events: "events"
        case .linkCoverage: "link_coverage"
        case .gridCoverage: "grid_coverage"
        case .v2xReception: "v2x_reception"
        case .dataHealth: "data_health"
        case .rejectedReasons: "rejected_reasons"
        case .sequenceHealth: "sequence_health"
        case .unattributed: "unattributed"
        }
    }

    /// Columns after `run_id`, in the order of the row values.
    var columns: [String] {
        switch self {
        case .vehicleRuns:
            [
                "vin", "fixes", "time_gaps", "outlier_steps", "distance_m", "bsm_received", "late",
                "open_takeover_requests", "first_time_us", "last_time_us",
            ]
        case .vehicleDaily: ["vin", "day", "month", "level", "distance_m", "time_s", "uplink_covered_m"]
        case .modeSegments: ["vin", "start_us", "end_us", "level", "status", "status_name", "distance_m"]
        case .events:
            [
                "vin", "kind", "time_us", "day", "month", "latitude", "longitude", "speed_mps", "link_id",
                "road_class", "level", "initiator", "initiator_code", "cause", "cause_code",
                "takeover_time_us",
                "closed_requests", "takeover_outcome", "late", "road_name", "safety_driver",
                "remote_operator",
            ]
        case .linkCoverage: ["vin", "day", "month", "link_id"]
        case .gridCoverage: ["vin", "day", "month", "cell"]
        case .v2xReception:
            ["vin", "day", "month", "rsu_id", "band", "band_index", "exposure_s", "expected", "received"]
        case .dataHealth:
            [
                "source_id", "received", "decoded", "rejected", "duplicates", "clock_offset_samples",
                "clock_offset_mean_us", "clock_offset_min_us", "clock_offset_max_us", "first_seen_us",
                "last_seen_us", "outage_us", "malformed_items",
            ]
        case .rejectedReasons: ["source_id", "reason", "count"]
        case .sequenceHealth: ["stream_kind", "stream_id", "count", "gaps", "repeats", "reordered", "resets"]
        case .unattributed: ["bsm_from_unregistered_obu", "unknown_vehicle_observations"]
        }
    }

    /// Key columns after `run_id` (and `vin` for per-vehicle tables); `nil` for the tables
    /// whose rows are a sequence (segments, events: identified by their position).
    var keyColumns: [String]? {
        switch self {
        case .vehicleRuns, .unattributed: []
        case .vehicleDaily: ["day", "level"]
        case .modeSegments, .events: nil
        case .linkCoverage: ["day", "link_id"]
        case .gridCoverage: ["day", "cell"]
        case .v2xReception: ["day", "rsu_id", "band_index"]
        case .dataHealth: ["source_id"]
        case .rejectedReasons: ["source_id", "reason"]
        case .sequenceHealth: ["stream_kind", "stream_id"]
        }
    }

    func insertSQL(replacing: Bool) -> String {
        let columns = self.columns
        return
            "INSERT \(replacing ? "OR REPLACE " : "")INTO \(name)(run_id, \(columns.joined(separator: ", "))) "
            + "VALUES (?\(String(repeating: ", ?", count: columns.count)))"
    }

    func deleteSQL(perVehicle: Bool) -> String {
        var conditions = ["run_id = ?"]
        if perVehicle { conditions.append("vin = ?") }
        conditions += (keyColumns ?? []).map { "\($0) = ?" }
        return "DELETE FROM \(name) WHERE " + conditions.joined(separator: " AND ")
    }
}

/// What live ingest's database holds of a run's result rows, as fingerprints: the rows of each
/// vehicle (and of the health tables) by key, and the row ids of its segments and events in
/// order. An incremental commit compares the new rows against it and writes only those that
/// changed (see ``ResultWriter/write(changes:)``). Empty: the next commit rewrites the run.
public struct LiveRowCache: Sendable {
    struct Scope: Hashable, Sendable {
        var vin: String?
        var table: Int
    }

    var keyed: [Scope: [[DatabaseValue]: Int]] = [:]
    var ordered: [Scope: [(fingerprint: Int, rowID: Int64)]] = [:]
    var sources: Set<String> = []
    /// Rows inserted, replaced or deleted by the last commit.
    public internal(set) var rowsWritten = 0
    /// PostgreSQL: the run's rows were written by this process (the next commit replaces only
    /// the vehicles it carries); see ``PostgresIngestStore``.
    var committedRemotely = false
    /// Whether nothing is known yet (the next commit rewrites the run's rows).
    public var isEmpty: Bool { keyed.isEmpty && ordered.isEmpty && !committedRemotely }

    /// An empty cache.
    public init() {}

    /// Forgets the rows of `vin` that its summary dropped after they were committed
    /// (``TrackSummary/dropSettled()``): they stay in the database as they are, and later commits
    /// neither compare nor delete them. The first `drop.segments` segments and `drop.events`
    /// events, and the daily, coverage and reception rows of days before `drop.beforeDay`.
    public mutating func forget(vin: String, _ drop: SettledDrop) {
        for (table, count) in [(ResultTable.modeSegments, drop.segments), (.events, drop.events)]
        where count > 0 {
            let scope = Scope(vin: vin, table: table.rawValue)
            guard var rows = ordered[scope] else { continue }
            rows.removeFirst(min(count, rows.count))
            ordered[scope] = rows
        }
        let day = ShanghaiCalendar.dateString(drop.beforeDay)
        for table in [ResultTable.vehicleDaily, .linkCoverage, .gridCoverage, .v2xReception] {
            let scope = Scope(vin: vin, table: table.rawValue)
            guard let rows = keyed[scope] else { continue }
            // Every key of these tables starts with the day ("YYYY-MM-DD" sorts as text).
            keyed[scope] = rows.filter { entry in
                guard let first = entry.key.first, let text = String.fromDatabaseValue(first) else {
                    return true
                }
                return text >= day
            }
        }
    }
}

/// The sink of ``ResultWriter``: inserts every row (`cache == nil`) or only what differs from
/// the cache (updating it).
struct ResultRows: ResultRowSink {
    let db: Database
    let run: Int64
    var cache: LiveRowCache?
    private var vin: String?
    private var seen: [Int: Set<[DatabaseValue]>] = [:]

    init(db: Database, run: Int64, cache: LiveRowCache?) {
        self.db = db
        self.run = run
        self.cache = cache
        self.cache?.rowsWritten = 0
    }

    /// Starts the rows of a vehicle (`nil`: the run-wide health tables).
    mutating func begin(vehicle: String?) {
        vin = vehicle
        seen.removeAll(keepingCapacity: true)
    }

    /// Inserts or updates the vehicles' registry rows.
    mutating func vehicles(_ identities: [VehicleIdentity]) throws {
        try ZoneStore.upsertVehicles(db, identities)
    }

    /// Inserts a source's row unless the cache says it was written before.
    mutating func source(_ name: String, kind: String) throws {
        if cache != nil, cache?.sources.insert(name).inserted == false { return }
        let statement = try InsertStatement(db, sql: "INSERT OR IGNORE INTO sources(id, kind) VALUES (?, ?)")
        statement.bind(1, name)
        statement.bind(2, kind)
        try statement.step()
    }

    private static func fingerprint(_ values: [DatabaseValue]) -> Int {
        var hasher = Hasher()
        hasher.combine(values)
        return hasher.finalize()
    }

    private static let insertSQL = ResultTable.allCases.map { $0.insertSQL(replacing: false) }
    private static let replaceSQL = ResultTable.allCases.map { $0.insertSQL(replacing: true) }

    private func insert(_ table: ResultTable, _ values: [DatabaseValue], replacing: Bool) throws {
        let statement = try InsertStatement(
            db, sql: replacing ? Self.replaceSQL[table.rawValue] : Self.insertSQL[table.rawValue])
        statement.bind(1, run)
        for (index, value) in values.enumerated() { statement.bind(Int32(index + 2), value) }
        try statement.step()
    }

    /// A row identified by `key` (within the vehicle).
    mutating func keyed(_ table: ResultTable, key: [DatabaseValue], _ values: [DatabaseValue]) throws {
        guard cache != nil else { return try insert(table, values, replacing: false) }
        let scope = LiveRowCache.Scope(vin: vin, table: table.rawValue)
        seen[table.rawValue, default: []].insert(key)
        let fingerprint = Self.fingerprint(values)
        if cache?.keyed[scope]?[key] == fingerprint { return }
        try insert(table, values, replacing: true)
        cache?.keyed[scope, default: [:]][key] = fingerprint
        cache?.rowsWritten += 1
    }

    /// The rows of a sequence table of the vehicle, in order: rows equal to those already
    /// written at the same position stay; from the first difference on, the old rows are deleted
    /// and the new ones inserted (closed segments and events are written once).
    mutating func ordered(_ table: ResultTable, _ rows: [[DatabaseValue]]) throws {
        guard cache != nil else {
            for row in rows { try insert(table, row, replacing: false) }
            return
        }
        let scope = LiveRowCache.Scope(vin: vin, table: table.rawValue)
        var written = cache?.ordered[scope] ?? []
        var first = 0
        while first < rows.count, first < written.count,
            written[first].fingerprint == Self.fingerprint(rows[first])
        {
            first += 1
        }
        if first < written.count {
            let delete = try db.cachedStatement(sql: "DELETE FROM \(table.name) WHERE rowid = ?")
            for entry in written[first...] { try delete.execute(arguments: [entry.rowID]) }
            cache?.rowsWritten += written.count - first
            written.removeSubrange(first...)
        }
        for row in rows[first...] {
            try insert(table, row, replacing: false)
            written.append((Self.fingerprint(row), db.lastInsertedRowID))
        }
        cache?.rowsWritten += rows.count - first
        cache?.ordered[scope] = written
    }

    /// Ends a vehicle (or the health tables): rows written before that are gone now are deleted.
    mutating func end() throws {
        guard cache != nil else { return }
        for table in ResultTable.allCases where table.keyColumns != nil {
            let scope = LiveRowCache.Scope(vin: vin, table: table.rawValue)
            guard let known = cache?.keyed[scope] else { continue }
            let current = seen[table.rawValue] ?? []
            let gone = known.keys.filter { !current.contains($0) }
            guard !gone.isEmpty else { continue }
            let delete = try db.cachedStatement(sql: table.deleteSQL(perVehicle: vin != nil))
            for key in gone {
                var arguments: [DatabaseValue] = [run.databaseValue]
                if let vin { arguments.append(vin.databaseValue) }
                arguments += key
                try delete.execute(arguments: StatementArguments(arguments))
                cache?.keyed[scope]?[key] = nil
                cache?.rowsWritten += 1
            }
        }
    }
}
