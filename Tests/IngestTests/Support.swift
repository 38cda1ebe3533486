import Foundation
import GRDB
import Metrics
import Recording
import Store
import TestZoneTestSupport
import Testing
import ZeroMQ
import Zone

@testable import Pipeline
@testable import testzone

/// A small simulated run (recording, zone, truth) generated once per process by the real binary.
struct SimulatedRun: Sendable {
    let directory: URL
    var recording: String { directory.appendingPathComponent("sim.mcap").path }
    var zone: String { directory.appendingPathComponent("zone.toml").path }
    var truth: String { directory.appendingPathComponent("truth.json").path }

    static func make(duration: Int = 180, vehicles: Int = 4, faults: Bool = false, start: String? = nil)
        async throws -> SimulatedRun
    {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ingest-sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let run = SimulatedRun(directory: directory)
        var arguments = [
            "simulate", "--out", run.recording, "--zone", run.zone, "--truth", run.truth, "--duration",
            "\(duration)",
            "--vehicles", "\(vehicles)", "--columns", "2", "--rows", "2", "--seed", "7",
        ]
        if faults { arguments.append("--faults") }
        if let start { arguments += ["--start", start] }
        let outcome = try await runLong(arguments)
        try #require(outcome.status == 0, "simulate failed: \(outcome.standardError)")
        return run
    }

    /// The recording's messages as ZeroMQ parts (topic, payload, 8-byte gateway time).
    func messages() throws -> [[[UInt8]]] { try Self.messages(recording: recording) }

    /// The messages of any recording as ZeroMQ parts (topic, payload, 8-byte gateway time).
    static func messages(recording: String) throws -> [[[UInt8]]] {
        let reader = try MCAPReader(path: recording)
        let cursor = reader.makeCursor(MCAPQuery(order: .logTime))
        var out: [[[UInt8]]] = []
        while let message = cursor.next() {
            let topic = cursor.channel(message.channelID)?.topic ?? ""
            out.append([
                Array(topic.utf8), Array(message.payload),
                JournalFormat.timeFrame(nanoseconds: message.publishTime),
            ])
        }
        return out
    }

    func configuration() throws -> MetricsConfiguration {
        try Self.configuration(zone: zone, recording: recording)
    }

    /// The metrics configuration of any zone and recording (road network from its MAP frames).
    static func configuration(zone: String, recording: String) throws -> MetricsConfiguration {
        ZoneSetup.metricsConfiguration(
            zone: try ZoneConfiguration.load(contentsOf: URL(fileURLWithPath: zone)),
            network: try ZoneSetup.roadNetwork(fromRecordings: [recording]))
    }
}

/// A gateway: a PUSH socket connected to the ingest.
final class Gateway {
    let context: Context
    let socket: Socket

    /// A PUSH socket connected to `endpoint`; `configure` runs before the connect (CURVE keys).
    init(endpoint: String, configure: (Socket) throws -> Void = { _ in }) throws {
        context = try Context()
        socket = try Socket(context, .push)
        try socket.setLinger(.seconds(10))
        try configure(socket)
        try socket.connect(endpoint)
    }

    func send(_ parts: [[UInt8]]) throws {
        for (index, part) in parts.enumerated() {
            try socket.send(part, options: index < parts.count - 1 ? .more : [])
        }
    }

    func close() {
        socket.close()
        context.shutdown()
    }
}

/// Reading the databases.
enum DatabaseView {
    static let tables = [
        "vehicle_runs", "vehicle_daily", "mode_segments", "events", "link_coverage", "grid_coverage",
        "v2x_reception",
        "data_health", "rejected_reasons", "sequence_health", "unattributed", "rejected_frames", "vehicles",
    ]

