import GRDB
import Metrics

/// Live ingest's view of the database: a run that grows while frames arrive. Each commit writes
/// what changed in the aggregate since the previous commit (``LiveRowCache``; the first commit of
/// a process rewrites the run's rows) and records the journal checkpoints in the same
/// transaction, so the database always shows one consistent prefix of the journal.
extension ZoneStore {
    /// Tables whose rows are derived from a run's aggregate (rewritten by every live commit).
    static let derivedTables = [
        "vehicle_runs", "vehicle_daily", "mode_segments", "events", "link_coverage", "grid_coverage",
        "v2x_reception", "data_health", "rejected_reasons", "sequence_health", "unattributed",
    ]

    /// Commits a live run's progress in one transaction: writes the rows of `metrics` that differ
    /// from what `cache` says the database holds (`metrics` may hold only the vehicles that
    /// changed; an empty cache first deletes the run's derived rows), appends `rejected` frames,
    /// saves `checkpoints`, updates the frame count and the run's data-time span and, when
    /// `complete`, records the journal `files` (replacing any other run over the same files) and
    /// marks the run complete. When the transaction fails it is rolled back and `cache` is left
    /// as it was (it still describes the database; rows that live ingest dropped from memory
    /// after earlier commits must never be rewritten from memory).
    public func commitLiveRun(
        _ run: Int64, metrics: ZoneMetrics, cache: inout LiveRowCache,
        span: (first: Microseconds?, last: Microseconds?),
        frames: Int64, rejected: [RejectedFrame], checkpoints: [JournalCheckpoint], complete: Bool,
        files: [RunFile], at now: Microseconds
    ) throws {
        // A failed transaction is rolled back: `cache` then still describes the database.
        var working = cache
        try pool.write { db in
            if working.isEmpty {
                for table in Self.derivedTables {
                    try db.execute(sql: "DELETE FROM \(table) WHERE run_id = ?", arguments: [run])
                }
            }
            try ResultWriter(db: db, run: run, metrics: metrics).write(changes: &working)
            if !rejected.isEmpty {
                let statement = try InsertStatement(
                    db,
                    sql: """
                        INSERT INTO rejected_frames(run_id, time_us, topic, reason, payload, journal_file, message_index)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """)
                for frame in rejected {
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
            for checkpoint in checkpoints {
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
                        checkpoint.journalFile, checkpoint.runID, checkpoint.byteOffset,
                        checkpoint.messageIndex,
                        checkpoint.logTime, checkpoint.complete, now,
                    ])
            }
            try db.execute(
                sql: "UPDATE runs SET frames = ?, first_time_us = ?, last_time_us = ? WHERE id = ?",
                arguments: [frames, span.first, span.last, run])
            guard complete else { return }
            for file in Set(files) {
                let others = try Int64.fetchAll(
                    db, sql: "SELECT run_id FROM run_files WHERE sha256 = ? AND run_id != ?",
                    arguments: [file.sha256, run])
                for other in Set(others) {
                    try db.execute(sql: "DELETE FROM runs WHERE id = ?", arguments: [other])
                }
                try db.execute(
                    sql: "INSERT OR IGNORE INTO run_files(run_id, sha256, path, bytes) VALUES (?, ?, ?, ?)",
                    arguments: [run, file.sha256, file.path, file.bytes])
            }
            try db.execute(
                sql: "UPDATE runs SET status = 'complete', finished_at_us = ? WHERE id = ?",
                arguments: [now, run])
        }
        cache = working
    }

    /// Sets a run's status (e.g. `interrupted` after Ctrl-C: reports count only `complete` runs;
    /// processing the same files again replaces the run) and its finish time.
    public func markRun(_ run: Int64, status: String, at now: Microseconds) throws {
        try pool.write { db in
            try db.execute(
                sql: "UPDATE runs SET status = ?, finished_at_us = ? WHERE id = ?",
                arguments: [status, now, run])
        }
    }

    /// Live runs that were not finished (the process ended without its clean stop): id and key.
    public func unfinishedLiveRuns() throws -> [(id: Int64, key: String)] {
        try pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT id, key FROM runs WHERE kind = 'live' AND status = 'running' ORDER BY id"
            ).map { (id: $0["id"], key: $0["key"]) }
        }
    }

    /// The checkpoints recorded for a run, by journal file.
    public func checkpoints(run: Int64) throws -> [JournalCheckpoint] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM journal_checkpoints WHERE run_id = ?", arguments: [run])
                .map {
                    JournalCheckpoint(
                        journalFile: $0["journal_file"], runID: $0["run_id"], byteOffset: $0["byte_offset"],
                        messageIndex: $0["message_index"], logTime: $0["log_time_us"],
                        complete: $0["complete"])
                }
        }
    }

    /// Deletes a run's rejected-frame evidence (recovery re-derives it from the journal).
    public func deleteRejectedFrames(run: Int64) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM rejected_frames WHERE run_id = ?", arguments: [run])
        }
    }
}
