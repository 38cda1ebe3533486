import Foundation
import GRDB
import Store
import TestZoneTestSupport
import Testing

/// Issue 21's test matrix: every command run with no arguments, `--help`, a missing file, a
/// directory for a file, an unreadable file, another program's SQLite database, an empty file and
/// a bad flag value. It checks the exit status (0 success, 1 data problems, 2 usage or
/// environment errors), that an error is one line `testzone <command>: error: <what> (<path>):
/// <why>` (the path where there is one), that nothing raw from Foundation shows, and that the
/// file given is exactly as it was afterwards (SHA-256 before and after).
@Suite(.timeLimit(.minutes(10)))
struct CommandMatrixTests {
    /// The eight situations.
    enum Case: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case noArguments, help, missingFile, directory, unreadable, foreignSQLite, emptyFile, badFlagValue
        var testDescription: String { rawValue }
        /// The cases that hand the command a path.
        var isFileCase: Bool { ![.noArguments, .help, .badFlagValue].contains(self) }
    }

    /// What a run must end with.
    enum Expect: Sendable, Equatable {
        /// Exit 0.
        case success
        /// Exit 1: the input was read and its problems reported (e.g. undecodable lines).
        case dataProblems
        /// Exit 2 with one error line (naming the path in the file cases).
        case error
        /// Not applicable to this command (the reason says why).
        case notApplicable(String)
    }

    /// Paths shared by the runs of one test.
    struct Paths: Sendable {
        var scratch: String
        var zone: String
        var recording: String
        var database: String
    }

    /// One command of the matrix: how to hand it the path of a file case, a bad flag value,
    /// and which cases end otherwise than with an error.
    struct Command: Sendable, CustomTestStringConvertible {
        var name: String
        var withFile: @Sendable (String, Paths) -> [String]
        var badFlag: @Sendable (Paths) -> [String]
        var expected: [Case: Expect] = [:]

        var testDescription: String { name }
        var words: [String] { name.split(separator: " ").map(String.init) }

        func expect(_ situation: Case) -> Expect {
            if let known = expected[situation] { return known }
            return situation == .help ? .success : .error
        }
    }

    static let commands: [Command] = [
        Command(
            name: "tap", withFile: { path, _ in ["--curve-secret-key", path, "tcp://127.0.0.1:9"] },
            badFlag: { _ in ["--duration", "forever", "tcp://127.0.0.1:9"] }),
        Command(
            name: "decode cv2x", withFile: { path, _ in [path] },
            badFlag: { _ in ["--schema", "csae53-1999"] },
            expected: [
                .noArguments: .success,  // reads standard input: nothing, nothing to decode
                .foreignSQLite: .dataProblems,  // read, and every line reported as undecodable
                .emptyFile: .success,
            ]),
        Command(
            name: "decode jt808", withFile: { path, _ in [path] }, badFlag: { _ in ["--schema", "2019"] },
            expected: [.noArguments: .success, .foreignSQLite: .dataProblems, .emptyFile: .success]),
        Command(
            name: "record",
            withFile: { path, paths in
                [
                    "--curve-secret-key", path, "--listen", "tcp://127.0.0.1:0", "--out",
                    paths.scratch + "/r.mcap",
                ]
            },
            badFlag: { paths in
                ["--listen", "tcp://127.0.0.1:0", "--out", paths.scratch + "/r.mcap", "--max-size", "lots"]
            }),
        Command(
            name: "replay",
            withFile: { path, _ in
                [path, "--push", "tcp://127.0.0.1:9", "--speed", "max", "--linger", "1s", "--quiet"]
            },
            badFlag: { paths in [paths.recording, "--push", "tcp://127.0.0.1:9", "--speed", "fast"] }),
        Command(
            name: "inspect", withFile: { path, _ in [path] },
            badFlag: { paths in [paths.recording, "--json=yes"] },
            expected: [.emptyFile: .dataProblems]),  // an empty MCAP: read, and reported as truncated
        Command(
            name: "export", withFile: { path, paths in ["--foxglove", paths.scratch + "/f.mcap", path] },
            badFlag: { paths in ["--foxglove", paths.scratch + "/f.mcap", "--from", "never", paths.recording]
            },
            expected: [.emptyFile: .dataProblems]),
        Command(
            name: "clip",
            withFile: { path, paths in ["--at", "0", "--out", paths.scratch + "/c.mcap", path] },
            badFlag: { paths in
                ["--at", "0", "--before", "ages", "--out", paths.scratch + "/c.mcap", paths.recording]
            },
            expected: [.emptyFile: .dataProblems]),
        Command(
            name: "metrics", withFile: { path, _ in ["--db", path] },
            badFlag: { paths in ["--db", paths.database, "--month", "2026-13"] }),
        Command(
            name: "simulate", withFile: { path, _ in ["--out", path, "--duration", "1s"] },
            badFlag: { paths in ["--out", paths.scratch + "/s.mcap", "--duration", "forever"] },
            expected: [
                // simulate reads no file: --out is what it writes (a new file, replaced if there).
                .unreadable: .notApplicable("simulate reads no input file"),
                .foreignSQLite: .notApplicable("simulate reads no input file"),
                .emptyFile: .notApplicable("simulate reads no input file"),
            ]),
        Command(
            name: "report",
            withFile: { path, paths in ["--db", path, "--month", "2026-11", "--out", paths.scratch + "/r"] },
            badFlag: { paths in ["--db", paths.database, "--month", "2026-13", "--out", paths.scratch + "/r"]
            }),
        Command(
            name: "ingest",
            withFile: { path, paths in
                [
                    "--config", path, "--listen", "tcp://127.0.0.1:0", "--db", paths.scratch + "/i.sqlite",
                    "--journal", paths.scratch + "/journal",
                ]
            },
            badFlag: { paths in
                [
                    "--config", paths.zone, "--listen", "tcp://127.0.0.1:0", "--db",
                    paths.scratch + "/i.sqlite",
                    "--journal", paths.scratch + "/journal", "--commit-interval", "soon",
                ]
            }),
        Command(
            name: "keys generate", withFile: { path, _ in ["rsu-0001", "--dir", path] },
            badFlag: { paths in ["a/b", "--dir", paths.scratch] },
            expected: [
                // --dir is where the pair goes: a missing one is created, a directory is right.
                .missingFile: .notApplicable("keys generate creates a missing --dir"),
                .directory: .notApplicable("--dir is a directory"),
                .unreadable: .notApplicable("keys generate reads no file"),
            ]),
        Command(
            name: "keys show", withFile: { path, _ in [path] },
            badFlag: { _ in ["--format", "pem", "x.key"] }),
        Command(
            name: "tokens add",
            withFile: { path, paths in
                [
                    "--file", paths.scratch + "/tokens.toml", "--id", "ops", "--role", "operator",
                    "--operator",
                    "JDRT", "--config", path,
                ]
            },
            badFlag: { paths in ["--file", paths.scratch + "/tokens.toml", "--id", "x", "--role", "king"] }),
        Command(
            name: "tokens list", withFile: { path, _ in ["--file", path] },
            badFlag: { _ in ["--file", "t.toml", "--json=yes"] },
            expected: [.emptyFile: .success]),  // an empty tokens file holds no tokens
        Command(
            name: "tokens revoke", withFile: { path, _ in ["--file", path, "--id", "ops"] },
            badFlag: { _ in ["--file", "t.toml", "--id"] }),
        Command(
            name: "nodes", withFile: { path, _ in ["--db", path] },
            badFlag: { _ in ["--db", "postgres://"] }),
        Command(
            name: "audit", withFile: { path, _ in ["--db", path] },
            badFlag: { paths in ["--db", paths.database, "--since", "yesterday"] }),
        Command(
            name: "serve",
            withFile: { path, paths in ["--db", path, "--config", paths.zone, "--http", "127.0.0.1:0"] },
            badFlag: { paths in ["--db", paths.database, "--config", paths.zone, "--http", "nowhere"] }),
    ]

    /// The command groups: no arguments prints their help.
    static let groups = ["decode", "keys", "tokens"]

    /// A fresh scratch directory with the fixtures, removed by `body`'s end.
    static func withPaths(_ body: (Paths) async throws -> Void) async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tz-matrix-\(UUID().uuidString)"
        )
        .path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer {
            chmod(scratch + "/unreadable", 0o644)
            try? FileManager.default.removeItem(atPath: scratch)
        }
        // Any existing file passes the up-front checks of the bad-flag runs.
        let database = scratch + "/placeholder.sqlite"
        #expect(FileManager.default.createFile(atPath: database, contents: Data()))
        try await body(
            Paths(
                scratch: scratch, zone: repositoryFile("Replays/demo/zone.toml"),
                recording: repositoryFile("Replays/demo/demo.mcap"), database: database))
    }

    /// Makes the file (or directory, or nothing) of a file case and returns its path.
    static func make(_ situation: Case, in scratch: String) throws -> String {
        switch situation {
        case .missingFile:
            return scratch + "/missing/file"
        case .directory:
            let path = scratch + "/a-directory"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            return path
        case .unreadable:
            let path = scratch + "/unreadable"
            #expect(FileManager.default.createFile(atPath: path, contents: Data("secret\n".utf8)))
            chmod(path, 0)
            return path
        case .foreignSQLite:
            let path = scratch + "/contacts.sqlite"
            let queue = try DatabaseQueue(path: path)
            try queue.write { db in
                try db.execute(sql: "CREATE TABLE contacts(name TEXT, phone TEXT)")
                try db.execute(sql: "INSERT INTO contacts VALUES ('Li', '021-5555')")
            }
            try queue.close()
            return path
        case .emptyFile:
            let path = scratch + "/empty"
            #expect(FileManager.default.createFile(atPath: path, contents: Data()))
            return path
        case .noArguments, .help, .badFlagValue:
            return ""
        }
    }

    /// What is at `path`: the SHA-256 of a file's bytes and its mode, a directory's listing, or
    /// nothing.
    static func fingerprint(_ path: String) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return "absent" }
        if isDirectory.boolValue {
            return "directory: "
                + ((try? FileManager.default.contentsOfDirectory(atPath: path))?.sorted().joined(
                    separator: ",") ?? "?")
        }
        var status = stat()
        stat(path, &status)
        let mode = String(status.st_mode & 0o7777, radix: 8)
        let descriptor = open(path, O_RDONLY)
        var bytes: [UInt8] = []
        if descriptor >= 0 {
            defer { close(descriptor) }
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = read(descriptor, &buffer, buffer.count)
                if count <= 0 { break }
                bytes += buffer[0..<count]
            }
        }
        return "file \(mode) \(bytes.count) bytes sha256:\(SHA256.hex(SHA256.hash(bytes)))"
    }

    /// Checks that standard error holds exactly one error line of the TestZone format.
    static func expectOneErrorLine(
        _ outcome: TestZoneBinary.Outcome, command: String, path: String?,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let errorLines = outcome.standardError.split(separator: "\n").filter { $0.contains("error:") }
        #expect(errorLines.count == 1, "\(outcome.standardError)", sourceLocation: sourceLocation)
        guard let line = errorLines.first else { return }
        #expect(
            line.hasPrefix("testzone \(command): error: "), "\(outcome.standardError)",
            sourceLocation: sourceLocation)
        if let path {
            #expect(
                line.contains("(\(path)): "), "the path in parentheses: \(line)",
                sourceLocation: sourceLocation)
        }
        for raw in ["Error Domain=", "NSCocoaErrorDomain", "Error: ", "SQLite error"] {
            #expect(
                !outcome.standardError.contains(raw), "\(outcome.standardError)",
                sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: commands, Case.allCases)
    func matrix(command: Command, situation: Case) async throws {
        let expected = command.expect(situation)
        if case .notApplicable = expected { return }
        // root reads a file of mode 000 anyway (CAP_DAC_OVERRIDE): as root, the unreadable case
        // runs the command as `nobody` (setpriv), for whom the file's mode counts.
        let unprivileged = situation == .unreadable && geteuid() == 0
        if unprivileged && TestZoneBinary.unprivilegedPrefix == nil {
            Issue.record("running as root without setpriv: the unreadable-file case cannot run")
            return
        }
        try await Self.withPaths { paths in
            // `nobody` may write the command's outputs into the scratch directory, as its owner would.
            if unprivileged { chmod(paths.scratch, 0o777) }
            let path = try Self.make(situation, in: paths.scratch)
            let arguments: [String]
            switch situation {
            case .noArguments: arguments = command.words
            case .help: arguments = command.words + ["--help"]
            case .badFlagValue: arguments = command.words + command.badFlag(paths)
            default: arguments = command.words + command.withFile(path, paths)
            }
            let before = situation.isFileCase ? Self.fingerprint(path) : ""
            let outcome = try await TestZoneBinary.Run(arguments, unprivileged: unprivileged).finish(
                timeout: .seconds(60))
            let shown = "\(arguments.joined(separator: " ")) -> \(outcome.status)\n\(outcome.standardError)"
            switch expected {
            case .success:
                #expect(outcome.status == 0, "\(shown)")
                if situation == .help {
                    #expect(outcome.standardOutput.contains("USAGE: testzone \(command.name)"), "\(shown)")
                }
            case .dataProblems:
                #expect(outcome.status == 1, "\(shown)")
                #expect(!outcome.standardError.contains("Error Domain="), "\(shown)")
            case .error:
                #expect(outcome.status == 2, "\(shown)")
                Self.expectOneErrorLine(
                    outcome, command: command.name, path: situation.isFileCase ? path : nil)
            case .notApplicable:
                break
            }
            if situation.isFileCase {
                #expect(Self.fingerprint(path) == before, "\(command.name) changed \(path)")
            }
        }
    }

    @Test(arguments: groups)
    func groupsWithoutArgumentsShowTheirHelp(group: String) async throws {
        let outcome = try await TestZoneBinary.run([group])
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput.contains("SUBCOMMANDS:"))
    }

    /// The database commands that write refuse another program's database and leave it as it was.
    @Test func writersRefuseAForeignDatabase() async throws {
        try await Self.withPaths { paths in
            let foreign = try Self.make(.foreignSQLite, in: paths.scratch)
            let before = Self.fingerprint(foreign)
            for arguments in [
                ["replay", paths.recording, "--db", foreign, "--config", paths.zone, "--quiet"],
                [
                    "ingest", "--config", paths.zone, "--listen", "tcp://127.0.0.1:0", "--db", foreign,
                    "--journal",
                    paths.scratch + "/journal", "--log-level", "error",
                ],
            ] {
                let outcome = try await TestZoneBinary.Run(arguments).finish(timeout: .seconds(60))
                #expect(outcome.status == 2, "\(arguments[0]): \(outcome.standardError)")
                #expect(outcome.standardError.contains("not a TestZone database"), "\(outcome.standardError)")
                #expect(
                    outcome.standardError.contains("testzone \(arguments[0]): error: "),
                    "\(outcome.standardError)")
                #expect(Self.fingerprint(foreign) == before, "\(arguments[0]) changed the foreign database")
            }
        }
    }
}
