/// A CURVE key pair (or a public key alone) in the certificate text format of czmq's `zcert` and
/// pyzmq's `zmq.auth` (ZPL): `NAME.key` holds the public key, `NAME.key_secret` both keys.
///
/// ```text
/// #   ZeroMQ CURVE **Secret** Certificate
/// metadata
/// curve
///     public-key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
///     secret-key = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"
/// ```
///
/// Gateways that already use those libraries' certificates can hand TestZone their `.key` file
/// unchanged; `testzone keys generate` writes the same format.
public struct CurveCertificate: Sendable, Hashable {
    /// The public key (always present).
    public var publicKey: CurveKey
    /// The secret key, for a secret certificate; `nil` for a public one.
    public var secretKey: CurveKey?

    /// A certificate of `pair` (secret) or of a public key alone.
    public init(publicKey: CurveKey, secretKey: CurveKey? = nil) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// The key pair, for a secret certificate whose public key matches its secret key.
    public var keyPair: CurveKeyPair? {
        guard let secretKey, let pair = try? CurveKeyPair(secretKey: secretKey), pair.publicKey == publicKey
        else { return nil }
        return pair
    }

    /// Why a certificate text could not be read, with the 1-based line it concerns (0: the file
    /// as a whole).
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The line the problem was found on (0 when it concerns the whole text).
        public var line: Int
        /// What is wrong.
        public var reason: String

        /// An error about `line` (0: the whole text).
        public init(line: Int, reason: String) {
            self.line = line
            self.reason = reason
        }

        public var description: String { line > 0 ? "line \(line): \(reason)" : reason }
    }

    /// Reads a certificate: the `public-key` and optional `secret-key` entries of its `curve`
    /// section (comments, `metadata` entries and blank lines are ignored). A secret key must
    /// belong to the public key next to it.
    public init(text: String) throws(ParseError) {
        var publicKey: CurveKey?
        var secretKey: CurveKey?
        for (offset, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .enumerated()
        {
            let line = rawLine.drop { $0 == " " || $0 == "\t" }
            guard !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { continue }
            let name = line[..<equals].trimmingSpaces
            guard name == "public-key" || name == "secret-key" else { continue }
            var value = line[line.index(after: equals)...].trimmingSpaces
            if value.count >= 2, value.first == "\"", value.last == "\"" {
                value = value.dropFirst().dropLast()
            }
            guard let key = CurveKey(z85: String(value)) else {
                throw ParseError(line: offset + 1, reason: "\(name) is not a 40-character Z85 key")
            }
            if name == "public-key" { publicKey = key } else { secretKey = key }
        }
        guard let publicKey else { throw ParseError(line: 0, reason: "no public-key entry") }
        self.publicKey = publicKey
        self.secretKey = secretKey
        if secretKey != nil && keyPair == nil {
            throw ParseError(line: 0, reason: "the secret-key does not belong to the public-key")
        }
    }

    /// The certificate text; with `includingSecret` (and a secret key) the secret certificate.
    public func text(includingSecret: Bool) -> String {
        let secret = includingSecret ? secretKey : nil
        var text = "#   ZeroMQ CURVE \(secret == nil ? "Public" : "**Secret**") Certificate\n"
        text +=
            secret == nil
            ? "#   Exchange securely, or stamp into a zone.toml source entry.\n"
            : "#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.\n"
        text += "\nmetadata\ncurve\n    public-key = \"\(publicKey.z85)\"\n"
        if let secret { text += "    secret-key = \"\(secret.z85)\"\n" }
        return text
    }
}

extension Substring {
    /// The text without leading and trailing spaces, tabs and carriage returns.
    fileprivate var trimmingSpaces: Substring {
        var slice = self
        while let first = slice.first, first == " " || first == "\t" || first == "\r" {
            slice = slice.dropFirst()
        }
        while let last = slice.last, last == " " || last == "\t" || last == "\r" { slice = slice.dropLast() }
        return slice
    }
}
