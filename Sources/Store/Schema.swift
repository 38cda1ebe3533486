import GRDB

/// The database schema, as a sequence of migrations. Every table is documented in
/// `Sources/Store/README.md`. Conventions: times are `*_us` INTEGER microseconds since the Unix
/// epoch (UTC); `day` is `YYYY-MM-DD` and `month` `YYYY-MM` in the Asia/Shanghai calendar;
/// distances are REAL metres; every derived row belongs to a run and is deleted with it.
public enum Schema {
    /// The identifier of the first migration: a database that ran it is a TestZone database.
    public static let firstMigration = "v1 zone, runs, metrics, data health, journal"

    /// The migrator with all migrations registered, in order.
    public static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in migrations {
            migrator.registerMigration(migration.identifier) { db in
                for statement in migration.statements { try db.execute(sql: statement) }
            }
        }
        return migrator
    }

    /// Every migration in order, as SQLite statements: the one source of the schema of both
    /// back-ends (``PostgresSchema`` translates the column types for PostgreSQL).
    static let migrations: [(identifier: String, statements: [String])] = [
        (firstMigration, v1),
        ("v2-issue16-source-outage", v2Issue16),
        ("v2-issue17-event-clips", eventClips),
        ("v2-issue18-event-register", issue18),
        ("v2-issue19-audit-log", auditLog),
        ("v3-issue18-report-indexes", reportIndexes),
        ("v4-issue20-nodes", nodes),
    ]

    /// Issue 20 (several ingest nodes, one store): the node that wrote each run (`''` for a
    /// single, unsharded ingest or a replay), and one row per node with its shard and its last
    /// commit, for `testzone nodes`.
    static let nodes: [String] = [
        "ALTER TABLE runs ADD COLUMN node TEXT NOT NULL DEFAULT ''",
        "CREATE INDEX runs_node ON runs(node, status)",
        """
        CREATE TABLE nodes (
            id TEXT PRIMARY KEY NOT NULL,
            shard INTEGER NOT NULL,
            shards INTEGER NOT NULL,
            run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
            session TEXT NOT NULL DEFAULT '',
            host TEXT NOT NULL DEFAULT '',
            started_at_us INTEGER NOT NULL,
            last_commit_at_us INTEGER,
            frames INTEGER NOT NULL DEFAULT 0,
            last_data_time_us INTEGER,
            status TEXT NOT NULL DEFAULT 'running'
        )
        """,
    ]

    /// Issue 18: covering indexes in the order the monthly report reads coverage. Per link, the
    /// distinct (vehicle, day) pairs are consecutive entries of `link_coverage_link`; the visited
    /// cells are the first entry of each (month, cell) of `grid_coverage_cell`. A month of 500
    /// vehicles (1.5 M rows each) read in 0.8 s and 6 ms instead of 2.4 s and 0.5 s.
    static let reportIndexes: [String] = [
        "CREATE INDEX link_coverage_link ON link_coverage(month, link_id, vin, day, run_id)",
        "CREATE INDEX grid_coverage_cell ON grid_coverage(month, cell, day, run_id)",
    ]

    /// Issue 19: one row per request to the console (who, what, when, result).
    static let auditLog: [String] = [
        """
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at_us INTEGER NOT NULL,
            token_id TEXT NOT NULL,
            role TEXT NOT NULL,
            method TEXT NOT NULL,
            route TEXT NOT NULL,
            parameters TEXT NOT NULL DEFAULT '',
            status INTEGER NOT NULL,
            remote TEXT NOT NULL DEFAULT ''
        )
        """,
        "CREATE INDEX audit_log_at ON audit_log(at_us)",
    ]

    /// Issue 18 (event register, location categories, data completeness): the matched link's
    /// name and the 0xE1 flags at each event, link names, and the reader's warnings per run.
    static let issue18: [String] = [
        "ALTER TABLE events ADD COLUMN road_name TEXT",
        "ALTER TABLE events ADD COLUMN safety_driver INTEGER",
        "ALTER TABLE events ADD COLUMN remote_operator INTEGER",
        "ALTER TABLE road_links ADD COLUMN name TEXT NOT NULL DEFAULT ''",
        """
        CREATE TABLE run_warnings (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            journal_file TEXT NOT NULL,
            warning TEXT NOT NULL
        )
        """,
        "CREATE INDEX run_warnings_run ON run_warnings(run_id)",
    ]

    static let v1: [String] = [
        // Zone registry.
        """
        CREATE TABLE operators (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL DEFAULT ''
        )
        """,
        """
        CREATE TABLE vehicles (
            vin TEXT PRIMARY KEY NOT NULL,
            operator_id TEXT NOT NULL DEFAULT '',
            terminal_number TEXT NOT NULL DEFAULT '',
            obu_id TEXT,
            registered INTEGER NOT NULL DEFAULT 1
        )
        """,
        "CREATE INDEX vehicles_operator ON vehicles(operator_id)",
        """
        CREATE TABLE sources (
            id TEXT PRIMARY KEY NOT NULL,
            kind TEXT NOT NULL,
            latitude REAL,
            longitude REAL
        )
        """,
        """
        CREATE TABLE road_links (
            id TEXT PRIMARY KEY NOT NULL,
            length_m REAL NOT NULL,
            road_class TEXT NOT NULL DEFAULT ''
        )
        """,
        """
        CREATE TABLE coverage_grid (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            min_latitude REAL NOT NULL, min_longitude REAL NOT NULL,
            max_latitude REAL NOT NULL, max_longitude REAL NOT NULL,
            cell_size_m REAL NOT NULL, columns INTEGER NOT NULL, rows INTEGER NOT NULL
        )
        """,
        // Runs: one processing of a set of journal files.
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            key TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            status TEXT NOT NULL,
            started_at_us INTEGER NOT NULL,
            finished_at_us INTEGER,
            software_version TEXT NOT NULL DEFAULT '',
            configuration TEXT NOT NULL DEFAULT '',
            frames INTEGER NOT NULL DEFAULT 0,
            first_time_us INTEGER,
            last_time_us INTEGER
        )
        """,
        """
        CREATE TABLE run_files (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            sha256 TEXT NOT NULL,
            path TEXT NOT NULL,
            bytes INTEGER NOT NULL,
            PRIMARY KEY (run_id, sha256)
        )
        """,
        "CREATE INDEX run_files_sha256 ON run_files(sha256)",
        // Per-vehicle results.
        """
        CREATE TABLE vehicle_runs (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            vin TEXT NOT NULL,
            fixes INTEGER NOT NULL,
            time_gaps INTEGER NOT NULL,
            outlier_steps INTEGER NOT NULL,
            distance_m REAL NOT NULL,
            bsm_received INTEGER NOT NULL,
            late INTEGER NOT NULL,
            open_takeover_requests INTEGER NOT NULL,
            first_time_us INTEGER,
            last_time_us INTEGER,
            PRIMARY KEY (run_id, vin)
        )
        """,
        "CREATE INDEX vehicle_runs_vin ON vehicle_runs(vin)",
        """
        CREATE TABLE vehicle_daily (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            vin TEXT NOT NULL,
            day TEXT NOT NULL,
            month TEXT NOT NULL,
            level INTEGER NOT NULL,
            distance_m REAL NOT NULL,
            time_s REAL NOT NULL,
            uplink_covered_m REAL NOT NULL,
            PRIMARY KEY (run_id, vin, day, level)
        )
        """,
        "CREATE INDEX vehicle_daily_month ON vehicle_daily(month, vin)",
        "CREATE INDEX vehicle_daily_vin ON vehicle_daily(vin, day)",
        """
        CREATE TABLE mode_segments (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            vin TEXT NOT NULL,
            start_us INTEGER NOT NULL,
            end_us INTEGER NOT NULL,
            level INTEGER NOT NULL,
            status INTEGER NOT NULL,
            status_name TEXT NOT NULL,
            distance_m REAL NOT NULL
        )
        """,
        "CREATE INDEX mode_segments_run ON mode_segments(run_id)",
        "CREATE INDEX mode_segments_vin ON mode_segments(vin, start_us)",
        """
        CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            vin TEXT NOT NULL,
            kind TEXT NOT NULL,
            time_us INTEGER NOT NULL,
            day TEXT NOT NULL,
            month TEXT NOT NULL,
            latitude REAL,
            longitude REAL,
            speed_mps REAL,
            link_id TEXT,
            road_class TEXT,
            level INTEGER NOT NULL,
            initiator TEXT NOT NULL,
            initiator_code INTEGER NOT NULL,
            cause TEXT NOT NULL,
            cause_code INTEGER NOT NULL,
            takeover_time_us INTEGER,
            closed_requests INTEGER NOT NULL DEFAULT 0,
            takeover_outcome TEXT,
            late INTEGER NOT NULL DEFAULT 0
        )
        """,
        "CREATE INDEX events_run ON events(run_id)",
        "CREATE INDEX events_month ON events(month, vin, kind)",
        "CREATE INDEX events_vin ON events(vin, time_us)",
        """
        CREATE TABLE link_coverage (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            vin TEXT NOT NULL,
            day TEXT NOT NULL,
            month TEXT NOT NULL,
            link_id TEXT NOT NULL,
            PRIMARY KEY (run_id, vin, day, link_id)
        )
        """,
        "CREATE INDEX link_coverage_month ON link_coverage(month, vin)",
        """
        CREATE TABLE grid_coverage (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            vin TEXT NOT NULL,
            day TEXT NOT NULL,
            month TEXT NOT NULL,
            cell INTEGER NOT NULL,
            PRIMARY KEY (run_id, vin, day, cell)
        )
        """,
        "CREATE INDEX grid_coverage_month ON grid_coverage(month, vin)",
        """
        CREATE TABLE v2x_reception (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            vin TEXT NOT NULL,
            day TEXT NOT NULL,
            month TEXT NOT NULL,
            rsu_id TEXT NOT NULL,
            band TEXT NOT NULL,
            band_index INTEGER NOT NULL,
            exposure_s REAL NOT NULL,
            expected REAL NOT NULL,
            received INTEGER NOT NULL,
            PRIMARY KEY (run_id, vin, day, rsu_id, band_index)
        )
        """,
        "CREATE INDEX v2x_reception_month ON v2x_reception(month, rsu_id)",
        // Data health.
        """
        CREATE TABLE data_health (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            source_id TEXT NOT NULL,
            received INTEGER NOT NULL,
            decoded INTEGER NOT NULL,
            rejected INTEGER NOT NULL,
            duplicates INTEGER NOT NULL,
            clock_offset_samples INTEGER NOT NULL,
            clock_offset_mean_us REAL,
            clock_offset_min_us INTEGER,
            clock_offset_max_us INTEGER,
            first_seen_us INTEGER,
            last_seen_us INTEGER,
            PRIMARY KEY (run_id, source_id)
        )
        """,
        """
        CREATE TABLE rejected_reasons (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            source_id TEXT NOT NULL,
            reason TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (run_id, source_id, reason)
        )
        """,
        """
        CREATE TABLE sequence_health (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            stream_kind TEXT NOT NULL,
            stream_id TEXT NOT NULL,
            count INTEGER NOT NULL,
            gaps INTEGER NOT NULL,
            repeats INTEGER NOT NULL,
            reordered INTEGER NOT NULL,
            resets INTEGER NOT NULL,
            PRIMARY KEY (run_id, stream_kind, stream_id)
        )
        """,
        """
        CREATE TABLE unattributed (
            run_id INTEGER PRIMARY KEY NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            bsm_from_unregistered_obu INTEGER NOT NULL,
            unknown_vehicle_observations INTEGER NOT NULL
        )
        """,
        """
        CREATE TABLE rejected_frames (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            time_us INTEGER NOT NULL,
            topic TEXT NOT NULL,
            reason TEXT NOT NULL,
            payload BLOB NOT NULL,
            journal_file TEXT,
            message_index INTEGER
        )
        """,
        "CREATE INDEX rejected_frames_run ON rejected_frames(run_id)",
        "CREATE INDEX rejected_frames_time ON rejected_frames(time_us)",
        // Journal checkpoints: what has been applied, for exactly-once replay after a crash.
        """
        CREATE TABLE journal_checkpoints (
            journal_file TEXT PRIMARY KEY NOT NULL,
            run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
            byte_offset INTEGER NOT NULL,
            message_index INTEGER NOT NULL,
            log_time_us INTEGER,
            complete INTEGER NOT NULL DEFAULT 0,
            updated_at_us INTEGER NOT NULL
        )
        """,
    ]

    /// Issue 16: a source's silences inside its span (data time), for RSU availability; JT/T 808
    /// items kept raw.
    static let v2Issue16: [String] = [
        "ALTER TABLE data_health ADD COLUMN outage_us INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE data_health ADD COLUMN malformed_items INTEGER NOT NULL DEFAULT 0",
    ]

    /// Evidence clips (issue 17): an MCAP excerpt of the journals around an event, written by
    /// `testzone clip`. Keyed by the event's vin, time and kind, not by `events.id`, because live
    /// commits rewrite event rows (and their ids); one clip per event (a new clip replaces it).
    static let eventClips: [String] = [
        """
        CREATE TABLE event_clips (
            vin TEXT NOT NULL,
            time_us INTEGER NOT NULL,
            kind TEXT NOT NULL,
            path TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            bytes INTEGER NOT NULL,
            messages INTEGER NOT NULL,
            start_us INTEGER NOT NULL,
            end_us INTEGER NOT NULL,
            created_at_us INTEGER NOT NULL,
            PRIMARY KEY (vin, time_us, kind)
        )
        """
    ]
}
