import Foundation
import TestZoneTestSupport
import Testing

/// Issue 21: a warning, not silence, for options that have no effect in the mode chosen and for
/// a zone.toml whose time zone is not the one TestZone counts in (Asia/Shanghai); progress of
/// `report` and `export` off a terminal; `export --json`.
@Suite(.timeLimit(.minutes(10)))
struct ModeAndProgressTests {
    private let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "tz-modes-\(UUID().uuidString)")

    private func scratch(_ name: String) throws -> String {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent(name).path
    }

    private func warnings(_ outcome: TestZoneBinary.Outcome) -> [Substring] {
        outcome.standardError.split(separator: "\n").filter { $0.contains(": warning: ") }
    }

    // MARK: Options with no effect

    @Test(arguments: [
        (
            [
                "replay", "nowhere.mcap", "--db", "d.sqlite", "--config", "z.toml", "--wait", "1s",
                "--linger=2s",
            ],
            "testzone replay: warning: --wait and --linger have no effect with --db (it replays into a database, not onto a socket)"
        ),
        (
            ["replay", "nowhere.mcap", "--push", "tcp://127.0.0.1:9", "--wait", "1s"],
            "testzone replay: warning: --wait has no effect with --push (it is how long --publish waits for a first subscriber; --push waits for its peer up to --connect-timeout)"
        ),
        (
            ["replay", "nowhere.mcap", "--publish", "tcp://127.0.0.1:0", "--connect-timeout", "1s"],
            "testzone replay: warning: --connect-timeout has no effect with --publish (a PUB socket binds and has no peer to wait for; --wait sets how long it waits for a first subscriber)"
        ),
        (
            ["replay", "nowhere.mcap", "--push", "tcp://127.0.0.1:9", "--config", "z.toml"],
            "testzone replay: warning: --config has no effect without --db (socket replay sends the frames as they are)"
        ),
        (
            ["metrics", "--db", "nowhere.sqlite", "--config", "z.toml", "--csv"],
            "testzone metrics: warning: --config has no effect without --events (plates, names and places are for the register)"
        ),
        (
            ["report", "--db", "nowhere.sqlite", "--dmv", "--year", "2026", "--out", "o", "--format", "csv"],
            "testzone report: warning: --format has no effect with --dmv (it writes the two DMV CSV files instead of the report)"
        ),
    ])
    func optionsWithNoEffectAreNamed(arguments: [String], warning: String) async throws {
        // The warning comes first; the missing file then ends the run (exit 2, one error line).
        let outcome = try await TestZoneBinary.run(arguments)
        #expect(outcome.status == 2, "\(outcome.standardError)")
        #expect(warnings(outcome).contains(Substring(warning)), "\(outcome.standardError)")
        #expect(outcome.standardError.contains("testzone \(arguments[0]): error: "))
    }

    @Test func noWarningWhenTheOptionsFitTheMode() async throws {
        let outcome = try await TestZoneBinary.run([
            "replay", "nowhere.mcap", "--push", "tcp://127.0.0.1:9", "--connect-timeout", "1s", "--linger",
            "1s",
        ])
        #expect(outcome.status == 2 && warnings(outcome).isEmpty, "\(outcome.standardError)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let simulated = try await TestZoneBinary.Run([
            "simulate", "--out", try scratch("s.mcap"), "--duration", "2s", "--vehicles", "1", "--speed", "2",
            "--socket", "pub", "--quiet",
        ]).finish(timeout: .seconds(60))
        #expect(simulated.status == 0, "\(simulated.standardError)")
        #expect(
            warnings(simulated) == [
                "testzone simulate: warning: --socket and --speed have no effect with --out (for --publish only; an MCAP is written as fast as it can, with log times)"
            ], "\(simulated.standardError)")
    }

    // MARK: zone.time_zone

    @Test func aZoneFileInAnotherTimeZoneIsReadWithOneWarning() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let shanghai = repositoryFile("Replays/demo/zone.toml")
        let berlin = try scratch("berlin.toml")
        let text = try String(contentsOfFile: shanghai, encoding: .utf8)
        #expect(text.contains("time_zone = \"Asia/Shanghai\""))
        try text.replacingOccurrences(
            of: "time_zone = \"Asia/Shanghai\"", with: "time_zone = \"Europe/Berlin\""
        )
        .write(toFile: berlin, atomically: true, encoding: .utf8)
        let operatorID = try #require(
            text.split(separator: "\n").first { $0.hasPrefix("id = ") }.map {
                $0.dropFirst(5).split(separator: "\"").first.map(String.init) ?? ""
            })
        let expected =
            "testzone tokens add: warning: zone.time_zone is \"Europe/Berlin\" (\(berlin)): TestZone counts days and months and prints times in Asia/Shanghai (+08:00) whatever zone.toml says; \"Europe/Berlin\" is not used"
        for (zone, warned) in [(berlin, true), (shanghai, false)] {
            let outcome = try await TestZoneBinary.run([
                "tokens", "add", "--file", try scratch("tokens-\(warned).toml"), "--id", "ops", "--role",
                "operator",
                "--operator", operatorID, "--config", zone,
            ])
            #expect(outcome.status == 0, "\(outcome.standardError)")
            #expect(warnings(outcome) == (warned ? [Substring(expected)] : []), "\(outcome.standardError)")
        }
        let exported = try await TestZoneBinary.Run([
            "export", "--foxglove", try scratch("e.mcap"), "--to", "3s", "--config", berlin, "--quiet",
            repositoryFile("Replays/demo/demo.mcap"),
        ]).finish(timeout: .seconds(60))
        #expect(exported.status == 0, "\(exported.standardError)")
        #expect(
            warnings(exported).filter { $0.contains("zone.time_zone") }.count == 1,
            "\(exported.standardError)")
    }

    // MARK: Progress and --json

    @Test func reportAndExportPrintStatusLinesAndExportJSON() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let recording = try scratch("r.mcap")
        let zone = try scratch("zone.toml")
        let database = try scratch("r.sqlite")
        let simulated = try await TestZoneBinary.Run([
            "simulate", "--out", recording, "--config-out", zone, "--duration", "3m", "--vehicles", "3",
            "--quiet",
        ]).finish(timeout: .seconds(120))
        #expect(simulated.status == 0, "\(simulated.standardError)")
        let replayed = try await TestZoneBinary.Run([
            "replay", recording, "--db", database, "--config", zone, "--quiet",
        ]).finish(timeout: .seconds(120))
        #expect(replayed.status == 0, "\(replayed.standardError)")

        let every = ["TESTZONE_PROGRESS_SECONDS": "0"]
        let report = try await TestZoneBinary.Run(
            ["report", "--db", database, "--period", "2026-H2", "--out", try scratch("report")],
            environment: every
        ).finish(timeout: .seconds(120))
        #expect(report.status == 0, "\(report.standardError)")
        let reportLines = report.standardError.split(separator: "\n").filter { $0.hasPrefix("report: ") }
        #expect(!reportLines.isEmpty, "\(report.standardError)")
        #expect(reportLines.allSatisfy { $0.contains(" of 4 (") && $0.contains("%") }, "\(reportLines)")
        #expect(reportLines.contains { $0.contains("reading 2026-H2 from \(database), step 1 of 4") })
        #expect(!report.standardError.contains("\u{1B}["), "no terminal control codes in a log")
        let quiet = try await TestZoneBinary.Run(
            ["report", "--db", database, "--period", "2026-H2", "--out", try scratch("quiet"), "--quiet"],
            environment: every
        ).finish(timeout: .seconds(120))
        #expect(quiet.status == 0 && !quiet.standardError.contains("report: "), "\(quiet.standardError)")

        let export = try await TestZoneBinary.Run(
            ["export", "--foxglove", try scratch("f.mcap"), recording, "--json"], environment: every
        ).finish(timeout: .seconds(120))
        #expect(export.status == 0, "\(export.standardError)")
        let exportLines = export.standardError.split(separator: "\n").filter { $0.hasPrefix("export: ") }
        #expect(!exportLines.isEmpty, "\(export.standardError)")
        #expect(exportLines.allSatisfy { $0.contains(" frames/s, ") && $0.contains("%") }, "\(exportLines)")
        #expect(!export.standardError.contains("\u{1B}["))
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(export.standardOutput.utf8)) as? [String: Any])
        let frames = try #require(document["frames"] as? Int)
        let channels = try #require(document["channels"] as? [[String: Any]])
        #expect(frames > 0 && !channels.isEmpty)
        #expect(channels.contains { $0["schema"] as? String == "foxglove.GeoJSON" })
        let exportPath = try scratch("f.mcap")
        #expect(document["first_time"] is String && document["output"] as? String == exportPath)
    }

    // MARK: Damaged recordings

    @Test func aTruncatedRecordingIsReplayedWithWarningsAndSaysSoAtTheEnd() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let demo = try #require(
            FileManager.default.contents(atPath: repositoryFile("Replays/demo/demo.mcap")))
        let truncated = try scratch("truncated.mcap")
        #expect(FileManager.default.createFile(atPath: truncated, contents: demo.prefix(2_000_000)))
        let outcome = try await TestZoneBinary.Run([
            "replay", truncated, "--db", try scratch("t.sqlite"), "--config",
            repositoryFile("Replays/demo/zone.toml"),
            "--quiet",
        ]).finish(timeout: .seconds(120))
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let problems = warnings(outcome).filter { $0.hasPrefix("testzone replay: warning: \(truncated): ") }
        #expect(!problems.isEmpty, "\(outcome.standardError)")
        #expect(
            outcome.standardError.contains(
                "replay: the recordings had \(problems.count) problem(s) (warnings above): run 1 holds the frames before each"
            ), "\(outcome.standardError)")
    }
}
