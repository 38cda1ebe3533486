import ArgumentParser
import Foundation
import Server
import Zone

/// `testzone tokens`: bearer tokens for the console (`ingest --http`, `serve` with `--tokens`).
struct TokensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Make, list and revoke the console's bearer tokens.",
        discussion: """
            The tokens file keeps each token's id, role, operator and SHA-256, never the token: \
            `add` prints the new token once. Roles: operator (one operator's vehicles and events \
            only), engineer (all live data), regulator (read-only, every operator, no Prometheus), \
            admin (also reload and keys). A running console reloads the file on SIGHUP.
            """,
        subcommands: [Add.self, List.self, Revoke.self]
    )

    static func load(_ file: String, command: String, missingIsEmpty: Bool) throws -> ConsoleTokens {
        do {
            return try ConsoleTokens.load(path: file, missingIsEmpty: missingIsEmpty)
        } catch {
            throw CommandFailure.from(error, what: "cannot read the tokens file", path: file).report(command)
        }
    }

    /// `testzone tokens add`.
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a token to a tokens file (created with mode 0600) and print it once.",
            discussion: """
                Example: `testzone tokens add --file console-tokens.toml --id ops-a --role operator \
                --operator OP-A --config zone.toml`; give the printed token to its holder \
                (`Authorization: Bearer TOKEN`, or `?access_token=TOKEN` in the dashboard's URL).
                """)

        @Option(help: "The tokens file.")
        var file: String

        @Option(help: "The token's id (who holds it; shown in the audit log).")
        var id: String

        @Option(help: "operator, engineer, regulator or admin.")
        var role: String

        @Option(
            name: .customLong("operator"),
            help: "For --role operator: the operator id (zone.toml [[operators]]).")
        var operatorID: String?

        @Option(help: "The zone configuration, to check that --operator exists.")
        var config: String?

        func validate() throws {
            try InputFiles.require(config, "cannot read the zone configuration")
            if FileManager.default.fileExists(atPath: file) {
                try InputFiles.require([file], "cannot read the tokens file")
            }
            guard let role = ConsoleRole(rawValue: role) else {
                throw ValidationError("--role: operator, engineer, regulator or admin")
            }
            if role == .operator, operatorID == nil {
                throw ValidationError("--role operator needs --operator")
            }
            if role != .operator, operatorID != nil {
                throw ValidationError("--operator goes with --role operator")
            }
        }

        func run() throws {
            if let config, let operatorID {
                let zone: ZoneConfiguration
                do {
                    zone = try ZoneConfiguration.load(contentsOf: URL(fileURLWithPath: config))
                } catch {
                    throw CommandFailure.from(error, what: "cannot read the zone configuration", path: config)
                        .report("tokens add")
                }
                ZoneTimeZone.check(zone, path: config, command: "tokens add")
                guard zone.operators.contains(where: { $0.id == operatorID }) else {
                    throw CurveKeyFiles.failure(
                        "tokens add", "unknown operator '\(operatorID)'", config,
                        "known: \(zone.operators.map(\.id).joined(separator: ", "))")
                }
            }
            var tokens = try TokensCommand.load(file, command: "tokens add", missingIsEmpty: true)
            let token: String
            do {
                token = try tokens.add(id: id, role: ConsoleRole(rawValue: role)!, operatorID: operatorID)
                try tokens.save(path: file)
            } catch {
                throw CurveKeyFiles.failure(
                    "tokens add", "cannot add the token", file, CommandFailure.explain(error).why)
            }
            print(token)
            FileHandle.standardError.write(
                Data(
                    "testzone tokens add: token '\(id)' (\(role)) added to \(file); it is shown only this once\n"
                        .utf8))
        }
    }

    /// `testzone tokens list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the tokens of a tokens file (ids, roles, operators; never the tokens).")

        @Option(help: "The tokens file.")
        var file: String

        @Flag(help: "JSON lines instead of a table.")
        var json = false

        func validate() throws { try InputFiles.require([file], "cannot read the tokens file") }

        func run() throws {
            let tokens = try TokensCommand.load(file, command: "tokens list", missingIsEmpty: false)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                for entry in tokens.entries {
                    print(String(decoding: try encoder.encode(entry), as: UTF8.self))
                }
                return
            }
            let rows = tokens.entries.map { [$0.id, $0.role.rawValue, $0.operatorID ?? "-", $0.created] }
            print(TextTable.render(header: ["id", "role", "operator", "created"], rows: rows))
        }
    }

    /// `testzone tokens revoke`.
    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a token from a tokens file (a running console forgets it at SIGHUP).")

        @Option(help: "The tokens file.")
        var file: String

        @Option(help: "The token's id.")
        var id: String

        func validate() throws { try InputFiles.require([file], "cannot read the tokens file") }

        func run() throws {
            var tokens = try TokensCommand.load(file, command: "tokens revoke", missingIsEmpty: false)
            guard tokens.revoke(id: id) else {
                throw CurveKeyFiles.failure(
                    "tokens revoke", "no token with id '\(id)'", file, "see `testzone tokens list`")
            }
            do {
                try tokens.save(path: file)
            } catch {
                throw CurveKeyFiles.failure(
                    "tokens revoke", "cannot write", file, CommandFailure.explain(error).why)
            }
            print("revoked \(id); send SIGHUP to a running console to apply it")
        }
    }
}
