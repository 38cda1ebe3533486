import Foundation
import GRDB

/// Reads the rows of a monthly report from a TestZone database (the Store's schema, see
/// `Sources/Store/README.md`), read-only.
///
/// Every figure adds up the **complete** runs (`runs.status = 'complete'`). Dated rows are
/// selected by their Asia/Shanghai `month`; per-run accounting (data health, sequence numbers,
/// track gaps, unattributed observations) by the runs whose recorded time overlaps the month.
/// With an operator, vehicle rows are restricted to the operator's vehicles, data health to
/// their terminals and OBUs; RSU availability stays zone-wide (shared infrastructure).
public struct StoreReportReader: Sendable {
    /// The tables the report reads; a database without them is not a TestZone database.
    public static let requiredTables = [
        "operators", "vehicles", "sources", "road_links", "coverage_grid", "runs", "vehicle_runs",
        "vehicle_daily",
        "mode_segments", "events", "link_coverage", "grid_coverage", "v2x_reception", "data_health",
        "rejected_reasons", "sequence_health", "unattributed",
    ]

    /// The database path, for messages.
    public let path: String
    private let database: DatabaseQueue

    /// Opens `path` read-only and checks that it holds the schema and at least one complete run.
    public init(path: String) throws(ReportError) {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .databaseUnavailable(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw .databaseUnavailable(path: path, reason: "is a directory") }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "testzone-report"
        do {
            database = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw .databaseUnavailable(path: path, reason: Self.message(error))
        }
        let tables: Set<String>
        let runs: Int
        do {
            (tables, runs) = try database.read { db in
                let names = try String.fetchSet(
                    db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
                let count =
                    names.contains("runs")
                    ? try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runs WHERE status = 'complete'") ?? 0
                    : 0
                return (names, count)
            }
        } catch {
            throw .databaseUnavailable(path: path, reason: Self.message(error))
        }
        let missing = Self.requiredTables.filter { !tables.contains($0) }
        guard missing.isEmpty else { throw .missingSchema(path: path, missingTables: missing) }
        guard runs > 0 else { throw .emptyDatabase(path: path) }
    }

    /// The first and last day (`YYYY-MM-DD`, Asia/Shanghai) with an event or automated driving
    /// in complete runs, or nil when there is none.
    public func dataDays() throws(ReportError) -> (first: String, last: String)? {
        try read("the days with data") { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT MIN(d) AS first, MAX(d) AS last FROM (
                    SELECT day AS d FROM events WHERE \(Self.complete) UNION ALL
                    SELECT day FROM vehicle_daily WHERE \(Self.complete))
                    """)
            guard let first: String = row?["first"], let last: String = row?["last"] else { return nil }
            return (first, last)
        }
    }

    /// Operator ids in the database, sorted.
    public func operatorIDs() throws(ReportError) -> [String] {
        try read("operators") { db in try String.fetchAll(db, sql: "SELECT id FROM operators ORDER BY id") }
    }

    /// The rows of one month, for the whole zone or one operator.
    public func records(month: ReportPeriod, operatorID: String?) throws(ReportError) -> ReportRecords {
        if let operatorID {
            let known = try operatorIDs()
            guard known.contains(operatorID) else { throw .unknownOperator(operatorID, known: known) }
        }
        return try read("the records of \(month)") { db in
            var records = try Self.records(db, month: month, operatorID: operatorID)
            (records.linkUsage, records.grid) = try Self.coverage(db, month: month, operatorID: operatorID)
            return records
        }
    }

    private func read<T>(_ what: String, _ body: (Database) throws -> T) throws(ReportError) -> T {
        do {
            return try database.read(body)
        } catch let error as ReportError {
            throw error
        } catch {
            throw .queryFailed(query: what, reason: Self.message(error))
        }
    }

    private static func message(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "\(error.resultCode)" }
        return "\(error)"
    }

    // MARK: Queries

    /// Rows of a period (tables with `month` and `day`): first/last month, first/last day.
    static let periodScope = "month >= ? AND month <= ? AND day >= ? AND day <= ?"

    /// `run_id` of complete runs.
    static let complete = "run_id IN (SELECT id FROM runs WHERE status = 'complete')"

    /// `INDEXED BY index` when the database has the index (a database written before the
    /// migration that creates it is read as it is, more slowly), else nothing.
    static func indexHint(_ db: Database, table: String, index: String) throws -> String {
        let exists =
            try Bool.fetchOne(
                db,
                sql:
                    "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'index' AND name = ? AND tbl_name = ?",
                arguments: [index, table]) ?? false
        return exists ? "INDEXED BY \(index)" : ""
    }

    /// The SQL scope of one read: the period's bounds (months for the index, days for the
    /// exact bounds, the arguments of ``periodScope``) and, with an operator, its vehicles.
    struct ReadScope {
        let bounds: [any DatabaseValueConvertible]
        /// Condition on tables with a `vin` column.
        let vinScope: String
        let operatorID: String?

        init(month: ReportPeriod, operatorID: String?) {
            bounds = [
                month.firstMonthString, month.lastMonthString, month.firstDayString, month.lastDayString,
            ]
            vinScope = operatorID == nil ? "1" : "vin IN (SELECT vin FROM vehicles WHERE operator_id = ?)"
            self.operatorID = operatorID
        }

        /// `values`, then the operator when there is one (the argument of ``vinScope``).
        func arguments(_ values: [any DatabaseValueConvertible]) -> StatementArguments {
            StatementArguments(values + (operatorID.map { [$0] } ?? []))
        }
    }

    static func records(_ db: Database, month: ReportPeriod, operatorID: String?) throws -> ReportRecords {
        let scope = ReadScope(month: month, operatorID: operatorID)
        let (m, vinScope) = (scope.bounds, scope.vinScope)
        let arguments = scope.arguments
        var records = ReportRecords()

        let operatorRows = try Row.fetchAll(
            db, sql: "SELECT id, name FROM operators" + (operatorID == nil ? "" : " WHERE id = ?"),
            arguments: StatementArguments(operatorID.map { [$0] } ?? []))
        records.operators = operatorRows.map { OperatorRecord(id: $0["id"], name: $0["name"] ?? "") }

        // Plates and permits are read when the registry has them (columns `plate`, `permit`).
        let vehicleColumns = Set(try db.columns(in: "vehicles").map(\.name))
        let plate = vehicleColumns.contains("plate") ? "plate" : "''"
        let permit = vehicleColumns.contains("permit") ? "permit" : "''"
        records.vehicles = try Row.fetchAll(
            db,
            sql: "SELECT vin, operator_id, registered, \(plate) AS plate, \(permit) AS permit FROM vehicles"
                + (operatorID == nil ? "" : " WHERE operator_id = ?"),
            arguments: StatementArguments(operatorID.map { [$0] } ?? [])
        ).map {
            VehicleRecord(
                vin: $0["vin"], plate: $0["plate"] ?? "", operatorID: $0["operator_id"] ?? "",
                permit: $0["permit"] ?? "", registered: ($0["registered"] as Int?) != 0)
        }

        records.driving = try Row.fetchAll(
            db,
            sql: """
                SELECT vin, day, level, SUM(distance_m) AS d, SUM(time_s) AS t, SUM(uplink_covered_m) AS u
                FROM vehicle_daily WHERE \(periodScope) AND \(complete) AND \(vinScope)
                GROUP BY vin, day, level
                """, arguments: arguments(m)
        ).map {
            DrivingRecord(
                vin: $0["vin"], day: $0["day"], level: $0["level"], meters: $0["d"], seconds: $0["t"],
                uplinkMeters: $0["u"])
        }

        // Register columns of issue 18 and evidence clips (issue 17) when the database has them.
        let eventColumns = Set(try db.columns(in: "events").map(\.name))
        let hasFlags = eventColumns.contains("safety_driver")
        let flagColumns =
            hasFlags
            ? "e.road_name AS road_name, e.safety_driver AS safety_driver, e.remote_operator AS remote_operator"
            : "NULL AS road_name, NULL AS safety_driver, NULL AS remote_operator"
        // Issue 17's `event_clips` names the clip file `path` (an early draft: `file`).
        let clipNames =
            try db.tableExists("event_clips") ? Set(try db.columns(in: "event_clips").map(\.name)) : []
        let clipFile = clipNames.contains("path") ? "path" : clipNames.contains("file") ? "file" : nil
        let clipColumns =
            clipFile.map { file in
                """
                (SELECT c.\(file) FROM event_clips c WHERE c.vin = e.vin AND c.time_us = e.time_us AND c.kind = e.kind
                 ORDER BY c.\(file) LIMIT 1) AS clip_file,
                (SELECT c.sha256 FROM event_clips c WHERE c.vin = e.vin AND c.time_us = e.time_us AND c.kind = e.kind
                 ORDER BY c.\(file) LIMIT 1) AS clip_sha256
                """
            } ?? "NULL AS clip_file, NULL AS clip_sha256"
        // Read straight from SQLite (SQLiteRow): tens of thousands of events a month, whose
        // decoding through GRDB's Row dominated this read. Columns by position, in the order of
        // the SELECT below.
        var events: [EventRecord] = []
        try SQLiteRow.forEach(
            db,
            sql: """
                SELECT e.time_us, e.vin, e.kind, e.level, e.initiator, e.cause, e.latitude, e.longitude,
                e.link_id, e.road_class, e.speed_mps, e.takeover_time_us, e.takeover_outcome, \(flagColumns),
                \(clipColumns)
                FROM events e WHERE e.month >= ? AND e.month <= ? AND e.day >= ? AND e.day <= ?
                AND e.\(complete) AND \(operatorID == nil ? "1" : "e.vin IN (SELECT vin FROM vehicles WHERE operator_id = ?)")
                ORDER BY e.time_us, e.vin, e.kind
                """, arguments: arguments(m)
        ) { row in
            // Kinds this report does not know (a newer schema) are not figures of it.
            guard let kind = EventKind(rawValue: row.text(2)) else { return }
            var record = EventRecord(
                micros: row.int64(0), vin: row.text(1), kind: kind, level: row.int(3), initiator: row.text(4),
                cause: row.text(5), latitude: row.optionalDouble(6), longitude: row.optionalDouble(7),
                linkID: row.optionalText(8), roadClass: row.optionalText(9), speed: row.optionalDouble(10),
                takeoverSeconds: row.optionalInt64(11).map { Double($0) / 1e6 },
                takeoverOutcome: row.optionalText(12))
            record.roadName = row.optionalText(13)
            record.safetyDriver = row.optionalInt64(14).map { $0 != 0 }
            record.remoteOperator = row.optionalInt64(15).map { $0 != 0 }
            record.clipFile = row.optionalText(16)
            record.clipSHA256 = row.optionalText(17)
            events.append(record)
        }
        records.events = events

        // Road network; names and geometry when the store has them (`name`, `geometry`).
        let linkColumns = Set(try db.columns(in: "road_links").map(\.name))
        let name = linkColumns.contains("name") ? "name" : "''"
        let geometry = linkColumns.contains("geometry") ? "geometry" : "NULL"
        records.links = try Row.fetchAll(
            db,
            sql: "SELECT id, length_m, road_class, \(name) AS name, \(geometry) AS geometry FROM road_links"
        ).map {
            LinkRecord(
                id: $0["id"], name: $0["name"] ?? "", roadClass: $0["road_class"] ?? "",
                lengthMeters: $0["length_m"],
                points: LinkGeometry.parse($0["geometry"] ?? ""))
        }
        records.hours = try hours(db, month: month, vinScope: vinScope, operatorID: operatorID)

        // Runs whose recorded time overlaps the month: the scope of per-run accounting.
        let runScope = """
            run_id IN (SELECT id FROM runs WHERE status = 'complete' AND first_time_us < ? AND last_time_us >= ?)
            """
        let runArguments: [any DatabaseValueConvertible] = [month.endMicros, month.startMicros]
        records.rsus = try rsus(db, month: month)
        records.reception = try Row.fetchAll(
            db,
            sql: """
                SELECT rsu_id, band_index, SUM(received) AS r, SUM(expected) AS e FROM v2x_reception
                WHERE \(periodScope) AND \(complete) AND \(vinScope) GROUP BY rsu_id, band_index
                """, arguments: arguments(m)
        ).compactMap { row in
            let index: Int = row["band_index"]
            guard V2XSection.bands.indices.contains(index) else { return nil }
            let band = V2XSection.bands[index]
            return ReceptionRecord(
                rsuID: row["rsu_id"], bandLower: band.0, bandUpper: band.1, received: row["r"],
                expected: row["e"])
        }

        // Sources in scope: all, or the operator's terminals (JT/T 808) only.
        let sourceScope =
            operatorID == nil
            ? "1" : "source_id IN (SELECT 'jt808/' || terminal_number FROM vehicles WHERE operator_id = ?)"
        records.sources = try Row.fetchAll(
            db,
            sql: """
                SELECT source_id, SUM(received) AS received, SUM(decoded) AS decoded, SUM(rejected) AS rejected,
                SUM(duplicates) AS duplicates, SUM(clock_offset_samples) AS n,
                SUM(clock_offset_mean_us * clock_offset_samples) AS offset
                FROM data_health WHERE \(runScope) AND \(sourceScope) GROUP BY source_id
                """, arguments: arguments(runArguments)
        ).map { row in
            let source: String = row["source_id"]
            let samples: Int = row["n"] ?? 0
            let offset: Double? = row["offset"]
            return SourceHealthRecord(
                source: source, kind: String(source.prefix { $0 != "/" }), received: row["received"],
                decoded: row["decoded"], rejected: row["rejected"], duplicates: row["duplicates"],
                clockOffsetMillis: samples > 0 ? offset.map { $0 / Double(samples) / 1000 } : nil)
        }
        records.rejects = try Row.fetchAll(
            db,
            sql: """
                SELECT source_id, reason, SUM(count) AS n FROM rejected_reasons WHERE \(runScope) AND \(sourceScope)
                GROUP BY source_id, reason
                """, arguments: arguments(runArguments)
        ).map { RejectRecord(source: $0["source_id"], reason: $0["reason"], count: $0["n"]) }
        var sequences = try Row.fetchAll(
            db,
            sql: """
                SELECT stream_kind, stream_id, SUM(count) AS c, SUM(gaps) AS g, SUM(repeats) AS r,
                SUM(reordered) AS o, SUM(resets) AS s FROM sequence_health WHERE \(runScope)
                GROUP BY stream_kind, stream_id
                """, arguments: StatementArguments(runArguments)
        ).map {
            SequenceRecord(
                streamKind: $0["stream_kind"], streamID: $0["stream_id"], count: $0["c"], gaps: $0["g"],
                repeats: $0["r"], reordered: $0["o"], resets: $0["s"])
        }
        if let operatorID {
            // The operator's streams: its terminals' JT/T 808 serials and its OBUs' BSM msgCnt.
            let own = try Row.fetchAll(
                db, sql: "SELECT terminal_number, obu_id FROM vehicles WHERE operator_id = ?",
                arguments: [operatorID])
            let terminals = Set(own.compactMap { $0["terminal_number"] as String? })
            let obus = Set(own.compactMap { $0["obu_id"] as String? })
            sequences = sequences.filter {
                ($0.streamKind == "jt808-serial" && terminals.contains($0.streamID))
                    || ($0.streamKind == "bsm-msgcnt" && obus.contains($0.streamID))
            }
        }
        records.sequences = sequences
        records.trackGaps = try Row.fetchAll(
            db,
            sql: """
                SELECT vin, SUM(time_gaps) AS g, SUM(outlier_steps) AS o FROM vehicle_runs
                WHERE \(runScope) AND \(vinScope) GROUP BY vin
                """, arguments: arguments(runArguments)
        ).map { TrackGapRecord(vin: $0["vin"], timeGaps: $0["g"], outlierSteps: $0["o"]) }
        if operatorID == nil,
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT COALESCE(SUM(bsm_from_unregistered_obu), 0) AS b,
                    COALESCE(SUM(unknown_vehicle_observations), 0) AS u FROM unattributed WHERE \(runScope)
                    """, arguments: StatementArguments(runArguments))
        {
            records.unattributed = UnattributedRecord(
                bsmFromUnregisteredOBU: row["b"], unknownVehicleObservations: row["u"])
        }
        records.runs = try runs(db, period: month)
        return records
    }

    /// Link usage and visited grid cells of a period: the largest tables (a row per vehicle,
    /// day and link or cell), read in index order.
    static func coverage(_ db: Database, month: ReportPeriod, operatorID: String?) throws
        -> (linkUsage: [LinkUsageRecord], grid: GridRecord)
    {
        let scope = ReadScope(month: month, operatorID: operatorID)
        let (m, vinScope) = (scope.bounds, scope.vinScope)
        let arguments = scope.arguments
        var records = ReportRecords()
        // Vehicle-days per link in one ordered pass (LinkUsageScan); the automated distance per
        // link only when the store records it.
        let coverageColumns = Set(try db.columns(in: "link_coverage").map(\.name))
        let linkCondition = "\(periodScope) AND \(complete) AND \(vinScope)"
        var linkMeters: [String: Double] = [:]
        if coverageColumns.contains("distance_m") {
            for row in try Row.fetchAll(
                db,
                sql:
                    "SELECT link_id, SUM(distance_m) AS d FROM link_coverage WHERE \(linkCondition) GROUP BY link_id",
                arguments: arguments(m))
            {
                linkMeters[row["link_id"]] = row["d"]
            }
        }
        records.linkUsage = try LinkUsageScan.vehicleDays(
            db, condition: linkCondition, arguments: arguments(m)
        )
        .map {
            LinkUsageRecord(
                linkID: $0.linkID, vehicleDays: $0.vehicleDays, automatedMeters: linkMeters[$0.linkID])
        }

        if let grid = try Row.fetchOne(
            db, sql: "SELECT cell_size_m, columns, rows FROM coverage_grid WHERE id = 1")
        {
            let columns: Int = grid["columns"]
            let rows: Int = grid["rows"]
            // The visited cells by seeking, per month, the first complete row of each next cell in
            // the index `grid_coverage_cell (month, cell, ...)`: a few hundred seeks where
            // `DISTINCT cell` sorts every row (0.5 s for a month of 500 vehicles).
            var cells: [Int] = []
            let next = try db.makeStatement(
                sql: """
                    SELECT MIN(cell) FROM grid_coverage \(
                        try Self.indexHint(db, table: "grid_coverage", index: "grid_coverage_cell"))
                    WHERE month = ? AND cell > ? AND day >= ? AND day <= ? AND \(complete) AND \(vinScope)
                    """)
            for calendarMonth in month.months {
                var cell = Int.min
                while let found = try Int.fetchOne(
                    next,
                    arguments: arguments([
                        calendarMonth.description, cell, month.firstDayString, month.lastDayString,
                    ]))
                {
                    cells.append(found)
                    cell = found
                }
            }
            cells = Set(cells).sorted()
            records.grid = GridRecord(
                cellMeters: grid["cell_size_m"], totalCells: columns * rows,
                visitedCells: cells.map {
                    GridCell(column: columns > 0 ? $0 % columns : 0, row: columns > 0 ? $0 / columns : 0)
                })
        }

        return (records.linkUsage, records.grid)
    }

    /// Every run whose recorded time overlaps the period, with files and reader warnings.
    static func runs(_ db: Database, period: ReportPeriod) throws -> [RunRecord] {
        let hasWarnings = try db.tableExists("run_warnings")
        return try Row.fetchAll(
            db,
            sql: """
                SELECT id, kind, status, first_time_us, last_time_us, frames FROM runs
                WHERE first_time_us < ? AND last_time_us >= ? ORDER BY id
                """, arguments: [period.endMicros, period.startMicros]
        ).map { row in
            let id: Int64 = row["id"]
            let files = try Row.fetchAll(
                db, sql: "SELECT path, sha256, bytes FROM run_files WHERE run_id = ? ORDER BY path, sha256",
                arguments: [id]
            ).map { RunFileRecord(path: $0["path"], sha256: $0["sha256"], bytes: $0["bytes"]) }
            let warnings =
                hasWarnings
                ? try String.fetchAll(
                    db,
                    sql:
                        "SELECT journal_file || ': ' || warning FROM run_warnings WHERE run_id = ? ORDER BY rowid",
                    arguments: [id]) : []
            return RunRecord(
                id: id, kind: row["kind"], status: row["status"], firstMicros: row["first_time_us"],
                lastMicros: row["last_time_us"], frames: row["frames"], files: files, warnings: warnings)
        }
    }

    /// Automated (L3/L4, status active) time and distance by local hour of day, from the mode
    /// segments clipped to the month; a segment's distance is shared out in proportion to time.
    static func hours(_ db: Database, month: ReportPeriod, vinScope: String, operatorID: String?) throws
        -> [HourRecord]
    {
        var totals: [String: [(seconds: Double, meters: Double)]] = [:]
        let cursor = try Row.fetchCursor(
            db,
            sql: """
                SELECT vin, start_us, end_us, distance_m FROM mode_segments
                WHERE status = 2 AND level IN (3, 4) AND start_us < ? AND end_us > ? AND end_us > start_us
                AND \(complete) AND \(vinScope)
                """,
            arguments: StatementArguments(
                [month.endMicros, month.startMicros] + (operatorID.map { [$0] } ?? [])))
        while let row = try cursor.next() {
            let vin: String = row["vin"]
            let start: Int64 = row["start_us"]
            let end: Int64 = row["end_us"]
            let meters: Double = row["distance_m"]
            let duration = Double(end - start)
            var t = max(start, month.startMicros)
            let stop = min(end, month.endMicros)
            var hoursOfVehicle = totals[vin] ?? Array(repeating: (0, 0), count: 24)
            while t < stop {
                let hourStart = t - floorMod(t + ReportMonth.shanghaiOffsetSeconds * 1_000_000, 3_600_000_000)
                let next = min(stop, hourStart + 3_600_000_000)
                let hour = ShanghaiTime.hour(micros: t)
                let part = Double(next - t)
                hoursOfVehicle[hour].seconds += part / 1e6
                hoursOfVehicle[hour].meters += meters * part / duration
                t = next
            }
            totals[vin] = hoursOfVehicle
        }
        var records: [HourRecord] = []
        for vin in totals.keys.sorted() {
            for (hour, value) in (totals[vin] ?? []).enumerated() where value.seconds > 0 {
                records.append(HourRecord(vin: vin, hour: hour, seconds: value.seconds, meters: value.meters))
            }
        }
        return records
    }

    /// Registered RSUs (`sources` of kind `cv2x` with a position) and RSUs with reception rows,
    /// with availability: the share of the month's recorded time (each complete run's first to
    /// last frame, clipped to the month) between the RSU's first and last frame in that run.
    static func rsus(_ db: Database, month: ReportPeriod) throws -> [RSURecord] {
        let m: [any DatabaseValueConvertible] = [
            month.firstMonthString, month.lastMonthString, month.firstDayString, month.lastDayString,
        ]
        var ids = Set(
            try String.fetchAll(
                db,
                sql:
                    "SELECT id FROM sources WHERE kind = 'cv2x' AND latitude IS NOT NULL AND longitude IS NOT NULL"
            ).map { $0.hasPrefix("cv2x/") ? String($0.dropFirst(5)) : $0 })
        ids.formUnion(
            try String.fetchAll(
                db, sql: "SELECT DISTINCT rsu_id FROM v2x_reception WHERE \(periodScope) AND \(complete)",
                arguments: StatementArguments(m)))
        let runs = try Row.fetchAll(
            db,
            sql: """
                SELECT id, first_time_us, last_time_us FROM runs WHERE status = 'complete'
                AND first_time_us < ? AND last_time_us >= ?
                """, arguments: [month.endMicros, month.startMicros])
        func clipped(_ a: Int64?, _ b: Int64?) -> Double {
            guard let a, let b else { return 0 }
            let start = max(a, month.startMicros)
            let end = min(b, month.endMicros)
            return end > start ? Double(end - start) / 1e6 : 0
        }
        let expected = runs.reduce(0.0) { $0 + clipped($1["first_time_us"], $1["last_time_us"]) }
        // `outage_us` (issue 16): absent in databases written before it.
        let outageColumn =
            try db.columns(in: "data_health").contains { $0.name == "outage_us" }
            ? "outage_us" : "0 AS outage_us"
        var records: [RSURecord] = []
        for id in ids.sorted() {
            let position = try Row.fetchOne(
                db, sql: "SELECT latitude, longitude FROM sources WHERE id = ?", arguments: ["cv2x/" + id])
            var available = 0.0
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT first_seen_us, last_seen_us, \(outageColumn) FROM data_health WHERE source_id = ? AND run_id IN (
                    SELECT id FROM runs WHERE status = 'complete' AND first_time_us < ? AND last_time_us >= ?)
                    """, arguments: ["cv2x/" + id, month.endMicros, month.startMicros])
            {
                // Silences inside the span (data time, issue 16) are outages.
                let outage: Int64 = row["outage_us"] ?? 0
                available += max(0, clipped(row["first_seen_us"], row["last_seen_us"]) - Double(outage) / 1e6)
            }
            let latitude: Double? = position?["latitude"]
            let longitude: Double? = position?["longitude"]
            records.append(
                RSURecord(
                    id: id, name: "",
                    position: latitude.flatMap { lat in
                        longitude.map { GeoPoint(latitude: lat, longitude: $0) }
                    },
                    availableSeconds: min(available, expected), expectedSeconds: expected))
        }
        return records
    }
}

/// Link geometry as stored text: `lat,lon;lat,lon;...` or WKT `LINESTRING(lon lat, lon lat, ...)`.
public enum LinkGeometry {
    /// The points of `text`; empty when it is empty or not of either form.
    public static func parse(_ text: String) -> [GeoPoint] {
        let trimmed = text.filter { !$0.isNewline }
        if trimmed.uppercased().hasPrefix("LINESTRING") {
            guard let open = trimmed.firstIndex(of: "("), let close = trimmed.lastIndex(of: ")"), open < close
            else {
                return []
            }
            let body = trimmed[trimmed.index(after: open)..<close]
            var points: [GeoPoint] = []
            for pair in body.split(separator: ",") {
                let parts = pair.split(separator: " ")
                guard parts.count == 2, let lon = Double(parts[0]), let lat = Double(parts[1]) else {
                    return []
                }
                points.append(GeoPoint(latitude: lat, longitude: lon))
            }
            return points
        }
        var points: [GeoPoint] = []
        for pair in trimmed.split(separator: ";") {
            let parts = pair.split(separator: ",")
            guard parts.count == 2, let lat = Double(parts[0].filter { $0 != " " }),
                let lon = Double(parts[1].filter { $0 != " " })
            else { return [] }
            points.append(GeoPoint(latitude: lat, longitude: lon))
        }
        return points
    }
}