    /// Every derived table as sorted row strings, without run ids and row ids.
    static func contents(_ path: String) throws -> [String: [String]] {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in
            var result: [String: [String]] = [:]
            for table in tables {
                let rows = try Row.fetchAll(db, sql: "SELECT * FROM \(table)")
                result[table] = rows.map { row in
                    row.columnNames.filter { !["run_id", "id", "journal_file"].contains($0) }
                        .map { "\($0)=\(row[$0] as DatabaseValue)" }.joined(separator: " ")
                }.sorted()
            }
            return result
        }
    }

    /// Frames committed by the live run (0 before its first commit).
    static func liveFrames(_ path: String) -> Int64 {
        guard FileManager.default.fileExists(atPath: path), let queue = try? DatabaseQueue(path: path) else {
            return 0
        }
        return
            (try? queue.read { db in
                try Int64.fetchOne(db, sql: "SELECT MAX(frames) FROM runs WHERE kind = 'live'") ?? 0
            })
            ?? 0
    }

    static func scalar(_ path: String, _ sql: String) throws -> Int64 {
        try DatabaseQueue(path: path).read { db in try Int64.fetchOne(db, sql: sql) ?? 0 }
    }
}

/// A running `testzone ingest` in a directory of its own.
struct IngestInstance {
    let directory: URL
    let endpoint: String
    let zone: String
    var database: String { directory.appendingPathComponent("zone.sqlite").path }
    var journal: String { directory.appendingPathComponent("journal").path }

    init(zone: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ingest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        endpoint = try freeEndpoint()
        self.zone = zone
    }

    func start(map: String, extra: [String] = []) throws -> TestZoneBinary.Run {
        try TestZoneBinary.Run(
            [
                "ingest", "--config", zone, "--listen", endpoint, "--db", database, "--journal", journal,
                "--map", map, "--commit-seconds", "0.2", "--status-seconds", "1", "--log-level", "notice",
            ] + extra)
    }

    /// The journal files, in order.
    var journalFiles: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: journal)) ?? []).filter {
            $0.hasSuffix(".mcap")
        }.sorted()
            .map { "\(journal)/\($0)" }
    }

    /// Replays the journal into a fresh database (`testzone replay --db`'s code path).
    func replayJournal(configuration: MetricsConfiguration, operators: [String: String] = [:]) throws
        -> String
    {
        let path = directory.appendingPathComponent("replay.sqlite").path
        let store = try ZoneStore(path: path)
        var replay = DatabaseReplay(store: store, configuration: configuration)
        replay.operatorNames = operators
        _ = try replay.run(files: journalFiles)
        return path
    }

    /// Expects the live database to equal a replay of the journal (`configuration`) table by
    /// table (`what` names the situation in the failure message).
    func expectDatabaseEqualsReplay(configuration: MetricsConfiguration, _ what: String) throws {
        let replay = try replayJournal(configuration: configuration)
        let live = try DatabaseView.contents(database)
        let replayed = try DatabaseView.contents(replay)
        for table in DatabaseView.tables {
            #expect(live[table] == replayed[table], "table \(table) differs \(what)")
        }
    }

    /// `testzone replay JOURNAL... --db --config` with the real binary (road network from the
    /// journal's own MAP frames).
    func replayJournalWithBinary() async throws -> String {
        let path = directory.appendingPathComponent("replay-cli.sqlite").path
        let outcome = try await runLong(
            ["replay"] + journalFiles + ["--db", path, "--config", zone, "--quiet"])
        #expect(outcome.status == 0, "replay --db failed: \(outcome.standardError)")
        return path
    }
}

/// Runs `testzone` to completion with a generous timeout (the machine running the tests may be
/// loaded: simulations and replays of debug builds take their time).
func runLong(_ arguments: [String], timeout: Duration = .seconds(300)) async throws -> TestZoneBinary.Outcome
{
    try await TestZoneBinary.Run(arguments).finish(timeout: timeout)
}

/// The issue-16 suites of live ingest, one after the other (each starts real processes).
@Suite("Always-on ingest", .serialized)
struct AlwaysOnIngestTests {}
