import GRDB

/// One request to the operations console, as the audit log keeps it (table `audit_log`).
public struct AuditEntry: Sendable, Hashable, Codable {
    /// Wall-clock time of the request, microseconds since the Unix epoch (UTC).
    public var atMicros: Int64
    /// The token's id (`open` without a tokens file, `-` without a valid token).
    public var tokenID: String
    /// The token's role (`open` / `-` as for ``tokenID``).
    public var role: String
    /// HTTP method.
    public var method: String
    /// The request path.
    public var route: String
    /// The query string (secrets removed).
    public var parameters: String
    /// The HTTP status answered.
    public var status: Int
    /// The client's address.
    public var remote: String

    /// Creates an entry.
    public init(
        atMicros: Int64, tokenID: String, role: String, method: String, route: String, parameters: String,
        status: Int, remote: String
    ) {
        self.atMicros = atMicros
        self.tokenID = tokenID
        self.role = role
        self.method = method
        self.route = route
        self.parameters = parameters
        self.status = status
        self.remote = remote
    }
}

extension ZoneStore {
    /// Appends entries to the audit log in one transaction.
    public func appendAudit(_ entries: [AuditEntry]) throws {
        guard !entries.isEmpty else { return }
        try pool.write { db in
            let statement = try db.makeStatement(
                sql: """
                    INSERT INTO audit_log (at_us, token_id, role, method, route, parameters, status, remote)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for entry in entries {
                try statement.execute(arguments: [
                    entry.atMicros, entry.tokenID, entry.role, entry.method, entry.route, entry.parameters,
                    entry.status, entry.remote,
                ])
            }
        }
    }

    /// Audit entries at or after `sinceMicros`, oldest first; at most `limit` (the newest ones);
    /// none for a database without the table.
    public func auditEntries(sinceMicros: Int64, limit: Int) throws -> [AuditEntry] {
        try pool.read { db in
            // A database from before migration v2-issue19-audit-log opened read-only: no log yet.
            guard try db.tableExists("audit_log") else { return [] }
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM (
                        SELECT at_us, token_id, role, method, route, parameters, status, remote, id
                        FROM audit_log WHERE at_us >= ? ORDER BY at_us DESC, id DESC LIMIT ?
                    ) ORDER BY at_us, id
                    """, arguments: [sinceMicros, limit]
            ).map { row in
                AuditEntry(
                    atMicros: row["at_us"], tokenID: row["token_id"], role: row["role"],
                    method: row["method"],
                    route: row["route"], parameters: row["parameters"], status: row["status"],
                    remote: row["remote"])
            }
        }
    }
}
