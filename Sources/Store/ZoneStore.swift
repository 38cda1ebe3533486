import Foundation
import GRDB
import Metrics
import Zone

/// A journal file that a run processed, identified by the SHA-256 of its content.
public struct RunFile: Sendable, Hashable {
    /// Path as given on the command line.
    public var path: String
    /// Lower-case hex SHA-256 of the file content.
    public var sha256: String
    /// Size in bytes.
    public var bytes: Int64

    /// Creates a run file record.
    public init(path: String, sha256: String, bytes: Int64) {
        self.path = path
        self.sha256 = sha256
        self.bytes = bytes
    }
}

/// A frame the decoders rejected, kept with its raw bytes as evidence.
public struct RejectedFrame: Sendable, Hashable {
    /// Receive (log) time.
    public var time: Microseconds
    /// ZeroMQ topic.
    public var topic: String
    /// Reason (decoder error description).
    public var reason: String
    /// The raw payload.
    public var payload: [UInt8]
    /// Journal file and message index the frame came from, if any.
    public var journalFile: String?
    /// Message index in the journal file.
    public var messageIndex: Int64?

    /// Creates a rejected-frame record.
    public init(
        time: Microseconds, topic: String, reason: String, payload: [UInt8], journalFile: String? = nil,
        messageIndex: Int64? = nil
    ) {
        self.time = time
        self.topic = topic
        self.reason = reason
        self.payload = payload
        self.journalFile = journalFile
        self.messageIndex = messageIndex
    }
}

/// Where a journal has been applied up to (for exactly-once replay after a crash).
public struct JournalCheckpoint: Sendable, Hashable {
    /// Journal file path.
    public var journalFile: String
    /// Run the journal was applied in.
    public var runID: Int64?
    /// Byte offset in the journal after the last applied message.
    public var byteOffset: Int64
    /// Number of messages applied.
    public var messageIndex: Int64
    /// Log time of the last applied message.
    public var logTime: Microseconds?
    /// Whether the whole journal has been applied.
    public var complete: Bool

    /// Creates a checkpoint.
    public init(
        journalFile: String, runID: Int64?, byteOffset: Int64, messageIndex: Int64, logTime: Microseconds?,
        complete: Bool
    ) {
        self.journalFile = journalFile
        self.runID = runID
        self.byteOffset = byteOffset
        self.messageIndex = messageIndex
        self.logTime = logTime
        self.complete = complete
    }
}

/// The TestZone database (SQLite in WAL mode through a GRDB `DatabasePool`).
public final class ZoneStore: Sendable {
    /// The underlying pool (readers run concurrently with the writer).
    public let pool: DatabasePool

