import Foundation
import GRDB

#if canImport(GRDBSQLite)
    import GRDBSQLite
#elseif canImport(SQLite3)
    import SQLite3
#endif

/// One row of a query run through a ``StoreReadSession``, with typed access to its columns by
/// name or by 0-based position (the order of the SELECT).
///
/// The same row type serves both back-ends: an SQLite row is read straight from SQLite's column
/// accessors while the statement is stepped (the report's largest reads, tens of thousands of
/// events and hundreds of thousands of coverage rows, decode no value they do not use); a
/// PostgreSQL row holds its decoded values. Values convert like SQLite's accessors do, so the
/// readers decode robustly whatever type a back-end gives an expression (PostgreSQL's
/// `SUM(bigint)` is `numeric`, SQLite's is an integer): an integer read as a double is
/// converted, a double read as an integer is truncated. A NULL reads as nil where the accessor
/// is optional and as 0 or "" where it is not (the schema declares those columns NOT NULL).
public struct StoreRow {
    enum Storage {
        /// The current row of an SQLite statement being stepped: valid only during the call
        /// that received the row.
        case statement(SQLiteStatement)
        /// Decoded values, by position.
        case values([DatabaseValue])
    }

    let storage: Storage
    let names: StoreColumnNames

    init(_ storage: Storage, names: StoreColumnNames) {
        self.storage = storage
        self.names = names
    }

    /// The position of the column named `name` (as aliased in the SELECT). A name that the
    /// query does not select is a programming error.
    public func position(_ name: String) -> Int {
        guard let position = names.positions[name] else {
            preconditionFailure(
                "no column \(name) in the row (columns: \(names.ordered.joined(separator: ", ")))")
        }
        return position
    }

    // MARK: By position

    /// Whether the column is NULL.
    public func isNull(at column: Int) -> Bool {
        switch storage {
        case .statement(let handle): sqlite3_column_type(handle, Int32(column)) == SQLITE_NULL
        case .values(let values): values[column].isNull
        }
    }

    /// The column as an integer (0 for NULL).
    public func int64(at column: Int) -> Int64 {
        switch storage {
        case .statement(let handle): return sqlite3_column_int64(handle, Int32(column))
        case .values(let values):
            switch values[column].storage {
            case .int64(let number): return number
            case .double(let number):
                return number.isFinite ? Int64(exactly: number.rounded(.towardZero)) ?? 0 : 0
            case .string(let text):
                return Int64(text) ?? Double(text).flatMap { Int64(exactly: $0.rounded(.towardZero)) } ?? 0
            case .null, .blob: return 0
            }
        }
    }

    /// The column as a double (0 for NULL).
    public func double(at column: Int) -> Double {
        switch storage {
        case .statement(let handle): return sqlite3_column_double(handle, Int32(column))
        case .values(let values):
            switch values[column].storage {
            case .int64(let number): return Double(number)
            case .double(let number): return number
            case .string(let text): return Double(text) ?? 0
            case .null, .blob: return 0
            }
        }
    }

    /// The column as text ("" for NULL).
    public func text(at column: Int) -> String {
        switch storage {
        case .statement:
            return withUTF8(at: column) { String(decoding: $0, as: UTF8.self) } ?? ""
        case .values(let values):
            switch values[column].storage {
            case .string(let text): return text
            case .int64(let number): return String(number)
            case .double(let number): return String(number)
            case .blob(let data): return String(decoding: data, as: UTF8.self)
            case .null: return ""
            }
        }
    }

    /// The column as an Int (0 for NULL).
    public func int(at column: Int) -> Int { Int(int64(at: column)) }
    /// The column as an integer, nil for NULL.
    public func optionalInt64(at column: Int) -> Int64? { isNull(at: column) ? nil : int64(at: column) }
    /// The column as a double, nil for NULL.
    public func optionalDouble(at column: Int) -> Double? { isNull(at: column) ? nil : double(at: column) }
    /// The column as text, nil for NULL.
    public func optionalText(at column: Int) -> String? { isNull(at: column) ? nil : text(at: column) }

    /// Calls `body` with the column's text as UTF-8 bytes (valid only during the call); nil for
    /// NULL. Lets a scan compare values without making a Swift string of each.
    public func withUTF8<Result>(at column: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result)
        rethrows
        -> Result?
    {
        switch storage {
        case .statement(let handle):
            guard let text = sqlite3_column_text(handle, Int32(column)) else { return nil }
            return try body(
                UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, Int32(column)))))
        case .values(let values):
            if values[column].isNull { return nil }
            var text = text(at: column)
            return try text.withUTF8(body)
        }
    }

    // MARK: By name

    /// Whether the column named `name` is NULL.
    public func isNull(_ name: String) -> Bool { isNull(at: position(name)) }
    /// The column named `name` as an integer (0 for NULL).
    public func int64(_ name: String) -> Int64 { int64(at: position(name)) }
    /// The column named `name` as an Int (0 for NULL).
    public func int(_ name: String) -> Int { int(at: position(name)) }
    /// The column named `name` as a double (0 for NULL).
    public func double(_ name: String) -> Double { double(at: position(name)) }
    /// The column named `name` as text ("" for NULL).
    public func text(_ name: String) -> String { text(at: position(name)) }
    /// The column named `name` as an integer, nil for NULL.
    public func optionalInt64(_ name: String) -> Int64? { optionalInt64(at: position(name)) }
    /// The column named `name` as an Int, nil for NULL.
    public func optionalInt(_ name: String) -> Int? { optionalInt64(name).map { Int($0) } }
    /// The column named `name` as a double, nil for NULL.
    public func optionalDouble(_ name: String) -> Double? { optionalDouble(at: position(name)) }
    /// The column named `name` as text, nil for NULL.
    public func optionalText(_ name: String) -> String? { optionalText(at: position(name)) }

    /// The row with its values copied out, valid after the statement moves on.
    func copied() -> StoreRow {
        switch storage {
        case .values: return self
        case .statement(let handle):
            let values = (0..<names.ordered.count).map { column -> DatabaseValue in
                let index = Int32(column)
                switch sqlite3_column_type(handle, index) {
                case SQLITE_INTEGER: return sqlite3_column_int64(handle, index).databaseValue
                case SQLITE_FLOAT: return sqlite3_column_double(handle, index).databaseValue
                case SQLITE_TEXT: return text(at: column).databaseValue
                case SQLITE_BLOB:
                    guard let bytes = sqlite3_column_blob(handle, index) else { return Data().databaseValue }
                    return Data(bytes: bytes, count: Int(sqlite3_column_bytes(handle, index))).databaseValue
                default: return .null
                }
            }
            return StoreRow(.values(values), names: names)
        }
    }
}

/// The column names of a query's rows, shared by all its rows.
final class StoreColumnNames {
    /// Names in SELECT order.
    let ordered: [String]
    /// Position by name (the first column of a repeated name).
    let positions: [String: Int]

    init(_ ordered: [String]) {
        self.ordered = ordered
        var positions: [String: Int] = [:]
        for (index, name) in ordered.enumerated() where positions[name] == nil { positions[name] = index }
        self.positions = positions
    }
}
