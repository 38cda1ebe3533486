import Foundation
import GRDB
import Logging
import PostgresNIO

/// ``StoreReader`` over a PostgreSQL store (issue 20): one connection of its own, each read a
/// `REPEATABLE READ READ ONLY` transaction (one consistent state while ingest nodes commit; the
/// server refuses any write in it).
///
/// The queries are the readers' common SQL: `?` placeholders are rewritten to `$1...$n`
/// (``numberedPlaceholders(_:)``) and the values are decoded by their PostgreSQL type into a
/// ``StoreRow``, so that `SUM(bigint)` (`numeric`) reads as the integer SQLite gives.
///
/// Synchronous like the SQLite reader: each query runs as a task that the calling thread waits
/// for (``BlockingCall``), so it is used from a thread of its own (a command's main thread),
/// not from async code.
public final class PostgresStoreReader: StoreReader {
    /// Where the database is.
    public let location: PostgresLocation
    let connection: PostgresConnection
    let logger: Logger

    public var dialect: StoreDialect { .postgres }
    public var description: String { location.description }

    /// Connects (failing within `connectTimeout`); errors are ``ZoneStoreError`` naming the URL
    /// without its password.
    public init(
        _ location: PostgresLocation, connectTimeout: Duration = .seconds(10),
        logger: Logger = Logger(label: "testzone.postgres.reader")
    ) throws {
        self.location = location
        self.logger = logger
        connection = try BlockingCall.run {
            try await PostgresStore.connect(location, timeout: connectTimeout, logger: logger)
        }
    }

    public func read<Result>(_ body: (any StoreReadSession) throws -> Result) throws -> Result {
        try run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", [], doing: "starting a read")
        let result: Result
        do {
            result = try body(PostgresReadSession(reader: self))
        } catch {
            _ = try? run("ROLLBACK", [], doing: "ending a read")
            throw error
        }
        try run("COMMIT", [], doing: "ending a read")
        return result
    }

    public func close() {
        let connection = connection
        _ = try? BlockingCall.run { try await connection.close() }
    }

    /// Runs `sql` (with `?` placeholders) and returns the column names and the decoded rows.
    @discardableResult
    func run(_ sql: String, _ arguments: [DatabaseValue], doing what: String) throws
        -> (names: [String], rows: [[DatabaseValue]])
    {
        var binds = PostgresBindings(capacity: arguments.count)
        for argument in arguments { binds.append(argument) }
        let query = PostgresQuery(unsafeSQL: Self.numberedPlaceholders(sql), binds: binds)
        let (connection, logger) = (connection, logger)
        do {
            return try BlockingCall.run {
                var names: [String] = []
                var rows: [[DatabaseValue]] = []
                for try await row in try await connection.query(query, logger: logger) {
                    if names.isEmpty { names = row.map(\.columnName) }
                    rows.append(try row.map(Self.value))
                }
                return (names, rows)
            }
        } catch {
            throw ZoneStoreError(
                path: location.description,
                reason: "\(what): \(PostgresFailure.reason(error, location: location))")
        }
    }

    /// `sql` with each `?` outside quotes replaced by `$1`, `$2`, ... in order.
    static func numberedPlaceholders(_ sql: String) -> String {
        var result = ""
        result.reserveCapacity(sql.utf8.count + 16)
        var number = 0
        var quote: Character?
        for character in sql {
            if let open = quote {
                if character == open { quote = nil }
                result.append(character)
            } else if character == "'" || character == "\"" {
                quote = character
                result.append(character)
            } else if character == "?" {
                number += 1
                result += "$\(number)"
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// A cell as the value SQLite would hold: integers (`int2`..`int8`, `bool` as 0/1, an
    /// integral `numeric`), doubles (`float4`, `float8`, a fractional `numeric`), bytes
    /// (`bytea`) or text (anything else, as the server writes it).
    static func value(_ cell: PostgresCell) throws -> DatabaseValue {
        guard let bytes = cell.bytes else { return .null }
        switch cell.dataType {
        case .int2: return Int64(try cell.decode(Int16.self)).databaseValue
        case .int4: return Int64(try cell.decode(Int32.self)).databaseValue
        case .int8: return try cell.decode(Int64.self).databaseValue
        case .bool: return Int64(try cell.decode(Bool.self) ? 1 : 0).databaseValue
        case .float4: return Double(try cell.decode(Float.self)).databaseValue
        case .float8: return try cell.decode(Double.self).databaseValue
        case .numeric:
            let text = "\(try cell.decode(Decimal.self))"
            if let integer = Int64(text) { return integer.databaseValue }
            return (Double(text) ?? 0).databaseValue
        case .bytea: return Data(bytes.readableBytesView).databaseValue
        default:
            if let text = try? cell.decode(String.self) { return text.databaseValue }
            return String(buffer: bytes).databaseValue
        }
    }
}

/// A read transaction of a ``PostgresStoreReader``.
struct PostgresReadSession: StoreReadSession {
    let reader: PostgresStoreReader
    var dialect: StoreDialect { .postgres }

    func forEach(
        _ sql: String, _ arguments: [any DatabaseValueConvertible], _ body: (StoreRow) throws -> Void
    ) throws {
        let (names, rows) = try reader.run(sql, arguments.map(\.databaseValue), doing: "reading")
        let columns = StoreColumnNames(names)
        for values in rows { try body(StoreRow(.values(values), names: columns)) }
    }

    func tableNames() throws -> Set<String> {
        Set(
            try texts(
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()"
            ))
    }

    func columnNames(of table: String) throws -> Set<String> {
        Set(
            try texts(
                """
                SELECT column_name::text FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = ?
                """, [table]))
    }

    func indexHint(table: String, index: String) throws -> String { "" }
}