    /// Opens (creating if needed) and migrates the database at `path`.
    public init(path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ZoneStoreError(path: path, reason: "is a directory, not a database file")
        }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory)
            || !isDirectory.boolValue
        {
            throw ZoneStoreError(path: path, reason: "its directory \(parent) does not exist")
        }
        try Self.refuseForeign(path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        pool = try DatabasePool(path: path, configuration: configuration)
        try Schema.migrator.migrate(pool)
    }

    /// Throws for an existing file that is not an SQLite database, or an SQLite database of
    /// another program (tables, but not TestZone's): opening it as a pool would switch it to WAL
    /// mode and the migration would write TestZone's tables into it. An empty file (or none) is
    /// a new database. Looks with a read-only connection, so the file is left as it is.
    static func refuseForeign(_ path: String) throws {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > 0
        else { return }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(30)
        let foreign: Bool
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            foreign = try queue.read { db in
                let tables = try String.fetchAll(
                    db,
                    sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                if tables.isEmpty { return false }
                guard tables.contains("grdb_migrations") else { return true }
                return
                    !(try Bool.fetchOne(
                        db, sql: "SELECT COUNT(*) > 0 FROM grdb_migrations WHERE identifier = ?",
                        arguments: [Schema.firstMigration]) ?? false)
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw ZoneStoreError(path: path, reason: "not an SQLite database (is this the right file?)")
        }
        if foreign {
            throw ZoneStoreError(
                path: path,
                reason:
                    "not a TestZone database (another program's tables; give a new file or one written by `testzone replay --db` or `testzone ingest`)"
            )
        }
    }

    /// Wraps an open pool (no migration).
    init(pool: DatabasePool) {
        self.pool = pool
    }

    // MARK: Zone registry

    /// Records what the journal reader reported for a run's files (truncation, corrupt chunks
    /// skipped), so reports flag the run as incomplete (issue 18).
    public func recordRunWarnings(_ run: Int64, warnings: [(journalFile: String, warning: String)]) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM run_warnings WHERE run_id = ?", arguments: [run])
            for item in warnings {
                try db.execute(
                    sql: "INSERT INTO run_warnings(run_id, journal_file, warning) VALUES (?, ?, ?)",
                    arguments: [run, item.journalFile, item.warning])
            }
        }
    }

    /// Records the zone registry: operators, vehicles, RSUs (as `cv2x/<id>` sources), road links and grid.
    public func registerZone(_ configuration: MetricsConfiguration, operators: [String: String] = [:]) throws
    {
        try pool.write { db in
            try Self.upsertVehicles(db, configuration.vehicles)
            var operatorIDs = Set(configuration.vehicles.map(\.operatorID))
            operatorIDs.formUnion(operators.keys)
            let op = try InsertStatement(
                db,
                sql:
                    "INSERT INTO operators(id, name) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name"
            )
            for id in operatorIDs.sorted() where !id.isEmpty {
                op.bind(1, id)
                op.bind(2, operators[id] ?? id)
                try op.step()
            }
            let source = try InsertStatement(
                db,
                sql: """
                    INSERT INTO sources(id, kind, latitude, longitude) VALUES (?, 'cv2x', ?, ?)
                    ON CONFLICT(id) DO UPDATE SET latitude = excluded.latitude, longitude = excluded.longitude
                    """)
            for rsu in configuration.rsus {
                source.bind(1, "cv2x/\(rsu.id)")
                source.bind(2, rsu.latitude)
                source.bind(3, rsu.longitude)
                try source.step()
            }
            if let roads = configuration.roads {
                try db.execute(sql: "DELETE FROM road_links")
                let link = try InsertStatement(
                    db, sql: "INSERT INTO road_links(id, length_m, road_class, name) VALUES (?, ?, ?, ?)")
                for info in roads.links {
                    link.bind(1, info.id)
                    link.bind(2, info.length)
                    link.bind(3, info.roadClass)
                    link.bind(4, info.name)
                    try link.step()
                }
            }
            if let grid = configuration.grid {
                let southWest = grid.projection.unproject(grid.southWest)
                let northEast = grid.projection.unproject(
                    LocalPoint(
                        east: grid.southWest.east + Double(grid.columns) * grid.cellSize,
                        north: grid.southWest.north + Double(grid.rows) * grid.cellSize))
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO coverage_grid
                        (id, min_latitude, min_longitude, max_latitude, max_longitude, cell_size_m, columns, rows)
                        VALUES (1, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        southWest.latitude, southWest.longitude, northEast.latitude, northEast.longitude,
                        grid.cellSize,
                        grid.columns, grid.rows,
                    ])
            }
        }
    }

    static func upsertVehicles(_ db: Database, _ vehicles: [VehicleIdentity]) throws {
        let statement = try InsertStatement(
            db,
            sql: """
                INSERT INTO vehicles(vin, operator_id, terminal_number, obu_id, registered) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(vin) DO UPDATE SET operator_id = excluded.operator_id,
                  terminal_number = excluded.terminal_number, obu_id = excluded.obu_id,
                  registered = excluded.registered
                """)
        for vehicle in vehicles {
            statement.bind(1, vehicle.vin)
            statement.bind(2, vehicle.operatorID)
            statement.bind(3, vehicle.terminalNumber)
            statement.bind(4, vehicle.obuID.map { hex($0) })
            statement.bind(5, vehicle.registered ? 1 : 0)
            try statement.step()
        }
    }

    /// Sixteen lower-case hex digits of an OBU id.
    public static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
    }

    // MARK: Runs

    /// Starts a run over a set of journal files, replacing any earlier run with the same key or
    /// sharing any file (by content hash): reprocessing a recording replaces, never adds.
    /// Returns the new run id.
    public func beginRun(
        key: String, files: [RunFile], kind: String = "replay", softwareVersion: String = "",
        configuration: String = "", startedAt: Microseconds
    ) throws -> Int64 {
        try pool.write { db in
            var stale = try Int64.fetchAll(db, sql: "SELECT id FROM runs WHERE key = ?", arguments: [key])
            for file in files {
                stale += try Int64.fetchAll(
                    db, sql: "SELECT run_id FROM run_files WHERE sha256 = ?", arguments: [file.sha256])
            }
            for id in Set(stale) { try db.execute(sql: "DELETE FROM runs WHERE id = ?", arguments: [id]) }
            try db.execute(
                sql: """
                    INSERT INTO runs(key, kind, status, started_at_us, software_version, configuration)
                    VALUES (?, ?, 'running', ?, ?, ?)
                    """,
                arguments: [key, kind, startedAt, softwareVersion, configuration])
            let run = db.lastInsertedRowID
            for file in Set(files) {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO run_files(run_id, sha256, path, bytes) VALUES (?, ?, ?, ?)",
                    arguments: [run, file.sha256, file.path, file.bytes])
            }
            return run
        }
    }

    /// Deletes a run and everything derived from it.
    public func deleteRun(_ run: Int64) throws {
        try pool.write { db in try db.execute(sql: "DELETE FROM runs WHERE id = ?", arguments: [run]) }
    }

    /// Tables holding a run's aggregate (rewritten as a whole by ``finishRun(_:metrics:frames:finishedAt:)``
    /// and ``writeSnapshot(_:metrics:frames:)``; rejected frames are appended separately).
    static let resultTables = [
        "vehicle_runs", "vehicle_daily", "mode_segments", "events", "link_coverage", "grid_coverage",
        "v2x_reception", "data_health", "rejected_reasons", "sequence_health", "unattributed",
    ]

    /// Writes a run's aggregate (one transaction, replacing any earlier snapshot of the run) and
    /// marks the run complete.
    public func finishRun(
        _ run: Int64, metrics: ZoneMetrics, frames: Int64, finishedAt: Microseconds
    ) throws {
        try write(run, metrics: metrics, frames: frames, finishedAt: finishedAt)
    }

    /// Writes the aggregate so far of a run that goes on (live ingest): replaces the run's earlier
    /// snapshot in one transaction; the run stays `running`.
    public func writeSnapshot(_ run: Int64, metrics: ZoneMetrics, frames: Int64) throws {
        try write(run, metrics: metrics, frames: frames, finishedAt: nil)
    }

    private func write(_ run: Int64, metrics: ZoneMetrics, frames: Int64, finishedAt: Microseconds?) throws {
        try pool.write { db in
            for table in Self.resultTables {
                try db.execute(sql: "DELETE FROM \(table) WHERE run_id = ?", arguments: [run])
            }
            try ResultWriter(db: db, run: run, metrics: metrics).write()
            let times = metrics.vehicles.values.compactMap { v in
                v.summary.firstTime.map { ($0, v.summary.lastTime ?? $0) }
            }
            try db.execute(
                sql: """
                    UPDATE runs SET status = ?, finished_at_us = ?, frames = ?, first_time_us = ?,
                    last_time_us = ? WHERE id = ?
                    """,
                arguments: [
                    finishedAt == nil ? "running" : "complete", finishedAt, frames, times.map(\.0).min(),
                    times.map(\.1).max(), run,
                ])
        }
    }

    /// Keys and status of all runs.
    public func runs() throws -> [(id: Int64, key: String, status: String, frames: Int64)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, key, status, frames FROM runs ORDER BY id").map {
                (id: $0["id"], key: $0["key"], status: $0["status"], frames: $0["frames"])
            }
        }
    }

    // MARK: Rejected frames

    /// Appends rejected frames in one transaction (use ``RejectedFrameWriter`` for batching).
    public func insertRejectedFrames(_ frames: [RejectedFrame], run: Int64) throws {
        guard !frames.isEmpty else { return }
        try pool.write { db in
            let statement = try InsertStatement(
                db,
                sql: """
                    INSERT INTO rejected_frames(run_id, time_us, topic, reason, payload, journal_file, message_index)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """)
            for frame in frames {
                statement.bind(1, run)
                statement.bind(2, frame.time)
                statement.bind(3, frame.topic)
                statement.bind(4, frame.reason)
                statement.bind(5, bytes: frame.payload)
                statement.bind(6, frame.journalFile)
                statement.bind(7, frame.messageIndex)
                try statement.step()
            }
        }
    }

    // MARK: Journal checkpoints

    /// Records how far a journal has been applied.
    public func saveCheckpoint(_ checkpoint: JournalCheckpoint, at now: Microseconds) throws {
        try pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO journal_checkpoints
                    (journal_file, run_id, byte_offset, message_index, log_time_us, complete, updated_at_us)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(journal_file) DO UPDATE SET run_id = excluded.run_id,
                      byte_offset = excluded.byte_offset, message_index = excluded.message_index,
                      log_time_us = excluded.log_time_us, complete = excluded.complete,
                      updated_at_us = excluded.updated_at_us
                    """,
                arguments: [
                    checkpoint.journalFile, checkpoint.runID, checkpoint.byteOffset, checkpoint.messageIndex,
                    checkpoint.logTime, checkpoint.complete, now,
                ])
        }
    }

    /// The checkpoint of a journal file, if any.
    public func checkpoint(journalFile: String) throws -> JournalCheckpoint? {
        try pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM journal_checkpoints WHERE journal_file = ?", arguments: [journalFile]
            ).map {
                JournalCheckpoint(
                    journalFile: $0["journal_file"], runID: $0["run_id"], byteOffset: $0["byte_offset"],
                    messageIndex: $0["message_index"], logTime: $0["log_time_us"], complete: $0["complete"])
            }
        }
    }
}

/// Batches rejected frames: one transaction per `batchSize` frames.
public struct RejectedFrameWriter: Sendable {
    private let store: ZoneStore
    private let run: Int64
    private let batchSize: Int
    private var pending: [RejectedFrame] = []
    /// Frames written so far.
    public private(set) var written: Int64 = 0

    /// Creates a writer for a run.
    public init(store: ZoneStore, run: Int64, batchSize: Int = 10_000) {
        self.store = store
        self.run = run
        self.batchSize = batchSize
        pending.reserveCapacity(min(batchSize, 1024))
    }

    /// Queues a frame, writing the batch when full.
    public mutating func append(_ frame: RejectedFrame) throws {
        pending.append(frame)
        if pending.count >= batchSize { try flush() }
    }

    /// Writes what is queued.
    public mutating func flush() throws {
        guard !pending.isEmpty else { return }
        try store.insertRejectedFrames(pending, run: run)
        written += Int64(pending.count)
        pending.removeAll(keepingCapacity: true)
    }
}
