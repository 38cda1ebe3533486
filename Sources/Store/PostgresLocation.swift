import Foundation

/// A PostgreSQL database given as `postgres://user[:password]@host[:port]/database[?sslmode=...]`.
///
/// `sslmode` is `disable` (the default: a loopback or private network) or `require` (TLS with
/// the system's trust roots). The password, when given in the URL, is never printed
/// (``description`` leaves it out).
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    /// Whether to use TLS.
    public enum TLSMode: String, Sendable, Hashable {
        /// Plain TCP.
        case disable
        /// TLS, with the server's certificate checked.
        case require
    }

    /// Server host name or address.
    public var host: String
    /// Server port (5432 unless given).
    public var port: Int
    /// User name.
    public var user: String
    /// Password (`nil`: none, e.g. trust or peer authentication).
    public var password: String?
    /// Database name.
    public var database: String
    /// TLS mode.
    public var tls: TLSMode

    /// Creates a location.
    public init(
        host: String, port: Int = 5432, user: String, password: String? = nil, database: String,
        tls: TLSMode = .disable
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.tls = tls
    }

    /// Parses a `postgres://` (or `postgresql://`) URL; throws ``ZoneStoreError`` naming what
    /// is wrong (the URL in the error has no password).
    public init(url: String) throws {
        let shown = Self.redacted(url)
        func failure(_ reason: String) -> ZoneStoreError { ZoneStoreError(path: shown, reason: reason) }
        guard let components = URLComponents(string: url),
            let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql"
        else {
            throw failure("malformed URL (postgres://user@host[:port]/database; the port a number)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw failure("no host (postgres://user@host[:port]/database)")
        }
        guard let user = components.user, !user.isEmpty else {
            throw failure("no user name (postgres://user@host[:port]/database)")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw failure("no database name after the host (postgres://user@host[:port]/database)")
        }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw failure("port \(port) is out of range (1-65535)") }
        var tls = TLSMode.disable
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    throw failure("sslmode must be disable or require, not \(item.value ?? "empty")")
                }
                tls = mode
            default:
                throw failure("unknown parameter \(item.name) (only sslmode is understood)")
            }
        }
        self.init(
            host: host, port: port, user: user.removingPercentEncoding ?? user,
            password: components.password.map { $0.removingPercentEncoding ?? $0 },
            database: database.removingPercentEncoding ?? database, tls: tls)
    }

    /// `postgres://user@host:port/database` (never the password).
    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(user)@\(shownHost):\(port)/\(database)"
            + (tls == .require ? "?sslmode=require" : "")
    }

    /// The URL as given with its password, if any, replaced by `***` (for error messages about
    /// a URL that did not parse).
    static func redacted(_ url: String) -> String {
        guard let at = url.range(of: "@"), let scheme = url.range(of: "://"),
            scheme.upperBound < at.lowerBound
        else { return url }
        let credentials = url[scheme.upperBound..<at.lowerBound]
        guard let colon = credentials.firstIndex(of: ":") else { return url }
        return String(url[..<credentials.index(after: colon)]) + "***" + String(url[at.lowerBound...])
    }
}
