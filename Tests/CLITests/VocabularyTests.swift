import Foundation
import TestZoneTestSupport
import Testing

/// Issue 21: one vocabulary for every command. The old spellings still work for one release,
/// hidden from `--help`, each with one deprecation note; periodic status lines when standard
/// error is not a terminal; the README's command reference lists exactly the flags of `--help`.
@Suite(.timeLimit(.minutes(10)))
struct VocabularyTests {
    private let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "tz-vocabulary-\(UUID().uuidString)")

    private func scratch(_ name: String) throws -> String {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent(name).path
    }

    private func note(_ command: String, _ old: String, _ new: String) -> String {
        "testzone \(command): warning: \(old) is deprecated, use \(new)\n"
    }

    private func count(_ text: String, in whole: String) -> Int {
        whole.components(separatedBy: text).count - 1
    }

    // MARK: Deprecated aliases

    @Test func reportZoneAndMapFromAreOldSpellingsOfConfigAndMap() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try scratch("empty.sqlite")
        #expect(FileManager.default.createFile(atPath: database, contents: Data()))
        let missingZone = try scratch("nowhere/zone.toml")
        let missingMap = try scratch("nowhere/map.mcap")
        // The old spelling reaches the same option as the new one: the same error for the same file.
        for (old, new, path, what) in [
            ("--zone", "--config", missingZone, "cannot read the zone configuration"),
            ("--map-from", "--map", missingMap, "cannot read the road network"),
        ] {
            let base = ["report", "--db", database, "--month", "2026-11", "--out", try scratch("out")]
            let oldOutcome = try await TestZoneBinary.run(base + [old, path])
            let newOutcome = try await TestZoneBinary.run(base + [new, path])
            #expect(oldOutcome.status == 2 && newOutcome.status == 2)
            let line = "testzone report: error: \(what) (\(path)): no such file\n"
            #expect(newOutcome.standardError == line)
            #expect(oldOutcome.standardError == note("report", old, new) + line)
            let help = try await TestZoneBinary.run(["report", "--help"])
            #expect(!help.standardOutput.contains("\(old) ") && help.standardOutput.contains("\(new) "))
        }
    }

    @Test func replayTopicsIsTheOldSpellingOfARepeatableTopic() async throws {
        let recording = repositoryFile("Replays/demo/demo.mcap")
        func replayed(_ filter: [String]) async throws -> (count: Int, standardError: String) {
            let outcome = try await TestZoneBinary.Run(
                [
                    "replay", recording, "--publish", "tcp://127.0.0.1:0", "--wait", "0s", "--speed", "max",
                    "--to", "20s",
                ]
                    + filter
            ).finish(timeout: .seconds(60))
            #expect(outcome.status == 0, "\(outcome.standardError)")
            let line = outcome.standardError.split(separator: "\n").first { $0.hasPrefix("replayed ") } ?? ""
            let number = line.dropFirst("replayed ".count).prefix { $0 != " " }.replacingOccurrences(
                of: ",", with: "")
            return (Int(number) ?? -1, outcome.standardError)
        }
        let all = try await replayed([])
        let jt808 = try await replayed(["--topic", "jt808/"])
        let both = try await replayed(["--topic", "jt808/", "--topic", "cv2x/"])
        let old = try await replayed(["--topics", "jt808/", "cv2x/"])
        #expect(jt808.count > 0 && jt808.count < all.count)
        #expect(both.count == all.count && old.count == both.count)
        #expect(count(note("replay", "--topics", "--topic"), in: old.standardError) == 1)
        #expect(!both.standardError.contains("deprecated"))
    }

    @Test func simulateZoneAndClockSkewAreOldSpellings() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let zone = try scratch("zone.toml")
        let outcome = try await TestZoneBinary.Run([
            "simulate", "--out", try scratch("s.mcap"), "--duration", "5s", "--vehicles", "2", "--zone", zone,
            "--clock-skew", "3000", "--quiet",
        ]).finish(timeout: .seconds(60))
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(FileManager.default.fileExists(atPath: zone))
        #expect(count(note("simulate", "--zone", "--config-out"), in: outcome.standardError) == 1)
        #expect(count(note("simulate", "--clock-skew", "--clock-offset"), in: outcome.standardError) == 1)
        // The new spellings, durations as 5s / 3s: the same zone.toml.
        let newZone = try scratch("new-zone.toml")
        let new = try await TestZoneBinary.Run([
            "simulate", "--out", try scratch("n.mcap"), "--duration", "5s", "--vehicles", "2", "--config-out",
            newZone,
            "--clock-offset", "3s", "--quiet",
        ]).finish(timeout: .seconds(60))
        #expect(new.status == 0 && !new.standardError.contains("deprecated"))
        #expect(FileManager.default.contents(atPath: newZone) == FileManager.default.contents(atPath: zone))
        // Plain seconds are still a duration.
        let plain = try await TestZoneBinary.Run([
            "simulate", "--out", try scratch("p.mcap"), "--duration", "5", "--vehicles", "2", "--quiet",
        ]).finish(timeout: .seconds(60))
        #expect(plain.status == 0 && plain.standardError.contains("simulated 5 s"))
    }

    @Test func recordZoneIsTheOldSpellingOfZoneName() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        for (flag, name) in [("--zone", "OldSpelling"), ("--zone-name", "NewSpelling")] {
            let out = try scratch("\(name).mcap")
            let outcome = try await TestZoneBinary.Run([
                "record", "--listen", "tcp://127.0.0.1:0", "--out", out, "--duration", "1s", flag, name,
                "--quiet",
            ]).finish(timeout: .seconds(30))
            #expect(outcome.status == 0, "\(outcome.standardError)")
            let bytes = try #require(FileManager.default.contents(atPath: out))
            #expect(bytes.range(of: Data(name.utf8)) != nil, "the zone name is in the journal's metadata")
            #expect(
                count(note("record", "--zone", "--zone-name"), in: outcome.standardError)
                    == (flag == "--zone" ? 1 : 0))
        }
    }

    @Test func ingestSecondsAndMinutesOptionsAreOldSpellingsOfDurations() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let zone = repositoryFile("Replays/demo/zone.toml")
        for (old, new, value) in [
            ("--rotate-minutes", "--rotate-interval", "60"), ("--commit-seconds", "--commit-interval", "0.2"),
            ("--flush-seconds", "--flush-interval", "0.2"), ("--status-seconds", "--status-interval", "0.3"),
        ] {
            let run = try TestZoneBinary.Run([
                "ingest", "--config", zone, "--listen", "tcp://127.0.0.1:0", "--db",
                try scratch("\(old).sqlite"),
                "--journal", try scratch("journal\(old)"), "--log-level", "error", old, value,
            ])
            // Running: the status line (every 5 s by default; two within a second or so with
            // the old --status-seconds 0.3).
            try await waitUntil("ingest with \(old) runs", timeout: .seconds(30)) {
                let lines = run.standardErrorSoFar.components(separatedBy: " | cv2x ").count - 1
                return lines >= (old == "--status-seconds" ? 2 : 1)
            }
            run.signal(SIGINT)
            let outcome = try await run.finish(timeout: .seconds(30))
            #expect(outcome.status == 0, "\(old): \(outcome.standardError)")
            #expect(
                count(note("ingest", old, new), in: outcome.standardError) == 1, "\(outcome.standardError)")
            if old == "--status-seconds" {
                let lines = outcome.standardError.split(separator: "\n").filter { $0.contains(" | cv2x ") }
                #expect(lines.count >= 2, "status lines every 0.3 s: \(outcome.standardError)")
            }
        }
    }

    @Test func oldSpellingsAreHiddenFromHelp() async throws {
        for (command, old) in [
            (["report"], ["--zone ", "--map-from"]), (["replay"], ["--topics"]),
            (["simulate"], ["--zone ", "--clock-skew"]),
            (["record"], ["--zone "]),
            (["ingest"], ["--rotate-minutes", "--commit-seconds", "--flush-seconds", "--status-seconds"]),
        ] {
            let help = try await TestZoneBinary.run(command + ["--help"])
            for spelling in old {
                #expect(!help.standardOutput.contains(spelling), "\(command) --help shows \(spelling)")
            }
        }
    }

    // MARK: Progress when standard error is not a terminal

    @Test func simulateAndReplayIntoADatabasePrintStatusLines() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let recording = try scratch("day.mcap")
        let zone = try scratch("zone.toml")
        let fast = ["TESTZONE_PROGRESS_SECONDS": "0.05"]
        let simulated = try await TestZoneBinary.Run(
            // Short enough for a loaded 2-core machine; the status lines come every 0.05 s anyway.
            ["simulate", "--out", recording, "--config-out", zone, "--duration", "3m", "--vehicles", "3"],
            environment: fast
        ).finish(timeout: .seconds(120))
        #expect(simulated.status == 0, "\(simulated.standardError)")
        let simulateLines = simulated.standardError.split(separator: "\n").filter {
            $0.hasPrefix("simulate: ")
        }
        #expect(!simulateLines.isEmpty, "\(simulated.standardError)")
        #expect(simulateLines.allSatisfy { $0.contains(" of 180 simulated s, ") && $0.contains("%") })
        #expect(!simulated.standardError.contains("\u{1B}["), "no terminal control codes in a log")

        let quiet = try await TestZoneBinary.Run(
            ["simulate", "--out", try scratch("q.mcap"), "--duration", "3m", "--vehicles", "3", "--quiet"],
            environment: fast
        ).finish(timeout: .seconds(120))
        #expect(quiet.status == 0 && !quiet.standardError.contains("simulate: "))

        let replayed = try await TestZoneBinary.Run(
            ["replay", recording, "--db", try scratch("day.sqlite"), "--config", zone], environment: fast
        ).finish(timeout: .seconds(120))
        #expect(replayed.status == 0, "\(replayed.standardError)")
        let replayLines = replayed.standardError.split(separator: "\n").filter {
            $0.hasPrefix("replay: ") && $0.contains(" frames/s, ")
        }
        #expect(!replayLines.isEmpty, "\(replayed.standardError)")
        #expect(replayLines.allSatisfy { $0.contains("%") })
        #expect(!replayed.standardError.contains("\u{1B}["))
    }

    // MARK: README and --help agree

    /// The long flags of a `--help` text (OPTIONS and ARGUMENTS), without --help and --version.
    static func helpFlags(_ help: String) -> Set<String> {
        var flags: Set<String> = []
        // Option lines start with two spaces and a dash; wrapped descriptions are indented more.
        for line in help.split(separator: "\n") where line.hasPrefix("  -") {
            let trimmed = line.dropFirst(2)
            // "-o, --out <out>" or "--listen" or "--[no-]verify": the first long flag.
            guard let range = trimmed.range(of: #"--[a-z0-9][a-z0-9-]*"#, options: .regularExpression) else {
                continue
            }
            flags.insert(String(trimmed[range]))
        }
        return flags.subtracting(["--help", "--version"])
    }

    /// Per command (`ingest`, `decode cv2x`): the flags of the README's command reference.
    static func readmeFlags(_ readme: String) -> [String: Set<String>] {
        guard let start = readme.range(of: "\n## Command reference\n") else { return [:] }
        let rest = readme[start.upperBound...]
        let section = rest.range(of: "\n## ").map { rest[..<$0.lowerBound] } ?? rest
        var result: [String: Set<String>] = [:]
        var current: String?
        for line in section.split(separator: "\n") {
            if line.hasPrefix("### `testzone "), let end = line.dropFirst(14).firstIndex(of: "`") {
                current = String(line[line.index(line.startIndex, offsetBy: 14)..<end])
                result[current!] = []
            } else if let current, line.hasPrefix("| `-") {
                let cell = line.dropFirst(3)
                if let range = cell.range(of: #"--[a-z0-9][a-z0-9-]*"#, options: .regularExpression) {
                    result[current, default: []].insert(String(cell[range]))
                }
            }
        }
        return result
    }

    /// The names of a SUBCOMMANDS section (lines indented by exactly two spaces).
    static func subcommands(_ help: String) -> [String] {
        guard let start = help.range(of: "SUBCOMMANDS:\n") else { return [] }
        return help[start.upperBound...].split(separator: "\n").compactMap { line in
            guard line.hasPrefix("  "), !line.hasPrefix("   "), !line.hasPrefix("  See ") else { return nil }
            return line.split(separator: " ").first.map(String.init)
        }
    }

    /// Every command `testzone --help` leads to, a group's subcommands in its place
    /// (`decode cv2x`, not `decode`).
    static func commandsOfHelp(_ prefix: [String] = []) async throws -> [String] {
        let help = try await TestZoneBinary.run(prefix + ["--help"])
        var commands: [String] = []
        for name in subcommands(help.standardOutput) {
            let words = prefix + [name]
            let nested = try await commandsOfHelp(words)
            commands += nested.isEmpty ? [words.joined(separator: " ")] : nested
        }
        return commands
    }

    @Test func readmeCommandReferenceListsTheFlagsOfEveryHelp() async throws {
        let readme = try String(contentsOfFile: repositoryFile("README.md"), encoding: .utf8)
        let documented = Self.readmeFlags(readme)
        // The commands as `testzone --help` lists them: a new command cannot be left out of the
        // README's reference or of the command matrix.
        let commands = try await Self.commandsOfHelp()
        #expect(commands.count >= 19, "\(commands)")
        #expect(
            Set(documented.keys) == Set(commands), "README command reference: \(documented.keys.sorted())")
        #expect(
            Set(CommandMatrixTests.commands.map(\.name)) == Set(commands),
            "the command matrix: \(CommandMatrixTests.commands.map(\.name))")
        for command in commands {
            let help = try await TestZoneBinary.run(
                command.split(separator: " ").map(String.init) + ["--help"])
            #expect(help.status == 0)
            let shown = Self.helpFlags(help.standardOutput)
            let listed = documented[command] ?? []
            #expect(
                shown == listed,
                "\(command): only in --help \(shown.subtracting(listed).sorted()), only in README \(listed.subtracting(shown).sorted())"
            )
        }
    }
}
