import ArgumentParser
import Foundation
import ZeroMQ

/// `testzone keys`: CURVE key pairs for the ingest server and for each source (RSU, OBU gateway,
/// JT/T 808 terminal gateway).
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Make and show CURVE key pairs for ingest and its sources.",
        discussion: """
            Keys are certificate files in the format of czmq's zcert and pyzmq's zmq.auth: \
            NAME.key holds the public key (hand it out, or paste it into zone.toml), \
            NAME.key_secret holds both keys and is written with mode 0600.
            """,
        subcommands: [Generate.self, Show.self]
    )

    /// `testzone keys generate NAME`.
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a new key pair: NAME.key (public) and NAME.key_secret (0600).",
            discussion: """
                Example: `testzone keys generate ingest --dir keys` for the server, then one pair \
                per source, e.g. `testzone keys generate rsu-0001 --dir keys`.
                """
        )

        @Argument(help: "The key pair's name (file name without extension), e.g. ingest or rsu-0001.")
        var name: String

        @Option(help: "The directory to write the two files to (created when missing).")
        var dir = "."

        @Flag(help: "Replace existing files of that name.")
        var force = false

        func run() throws {
            guard !name.isEmpty, !name.contains("/") else {
                throw CurveKeyFiles.failure(
                    "keys generate", "bad key name", name, "give a plain file name without '/'")
            }
            let pair: CurveKeyPair
            do {
                pair = try CurveKeyPair.generate()
            } catch {
                throw CurveKeyFiles.failure("keys generate", "cannot generate a key pair", nil, "\(error)")
            }
            let base = URL(fileURLWithPath: dir).appendingPathComponent(name)
            let certificate = CurveCertificate(publicKey: pair.publicKey, secretKey: pair.secretKey)
            try CurveKeyFiles.save(certificate, to: base.path, force: force, command: "keys generate")
            print("public key \(pair.publicKey.z85)")
            print("wrote \(base.path).key (public) and \(base.path).key_secret (secret, mode 0600)")
        }
    }

    /// `testzone keys show FILE`.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the public key of a certificate file (NAME.key or NAME.key_secret)."
        )

        @Argument(help: "The certificate file.")
        var file: String

        func run() throws {
            let certificate = try CurveKeyFiles.read(file, command: "keys show")
            print(certificate.publicKey.z85)
        }
    }
}

/// Reading and writing CURVE certificate files (``CurveCertificate``) with the permissions a
/// secret key needs.
enum CurveKeyFiles {
    /// Writes `NAME.key` (public, 0644) and `NAME.key_secret` (secret, 0600) for `base` = NAME.
    static func save(_ certificate: CurveCertificate, to base: String, force: Bool, command: String) throws {
        let directory = URL(fileURLWithPath: base).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw failure(command, "cannot create the directory", directory, describe(error))
        }
        for (path, secret) in [(base + ".key", false), (base + ".key_secret", true)] {
            if !force && FileManager.default.fileExists(atPath: path) {
                throw failure(command, "file exists", path, "use --force to replace it, or another name")
            }
            let text = certificate.text(includingSecret: secret)
            // The secret file is created with 0600 from the start (never readable by others,
            // not even for a moment); O_TRUNC replaces an old file's contents under --force.
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, secret ? 0o600 : 0o644)
            guard fd >= 0 else {
                throw failure(command, "cannot write", path, String(cString: strerror(errno)))
            }
            defer { close(fd) }
            if secret { fchmod(fd, 0o600) }
            let written = text.utf8CString.withUnsafeBytes { write(fd, $0.baseAddress, $0.count - 1) }
            guard written == text.utf8.count else {
                throw failure(command, "cannot write", path, String(cString: strerror(errno)))
            }
        }
    }

    /// Reads a certificate file. A file holding a secret key must not be readable by group or
    /// others (like ssh's private keys).
    static func read(_ path: String, command: String) throws -> CurveCertificate {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw failure(command, "no such key file", path, "make one with `testzone keys generate`")
        }
        if isDirectory.boolValue { throw failure(command, "not a key file", path, "it is a directory") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw failure(command, "cannot read", path, "permission denied")
        }
        let certificate: CurveCertificate
        do {
            certificate = try CurveCertificate(text: String(decoding: data, as: UTF8.self))
        } catch {
            throw failure(command, "not a CURVE certificate", path, error.description)
        }
        if certificate.secretKey != nil {
            var status = stat()
            if stat(path, &status) == 0, status.st_mode & 0o077 != 0 {
                throw failure(
                    command, "secret key file is readable by others", path,
                    "run chmod 600 on it (mode is \(String(status.st_mode & 0o777, radix: 8)))")
            }
        }
        return certificate
    }

    /// Reads a secret certificate (a key pair) for a socket that authenticates itself.
    static func readKeyPair(_ path: String, command: String) throws -> CurveKeyPair {
        let certificate = try read(path, command: command)
        guard let pair = certificate.keyPair else {
            throw failure(
                command, "not a secret key file", path, "give NAME.key_secret, not the public NAME.key")
        }
        return pair
    }

    /// A public key given as a certificate file (NAME.key or NAME.key_secret) or as its 40
    /// characters of Z85 text.
    static func publicKey(_ fileOrZ85: String, command: String) throws -> CurveKey {
        if !FileManager.default.fileExists(atPath: fileOrZ85), let key = CurveKey(z85: fileOrZ85) {
            return key
        }
        return try read(fileOrZ85, command: command).publicKey
    }

    /// Makes `socket` a CURVE client with `keys` that authenticates the server `server` (before
    /// it binds or connects).
    static func makeClient(_ socket: Socket, keys: CurveKeyPair, server: CurveKey) throws {
        try socket.setCurveServerKey(server)
        try socket.setCurvePublicKey(keys.publicKey)
        try socket.setCurveSecretKey(keys.secretKey)
    }

    /// Prints `testzone <command>: error: <what> (<path>): <why>` and gives exit status 2.
    static func failure(_ command: String, _ what: String, _ path: String?, _ why: String) -> ExitCode {
        CommandFailure(what, path, why).report(command)
    }

    private static func describe(_ error: any Error) -> String {
        CommandFailure.explain(error).why
    }
}
