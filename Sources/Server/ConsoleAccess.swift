import Foundation
import Logging
import Synchronization

/// Who may use the console: open (no tokens file: every request reads as
/// ``ConsoleIdentity/open``) or the tokens of a tokens file, reloaded on request (SIGHUP,
/// `POST /api/v1/admin/reload`).
public final class ConsoleAccess: Sendable {
    /// The tokens file; `nil`: open console.
    public let tokensPath: String?
    private let tokens: Mutex<ConsoleTokens>

    /// An open console: no tokens, everyone an engineer, no administration.
    public static func open() -> ConsoleAccess { ConsoleAccess(path: nil, tokens: ConsoleTokens()) }

    /// Access by the tokens in `path` (read now; an unreadable or invalid file throws).
    public convenience init(tokensFile path: String) throws {
        self.init(path: path, tokens: try ConsoleTokens.load(path: path))
    }

    private init(path: String?, tokens: ConsoleTokens) {
        self.tokensPath = path
        self.tokens = Mutex(tokens)
    }

    /// Whether requests need a token.
    public var requiresTokens: Bool { tokensPath != nil }

    /// The current tokens (ids and roles for the admin listing).
    public var entries: [ConsoleTokens.Entry] { tokens.withLock { $0.entries } }

    /// The identity of a presented token (`nil` if unknown).
    func identity(forToken token: String) -> ConsoleIdentity? {
        tokens.withLock { $0.identity(forToken: token) }
    }

    /// Reads the tokens file again; on failure the running tokens stay and the error is thrown.
    /// Returns the number of tokens loaded.
    @discardableResult
    public func reload() throws -> Int {
        guard let tokensPath else { return 0 }
        let loaded = try ConsoleTokens.load(path: tokensPath)
        tokens.withLock { $0 = loaded }
        return loaded.entries.count
    }

    /// Reloads and logs the outcome (for SIGHUP).
    public func reload(logger: Logger) {
        guard let tokensPath else { return }
        do {
            let count = try reload()
            logger.notice(
                "console tokens reloaded", metadata: ["file": "\(tokensPath)", "tokens": "\(count)"])
        } catch {
            logger.error(
                "console tokens reload failed, keeping the running tokens",
                metadata: ["file": "\(tokensPath)", "error": "\(error)"])
        }
    }
}
