import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import NIOCore
import Store

/// The request context of the console: Hummingbird's core context, the authenticated reader
/// (hummingbird-auth's ``AuthRequestContext``) and the client's address (for the audit log).
public struct ConsoleRequestContext: AuthRequestContext, RequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The reader, once the authenticator has found one.
    public var identity: ConsoleIdentity?
    /// The client's address.
    public let remoteAddress: SocketAddress?

    /// Creates the context of a request on a channel.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        identity = nil
        remoteAddress = source.channel.remoteAddress
    }
}

/// Finds the reader of each request (a bearer token in `Authorization`, or `access_token` in
/// the query for clients that cannot set headers: browsers' `EventSource`), and writes the
/// audit row of every request when it has been answered. An unknown token is refused at once
/// (401); a request without a token passes on without identity (routes then answer 401).
struct ConsoleAuthenticator: AuthenticatorMiddleware {
    typealias Context = ConsoleRequestContext
    typealias Identity = ConsoleIdentity

    let access: ConsoleAccess
    let audit: AuditTrail?

    func authenticate(request: Request, context: Context) async throws -> ConsoleIdentity? {
        guard access.requiresTokens else { return .open }
        let token =
            request.headers.bearer?.token ?? request.uri.queryParameters["access_token"].map(String.init)
        guard let token, !token.isEmpty else { return nil }
        guard let identity = access.identity(forToken: token) else {
            throw ConsoleRequestError(status: .unauthorized, message: "unknown or revoked token")
        }
        return identity
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var context = context
        let response: Response
        do {
            context.identity = try await authenticate(request: request, context: context)
            response = try await next(request, context)
        } catch let refusal as ConsoleRequestError {
            response = ConsoleServer.error(refusal.status, refusal.message)
        } catch let error as any HTTPResponseError {
            response = ConsoleServer.error(error.status, "\(error.status.reasonPhrase)")
        }
        audit?.record(Self.entry(request, context: context, status: response.status.code))
        return response
    }

    /// The audit row of a request (the token never appears in it).
    static func entry(_ request: Request, context: Context, status: Int) -> AuditEntry {
        let parameters = request.uri.queryParameters
            .filter { $0.key != "access_token" }
            .map { "\($0.key)=\($0.value)" }
            .sorted()
            .joined(separator: "&")
        let now = Date().timeIntervalSince1970
        return AuditEntry(
            atMicros: Int64((now * 1_000_000).rounded()), tokenID: context.identity?.tokenID ?? "-",
            role: context.identity?.auditRole ?? "-", method: request.method.rawValue,
            route: request.uri.path,
            parameters: parameters, status: status, remote: context.remoteAddress?.ipAddress ?? "")
    }
}

/// Lets a request through when its reader's role allows `permission`: 401 without a reader
/// (with `WWW-Authenticate: Bearer`), 403 when the role does not allow it; both as JSON.
struct ConsolePermissionMiddleware: RouterMiddleware {
    typealias Context = ConsoleRequestContext

    let permission: ConsolePermission

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard let identity = context.identity else {
            var response = ConsoleServer.error(
                .unauthorized,
                "a bearer token is required (Authorization: Bearer TOKEN, or ?access_token=TOKEN)")
            response.headers[.wwwAuthenticate] = #"Bearer realm="testzone""#
            return response
        }
        if permission == .administration, identity == .open {
            return ConsoleServer.error(
                .forbidden,
                "administration needs a token with the admin role (start the console with --tokens)")
        }
        guard identity.role.allows(permission) else {
            return ConsoleServer.error(
                .forbidden,
                "role \(identity.role.rawValue) may not use \(permission.rawValue) (\(request.uri.path))")
        }
        return try await next(request, context)
    }
}
