import GRDB

/// The SQL dialect of a store's back-end. The readers' queries are written in the common
/// subset of SQLite and PostgreSQL (`?` placeholders, `TRUE` rather than a bare `1` as a
/// condition, aliased subqueries, no `rowid`); the dialect only says what the subset cannot.
public enum StoreDialect: Sendable, Hashable {
    /// SQLite (GRDB): the embedded default.
    case sqlite
    /// PostgreSQL (postgres-nio): the store several ingest nodes share.
    case postgres

    /// What follows a text term of `ORDER BY` so that it sorts byte-wise (by code point) as
    /// SQLite's default collation does, whatever the PostgreSQL database's locale.
    public var bytewise: String {
        switch self {
        case .sqlite: ""
        case .postgres: " COLLATE \"C\""
        }
    }

    /// An expression that orders the rows of a table the way they were inserted, for tables
    /// without an ordering column of their own (`run_warnings`): SQLite's `rowid`, PostgreSQL's
    /// `ctid` (physical order; such rows are inserted once, in one transaction, and never
    /// updated, so it is their insertion order).
    public var insertionOrder: String {
        switch self {
        case .sqlite: "rowid"
        case .postgres: "ctid"
        }
    }
}

/// Read-only access to a TestZone database, whichever back-end holds it: the one interface
/// through which `testzone metrics` and `testzone report` read (``SQLiteStoreReader``,
/// ``PostgresStoreReader``), so that there is one set of queries for both.
public protocol StoreReader: Sendable {
    /// The back-end's dialect.
    var dialect: StoreDialect { get }
    /// The database for messages: the SQLite path, or the PostgreSQL URL without its password.
    var description: String { get }
    /// Runs `body` with a session that sees one consistent state of the database (an SQLite
    /// read transaction; a PostgreSQL `REPEATABLE READ READ ONLY` transaction) and writes
    /// nothing. Errors of the back-end are ``ZoneStoreError`` (PostgreSQL) or GRDB's
    /// `DatabaseError` (SQLite); errors thrown by `body` pass through.
    func read<Result>(_ body: (any StoreReadSession) throws -> Result) throws -> Result
    /// Releases the connection (PostgreSQL); the reader is not used afterwards.
    func close()
}

/// The queries of one ``StoreReader/read(_:)``: SQL with `?` placeholders and positional
/// arguments, rows with typed columns (``StoreRow``).
public protocol StoreReadSession {
    /// The back-end's dialect.
    var dialect: StoreDialect { get }
    /// Runs `sql` with `arguments` and calls `body` with each row, in order. An SQLite row is
    /// valid only during the call.
    func forEach(
        _ sql: String, _ arguments: [any DatabaseValueConvertible], _ body: (StoreRow) throws -> Void)
        throws
    /// The names of the database's tables.
    func tableNames() throws -> Set<String>
    /// The column names of `table` (empty when there is no such table).
    func columnNames(of table: String) throws -> Set<String>
    /// `INDEXED BY index` when the back-end takes index hints and the database has the index
    /// (SQLite; a database written before the migration that creates it is read as it is,
    /// more slowly), else "" (PostgreSQL plans by itself).
    func indexHint(table: String, index: String) throws -> String
}

extension StoreReadSession {
    /// Every row of `sql`.
    public func rows(_ sql: String, _ arguments: [any DatabaseValueConvertible] = []) throws -> [StoreRow] {
        var rows: [StoreRow] = []
        try forEach(sql, arguments) { rows.append($0.copied()) }
        return rows
    }

    /// The first row of `sql`, nil when there is none.
    public func row(_ sql: String, _ arguments: [any DatabaseValueConvertible] = []) throws -> StoreRow? {
        try rows(sql, arguments).first
    }

    /// The first column of every row, as text (NULLs left out).
    public func texts(_ sql: String, _ arguments: [any DatabaseValueConvertible] = []) throws -> [String] {
        var texts: [String] = []
        try forEach(sql, arguments) { row in if let text = row.optionalText(at: 0) { texts.append(text) } }
        return texts
    }

    /// The first column of the first row as an integer; nil when there is no row or it is NULL.
    public func int64(_ sql: String, _ arguments: [any DatabaseValueConvertible] = []) throws -> Int64? {
        try row(sql, arguments)?.optionalInt64(at: 0)
    }

    /// Whether the database has `table`.
    public func hasTable(_ table: String) throws -> Bool { try tableNames().contains(table) }
}

/// Opens a reader of the database at `location`: SQLite read-only, or one PostgreSQL
/// connection. Call from a thread of its own (a command's main thread), not from async code:
/// the PostgreSQL reader waits for the database (``BlockingCall``).
public func openStoreReader(_ location: StoreLocation) throws -> any StoreReader {
    switch location {
    case .sqlite(let path): try SQLiteStoreReader(readingOnly: path)
    case .postgres(let postgres): try PostgresStoreReader(postgres)
    }
}
