import Foundation
import GRDB
import Logging
import Metrics
import PostgresNIO
import Zone

/// The TestZone database in PostgreSQL (issue 20): the store that several ingest nodes share.
///
/// Same schema and migrations as the SQLite ``ZoneStore`` (``PostgresSchema``), reached through a
/// pooled `PostgresClient` (postgres-nio). Every node writes its own runs (`runs.node`); a live
/// commit replaces the node's partial of the vehicles it carries inside one transaction, with
/// the journal checkpoints and the node's `nodes` row, so the database always holds, per node,
/// one consistent prefix of that node's journal, and applying a commit again changes nothing.
///
/// The API is `async`; ``close()`` must be called before the store is released.
public final class PostgresStore: Sendable {
    /// Where the database is.
    public let location: PostgresLocation
    let client: PostgresClient
    let logger: Logger
    private let runner: Task<Void, Never>

    private init(location: PostgresLocation, client: PostgresClient, logger: Logger) {
        self.location = location
        self.client = client
        self.logger = logger
        runner = Task { await client.run() }
    }

    /// Connects (failing within `connectTimeout` when the server cannot be reached) and migrates
    /// the schema. Errors are ``ZoneStoreError`` naming the URL (without password) and the reason.
    public static func open(
        _ location: PostgresLocation, connectTimeout: Duration = .seconds(10),
        maximumConnections: Int = 4, logger: Logger = Logger(label: "testzone.postgres")
    ) async throws -> PostgresStore {
        try await probe(location, timeout: connectTimeout, logger: logger)
        let tls: PostgresClient.Configuration.TLS =
            location.tls == .require ? .require(.makeClientConfiguration()) : .disable
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: tls)
        configuration.options.connectTimeout = connectTimeout
        configuration.options.maximumConnections = maximumConnections
        // The pool's background messages at error level: it warns about a lease requested before
        // its `run()` task has started, which the first query after `open` may be.
        var background = logger
        background.logLevel = .error
        let store = PostgresStore(
            location: location,
            client: PostgresClient(configuration: configuration, backgroundLogger: background),
            logger: logger)
        do {
            try await store.migrate()
        } catch {
            await store.close()
            throw store.failure(error, doing: "migrating the schema")
        }
        return store
    }

    /// Stops the client's connections: cancels the client's `run()` and waits for it to end, at
    /// most `timeout`. A client that does not stop in time (postgres-nio's pool can keep retrying
    /// a connection during its graceful shutdown) is abandoned with a warning, so that stopping a
    /// node or a command never hangs on it.
    public func close(timeout: Duration = .seconds(10)) async {
        runner.cancel()
        let (ended, continuation) = AsyncStream.makeStream(of: Bool.self)
        let runner = runner
        let waiting = Task {
            await runner.value
            continuation.yield(true)
        }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            continuation.yield(false)
        }
        var first = ended.makeAsyncIterator()
        let stopped = await first.next() ?? false
        timer.cancel()
        continuation.finish()
        if !stopped {
            waiting.cancel()
            logger.warning(
                "the PostgreSQL client did not stop within \(timeout); its connections are abandoned",
                metadata: ["database": "\(location)"])
        }
    }

    /// Runs `statements` in order on a plain connection of its own (no pool, no migration), e.g.
    /// `CREATE DATABASE`, which cannot run in a transaction. Errors are ``ZoneStoreError``.
    public static func administer(
        _ location: PostgresLocation, _ statements: [String], connectTimeout: Duration = .seconds(10),
        logger: Logger = Logger(label: "testzone.postgres")
    ) async throws {
        let connection = try await connect(location, timeout: connectTimeout, logger: logger)
        do {
            for statement in statements { try await connection.run(statement, logger: logger) }
        } catch {
            try? await connection.close()
            throw ZoneStoreError(
                path: location.description, reason: PostgresFailure.reason(error, location: location))
        }
        try? await connection.close()
    }

    /// One connection, opened and closed, so that an unreachable server or a refused login is
    /// reported at once (the pool would retry in the background).
    private static func probe(_ location: PostgresLocation, timeout: Duration, logger: Logger) async throws {
        let connection = try await connect(location, timeout: timeout, logger: logger)
        do {
            try await connection.close()
        } catch {
            throw ZoneStoreError(
                path: location.description, reason: PostgresFailure.reason(error, location: location))
        }
    }

    /// One plain connection (no pool); failures are ``ZoneStoreError`` naming the URL (without
    /// password) and the reason.
    static func connect(_ location: PostgresLocation, timeout: Duration, logger: Logger) async throws
        -> PostgresConnection
    {
        do {
            let tls: PostgresConnection.Configuration.TLS =
                location.tls == .require
                ? .require(try NIOSSLContext(configuration: .makeClientConfiguration())) : .disable
            var configuration = PostgresConnection.Configuration(
                host: location.host, port: location.port, username: location.user,
                password: location.password,
                database: location.database, tls: tls)
            configuration.options.connectTimeout = .nanoseconds(
                Int64(timeout.components.seconds) * 1_000_000_000)
            return try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
        } catch {
            throw ZoneStoreError(
                path: location.description, reason: PostgresFailure.reason(error, location: location))
        }
    }

    /// A ``ZoneStoreError`` for a failed operation.
    func failure(_ error: any Error, doing what: String) -> ZoneStoreError {
        if let error = error as? ZoneStoreError { return error }
        return ZoneStoreError(
            path: location.description,
            reason: "\(what): \(PostgresFailure.reason(error, location: location))")
    }

    /// Runs `body` in a transaction; errors become ``ZoneStoreError`` ("`what`: reason").
    func transaction<Result: Sendable>(
        _ what: String, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                try await body(connection)
            }
        } catch {
            throw failure(error, doing: what)
        }
    }

    // MARK: Schema

    /// Applies the migrations not yet applied, in one transaction under an advisory lock (nodes
    /// starting together migrate once).
    func migrate() async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.run(
                "SELECT pg_advisory_xact_lock(\(PostgresSchema.migrationLock))", logger: logger)
            try await connection.run(
                """
                CREATE TABLE IF NOT EXISTS \(PostgresSchema.migrationsTable) (
                    identifier TEXT PRIMARY KEY NOT NULL,
                    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """, logger: logger)
            let applied = Set(
                try await connection.texts(
                    "SELECT identifier FROM \(PostgresSchema.migrationsTable)", logger: logger
                )
                .compactMap { $0.first ?? nil })
            for migration in PostgresSchema.migrations where !applied.contains(migration.identifier) {
                for statement in migration.statements { try await connection.run(statement, logger: logger) }
                var binds = PostgresBindings()
                binds.append(migration.identifier)
                try await connection.run(
                    "INSERT INTO \(PostgresSchema.migrationsTable)(identifier) VALUES ($1)", binds,
                    logger: logger)
            }
        }
    }

    /// The identifiers of the applied migrations, in the order they were applied.
    public func appliedMigrations() async throws -> [String] {
        try await rows(
            "SELECT identifier FROM \(PostgresSchema.migrationsTable) ORDER BY applied_at, identifier"
        ).compactMap { $0.first ?? nil }
    }

    /// Runs a query and returns each row's columns as text (`NULL` as `nil`): for diagnostics
    /// and tests (cast non-text columns with `::text`).
    public func rows(_ sql: String, _ binds: PostgresBindings = PostgresBindings()) async throws
        -> [[String?]]
    {
        do {
            return try await client.withConnection { connection in
                try await connection.texts(sql, binds, logger: logger)
            }
        } catch {
            throw failure(error, doing: "reading")
        }
    }

    // MARK: Zone registry

    /// Records the zone registry: operators, vehicles, RSUs (as `cv2x/<id>` sources), road links
    /// and grid (as ``ZoneStore/registerZone(_:operators:)``).
    public func registerZone(_ configuration: MetricsConfiguration, operators: [String: String] = [:])
        async throws
    {
        var operatorIDs = Set(configuration.vehicles.map(\.operatorID))
        operatorIDs.formUnion(operators.keys)
        let names = operatorIDs.sorted().filter { !$0.isEmpty }.map { [$0, operators[$0] ?? $0] }
        let links = configuration.roads?.links ?? []
        let grid = configuration.grid.map { grid in
            let southWest = grid.projection.unproject(grid.southWest)
            let northEast = grid.projection.unproject(
                LocalPoint(
                    east: grid.southWest.east + Double(grid.columns) * grid.cellSize,
                    north: grid.southWest.north + Double(grid.rows) * grid.cellSize))
            return (southWest, northEast, grid.cellSize, grid.columns, grid.rows)
        }
        try await transaction("registering the zone") { connection in
            try await Self.upsertVehicles(configuration.vehicles, on: connection, logger: logger)
            try await connection.insert(
                "operators", columns: ["id", "name"], rows: names.map { pair in pair.map { .text($0) } },
                suffix: "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name", logger: logger)
            try await connection.insert(
                "sources", columns: ["id", "kind", "latitude", "longitude"],
                rows: configuration.rsus.map {
                    [.text("cv2x/\($0.id)"), .text("cv2x"), .real($0.latitude), .real($0.longitude)]
                },
                suffix:
                    "ON CONFLICT (id) DO UPDATE SET latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude",
                logger: logger)
            if configuration.roads != nil {
                try await connection.run("DELETE FROM road_links", logger: logger)
                try await connection.insert(
                    "road_links", columns: ["id", "length_m", "road_class", "name"],
                    rows: links.map {
                        [.text($0.id), .real($0.length), .text($0.roadClass), .text($0.name)]
                    },
                    logger: logger)
            }
            if let grid {
                let (southWest, northEast, cellSize, columns, rows) = grid
                try await connection.insert(
                    "coverage_grid",
                    columns: [
                        "id", "min_latitude", "min_longitude", "max_latitude", "max_longitude", "cell_size_m",
                        "columns", "rows",
                    ],
                    rows: [
                        [
                            .integer(1), .real(southWest.latitude), .real(southWest.longitude),
                            .real(northEast.latitude), .real(northEast.longitude), .real(cellSize),
                            .integer(Int64(columns)), .integer(Int64(rows)),
                        ]
                    ],
                    suffix: """
                        ON CONFLICT (id) DO UPDATE SET min_latitude = EXCLUDED.min_latitude,
                          min_longitude = EXCLUDED.min_longitude, max_latitude = EXCLUDED.max_latitude,
                          max_longitude = EXCLUDED.max_longitude, cell_size_m = EXCLUDED.cell_size_m,
                          columns = EXCLUDED.columns, rows = EXCLUDED.rows
                        """, logger: logger)
            }
        }
    }

    static func upsertVehicles(
        _ vehicles: [VehicleIdentity], on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await connection.insert(
            "vehicles", columns: ["vin", "operator_id", "terminal_number", "obu_id", "registered"],
            rows: vehicles.map {
                [
                    .text($0.vin), .text($0.operatorID), .text($0.terminalNumber),
                    $0.obuID.map { ZoneStore.hex($0) }.databaseValue, .integer($0.registered ? 1 : 0),
                ]
            },
            suffix: """
                ON CONFLICT (vin) DO UPDATE SET operator_id = EXCLUDED.operator_id,
                  terminal_number = EXCLUDED.terminal_number, obu_id = EXCLUDED.obu_id,
                  registered = EXCLUDED.registered
                """, logger: logger)
    }
}
