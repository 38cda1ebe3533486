import GRDB
import Metrics
import PostgresNIO

/// The PostgreSQL sink of ``ResultRowProducer``: collects a commit's rows by table, to be
/// written with multi-row inserts after the rows they replace are deleted.
///
/// A commit replaces, for each vehicle it carries, all of that vehicle's rows of the run, and
/// all the run's health rows: what a node commits for a (node, run) is always the whole current
/// partial of the vehicles it names, so applying a commit twice leaves the same rows.
struct PostgresResultRows: ResultRowSink {
    /// Registry rows of the vehicles in the commit.
    var identities: [VehicleIdentity] = []
    /// Data sources seen (`sources` rows, inserted when missing).
    var sources: [(name: String, kind: String)] = []
    /// Rows by ``ResultTable/rawValue``, each without `run_id`.
    var rows: [[[DatabaseValue]]] = Array(repeating: [], count: ResultTable.allCases.count)
    /// The vehicles whose rows the commit replaces.
    var vehicles: [String] = []

    mutating func vehicles(_ identities: [VehicleIdentity]) throws { self.identities = identities }

    mutating func begin(vehicle: String?) {
        if let vehicle { vehicles.append(vehicle) }
    }

    mutating func source(_ name: String, kind: String) throws { sources.append((name, kind)) }

    mutating func keyed(_ table: ResultTable, key: [DatabaseValue], _ values: [DatabaseValue]) throws {
        rows[table.rawValue].append(values)
    }

    mutating func ordered(_ table: ResultTable, _ rows: [[DatabaseValue]]) throws {
        self.rows[table.rawValue].append(contentsOf: rows)
    }

    mutating func end() throws {}

    /// The number of result rows collected.
    var count: Int { rows.reduce(0) { $0 + $1.count } }
}

extension ResultTable {
    /// Whether the table holds per-vehicle rows (a `vin` column) rather than run-wide health.
    var isPerVehicle: Bool {
        switch self {
        case .vehicleRuns, .vehicleDaily, .modeSegments, .events, .linkCoverage, .gridCoverage, .v2xReception:
            true
        case .dataHealth, .rejectedReasons, .sequenceHealth, .unattributed: false
        }
    }
}

extension PostgresBindings {
    /// Appends a GRDB value as the matching PostgreSQL parameter (NULL, int8, float8, text, bytea).
    mutating func append(_ value: DatabaseValue) {
        switch value.storage {
        case .null: appendNull()
        case .int64(let number): append(number)
        case .double(let number): append(number)
        case .string(let text): append(text)
        case .blob(let data): append(ByteBuffer(bytes: data))
        }
    }
}

extension DatabaseValue {
    /// A text value.
    static func text(_ value: String) -> DatabaseValue { value.databaseValue }
    /// A real value.
    static func real(_ value: Double) -> DatabaseValue { value.databaseValue }
    /// An integer value.
    static func integer(_ value: Int64) -> DatabaseValue { value.databaseValue }
}

extension PostgresConnection {
    /// Runs a statement, discarding any rows.
    func run(_ sql: String, _ binds: PostgresBindings = PostgresBindings(), logger: Logger) async throws {
        try await query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).drain()
    }

    /// Runs a query and returns each row's columns as text (`nil` for NULL).
    func texts(_ sql: String, _ binds: PostgresBindings = PostgresBindings(), logger: Logger) async throws
        -> [[String?]]
    {
        var result: [[String?]] = []
        for try await row in try await query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger) {
            result.append(row.map { cell in cell.bytes.map { String(buffer: $0) } })
        }
        return result
    }

    /// Inserts rows with multi-row `INSERT ... VALUES` statements of at most 30,000 parameters,
    /// each followed by `suffix` (e.g. an `ON CONFLICT` clause).
    func insert(
        _ table: String, columns: [String], rows: [[DatabaseValue]], suffix: String = "", logger: Logger
    ) async throws {
        guard !rows.isEmpty, !columns.isEmpty else { return }
        let perStatement = max(1, 30_000 / columns.count)
        let head = "INSERT INTO \(table)(\(columns.joined(separator: ", "))) VALUES "
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + perStatement)
            var sql = head
            var binds = PostgresBindings(capacity: (end - start) * columns.count)
            var parameter = 0
            for index in start..<end {
                sql += index == start ? "(" : ", ("
                for column in 0..<columns.count {
                    parameter += 1
                    sql += column == 0 ? "$\(parameter)" : ", $\(parameter)"
                    binds.append(rows[index][column])
                }
                sql += ")"
            }
            if !suffix.isEmpty { sql += " " + suffix }
            try await run(sql, binds, logger: logger)
            start = end
        }
    }
}

extension PostgresRowSequence {
    /// Reads and discards the rows (the statement has then completed).
    func drain() async throws {
        for try await _ in self {}
    }
}
