import ArgumentParser
import ZeroMQ

/// `--curve-secret-key` / `--curve-server-key` of the commands that move frames over ZeroMQ
/// besides ingest (replay, tap, record), so that they work in a zone whose feeds run CURVE
/// (`testzone keys generate` makes the files). CURVE roles do not depend on bind or connect:
///
/// - with both keys the command is a CURVE **client**: its own key pair (a source's, listed in
///   zone.toml) and the server's public key. `replay` is always a client (it plays sources).
/// - with `--curve-secret-key` alone (tap, record) it is a CURVE **server** with that key pair,
///   like `ingest --curve-secret-key`: sources push or publish to it as to ingest. It admits
///   any client that knows the server's public key (ingest alone checks the zone's source list
///   and topics).
struct CurveOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "CURVE key pair file (NAME.key_secret): a source's (with --curve-server-key) or the server's (alone).",
            valueName: "file"))
    var curveSecretKey: String?

    @Option(
        help: ArgumentHelp(
            "The CURVE server's public key (NAME.key, or its 40-character Z85 text): be a CURVE client.",
            valueName: "file|key"))
    var curveServerKey: String?

    func validate() throws {
        try InputFiles.require(curveSecretKey, "cannot read the key file")
        if curveServerKey != nil, curveSecretKey == nil {
            throw ValidationError("--curve-server-key needs --curve-secret-key (this side's key pair)")
        }
    }

    /// The role and keys of a socket.
    enum Role {
        case client(CurveKeyPair, server: CurveKey)
        case server(CurveKeyPair)
    }

    /// Whether CURVE is on.
    var isOn: Bool { curveSecretKey != nil }

    /// The keys read from their files (`nil` without CURVE); unreadable files end the command.
    func role(command: String) throws -> Role? {
        guard let curveSecretKey else { return nil }
        let pair = try CurveKeyFiles.readKeyPair(curveSecretKey, command: command)
        guard let curveServerKey else { return .server(pair) }
        return .client(pair, server: try CurveKeyFiles.publicKey(curveServerKey, command: command))
    }
}

extension Socket {
    /// Sets this socket's CURVE role (before connecting or binding).
    func useCurve(_ role: CurveOptions.Role?) throws {
        switch role {
        case nil:
            return
        case .client(let pair, let server):
            try CurveKeyFiles.makeClient(self, keys: pair, server: server)
        case .server(let pair):
            try setCurveServer(true)
            try setCurveSecretKey(pair.secretKey)
        }
    }
}
