import Foundation
import Store
import TOMLKit
import Zone

/// The console's tokens file (`--tokens FILE`): one `[[tokens]]` table per token with its id,
/// role, operator (for the operator role), creation time and the SHA-256 of the token. The
/// tokens themselves are never stored: `testzone tokens add` prints a new one once.
///
/// ```toml
/// [[tokens]]
/// id = "ops-a"
/// role = "operator"
/// operator = "OP-A"
/// sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
/// created = "2026-12-03T06:40:00Z"
/// ```
public struct ConsoleTokens: Sendable, Equatable {
    /// One token as the file keeps it.
    public struct Entry: Sendable, Equatable, Codable {
        /// Who holds it (shown in the audit log).
        public var id: String
        /// Its role.
        public var role: ConsoleRole
        /// For the operator role: the operator id of zone.toml.
        public var operatorID: String?
        /// Lower-case hex SHA-256 of the token text.
        public var sha256: String
        /// When it was made (ISO 8601, UTC).
        public var created: String

        enum CodingKeys: String, CodingKey {
            case id, role
            case operatorID = "operator"
            case created
            case sha256
        }

        /// The identity a request with this token reads as.
        public var identity: ConsoleIdentity {
            ConsoleIdentity(tokenID: id, role: role, operatorID: operatorID)
        }
    }

    /// The tokens, in file order.
    public private(set) var entries: [Entry]

    /// An empty set of tokens.
    public init() { entries = [] }

    /// The identity of a presented token; `nil` for an unknown (or revoked) token.
    public func identity(forToken token: String) -> ConsoleIdentity? {
        let digest = SHA256.hexDigest(of: token)
        return entries.first { $0.sha256 == digest }?.identity
    }

    // MARK: Making tokens

    /// A new random token: `tz_` and 43 characters of base64url (256 bits from the system's
    /// cryptographic generator).
    public static func generateToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let text = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return "tz_" + text
    }

    /// Adds a token (its hash); returns the token text, to be shown once.
    public mutating func add(id: String, role: ConsoleRole, operatorID: String?, now: Date = Date()) throws
        -> String
    {
        guard id.range(of: #"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$"#, options: .regularExpression) != nil else {
            throw ConsoleTokensError(
                file: nil, message: "token id '\(id)': use 1-64 letters, digits, '.', '_', '@' or '-'")
        }
        if entries.contains(where: { $0.id == id }) {
            throw ConsoleTokensError(file: nil, message: "a token with id '\(id)' exists; revoke it first")
        }
        if role == .operator, (operatorID ?? "").isEmpty {
            throw ConsoleTokensError(
                file: nil, message: "the operator role needs --operator (an operator id of zone.toml)")
        }
        if role != .operator, operatorID != nil {
            throw ConsoleTokensError(file: nil, message: "--operator goes with the operator role only")
        }
        let token = Self.generateToken()
        let formatter = ISO8601DateFormatter()
        entries.append(
            Entry(
                id: id, role: role, operatorID: operatorID, sha256: SHA256.hexDigest(of: token),
                created: formatter.string(from: now)))
        return token
    }

    /// Removes the token with this id; false if there is none.
    public mutating func revoke(id: String) -> Bool {
        let before = entries.count
        entries.removeAll { $0.id == id }
        return entries.count != before
    }

    // MARK: The file

    /// Parses a tokens file's text.
    public static func parse(_ text: String, file: String) throws -> ConsoleTokens {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConsoleTokensError(
                file: file, message: "TOML syntax, line \(error.source.begin.line): \(error.description)")
        }
        var tokens = ConsoleTokens()
        guard let list = table["tokens"] else { return tokens }
        guard let array = list.array else {
            throw ConsoleTokensError(file: file, message: "tokens: expected [[tokens]] tables")
        }
        for (index, element) in array.enumerated() {
            let path = "tokens[\(index)]"
            guard let entry = element.table else {
                throw ConsoleTokensError(file: file, message: "\(path): expected a table")
            }
            func field(_ key: String) throws -> String {
                guard let value = entry[key]?.string, !value.isEmpty else {
                    throw ConsoleTokensError(file: file, message: "\(path).\(key): missing (a string)")
                }
                return value
            }
            let roleText = try field("role")
            guard let role = ConsoleRole(rawValue: roleText) else {
                throw ConsoleTokensError(
                    file: file,
                    message:
                        "\(path).role: unknown role '\(roleText)' (operator, engineer, regulator or admin)")
            }
            let digest = try field("sha256").lowercased()
            guard digest.count == 64, digest.allSatisfy(\.isHexDigit) else {
                throw ConsoleTokensError(file: file, message: "\(path).sha256: expected 64 hex digits")
            }
            let operatorID = entry["operator"]?.string
            if role == .operator, (operatorID ?? "").isEmpty {
                throw ConsoleTokensError(
                    file: file, message: "\(path).operator: the operator role needs an operator id")
            }
            let id = try field("id")
            if tokens.entries.contains(where: { $0.id == id }) {
                throw ConsoleTokensError(file: file, message: "\(path).id: '\(id)' appears twice")
            }
            tokens.entries.append(
                Entry(
                    id: id, role: role, operatorID: role == .operator ? operatorID : nil, sha256: digest,
                    created: entry["created"]?.string ?? ""))
        }
        return tokens
    }

    /// Reads a tokens file; a missing file is an empty set when `missingIsEmpty`.
    public static func load(path: String, missingIsEmpty: Bool = false) throws -> ConsoleTokens {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            if missingIsEmpty, !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                return ConsoleTokens()
            }
            throw ConsoleTokensError(file: path, message: "cannot read the file")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    /// Whether group or others may read the file (tokens files should be 0600).
    public static func isShared(path: String) -> Bool {
        guard let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int
        else { return false }
        return mode & 0o077 != 0
    }

    /// The file's text.
    public var text: String {
        var lines = [
            "# TestZone console tokens (testzone tokens add/list/revoke). Only SHA-256 hashes of the",
            "# tokens are kept here; keep this file private (mode 0600).",
        ]
        for entry in entries {
            lines.append("")
            lines.append("[[tokens]]")
            lines.append("id = \(TOMLString.quoted(entry.id))")
            lines.append("role = \(TOMLString.quoted(entry.role.rawValue))")
            if let operatorID = entry.operatorID {
                lines.append("operator = \(TOMLString.quoted(operatorID))")
            }
            lines.append("sha256 = \(TOMLString.quoted(entry.sha256))")
            lines.append("created = \(TOMLString.quoted(entry.created))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes the file with mode 0600 (replacing it atomically).
    public func save(path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        guard
            FileManager.default.createFile(
                atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        else { throw ConsoleTokensError(file: path, message: "cannot write \(temporary)") }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw ConsoleTokensError(file: path, message: "cannot replace the file: \(reason)")
        }
    }
}

/// A tokens file that does not load, or a token that cannot be added.
public struct ConsoleTokensError: Error, CustomStringConvertible {
    /// The file, when the error is about one.
    public var file: String?
    /// What is wrong.
    public var message: String
    /// `FILE: message`.
    public var description: String { file.map { "\($0): \(message)" } ?? message }
}
