import Foundation
import GRDB
import Store

/// Reads the rows of a monthly report from a TestZone database (the Store's schema, see
/// `Sources/Store/README.md`), read-only, through a ``StoreReader``: the same queries for an
/// SQLite file and a PostgreSQL store shared by several ingest nodes.
///
/// Every figure adds up the **complete** runs (`runs.status = 'complete'`). Dated rows are
/// selected by their Asia/Shanghai `month`; per-run accounting (data health, sequence numbers,
/// track gaps, unattributed observations) by the runs whose recorded time overlaps the month.
/// With an operator, vehicle rows are restricted to the operator's vehicles, data health to
/// their terminals and OBUs; RSU availability stays zone-wide (shared infrastructure). Over the
/// runs of several nodes (`ingest --shard K/N`, sharded by vehicle) these sums are exactly one
/// node's result.
public struct StoreReportReader: Sendable {
    /// The tables the report reads; a database without them is not a TestZone database.
    public static let requiredTables = [
        "operators", "vehicles", "sources", "road_links", "coverage_grid", "runs", "vehicle_runs",
        "vehicle_daily",
        "mode_segments", "events", "link_coverage", "grid_coverage", "v2x_reception", "data_health",
        "rejected_reasons", "sequence_health", "unattributed",
    ]

    /// The database, for messages: the SQLite path or the PostgreSQL URL without its password.
    public let path: String
    private let database: any StoreReader

    /// Opens the SQLite file at `path` read-only and checks that it holds the schema and at
    /// least one complete run.
    public init(path: String) throws(ReportError) {
        try self.init(location: .sqlite(path: path))
    }

    /// Opens the database at `location` (an SQLite file read-only, or a PostgreSQL store with
    /// one connection whose reads are read-only transactions) and checks that it holds the
    /// schema and at least one complete run. Call from a thread of its own, not from async code
    /// (see ``openStoreReader(_:)``); ``close()`` releases the connection.
    public init(location: StoreLocation) throws(ReportError) {
        path = location.description
        if case .sqlite(let file) = location {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else {
                throw .databaseUnavailable(path: path, reason: "no such file")
            }
            guard !isDirectory.boolValue else {
                throw .databaseUnavailable(path: path, reason: "is a directory")
            }
        }
        do {
            database = try openStoreReader(location)
        } catch {
            throw .databaseUnavailable(path: path, reason: Self.message(error))
        }
        let tables: Set<String>
        let runs: Int64
        do {
            (tables, runs) = try database.read { session in
                let names = try session.tableNames()
                let count =
                    names.contains("runs")
                    ? try session.int64("SELECT COUNT(*) FROM runs WHERE status = 'complete'") ?? 0
                    : 0
                return (names, count)
            }
        } catch {
            database.close()
            throw .databaseUnavailable(path: path, reason: Self.message(error))
        }
        let missing = Self.requiredTables.filter { !tables.contains($0) }
        guard missing.isEmpty else {
            database.close()
            throw .missingSchema(path: path, missingTables: missing)
        }
        guard runs > 0 else {
            database.close()
            throw .emptyDatabase(path: path)
        }
    }

    /// Releases the database connection (PostgreSQL); the reader is not used afterwards.
    public func close() { database.close() }

    /// The first and last day (`YYYY-MM-DD`, Asia/Shanghai) with an event or automated driving
    /// in complete runs, or nil when there is none.
    public func dataDays() throws(ReportError) -> (first: String, last: String)? {
        try read("the days with data") { session in
            let row = try session.row(
                """
                SELECT MIN(d) AS first, MAX(d) AS last FROM (
                SELECT day AS d FROM events WHERE \(Self.complete) UNION ALL
                SELECT day FROM vehicle_daily WHERE \(Self.complete)) AS days
                """)
            guard let first = row?.optionalText("first"), let last = row?.optionalText("last") else {
                return nil
            }
            return (first, last)
        }
    }

    /// Operator ids in the database, sorted.
    public func operatorIDs() throws(ReportError) -> [String] {
        try read("operators") { session in
            try session.texts("SELECT id FROM operators ORDER BY id\(session.dialect.bytewise)")
        }
    }

