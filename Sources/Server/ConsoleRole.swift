/// Who may read what on the console (issue 19). A token has exactly one role.
public enum ConsoleRole: String, Sendable, CaseIterable, Codable {
    /// One operator's (test licence holder's) vehicles and events, nothing else of the zone's
    /// data: no other operator's VIN on any route, SSE included; no data health, no Prometheus.
    case `operator`
    /// All live data (every operator, data health, Prometheus); no administration.
    case engineer
    /// Read-only, every operator: vehicles, event register, metrics, data health; no
    /// Prometheus internals, no administration. (The API serves no raw frames to anyone.)
    case regulator
    /// Everything, including reloading the zone and tokens and listing keys.
    case admin

    /// Whether this role may use routes that need `permission`.
    public func allows(_ permission: ConsolePermission) -> Bool {
        switch permission {
        case .liveData: true
        case .dataHealth: self != .operator
        case .prometheus: self == .engineer || self == .admin
        case .administration: self == .admin
        }
    }
}

/// What a route needs.
public enum ConsolePermission: String, Sendable {
    /// Zone, vehicles, events (register and stream), RSUs, metrics, dashboard (scoped for operators).
    case liveData = "live data"
    /// `/api/v1/health` (every source's counters).
    case dataHealth = "data health"
    /// `/metrics` (Prometheus text).
    case prometheus = "Prometheus metrics"
    /// `/api/v1/admin/...`.
    case administration = "administration"
}

/// The reader behind a request: a token's id and role, or the open console.
public struct ConsoleIdentity: Sendable, Hashable {
    /// The token's id (`open` for a console without tokens).
    public var tokenID: String
    /// The role.
    public var role: ConsoleRole
    /// For the operator role: the operator whose data it may read.
    public var operatorID: String?

    /// Creates an identity.
    public init(tokenID: String, role: ConsoleRole, operatorID: String? = nil) {
        self.tokenID = tokenID
        self.role = role
        self.operatorID = operatorID
    }

    /// A console started without a tokens file: everyone reads as an engineer (no administration).
    public static let open = ConsoleIdentity(tokenID: "open", role: .engineer)

    /// The operator whose data alone this identity may read; `nil`: every operator.
    public var scope: String? { role == .operator ? operatorID ?? "" : nil }

    /// The role as the audit log writes it.
    var auditRole: String { tokenID == "open" ? "open" : role.rawValue }
}
