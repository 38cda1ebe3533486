import Foundation
import GRDB

#if canImport(GRDBSQLite)
    import GRDBSQLite
#elseif canImport(SQLite3)
    import SQLite3
#endif

/// A cached insert statement with direct `sqlite3_bind_*` binding: the fast insert path of
/// DESIGN.md 6 (~680 k rows/s against ~90 k for Codable records). Columns are 1-based.
struct InsertStatement {
    private let statement: Statement
    private let database: Database
    private let sql: String
    private var handle: SQLiteStatement { statement.sqliteStatement }
    private static let transient = unsafeBitCast(
        OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    init(_ database: Database, sql: String) throws {
        self.database = database
        self.sql = sql
        self.statement = try database.cachedStatement(sql: sql)
    }

    func bind(_ column: Int32, _ value: Int64) { sqlite3_bind_int64(handle, column, value) }
    func bind(_ column: Int32, _ value: Int) { sqlite3_bind_int64(handle, column, Int64(value)) }
    func bind(_ column: Int32, _ value: Double) { sqlite3_bind_double(handle, column, value) }
    func bind(_ column: Int32, _ value: String) {
        sqlite3_bind_text(handle, column, value, -1, Self.transient)
    }
    func bind(_ column: Int32, _ value: Int64?) {
        if let value { bind(column, value) } else { sqlite3_bind_null(handle, column) }
    }
    func bind(_ column: Int32, _ value: Double?) {
        if let value { bind(column, value) } else { sqlite3_bind_null(handle, column) }
    }
    func bind(_ column: Int32, _ value: String?) {
        if let value { bind(column, value) } else { sqlite3_bind_null(handle, column) }
    }
    func bind(_ column: Int32, _ value: DatabaseValue) {
        switch value.storage {
        case .null: sqlite3_bind_null(handle, column)
        case .int64(let number): sqlite3_bind_int64(handle, column, number)
        case .double(let number): sqlite3_bind_double(handle, column, number)
        case .string(let text): sqlite3_bind_text(handle, column, text, -1, Self.transient)
        case .blob(let data): bind(column, bytes: [UInt8](data))
        }
    }
    func bind(_ column: Int32, bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { raw in
            // A zero-length blob still binds as a blob, not NULL (the column is NOT NULL).
            if raw.count == 0 {
                sqlite3_bind_zeroblob(handle, column, 0)
            } else {
                sqlite3_bind_blob(handle, column, raw.baseAddress, Int32(raw.count), Self.transient)
            }
        }
    }

    /// Executes the bound row and resets the statement for the next one.
    func step() throws {
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        guard code == SQLITE_DONE else {
            let message = database.sqliteConnection.map { String(cString: sqlite3_errmsg($0)) }
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: sql)
        }
    }
}