    /// The rows of one month, for the whole zone or one operator.
    public func records(month: ReportPeriod, operatorID: String?) throws(ReportError) -> ReportRecords {
        if let operatorID {
            let known = try operatorIDs()
            guard known.contains(operatorID) else { throw .unknownOperator(operatorID, known: known) }
        }
        return try read("the records of \(month)") { session in
            var records = try Self.records(session, month: month, operatorID: operatorID)
            (records.linkUsage, records.grid) = try Self.coverage(
                session, month: month, operatorID: operatorID)
            return records
        }
    }

    private func read<T>(_ what: String, _ body: (any StoreReadSession) throws -> T) throws(ReportError) -> T
    {
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
        if let error = error as? ZoneStoreError { return error.reason }
        return "\(error)"
    }

    // MARK: Queries

    /// Rows of a period (tables with `month` and `day`): first/last month, first/last day.
    static let periodScope = "month >= ? AND month <= ? AND day >= ? AND day <= ?"

    /// `run_id` of complete runs.
    static let complete = "run_id IN (SELECT id FROM runs WHERE status = 'complete')"

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
            vinScope = operatorID == nil ? "TRUE" : "vin IN (SELECT vin FROM vehicles WHERE operator_id = ?)"
            self.operatorID = operatorID
        }

        /// `values`, then the operator when there is one (the argument of ``vinScope``).
        func arguments(_ values: [any DatabaseValueConvertible]) -> [any DatabaseValueConvertible] {
            values + (operatorID.map { [$0] } ?? [])
        }
    }

    static func records(_ session: any StoreReadSession, month: ReportPeriod, operatorID: String?) throws
        -> ReportRecords
    {
        let scope = ReadScope(month: month, operatorID: operatorID)
        let (m, vinScope) = (scope.bounds, scope.vinScope)
        let arguments = scope.arguments
        let b = session.dialect.bytewise
        var records = ReportRecords()
        let operatorArgument: [any DatabaseValueConvertible] = operatorID.map { [$0] } ?? []

        records.operators = try session.rows(
            "SELECT id, name FROM operators" + (operatorID == nil ? "" : " WHERE id = ?")
                + " ORDER BY id\(b)",
            operatorArgument
        ).map { OperatorRecord(id: $0.text("id"), name: $0.text("name")) }

        // Plates and permits are read when the registry has them (columns `plate`, `permit`).
        let vehicleColumns = try session.columnNames(of: "vehicles")
        let plate = vehicleColumns.contains("plate") ? "plate" : "''"
        let permit = vehicleColumns.contains("permit") ? "permit" : "''"
        records.vehicles = try session.rows(
            "SELECT vin, operator_id, registered, \(plate) AS plate, \(permit) AS permit FROM vehicles"
                + (operatorID == nil ? "" : " WHERE operator_id = ?") + " ORDER BY vin\(b)",
            operatorArgument
        ).map {
            VehicleRecord(
                vin: $0.text("vin"), plate: $0.text("plate"), operatorID: $0.text("operator_id"),
                permit: $0.text("permit"), registered: $0.optionalInt64("registered") != 0)
        }

        records.driving = try session.rows(
            """
            SELECT vin, day, level, SUM(distance_m) AS d, SUM(time_s) AS t, SUM(uplink_covered_m) AS u
            FROM vehicle_daily WHERE \(periodScope) AND \(complete) AND \(vinScope)
            GROUP BY vin, day, level ORDER BY vin\(b), day\(b), level
            """, arguments(m)
        ).map {
            DrivingRecord(
                vin: $0.text("vin"), day: $0.text("day"), level: $0.int("level"), meters: $0.double("d"),
                seconds: $0.double("t"), uplinkMeters: $0.double("u"))
        }

        // Register columns of issue 18 and evidence clips (issue 17) when the database has them.
        let eventColumns = try session.columnNames(of: "events")
        let hasFlags = eventColumns.contains("safety_driver")
        let flagColumns =
            hasFlags
            ? "e.road_name AS road_name, e.safety_driver AS safety_driver, e.remote_operator AS remote_operator"
            : "NULL AS road_name, NULL AS safety_driver, NULL AS remote_operator"
        // Issue 17's `event_clips` names the clip file `path` (an early draft: `file`).
        let clipNames = try session.columnNames(of: "event_clips")
        let clipFile = clipNames.contains("path") ? "path" : clipNames.contains("file") ? "file" : nil
        let clipColumns =
            clipFile.map { file in
                """
                (SELECT c.\(file) FROM event_clips c WHERE c.vin = e.vin AND c.time_us = e.time_us AND c.kind = e.kind
                 ORDER BY c.\(file)\(b) LIMIT 1) AS clip_file,
                (SELECT c.sha256 FROM event_clips c WHERE c.vin = e.vin AND c.time_us = e.time_us AND c.kind = e.kind
                 ORDER BY c.\(file)\(b) LIMIT 1) AS clip_sha256
                """
            } ?? "NULL AS clip_file, NULL AS clip_sha256"
        // Tens of thousands of events a month: columns by position, in the order of the SELECT
        // below, each row decoded once (from SQLite's accessors directly).
        var events: [EventRecord] = []
        try session.forEach(
            """
            SELECT e.time_us, e.vin, e.kind, e.level, e.initiator, e.cause, e.latitude, e.longitude,
            e.link_id, e.road_class, e.speed_mps, e.takeover_time_us, e.takeover_outcome, \(flagColumns),
            \(clipColumns)
            FROM events e WHERE e.month >= ? AND e.month <= ? AND e.day >= ? AND e.day <= ?
            AND e.\(complete) AND \(operatorID == nil ? "TRUE" : "e.vin IN (SELECT vin FROM vehicles WHERE operator_id = ?)")
            ORDER BY e.time_us, e.vin\(b), e.kind\(b)
            """, arguments(m)
        ) { row in
            // Kinds this report does not know (a newer schema) are not figures of it.
            guard let kind = EventKind(rawValue: row.text(at: 2)) else { return }
            var record = EventRecord(
                micros: row.int64(at: 0), vin: row.text(at: 1), kind: kind, level: row.int(at: 3),
                initiator: row.text(at: 4), cause: row.text(at: 5), latitude: row.optionalDouble(at: 6),
                longitude: row.optionalDouble(at: 7), linkID: row.optionalText(at: 8),
                roadClass: row.optionalText(at: 9), speed: row.optionalDouble(at: 10),
                takeoverSeconds: row.optionalInt64(at: 11).map { Double($0) / 1e6 },
                takeoverOutcome: row.optionalText(at: 12))
            record.roadName = row.optionalText(at: 13)
            record.safetyDriver = row.optionalInt64(at: 14).map { $0 != 0 }
            record.remoteOperator = row.optionalInt64(at: 15).map { $0 != 0 }
            record.clipFile = row.optionalText(at: 16)
            record.clipSHA256 = row.optionalText(at: 17)
            events.append(record)
        }
        records.events = events

        // Road network; names and geometry when the store has them (`name`, `geometry`).
        let linkColumns = try session.columnNames(of: "road_links")
        let name = linkColumns.contains("name") ? "name" : "''"
        let geometry = linkColumns.contains("geometry") ? "geometry" : "NULL"
        records.links = try session.rows(
            "SELECT id, length_m, road_class, \(name) AS name, \(geometry) AS geometry FROM road_links ORDER BY id\(b)"
        ).map {
            LinkRecord(
                id: $0.text("id"), name: $0.text("name"), roadClass: $0.text("road_class"),
                lengthMeters: $0.double("length_m"),
                points: LinkGeometry.parse($0.text("geometry")))
        }
        records.hours = try hours(session, month: month, vinScope: vinScope, operatorID: operatorID)

        // Runs whose recorded time overlaps the month: the scope of per-run accounting.
        let runScope = """
            run_id IN (SELECT id FROM runs WHERE status = 'complete' AND first_time_us < ? AND last_time_us >= ?)
            """
        let runArguments: [any DatabaseValueConvertible] = [month.endMicros, month.startMicros]
        records.rsus = try rsus(session, month: month)
        records.reception = try session.rows(
            """
            SELECT rsu_id, band_index, SUM(received) AS r, SUM(expected) AS e FROM v2x_reception
            WHERE \(periodScope) AND \(complete) AND \(vinScope) GROUP BY rsu_id, band_index
            ORDER BY rsu_id\(b), band_index
            """, arguments(m)
        ).compactMap { row in
            let index = row.int("band_index")
            guard V2XSection.bands.indices.contains(index) else { return nil }
            let band = V2XSection.bands[index]
            return ReceptionRecord(
                rsuID: row.text("rsu_id"), bandLower: band.0, bandUpper: band.1, received: row.int("r"),
                expected: row.double("e"))
        }

        // Sources in scope: all, or the operator's terminals (JT/T 808) only.
        let sourceScope =
            operatorID == nil
            ? "TRUE" : "source_id IN (SELECT 'jt808/' || terminal_number FROM vehicles WHERE operator_id = ?)"
        records.sources = try session.rows(
            """
            SELECT source_id, SUM(received) AS received, SUM(decoded) AS decoded, SUM(rejected) AS rejected,
            SUM(duplicates) AS duplicates, SUM(clock_offset_samples) AS n,
            SUM(clock_offset_mean_us * clock_offset_samples) AS offset
            FROM data_health WHERE \(runScope) AND \(sourceScope) GROUP BY source_id ORDER BY source_id\(b)
            """, arguments(runArguments)
        ).map { row in
            let source = row.text("source_id")
            let samples = row.int("n")
            let offset = row.optionalDouble("offset")
            return SourceHealthRecord(
                source: source, kind: String(source.prefix { $0 != "/" }), received: row.int("received"),
                decoded: row.int("decoded"), rejected: row.int("rejected"), duplicates: row.int("duplicates"),
                clockOffsetMillis: samples > 0 ? offset.map { $0 / Double(samples) / 1000 } : nil)
        }
        records.rejects = try session.rows(
            """
            SELECT source_id, reason, SUM(count) AS n FROM rejected_reasons WHERE \(runScope) AND \(sourceScope)
            GROUP BY source_id, reason ORDER BY source_id\(b), reason\(b)
            """, arguments(runArguments)
        ).map { RejectRecord(source: $0.text("source_id"), reason: $0.text("reason"), count: $0.int("n")) }
        var sequences = try session.rows(
            """
            SELECT stream_kind, stream_id, SUM(count) AS c, SUM(gaps) AS g, SUM(repeats) AS r,
            SUM(reordered) AS o, SUM(resets) AS s FROM sequence_health WHERE \(runScope)
            GROUP BY stream_kind, stream_id ORDER BY stream_kind\(b), stream_id\(b)
            """, runArguments
        ).map {
            SequenceRecord(
                streamKind: $0.text("stream_kind"), streamID: $0.text("stream_id"), count: $0.int("c"),
                gaps: $0.int("g"), repeats: $0.int("r"), reordered: $0.int("o"), resets: $0.int("s"))
        }
        if let operatorID {
            // The operator's streams: its terminals' JT/T 808 serials and its OBUs' BSM msgCnt.
            let own = try session.rows(
                "SELECT terminal_number, obu_id FROM vehicles WHERE operator_id = ?", [operatorID])
            let terminals = Set(own.compactMap { $0.optionalText("terminal_number") })
            let obus = Set(own.compactMap { $0.optionalText("obu_id") })
            sequences = sequences.filter {
                ($0.streamKind == "jt808-serial" && terminals.contains($0.streamID))
                    || ($0.streamKind == "bsm-msgcnt" && obus.contains($0.streamID))
            }
        }
        records.sequences = sequences
        records.trackGaps = try session.rows(
            """
            SELECT vin, SUM(time_gaps) AS g, SUM(outlier_steps) AS o FROM vehicle_runs
            WHERE \(runScope) AND \(vinScope) GROUP BY vin ORDER BY vin\(b)
            """, arguments(runArguments)
        ).map { TrackGapRecord(vin: $0.text("vin"), timeGaps: $0.int("g"), outlierSteps: $0.int("o")) }
        if operatorID == nil,
            let row = try session.row(
                """
                SELECT COALESCE(SUM(bsm_from_unregistered_obu), 0) AS b,
                COALESCE(SUM(unknown_vehicle_observations), 0) AS u FROM unattributed WHERE \(runScope)
                """, runArguments)
        {
            records.unattributed = UnattributedRecord(
                bsmFromUnregisteredOBU: row.int("b"), unknownVehicleObservations: row.int("u"))
        }
        records.runs = try runs(session, period: month)
        return records
    }

    /// Link usage and visited grid cells of a period: the largest tables (a row per vehicle,
    /// day and link or cell), read in index order.
    static func coverage(_ session: any StoreReadSession, month: ReportPeriod, operatorID: String?) throws
        -> (linkUsage: [LinkUsageRecord], grid: GridRecord)
    {
        let scope = ReadScope(month: month, operatorID: operatorID)
        let (m, vinScope) = (scope.bounds, scope.vinScope)
        let arguments = scope.arguments
        var records = ReportRecords()
        // Vehicle-days per link in one ordered pass (LinkUsageScan); the automated distance per
        // link only when the store records it.
        let coverageColumns = try session.columnNames(of: "link_coverage")
        let linkCondition = "\(periodScope) AND \(complete) AND \(vinScope)"
        var linkMeters: [String: Double] = [:]
        if coverageColumns.contains("distance_m") {
            for row in try session.rows(
                """
                SELECT link_id, SUM(distance_m) AS d FROM link_coverage WHERE \(linkCondition) GROUP BY link_id
                ORDER BY link_id\(session.dialect.bytewise)
                """, arguments(m))
            {
                linkMeters[row.text("link_id")] = row.double("d")
            }
        }
        records.linkUsage = try LinkUsageScan.vehicleDays(
            session, condition: linkCondition, arguments: arguments(m)
        )
        .map {
            LinkUsageRecord(
                linkID: $0.linkID, vehicleDays: $0.vehicleDays, automatedMeters: linkMeters[$0.linkID])
        }

        if let grid = try session.row("SELECT cell_size_m, columns, rows FROM coverage_grid WHERE id = 1") {
            let columns = grid.int("columns")
            let rows = grid.int("rows")
            // The visited cells by seeking, per month, the first complete row of each next cell in
            // the index `grid_coverage_cell (month, cell, ...)`: a few hundred seeks where
            // `DISTINCT cell` sorts every row (0.5 s for a month of 500 vehicles).
            var cells: [Int] = []
            let next = """
                SELECT MIN(cell) FROM grid_coverage \(
                    try session.indexHint(table: "grid_coverage", index: "grid_coverage_cell"))
                WHERE month = ? AND cell > ? AND day >= ? AND day <= ? AND \(complete) AND \(vinScope)
                """
            for calendarMonth in month.months {
                var cell = Int.min
                while let found = try session.int64(
                    next,
                    arguments([
                        calendarMonth.description, cell, month.firstDayString, month.lastDayString,
                    ]))
                {
                    cells.append(Int(found))
                    cell = Int(found)
                }
            }
            cells = Set(cells).sorted()
            records.grid = GridRecord(
                cellMeters: grid.double("cell_size_m"), totalCells: columns * rows,
                visitedCells: cells.map {
                    GridCell(column: columns > 0 ? $0 % columns : 0, row: columns > 0 ? $0 / columns : 0)
                })
        }

        return (records.linkUsage, records.grid)
    }

    /// Every run whose recorded time overlaps the period, with files and reader warnings.
    static func runs(_ session: any StoreReadSession, period: ReportPeriod) throws -> [RunRecord] {
        let hasWarnings = try session.hasTable("run_warnings")
        let b = session.dialect.bytewise
        return try session.rows(
            """
            SELECT id, kind, status, first_time_us, last_time_us, frames FROM runs
            WHERE first_time_us < ? AND last_time_us >= ? ORDER BY id
            """, [period.endMicros, period.startMicros]
        ).map { row in
            let id = row.int64("id")
            let files = try session.rows(
                "SELECT path, sha256, bytes FROM run_files WHERE run_id = ? ORDER BY path\(b), sha256\(b)",
                [id]
            ).map {
                RunFileRecord(path: $0.text("path"), sha256: $0.text("sha256"), bytes: $0.int64("bytes"))
            }
            let warnings =
                hasWarnings
                ? try session.texts(
                    """
                    SELECT journal_file || ': ' || warning FROM run_warnings WHERE run_id = ?
                    ORDER BY \(session.dialect.insertionOrder)
                    """, [id]) : []
            return RunRecord(
                id: id, kind: row.text("kind"), status: row.text("status"),
                firstMicros: row.optionalInt64("first_time_us"),
                lastMicros: row.optionalInt64("last_time_us"),
                frames: row.int64("frames"), files: files, warnings: warnings)
        }
    }

    /// Automated (L3/L4, status active) time and distance by local hour of day, from the mode
    /// segments clipped to the month; a segment's distance is shared out in proportion to time.
    static func hours(
        _ session: any StoreReadSession, month: ReportPeriod, vinScope: String, operatorID: String?
    )
        throws -> [HourRecord]
    {
        var totals: [String: [(seconds: Double, meters: Double)]] = [:]
        try session.forEach(
            """
            SELECT vin, start_us, end_us, distance_m FROM mode_segments
            WHERE status = 2 AND level IN (3, 4) AND start_us < ? AND end_us > ? AND end_us > start_us
            AND \(complete) AND \(vinScope)
            """,
            [month.endMicros, month.startMicros] + (operatorID.map { [$0] } ?? [])
        ) { row in
            let vin = row.text(at: 0)
            let start = row.int64(at: 1)
            let end = row.int64(at: 2)
            let meters = row.double(at: 3)
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
    static func rsus(_ session: any StoreReadSession, month: ReportPeriod) throws -> [RSURecord] {
        let m: [any DatabaseValueConvertible] = [
            month.firstMonthString, month.lastMonthString, month.firstDayString, month.lastDayString,
        ]
        var ids = Set(
            try session.texts(
                "SELECT id FROM sources WHERE kind = 'cv2x' AND latitude IS NOT NULL AND longitude IS NOT NULL"
            ).map { $0.hasPrefix("cv2x/") ? String($0.dropFirst(5)) : $0 })
        ids.formUnion(
            try session.texts(
                "SELECT DISTINCT rsu_id FROM v2x_reception WHERE \(periodScope) AND \(complete)", m))
        // `runs.node` (issue 20): absent in databases written before it.
        let node = try session.columnNames(of: "runs").contains("node") ? "node" : "'' AS node"
        let runs = try session.rows(
            """
            SELECT id, first_time_us, last_time_us, \(node) FROM runs WHERE status = 'complete'
            AND first_time_us < ? AND last_time_us >= ? ORDER BY id
            """, [month.endMicros, month.startMicros])
        func clipped(_ a: Int64?, _ b: Int64?) -> Double {
            guard let a, let b else { return 0 }
            let start = max(a, month.startMicros)
            let end = min(b, month.endMicros)
            return end > start ? Double(end - start) / 1e6 : 0
        }
        // The recorded time: the runs of one process one after the other add up; the runs of
        // several ingest nodes (`--shard K/N`, `runs.node`) record the same feed at the same
        // time, so they count as the union of their spans (one node's span when they agree).
        var expected = 0.0
        var nodeSpans: [(start: Int64, end: Int64)] = []
        for run in runs {
            let first = run.optionalInt64("first_time_us")
            let last = run.optionalInt64("last_time_us")
            if run.text("node").isEmpty {
                expected += clipped(first, last)
            } else if let first, let last, min(last, month.endMicros) > max(first, month.startMicros) {
                nodeSpans.append((max(first, month.startMicros), min(last, month.endMicros)))
            }
        }
        var covered: (start: Int64, end: Int64)?
        for span in nodeSpans.sorted(by: { $0.start < $1.start }) {
            if let current = covered, span.start <= current.end {
                covered = (current.start, max(current.end, span.end))
            } else {
                if let current = covered { expected += Double(current.end - current.start) / 1e6 }
                covered = span
            }
        }
        if let current = covered { expected += Double(current.end - current.start) / 1e6 }
        // `outage_us` (issue 16): absent in databases written before it.
        let outageColumn =
            try session.columnNames(of: "data_health").contains("outage_us") ? "outage_us" : "0 AS outage_us"
        var records: [RSURecord] = []
        for id in ids.sorted() {
            let position = try session.row(
                "SELECT latitude, longitude FROM sources WHERE id = ?", ["cv2x/" + id])
            var available = 0.0
            for row in try session.rows(
                """
                SELECT first_seen_us, last_seen_us, \(outageColumn) FROM data_health WHERE source_id = ? AND run_id IN (
                SELECT id FROM runs WHERE status = 'complete' AND first_time_us < ? AND last_time_us >= ?)
                ORDER BY run_id
                """, ["cv2x/" + id, month.endMicros, month.startMicros])
            {
                // Silences inside the span (data time, issue 16) are outages.
                let outage = row.optionalInt64("outage_us") ?? 0
                available += max(
                    0,
                    clipped(row.optionalInt64("first_seen_us"), row.optionalInt64("last_seen_us"))
                        - Double(outage) / 1e6)
            }
            let latitude = position?.optionalDouble("latitude")
            let longitude = position?.optionalDouble("longitude")
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
