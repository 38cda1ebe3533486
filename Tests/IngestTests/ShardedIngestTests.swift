import Foundation
import GRDB
import Metrics
import Store
import TestZoneTestSupport
import Testing
import ZeroMQ

@testable import Pipeline

/// Issue 20: three `testzone ingest --shard K/3` processes over loopback sockets, one shared
/// PostgreSQL store. Every node receives the whole feed (one PUSH gateway per node) and commits
/// its shard; the union of the nodes' runs equals one node's result (a replay of any node's
/// journal, which holds the whole feed, into SQLite): table by table, and as `testzone report`
/// and `testzone metrics` print it. Needs the scratch PostgreSQL of `make test` (skipped with a
/// message without it, failed under CI).
@Suite("Sharded ingest over PostgreSQL", .serialized)
struct ShardedIngestTests {
    @Test(
        "three nodes --shard K/3 fed the demo: the merged store, `report` and `metrics` are one SQLite node's",
        .enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.skipMessage))
    func threeNodesMergeExactly() async throws {
        let (recording, zone) = (DemoRecording.recording, DemoRecording.zone)
        let messages = try SimulatedRun.messages(recording: recording)
        try await ShardedStore.withDatabase { location in
            let nodes = try ShardedNodes(zone: zone, recording: recording, database: location.description)
            defer { nodes.remove() }
            try nodes.send(messages[...])
            try await nodes.expectMergedEqualsOneNode(
                location, frames: messages.count,
                configuration: try SimulatedRun.configuration(zone: zone, recording: recording))
        }
    }

    @Test(
        "kill -9 of one node mid-run and restart (same --journal, same node): its rows once, the same report",
        .enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.skipMessage))
    func killOneNodeAndRestart() async throws {
        let simulated = try await SimulatedRun.make(duration: 120, vehicles: 6)
        defer { try? FileManager.default.removeItem(at: simulated.directory) }
        let messages = try simulated.messages()
        let split = messages.count / 2
        try await ShardedStore.withDatabase { location in
            let nodes = try ShardedNodes(
                zone: simulated.zone, recording: simulated.recording, database: location.description)
            defer { nodes.remove() }
            try nodes.send(messages[..<split])
            // Node 1 has committed (and journaled: flushed every 0.2 s) the first half: then SIGKILL.
            let store = try await PostgresStore.open(location)
            do {
                try await waitUntilAsync("node 1 committed \(split) frames", timeout: .seconds(300)) {
                    try await store.rows("SELECT frames::text FROM nodes WHERE id = 'shard-1-of-3'")
                        .first?[0] == "\(split)"
                }
            } catch {
                await store.close()
                throw error
            }
            await store.close()
            try await Task.sleep(for: .seconds(1))
            try await nodes.killAndRestart(1)
            try nodes.send(messages[split...])
            let outcomes = try await nodes.expectMergedEqualsOneNode(
                location, frames: messages.count, configuration: try simulated.configuration())
            #expect(
                outcomes[1].standardError.contains("resuming interrupted session"),
                "\(outcomes[1].standardError)")
        }
    }

    @Test("bad --shard and --db values are usage errors")
    func badArguments() async throws {
        for (arguments, message) in [
            (["--shard", "3/3"], "bad shard 3/3: K must be 0 to 2"),
            (["--shard", "x"], "expected K/N"),
            (["--node", "a"], "--node goes with --shard"),
        ] {
            let outcome = try await runLong(
                [
                    "ingest", "--config", "/dev/null", "--listen", "tcp://127.0.0.1:1", "--db", "x.sqlite",
                    "--journal", "j",
                ]
                    + arguments)
            #expect(outcome.status != 0)
            #expect(outcome.standardError.contains(message), "\(arguments): \(outcome.standardError)")
        }
        let outcome = try await runLong(
            [
                "ingest", "--config", "/dev/null", "--listen", "tcp://127.0.0.1:1", "--db",
                "postgres://127.0.0.1/x", "--journal", "j",
            ])
        #expect(outcome.standardError.contains("no user name"), "\(outcome.standardError)")
    }
}

/// Polls an async condition every 100 ms (60 s at most).
func waitUntilAsync(_ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool)
    async throws
{
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while try await !condition() {
        if clock.now >= deadline {
            Issue.record("timed out waiting for \(what)")
            throw CancellationError()
        }
        try await Task.sleep(for: .milliseconds(100))
    }
}

