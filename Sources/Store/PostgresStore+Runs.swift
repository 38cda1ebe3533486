import Foundation
import GRDB
import Logging
import Metrics
import PostgresNIO

/// A node's shard of a sharded ingest (`--shard K/N`) as recorded in the `nodes` table.
public struct NodeRecord: Sendable, Hashable {
    /// Node id (`shard-K-of-N` unless named).
    public var id: String
    /// K (0-based).
    public var shard: Int
    /// N.
    public var shards: Int
    /// The node's current run.
    public var runID: Int64?
    /// The node's ingest session (journal file prefix).
    public var session: String
    /// Host name of the machine running the node.
    public var host: String
    /// When the node started its session (wall clock, µs).
    public var startedAt: Microseconds
    /// When the node last committed (wall clock, µs).
    public var lastCommitAt: Microseconds?
    /// Frames the node has processed in its session.
    public var frames: Int64
    /// The latest data time the node has committed (µs).
    public var lastDataTime: Microseconds?
    /// `running`, `stopped` or `interrupted`.
    public var status: String

    /// Creates a record.
    public init(
        id: String, shard: Int, shards: Int, runID: Int64? = nil, session: String = "", host: String = "",
        startedAt: Microseconds, lastCommitAt: Microseconds? = nil, frames: Int64 = 0,
        lastDataTime: Microseconds? = nil, status: String = "running"
    ) {
        self.id = id
        self.shard = shard
        self.shards = shards
        self.runID = runID
        self.session = session
        self.host = host
        self.startedAt = startedAt
        self.lastCommitAt = lastCommitAt
        self.frames = frames
        self.lastDataTime = lastDataTime
        self.status = status
    }
}

extension PostgresStore {
    /// Starts a run of `node` over a set of journal files, replacing any earlier run with the same
    /// key or sharing any file (by content hash), as ``ZoneStore/beginRun(key:files:kind:softwareVersion:configuration:startedAt:)``.
    /// Returns the new run id.
    public func beginRun(
        key: String, node: String = "", files: [RunFile], kind: String = "replay",
        softwareVersion: String = "",
        configuration: String = "", startedAt: Microseconds
    ) async throws -> Int64 {
        try await transaction("starting a run") { connection in
            var binds = PostgresBindings()
            binds.append(key)
            binds.append(files.map(\.sha256))
            try await connection.run(
                """
                DELETE FROM runs WHERE key = $1
                   OR id IN (SELECT run_id FROM run_files WHERE sha256 = ANY($2))
                """, binds, logger: logger)
            var insert = PostgresBindings()
            insert.append(key)
            insert.append(kind)
            insert.append(startedAt)
            insert.append(softwareVersion)
            insert.append(configuration)
            insert.append(node)
            let id = try await connection.texts(
                """
                INSERT INTO runs(key, kind, status, started_at_us, software_version, configuration, node)
                VALUES ($1, $2, 'running', $3, $4, $5, $6) RETURNING id::text
                """, insert, logger: logger)
            guard let text = id.first?.first ?? nil, let run = Int64(text) else {
                throw ZoneStoreError(path: location.description, reason: "starting a run: no run id returned")
            }
            try await connection.insert(
                "run_files", columns: ["run_id", "sha256", "path", "bytes"],
                rows: Set(files).sorted { $0.sha256 < $1.sha256 }.map {
                    [.integer(run), .text($0.sha256), .text($0.path), .integer($0.bytes)]
                }, suffix: "ON CONFLICT DO NOTHING", logger: logger)
            return run
        }
    }

