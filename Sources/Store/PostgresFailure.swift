import Foundation
import PostgresNIO

/// Turns postgres-nio's errors into a short reason for the user (``ZoneStoreError``): the
/// server's own message and SQLSTATE, or what went wrong with the connection. `PSQLError`'s
/// text is deliberately generic, so it is never shown as it is.
enum PostgresFailure {
    static func reason(_ error: any Error, location: PostgresLocation) -> String {
        if let error = error as? PostgresTransactionError {
            if let inner = error.closureError ?? error.beginError ?? error.commitError {
                return reason(inner, location: location)
            }
        }
        if let error = error as? ZoneStoreError { return error.reason }
        if let error = error as? PSQLError {
            if let info = error.serverInfo, let message = info[.message] {
                let state = info[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return "server says: \(message)\(state)"
            }
            switch error.code {
            case .connectionError, .serverClosedConnection, .uncleanShutdown:
                let cause = error.underlying.map { connectionCause($0) } ?? "connection lost"
                return "cannot connect to \(location.host):\(location.port): \(cause)"
            case .sslUnsupported: return "the server does not support TLS (sslmode=require)"
            case .authMechanismRequiresPassword: return "the server asks for a password and the URL has none"
            case .unsupportedAuthMechanism:
                return "the server asks for an authentication method not supported"
            case .tooManyParameters: return "a statement had too many parameters"
            case .queryCancelled: return "the query was cancelled"
            case .poolClosed, .clientClosedConnection: return "the connection was closed"
            default: return "PostgreSQL protocol error \(error.code)"
            }
        }
        return connectionCause(error)
    }

    /// "connection refused", "timed out", "host not found", ...
    static func connectionCause(_ error: any Error) -> String {
        if let error = error as? IOError { return describe(errno: error.errnoCode) }
        if let error = error as? NIOConnectionError {
            if let dns = error.dnsAAAAError ?? error.dnsAError, error.connectionErrors.isEmpty {
                return "host not found (\(type(of: dns)))"
            }
            if let first = error.connectionErrors.first { return connectionCause(first.error) }
            return "host not found"
        }
        if let error = error as? ChannelError {
            switch error {
            case .connectTimeout: return "timed out"
            default: return "connection failed (\(error))"
            }
        }
        if error is CancellationError { return "cancelled" }
        return "connection failed (\(type(of: error)))"
    }

    static func describe(errno code: Int32) -> String {
        String(cString: strerror(code)).lowercased()
    }
}