/// Scratch databases on the test server and table dumps comparable across back-ends.
enum ShardedStore {
    static func withDatabase(_ body: (PostgresLocation) async throws -> Void) async throws {
        let url = try PostgresTestServer.requireURL()
        guard case .postgres(let admin) = try StoreLocation(url) else {
            Issue.record("TESTZONE_POSTGRES_URL is not a postgres:// URL: \(url)")
            throw CancellationError()
        }
        try await ScratchPostgresDatabase.with(admin: admin, body)
    }

    /// Derived tables without run ids, row ids and journal file names.
    static let tables =
        DerivedTableDump.tables + [
            ("rejected_frames", "time_us, topic, reason, payload, message_index"),
            // Run-wide counters: added up over the nodes' runs.
            ("unattributed", "SUM(bsm_from_unregistered_obu), SUM(unknown_vehicle_observations)"),
        ]

    /// Report files that list the runs and their journal files: by construction three runs
    /// (three journals) for three nodes, one for one node.
    static let provenanceFiles: Set<String> = ["runs.csv", "journal_files.csv"]

    /// A report file without its provenance lines: the records digest (it covers the journal
    /// files' hashes) and the JSON rows of the runs and journal files tables.
    static func withoutProvenance(_ data: Data) -> [Substring] {
        String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).filter
        {
            line in
            !line.hasPrefix("Records SHA-256:") && !line.contains("\"records_sha256\"")
                && !line.drop { $0 == " " }.hasPrefix("{\"run\": ")
        }
    }

    static func dump(sqlite path: String) throws -> [String: [[String]]] {
        try DerivedTableDump.dump(sqlite: DatabaseQueue(path: path), tables: tables)
    }

    static func dump(_ store: PostgresStore) async throws -> [String: [[String]]] {
        try await DerivedTableDump.dump(store, tables: tables)
    }
}

/// Three `testzone ingest --shard K/3` processes sharing one database, each fed by a PUSH
/// gateway of its own (every node receives the whole feed).
final class ShardedNodes {
    let instances: [IngestInstance]
    let recording: String
    let database: String
    private(set) var runs: [TestZoneBinary.Run] = []
    private(set) var gateways: [Gateway] = []

    init(zone: String, recording: String, database: String) throws {
        instances = try (0..<3).map { _ in try IngestInstance(zone: zone) }
        self.recording = recording
        self.database = database
        runs = try (0..<3).map { try TestZoneBinary.Run(arguments(node: $0)) }
        gateways = try instances.map { try Gateway(endpoint: $0.endpoint) }
    }

    /// The arguments of node K: the same on a restart (same journal, same node id).
    func arguments(node index: Int) -> [String] {
        let node = instances[index]
        return [
            "ingest", "--config", node.zone, "--listen", node.endpoint, "--db", database, "--journal",
            node.journal,
            "--map", recording, "--commit-interval", "0.2", "--flush-interval", "0.2", "--status-interval",
            "1",
            "--log-level", "notice", "--shard", "\(index)/3",
        ]
    }

    /// Sends every message to every node.
    func send(_ messages: ArraySlice<[[UInt8]]>) throws {
        for message in messages {
            for gateway in gateways { try gateway.send(message) }
        }
    }

    /// SIGKILL of node `index`, then the same command again with a new gateway.
    func killAndRestart(_ index: Int) async throws {
        runs[index].signal(SIGKILL)
        _ = try await runs[index].finish(timeout: .seconds(60))
        try gateways[index].socket.setLinger(.zero)
        gateways[index].close()
        runs[index] = try TestZoneBinary.Run(arguments(node: index))
        gateways[index] = try Gateway(endpoint: instances[index].endpoint)
    }

