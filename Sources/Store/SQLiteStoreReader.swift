import Foundation
import GRDB

#if canImport(GRDBSQLite)
    import GRDBSQLite
#elseif canImport(SQLite3)
    import SQLite3
#endif

/// ``StoreReader`` over an SQLite database (GRDB): each read is one read transaction of a
/// `DatabaseQueue` or `DatabasePool` (opened read-only by the commands).
public struct SQLiteStoreReader: StoreReader {
    /// The database.
    public let database: any DatabaseReader
    public let description: String
    public var dialect: StoreDialect { .sqlite }

    /// Reads `database`; `description` names it in messages (its path).
    public init(_ database: any DatabaseReader, description: String) {
        self.database = database
        self.description = description
    }

    /// Opens the existing file at `path` read-only (a `DatabaseQueue`: one connection, no
    /// writes, no migration).
    public init(readingOnly path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ZoneStoreError(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw ZoneStoreError(path: path, reason: "is a directory") }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(30)
        configuration.label = "testzone-reader"
        self.init(try DatabaseQueue(path: path, configuration: configuration), description: path)
    }

    public func read<Result>(_ body: (any StoreReadSession) throws -> Result) throws -> Result {
        try database.read { db in try body(SQLiteReadSession(db: db)) }
    }

    public func close() {}
}

/// A read transaction of an SQLite database.
struct SQLiteReadSession: StoreReadSession {
    let db: Database
    var dialect: StoreDialect { .sqlite }

    func forEach(
        _ sql: String, _ arguments: [any DatabaseValueConvertible], _ body: (StoreRow) throws -> Void
    ) throws {
        let statement = try db.makeStatement(sql: sql)
        try statement.setArguments(StatementArguments(arguments))
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        let row = StoreRow(.statement(handle), names: StoreColumnNames(statement.columnNames))
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else {
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: code),
                    message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: sql)
            }
            try body(row)
        }
    }

    func tableNames() throws -> Set<String> {
        try String.fetchSet(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
    }

    func columnNames(of table: String) throws -> Set<String> {
        guard try db.tableExists(table) else { return [] }
        return Set(try db.columns(in: table).map(\.name))
    }

    func indexHint(table: String, index: String) throws -> String {
        let exists =
            try Bool.fetchOne(
                db,
                sql:
                    "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'index' AND name = ? AND tbl_name = ?",
                arguments: [index, table]) ?? false
        return exists ? "INDEXED BY \(index)" : ""
    }
}
