import Foundation
import GRDB
import Metrics
import PostgresNIO
import Store
import TestZoneTestSupport
import Testing

/// The PostgreSQL back-end (issue 20) against a real server: `make test` starts one on loopback
/// (Tools/postgres/with-postgres.sh); without it these tests are skipped with a message (under
/// CI they fail instead). URL parsing and the unreachable-server error need no server.
@Suite("Store on PostgreSQL", .serialized)
struct PostgresStoreTests {
    // MARK: --db arguments (no server)

    @Test func parsesDatabaseArguments() throws {
        #expect(try StoreLocation("out/zone.sqlite") == .sqlite(path: "out/zone.sqlite"))
        let plain = try StoreLocation("postgres://tz@127.0.0.1:5433/zone")
        #expect(
            plain == .postgres(PostgresLocation(host: "127.0.0.1", port: 5433, user: "tz", database: "zone")))
        guard
            case .postgres(let secret) = try StoreLocation(
                "postgresql://tz:s%40cret@db.example/zone?sslmode=require")
        else {
            Issue.record("not a PostgreSQL location")
            return
        }
        #expect(secret.password == "s@cret")
        #expect(secret.port == 5432)
        #expect(secret.tls == .require)
        #expect(secret.description == "postgres://tz@db.example:5432/zone?sslmode=require")
    }

    @Test(arguments: [
        ("postgres://127.0.0.1/zone", "no user name"),
        ("postgres://tz@127.0.0.1", "no database name"),
        ("postgres://tz@127.0.0.1:5432/", "no database name"),
        ("postgres://tz@127.0.0.1:99999/zone", "out of range"),
        ("postgres://tz:pw@127.0.0.1:abc/zone", "malformed URL"),
        ("postgres://tz@127.0.0.1/zone?sslmode=verify", "sslmode must be disable or require"),
        ("postgres://tz@127.0.0.1/zone?user=x", "unknown parameter user"),
        ("mysql://tz@127.0.0.1/zone", "unsupported database URL scheme mysql"),
    ])
    func refusesBadURLs(url: String, reason: String) throws {
        let error = try #require(throws: ZoneStoreError.self) { try StoreLocation(url) }
        #expect(error.reason.contains(reason), "\(error)")
        #expect(!error.description.contains("pw@"), "the password is never shown: \(error)")
    }

    @Test func unreachableServerIsAClearError() async throws {
        let port = try Self.closedPort()
        let location = PostgresLocation(host: "127.0.0.1", port: port, user: "testzone", database: "testzone")
        let clock = ContinuousClock()
        let started = clock.now
        let error = try await #require(throws: ZoneStoreError.self) {
            try await PostgresStore.open(location, connectTimeout: .seconds(5)).close()
        }
        #expect(clock.now - started < .seconds(8))
        #expect(error.path == "postgres://testzone@127.0.0.1:\(port)/testzone")
        #expect(error.reason == "cannot connect to 127.0.0.1:\(port): connection refused", "\(error)")
    }

    // MARK: Real server

    @Test(.enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.skipMessage))
    func wrongDatabaseIsTheServersMessage() async throws {
        var location = try PostgresScratch.adminLocation()
        location.database = "no_such_database_\(UInt32.random(in: 0...UInt32.max))"
        let error = try await #require(throws: ZoneStoreError.self) {
            try await PostgresStore.open(location).close()
        }
        #expect(
            error.reason.contains("server says: database \"\(location.database)\" does not exist"), "\(error)"
        )
        #expect(error.reason.contains("SQLSTATE 3D000"), "\(error)")
    }

    @Test(.enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.skipMessage))
    func migratesTheSameSchemaAsSQLite() async throws {
        try await PostgresScratch.withDatabase { location in
            // Three nodes starting together migrate once.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 {
                    group.addTask { try await PostgresStore.open(location).close() }
                }
                try await group.waitForAll()
            }
            let store = try await PostgresStore.open(location)
            let (sqlite, directory) = try StoreTests().temporaryDatabase()
            defer { try? FileManager.default.removeItem(at: directory) }
            do {
                #expect(try await store.appliedMigrations().sorted() == Schema.migrator.migrations.sorted())
                let tables = try await sqlite.pool.read { db in
                    try String.fetchAll(
                        db,
                        sql: """
                            SELECT name FROM sqlite_master WHERE type = 'table'
                            AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations' ORDER BY name
                            """)
                }
                let pgTables = try await store.rows(
                    """
                    SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'
                    AND table_name <> 'testzone_migrations' ORDER BY table_name
                    """
                ).map { $0[0] ?? "" }
                #expect(pgTables == tables)
                for table in tables {
                    let columns = try await sqlite.pool.read { db in
                        try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").map {
                            "\($0["name"] as String) \(Self.postgresType($0["type"] as String))"
                        }
                    }
                    let pgColumns = try await store.rows(
                        """
                        SELECT column_name::text || ' ' || data_type::text FROM information_schema.columns
                        WHERE table_schema = 'public' AND table_name = '\(table)' ORDER BY ordinal_position
                        """
                    ).map { $0[0] ?? "" }
                    #expect(pgColumns == columns, "\(table)")
                }
                let indexes = try await sqlite.pool.read { db in
                    try String.fetchAll(
                        db,
                        sql:
                            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"
                    )
                }
                let pgIndexes = try await store.rows(
                    "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key' ORDER BY indexname"
                ).map { $0[0] ?? "" }
                #expect(pgIndexes == indexes)
            } catch {
                await store.close()
                throw error
            }
            await store.close()
        }
    }

    @Test(.enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.skipMessage))
    func liveCommitWritesWhatSQLiteWritesAndReplayDoublesNothing() async throws {
        let metrics = StoreTests.metrics()
        let (sqlite, directory) = try StoreTests.liveCommittedDatabase(metrics, complete: false)
        defer { try? FileManager.default.removeItem(at: directory) }
        let expected = try Self.dump(sqlite)
        #expect(expected.values.reduce(0) { $0 + $1.count } > 50)

        try await PostgresScratch.withStore { store in
            try await store.registerZone(StoreTests.configuration, operators: ["saic": "SAIC Motor"])
            let run = try await store.beginRun(
                key: "live:n0/s", node: "n0", files: [], kind: "live", startedAt: StoreTests.t0)
            let rejected = [
                RejectedFrame(
                    time: StoreTests.t0, topic: "jt808/013800000001", reason: "jt808: bad checksum",
                    payload: [0x7E, 0x00, 0x7E], journalFile: "j-1.mcap", messageIndex: 7)
            ]
            let checkpoint = JournalCheckpoint(
                journalFile: "/journal/j-1.mcap", runID: run, byteOffset: 0, messageIndex: 903,
                logTime: StoreTests.t0 + 300_000_000, complete: false)
            func commit(rewrite: Bool) async throws {
                try await store.commitLiveRun(
                    run, node: "n0", metrics: metrics, rewrite: rewrite,
                    span: (StoreTests.t0, StoreTests.t0 + 300_000_000), frames: 903, rejected: [],
                    checkpoints: [checkpoint], complete: false, files: [], at: StoreTests.t0)
            }
            try await store.commitLiveRun(
                run, node: "n0", metrics: metrics, rewrite: true,
                span: (StoreTests.t0, StoreTests.t0 + 300_000_000),
                frames: 903, rejected: rejected, checkpoints: [checkpoint], complete: false, files: [],
                at: StoreTests.t0)
            #expect(try await Self.dump(store) == expected)
            // The same commit again (a replayed journal, a retried commit): nothing doubles.
            try await commit(rewrite: false)
            #expect(try await Self.dump(store) == expected)
            try await commit(rewrite: true)
            #expect(try await Self.dump(store) == expected)
            #expect(try await store.rows("SELECT count(*)::text FROM rejected_frames") == [["1"]])
            #expect(try await store.checkpoints(run: run) == [checkpoint])
            #expect(try await store.unfinishedLiveRuns(node: "n0").map(\.id) == [run])
            #expect(try await store.unfinishedLiveRuns(node: "n1").isEmpty)

            // Completing the run records its files and status.
            let file = RunFile(
                path: "/journal/j-1.mcap", sha256: String(repeating: "a", count: 64), bytes: 10)
            try await store.commitLiveRun(
                run, node: "n0", metrics: metrics, rewrite: false,
                span: (StoreTests.t0, StoreTests.t0 + 300_000_000),
                frames: 903, rejected: [], checkpoints: [], complete: true, files: [file],
                at: StoreTests.t0 + 1)
            #expect(try await store.runs().map(\.status) == ["complete"])
            #expect(try await Self.dump(store) == expected)
        }
    }

    @Test(.enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.skipMessage))
    func partialsOfTwoNodesMergeExactly() async throws {
        let metrics = StoreTests.metrics()
        let (sqlite, directory) = try StoreTests().temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: directory) }
        let single = try sqlite.beginRun(key: "live:one", files: [], kind: "live", startedAt: StoreTests.t0)
        var cache = LiveRowCache()
        try sqlite.commitLiveRun(
            single, metrics: metrics, cache: &cache, span: (nil, nil), frames: 903, rejected: [],
            checkpoints: [],
            complete: true, files: [], at: StoreTests.t0)
        let expected = try Self.dump(sqlite)

        try await PostgresScratch.withStore { store in
            // Each node commits its shard's vehicles, sequence streams and sources (Shard).
            for index in 0..<2 {
                let shard = try Shard(index: index, count: 2)
                let node = shard.defaultNodeID
                try await store.registerNode(
                    NodeRecord(id: node, shard: index, shards: 2, session: "s", startedAt: StoreTests.t0))
                let partial = metrics.restricted(to: shard)
                let run = try await store.beginRun(
                    key: "live:\(node)/s", node: node, files: [], kind: "live", startedAt: StoreTests.t0)
                try await store.commitLiveRun(
                    run, node: node, metrics: partial, rewrite: true,
                    span: (nil, StoreTests.t0 + Int64(index)),
                    frames: 100, rejected: [], checkpoints: [], complete: true, files: [],
                    at: StoreTests.t0 + 5)
            }
            var merged = try await Self.dump(store)
            // Run-wide counters: one row per node's run, added up (shard 1's holds zeros).
            merged["unattributed"] = try await store.rows(
                "SELECT SUM(bsm_from_unregistered_obu)::text, SUM(unknown_vehicle_observations)::text FROM unattributed"
            ).map { $0.map(Self.normalized) }
            #expect(merged["unattributed"]?.count == 1)
            #expect(merged == expected)
            let nodes = try await store.nodes()
            #expect(nodes.map(\.id) == ["shard-0-of-2", "shard-1-of-2"])
            #expect(nodes.map(\.lastCommitAt) == [StoreTests.t0 + 5, StoreTests.t0 + 5])
            #expect(nodes.map(\.lastDataTime) == [StoreTests.t0, StoreTests.t0 + 1])
            #expect(nodes.allSatisfy { $0.frames == 100 && $0.runID != nil })
        }
    }

    // MARK: Support

    /// The derived tables' rows (without run ids and row ids), each value as text, sorted.
    static let dumpedTables =
        DerivedTableDump.tables + [
            ("unattributed", "bsm_from_unregistered_obu, unknown_vehicle_observations")
        ]

    static func normalized(_ value: String?) -> String { DerivedTableDump.normalized(value) }

    static func dump(_ store: ZoneStore) throws -> [String: [[String]]] {
        try DerivedTableDump.dump(sqlite: store.pool, tables: dumpedTables)
    }

    static func dump(_ store: PostgresStore) async throws -> [String: [[String]]] {
        try await DerivedTableDump.dump(store, tables: dumpedTables)
    }

    /// The PostgreSQL type a column of Schema's SQLite type becomes (information_schema names).
    static func postgresType(_ sqliteType: String) -> String {
        switch sqliteType.uppercased() {
        case "INTEGER": "bigint"
        case "REAL": "double precision"
        case "TEXT": "text"
        case "BLOB": "bytea"
        default: sqliteType
        }
    }

    /// A loopback port nothing listens on.
    static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        try #require(bound)
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Scratch databases on the test server: each test gets a new database, dropped at the end.
enum PostgresScratch {
    static func adminLocation() throws -> PostgresLocation {
        let url = try PostgresTestServer.requireURL()
        guard case .postgres(let location) = try StoreLocation(url) else {
            Issue.record("TESTZONE_POSTGRES_URL is not a postgres:// URL: \(url)")
            throw CancellationError()
        }
        return location
    }

    static func withDatabase(_ body: (PostgresLocation) async throws -> Void) async throws {
        try await ScratchPostgresDatabase.with(admin: adminLocation(), body)
    }

    static func withStore(_ body: (PostgresStore) async throws -> Void) async throws {
        try await withDatabase { location in
            let store = try await PostgresStore.open(location)
            do {
                try await body(store)
            } catch {
                await store.close()
                throw error
            }
            await store.close()
        }
    }
}