    /// Waits until every node has committed `frames` frames, stops them (SIGINT) and expects the
    /// merged store to be one node's result: the derived tables, `testzone nodes`, and the
    /// `report` (markdown, CSV, JSON) and `metrics` outputs of a replay of node 0's journal into
    /// SQLite. Returns the nodes' outcomes.
    @discardableResult
    func expectMergedEqualsOneNode(
        _ location: PostgresLocation, frames: Int, configuration: MetricsConfiguration
    ) async throws -> [TestZoneBinary.Outcome] {
        let store = try await PostgresStore.open(location)
        var outcomes: [TestZoneBinary.Outcome] = []
        do {
            try await waitUntilAsync("every node committed all \(frames) frames", timeout: .seconds(600)) {
                let counts = try await store.rows("SELECT frames::text FROM runs WHERE kind = 'live'")
                return counts.count == 3 && counts.allSatisfy { $0[0] == "\(frames)" }
            }
            for run in runs { run.signal(SIGINT) }
            for (index, run) in runs.enumerated() {
                let outcome = try await run.finish(timeout: .seconds(120))
                #expect(outcome.status == 0, "node \(index): \(outcome.standardError)")
                outcomes.append(outcome)
            }
            for gateway in gateways { gateway.close() }
            gateways = []
            #expect(try await store.runs().map(\.status) == ["complete", "complete", "complete"])
            let listed = try await store.nodes()
            #expect(listed.map(\.id) == ["shard-0-of-3", "shard-1-of-3", "shard-2-of-3"])
            #expect(listed.allSatisfy { $0.status == "stopped" && $0.frames == Int64(frames) })

            // One node's result: its journal (the whole feed) replayed into SQLite.
            let single = try instances[0].replayJournal(configuration: configuration)
            let expected = try ShardedStore.dump(sqlite: single)
            let merged = try await ShardedStore.dump(store)
            #expect(expected["vehicle_daily"]?.isEmpty == false)
            for table in ShardedStore.tables.map(\.table) {
                #expect(merged[table] == expected[table], "table \(table) differs: merged nodes vs one node")
            }
        } catch {
            await store.close()
            throw error
        }
        await store.close()

        // `testzone nodes` lists them.
        let listing = try await runLong(["nodes", "--db", database])
        #expect(listing.status == 0, "\(listing.standardError)")
        #expect(listing.standardOutput.contains("shard-1-of-3  1/3    stopped"), "\(listing.standardOutput)")

        // `testzone report` and `testzone metrics` over the merged store and over one SQLite node
        // (`testzone replay` of node 0's journal, as the live-vs-replay report test does).
        let single = try await instances[0].replayJournalWithBinary()
        let first = try DatabaseView.scalar(single, "SELECT MIN(first_time_us) FROM runs")
        let month = AlwaysOnIngestTests.LiveReplayReportTests.shanghaiMonth(first)
        var reports: [[String: Data]] = []
        for (name, db) in [("merged", database), ("single", single)] {
            let out = instances[0].directory.appendingPathComponent("report-\(name)").path
            let report = try await runLong([
                "report", "--db", db, "--month", month, "--out", out, "--config", instances[0].zone,
                "--format", "md,csv,json", "--generated-at", "2026-12-01T09:00:00+08:00", "--quiet",
            ])
            #expect(report.status == 0, "report \(name): \(report.standardError)")
            reports.append(try AlwaysOnIngestTests.LiveReplayReportTests.files(out))
        }
        #expect(reports[0]["summary.csv"] != nil)
        #expect(reports[0].keys.sorted() == reports[1].keys.sorted())
        for (name, merged) in reports[0] where !ShardedStore.provenanceFiles.contains(name) {
            #expect(
                ShardedStore.withoutProvenance(merged)
                    == ShardedStore.withoutProvenance(reports[1][name] ?? Data()),
                "report file \(name) differs between the merged nodes and one node")
        }
        for arguments in [["--json"], ["--by", "operator", "--json"], ["--events", "--json"]] {
            let mergedMetrics = try await runLong(["metrics", "--db", database] + arguments)
            let singleMetrics = try await runLong(["metrics", "--db", single] + arguments)
            #expect(mergedMetrics.status == 0, "metrics \(arguments): \(mergedMetrics.standardError)")
            #expect(!mergedMetrics.standardOutput.isEmpty)
            #expect(
                mergedMetrics.standardOutput == singleMetrics.standardOutput,
                "metrics \(arguments) differs between the merged nodes and one node")
        }
        return outcomes
    }

    /// Kills what still runs and removes the nodes' directories.
    func remove() {
        for run in runs where run.process.isRunning { run.signal(SIGKILL) }
        for gateway in gateways { gateway.close() }
        for node in instances { try? FileManager.default.removeItem(at: node.directory) }
    }
}
