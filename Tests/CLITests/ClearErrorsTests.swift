import Foundation
import TestZoneTestSupport
import Testing

/// Files that are not what a command expects get a plain message naming the file, and are left
/// untouched (issue 21).
@Suite(.timeLimit(.minutes(10)))
struct ClearErrorsTests {
    private let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "tz-errors-\(UUID().uuidString)")

    @Test func foreignOrEmptyDatabasesAreNotWrittenTo() async throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let empty = directory.appendingPathComponent("empty.sqlite").path
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        for command in [["metrics", "--db", empty], ["audit", "--db", empty]] {
            let outcome = try await TestZoneBinary.run(command)
            #expect(outcome.status == 2, "\(command): \(outcome.standardError)")
            #expect(outcome.standardError.contains("(\(empty)): not a TestZone database"))
        }
        let size = try FileManager.default.attributesOfItem(atPath: empty)[.size] as? Int
        #expect(size == 0, "the empty file was written to")

        let asDirectory = try await TestZoneBinary.run([
            "replay", "--db", directory.path, "--config", repositoryFile("Replays/demo/zone.toml"),
            repositoryFile("Replays/demo/demo.mcap"),
        ])
        #expect(asDirectory.status != 0)
        #expect(
            asDirectory.standardError
                == "testzone replay: error: cannot use the database (\(directory.path)): is a directory, not a database file\n"
        )
    }

    @Test func metricsRefusesUnknownOperatorsAndVehiclesLikeReport() async throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("demo.sqlite").path
        let replayed = try await TestZoneBinary.Run([
            "replay", "--db", database, "--config", repositoryFile("Replays/demo/zone.toml"), "--quiet",
            repositoryFile("Replays/demo/demo.mcap"),
        ]).finish(timeout: .seconds(240))  // ~25 s alone; several times that on the loaded shared machine
        try #require(replayed.status == 0, "\(replayed.standardError)")
        let operatorOutcome = try await TestZoneBinary.run([
            "metrics", "--db", database, "--operator", "NOPE",
        ])
        #expect(operatorOutcome.status == 2)
        #expect(
            operatorOutcome.standardError.hasPrefix(
                "testzone metrics: error: unknown operator 'NOPE' (\(database)): ")
                && operatorOutcome.standardError.contains("operators in the database: ATAL")
        )
        let vehicleOutcome = try await TestZoneBinary.run(["metrics", "--db", database, "--vehicle", "NOPE"])
        #expect(vehicleOutcome.status == 2 && vehicleOutcome.standardError.contains("unknown vehicle 'NOPE'"))
        let known = try await TestZoneBinary.run(["metrics", "--db", database, "--operator", "JDRT"])
        #expect(known.status == 0 && known.standardOutput.contains("operator JDRT"))
    }

    @Test func missingZoneFileIsNamedPlainly() async throws {
        let missing = directory.appendingPathComponent("zone.toml").path
        let outcome = try await TestZoneBinary.run([
            "replay", "--db", directory.appendingPathComponent("z.sqlite").path, "--config", missing,
            repositoryFile("Replays/demo/demo.mcap"),
        ])
        #expect(outcome.status != 0)
        #expect(
            outcome.standardError
                == "testzone replay: error: cannot read the zone configuration (\(missing)): no such file\n")
        #expect(!outcome.standardError.contains("NSCocoaErrorDomain"))
    }

    @Test func decodeNamesAMissingInputWithItsOwnUsage() async throws {
        for kind in ["cv2x", "jt808"] {
            let outcome = try await TestZoneBinary.run(["decode", kind, "/nonexistent/frames.hex"])
            #expect(outcome.status == 2)
            #expect(
                outcome.standardError
                    == "testzone decode \(kind): error: cannot read the input (/nonexistent/frames.hex): no such file\n"
            )
            #expect(outcome.standardOutput.isEmpty)
        }
    }

    @Test func anEmptyRecordingIsAnErrorNotAnEmptyRun() async throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let empty = directory.appendingPathComponent("empty.mcap").path
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        let database = directory.appendingPathComponent("z.sqlite").path
        let intoDatabase = try await TestZoneBinary.run([
            "replay", empty, "--db", database, "--config", repositoryFile("Replays/demo/zone.toml"),
            "--quiet",
        ])
        #expect(intoDatabase.status == 2)
        #expect(intoDatabase.standardError.contains("testzone replay: error: no frames (\(empty)): "))
        let metrics = try await TestZoneBinary.run(["metrics", "--db", database, "--json"])
        #expect(metrics.status == 0 && metrics.standardOutput.contains("\"vehicles\" : [\n\n  ]"))
        let onSocket = try await TestZoneBinary.run([
            "replay", empty, "--push", "tcp://127.0.0.1:9", "--speed", "max", "--linger", "1s", "--quiet",
        ])
        #expect(
            onSocket.status == 2
                && onSocket.standardError.contains("testzone replay: error: no frames (\(empty)): "))
    }

    @Test func helpShowsDefaultsAsTyped() async throws {
        let outcome = try await TestZoneBinary.run(["record", "--help"])
        #expect(
            outcome.standardOutput.contains("(default: 1s)")
                && outcome.standardOutput.contains("(default: 1MiB)"))
        #expect(!outcome.standardOutput.contains("Span(") && !outcome.standardOutput.contains("ByteSize("))
        let replay = try await TestZoneBinary.run([
            "replay", "--db", "x.sqlite", "--config", "zone.toml", "--speed", "2", "a.mcap",
        ])
        #expect(replay.status == 2 && replay.standardError.contains("--speed apply to socket replay only"))
        #expect(replay.standardError.hasPrefix("testzone replay: error: "))
    }
}