    /// Commits a live run's progress in one transaction, as ``ZoneStore/commitLiveRun(_:metrics:cache:span:frames:rejected:checkpoints:complete:files:at:)``:
    /// replaces the run's rows of every vehicle in `metrics` (all the run's derived rows first
    /// when `rewrite`: the first commit of a process) and its health rows, appends `rejected`
    /// frames, saves `checkpoints`, updates the run's frame count and data-time span and the
    /// node's `nodes` row (when `node` is registered), and when `complete` records the journal
    /// `files` (replacing any other run over the same files) and marks the run complete.
    /// Returns the number of result rows written. Committing the same aggregate again leaves
    /// the same rows (idempotent).
    @discardableResult
    public func commitLiveRun(
        _ run: Int64, node: String? = nil, metrics: ZoneMetrics, rewrite: Bool,
        span: (first: Microseconds?, last: Microseconds?), frames: Int64, rejected: [RejectedFrame],
        checkpoints: [JournalCheckpoint], complete: Bool, files: [RunFile], at now: Microseconds
    ) async throws -> Int {
        var sink = PostgresResultRows()
        try ResultRowProducer(metrics: metrics).produce(into: &sink)
        let collected = sink
        let first = span.first
        let last = span.last
        return try await transaction("committing run \(run)") { connection in
            try await Self.upsertVehicles(collected.identities, on: connection, logger: logger)
            try await connection.insert(
                "sources", columns: ["id", "kind"],
                rows: collected.sources.map { [.text($0.name), .text($0.kind)] },
                suffix: "ON CONFLICT (id) DO NOTHING",
                logger: logger)
            var runOnly = PostgresBindings()
            runOnly.append(run)
            var runAndVehicles = PostgresBindings()
            runAndVehicles.append(run)
            runAndVehicles.append(collected.vehicles)
            for table in ResultTable.allCases {
                if rewrite || !table.isPerVehicle {
                    try await connection.run(
                        "DELETE FROM \(table.name) WHERE run_id = $1", runOnly, logger: logger)
                } else if !collected.vehicles.isEmpty {
                    try await connection.run(
                        "DELETE FROM \(table.name) WHERE run_id = $1 AND vin = ANY($2)", runAndVehicles,
                        logger: logger)
                }
            }
            let runValue = DatabaseValue.integer(run)
            for table in ResultTable.allCases {
                try await connection.insert(
                    table.name, columns: ["run_id"] + table.columns,
                    rows: collected.rows[table.rawValue].map { [runValue] + $0 }, logger: logger)
            }
            try await connection.insert(
                "rejected_frames",
                columns: [
                    "run_id", "time_us", "topic", "reason", "payload", "journal_file", "message_index",
                ],
                rows: rejected.map {
                    [
                        runValue, .integer($0.time), .text($0.topic), .text($0.reason),
                        Data($0.payload).databaseValue, $0.journalFile.databaseValue,
                        $0.messageIndex.databaseValue,
                    ]
                }, logger: logger)
            try await connection.insert(
                "journal_checkpoints",
                columns: [
                    "journal_file", "run_id", "byte_offset", "message_index", "log_time_us", "complete",
                    "updated_at_us",
                ],
                rows: checkpoints.map {
                    [
                        .text($0.journalFile), $0.runID.databaseValue, .integer($0.byteOffset),
                        .integer($0.messageIndex), $0.logTime.databaseValue,
                        .integer($0.complete ? 1 : 0), .integer(now),
                    ]
                },
                suffix: """
                    ON CONFLICT (journal_file) DO UPDATE SET run_id = EXCLUDED.run_id,
                      byte_offset = EXCLUDED.byte_offset, message_index = EXCLUDED.message_index,
                      log_time_us = EXCLUDED.log_time_us, complete = EXCLUDED.complete,
                      updated_at_us = EXCLUDED.updated_at_us
                    """, logger: logger)
            var update = PostgresBindings()
            update.append(frames)
            update.append(first)
            update.append(last)
            update.append(run)
            try await connection.run(
                "UPDATE runs SET frames = $1, first_time_us = $2, last_time_us = $3 WHERE id = $4", update,
                logger: logger)
            if let node {
                var binds = PostgresBindings()
                binds.append(now)
                binds.append(frames)
                binds.append(last)
                binds.append(run)
                binds.append(node)
                try await connection.run(
                    """
                    UPDATE nodes SET last_commit_at_us = $1, frames = $2,
                      last_data_time_us = GREATEST(last_data_time_us, $3), run_id = $4 WHERE id = $5
                    """, binds, logger: logger)
            }
            if complete {
                var others = PostgresBindings()
                others.append(files.map(\.sha256))
                others.append(run)
                try await connection.run(
                    "DELETE FROM runs WHERE id IN (SELECT run_id FROM run_files WHERE sha256 = ANY($1) AND run_id <> $2)",
                    others, logger: logger)
                try await connection.insert(
                    "run_files", columns: ["run_id", "sha256", "path", "bytes"],
                    rows: Set(files).sorted { $0.sha256 < $1.sha256 }.map {
                        [runValue, .text($0.sha256), .text($0.path), .integer($0.bytes)]
                    }, suffix: "ON CONFLICT DO NOTHING", logger: logger)
                var done = PostgresBindings()
                done.append(now)
                done.append(run)
                try await connection.run(
                    "UPDATE runs SET status = 'complete', finished_at_us = $1 WHERE id = $2", done,
                    logger: logger)
            }
            return collected.count
        }
    }

    /// Sets a run's status and finish time (see ``ZoneStore/markRun(_:status:at:)``).
    public func markRun(_ run: Int64, status: String, at now: Microseconds) async throws {
        var binds = PostgresBindings()
        binds.append(status)
        binds.append(now)
        binds.append(run)
        try await transaction("marking run \(run)") { connection in
            try await connection.run(
                "UPDATE runs SET status = $1, finished_at_us = $2 WHERE id = $3", binds, logger: logger)
        }
    }

    /// Deletes a run and everything derived from it.
    public func deleteRun(_ run: Int64) async throws {
        var binds = PostgresBindings()
        binds.append(run)
        try await transaction("deleting run \(run)") { connection in
            try await connection.run("DELETE FROM runs WHERE id = $1", binds, logger: logger)
        }
    }

    /// The live runs of `node` that were not finished: id and key.
    public func unfinishedLiveRuns(node: String = "") async throws -> [(id: Int64, key: String)] {
        var binds = PostgresBindings()
        binds.append(node)
        return try await rows(
            "SELECT id::text, key FROM runs WHERE kind = 'live' AND status = 'running' AND node = $1 ORDER BY id",
            binds
        ).compactMap { row in
            guard row.count == 2, let id = row[0].flatMap({ Int64($0) }), let key = row[1] else { return nil }
            return (id: id, key: key)
        }
    }

    /// The checkpoints recorded for a run, by journal file.
    public func checkpoints(run: Int64) async throws -> [JournalCheckpoint] {
        var binds = PostgresBindings()
        binds.append(run)
        return try await rows(
            """
            SELECT journal_file, run_id::text, byte_offset::text, message_index::text, log_time_us::text,
                   complete::text
            FROM journal_checkpoints WHERE run_id = $1 ORDER BY journal_file
            """, binds
        ).map { row in
            JournalCheckpoint(
                journalFile: row[0] ?? "", runID: row[1].flatMap { Int64($0) },
                byteOffset: row[2].flatMap { Int64($0) } ?? 0,
                messageIndex: row[3].flatMap { Int64($0) } ?? 0,
                logTime: row[4].flatMap { Int64($0) }, complete: row[5] == "1")
        }
    }

    /// Deletes a run's rejected-frame evidence (recovery re-derives it from the journal).
    public func deleteRejectedFrames(run: Int64) async throws {
        var binds = PostgresBindings()
        binds.append(run)
        try await transaction("deleting rejected frames of run \(run)") { connection in
            try await connection.run("DELETE FROM rejected_frames WHERE run_id = $1", binds, logger: logger)
        }
    }

    /// Keys, status and frame counts of all runs, in id order.
    public func runs() async throws -> [(id: Int64, key: String, status: String, frames: Int64)] {
        try await rows("SELECT id::text, key, status, frames::text FROM runs ORDER BY id").map { row in
            (
                id: row[0].flatMap { Int64($0) } ?? 0, key: row[1] ?? "", status: row[2] ?? "",
                frames: row[3].flatMap { Int64($0) } ?? 0
            )
        }
    }

    /// Registers (or re-registers, on restart) a node with its shard, session and run.
    public func registerNode(_ node: NodeRecord) async throws {
        try await transaction("registering node \(node.id)") { connection in
            try await connection.insert(
                "nodes",
                columns: [
                    "id", "shard", "shards", "run_id", "session", "host", "started_at_us", "frames", "status",
                ],
                rows: [
                    [
                        .text(node.id), .integer(Int64(node.shard)), .integer(Int64(node.shards)),
                        node.runID.databaseValue, .text(node.session), .text(node.host),
                        .integer(node.startedAt), .integer(node.frames), .text(node.status),
                    ]
                ],
                suffix: """
                    ON CONFLICT (id) DO UPDATE SET shard = EXCLUDED.shard, shards = EXCLUDED.shards,
                      run_id = EXCLUDED.run_id, session = EXCLUDED.session, host = EXCLUDED.host,
                      started_at_us = EXCLUDED.started_at_us, status = EXCLUDED.status
                    """, logger: logger)
        }
    }

    /// Sets a node's status (`running`, `stopped`).
    public func markNode(_ id: String, status: String) async throws {
        var binds = PostgresBindings()
        binds.append(status)
        binds.append(id)
        try await transaction("updating node \(id)") { connection in
            try await connection.run("UPDATE nodes SET status = $1 WHERE id = $2", binds, logger: logger)
        }
    }

    /// Every node, by id.
    public func nodes() async throws -> [NodeRecord] {
        try await rows(
            """
            SELECT id, shard::text, shards::text, run_id::text, session, host, started_at_us::text,
                   last_commit_at_us::text, frames::text, last_data_time_us::text, status
            FROM nodes ORDER BY id
            """
        ).map { row in
            NodeRecord(
                id: row[0] ?? "", shard: row[1].flatMap { Int($0) } ?? 0,
                shards: row[2].flatMap { Int($0) } ?? 0,
                runID: row[3].flatMap { Int64($0) }, session: row[4] ?? "", host: row[5] ?? "",
                startedAt: row[6].flatMap { Int64($0) } ?? 0, lastCommitAt: row[7].flatMap { Int64($0) },
                frames: row[8].flatMap { Int64($0) } ?? 0, lastDataTime: row[9].flatMap { Int64($0) },
                status: row[10] ?? "")
        }
    }
}
