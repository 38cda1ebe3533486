import Foundation
import GRDB
import Metrics
import Store
import TestZoneTestSupport
import Testing

@testable import Pipeline

/// Issue 20: three `testzone ingest --shard K/3` processes over loopback sockets, one shared
/// PostgreSQL store. Every node receives the whole feed (one PUSH gateway per node) and commits
/// its shard; the union of the nodes' runs equals one node's result (a replay of any node's
/// journal, which holds the whole feed, into SQLite). Needs the scratch PostgreSQL of
/// `make test` (skipped with a message without it, failed under CI).
@Suite("Sharded ingest over PostgreSQL", .serialized)
struct ShardedIngestTests {
    @Test(
        "three nodes --shard K/3 commit partials whose union is one node's result",
        .enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.skipMessage))
    func threeNodesMergeExactly() async throws {
        let simulated = try await SimulatedRun.make(duration: 120, vehicles: 6)
        defer { try? FileManager.default.removeItem(at: simulated.directory) }
        let messages = try simulated.messages()
        try await ShardedStore.withDatabase { location in
            let url = location.description
            let nodes = try (0..<3).map { _ in try IngestInstance(zone: simulated.zone) }
            defer { for node in nodes { try? FileManager.default.removeItem(at: node.directory) } }
            let runs = try nodes.enumerated().map { index, node in
                try TestZoneBinary.Run([
                    "ingest", "--config", node.zone, "--listen", node.endpoint, "--db", url, "--journal",
                    node.journal,
                    "--map", simulated.recording, "--commit-interval", "0.2", "--status-interval", "1",
                    "--log-level", "notice", "--shard", "\(index)/3",
                ])
            }
            defer { for run in runs where run.process.isRunning { run.signal(SIGKILL) } }
            let gateways = try nodes.map { try Gateway(endpoint: $0.endpoint) }
            for message in messages {
                for gateway in gateways { try gateway.send(message) }
            }
            let store = try await PostgresStore.open(location)
            do {
                try await waitUntilAsync("every node committed all \(messages.count) frames") {
                    let frames = try await store.rows("SELECT frames::text FROM runs WHERE kind = 'live'")
                    return frames.count == 3 && frames.allSatisfy { $0[0] == "\(messages.count)" }
                }
                for run in runs { run.signal(SIGINT) }
                for (index, run) in runs.enumerated() {
                    let outcome = try await run.finish(timeout: .seconds(60))
                    #expect(outcome.status == 0, "node \(index): \(outcome.standardError)")
                }
                for gateway in gateways { gateway.close() }
                #expect(try await store.runs().map(\.status) == ["complete", "complete", "complete"])
                let listed = try await store.nodes()
                #expect(listed.map(\.id) == ["shard-0-of-3", "shard-1-of-3", "shard-2-of-3"])
                #expect(listed.allSatisfy { $0.status == "stopped" && $0.frames == Int64(messages.count) })

                // One node's result: its journal (the whole feed) replayed into SQLite.
                let single = try nodes[0].replayJournal(configuration: simulated.configuration())
                let expected = try ShardedStore.dump(sqlite: single)
                let merged = try await ShardedStore.dump(store)
                #expect(expected["vehicle_daily"]?.isEmpty == false)
                for table in ShardedStore.tables.map(\.table) {
                    #expect(
                        merged[table] == expected[table], "table \(table) differs: merged nodes vs one node")
                }
            } catch {
                await store.close()
                throw error
            }
            await store.close()

            // `testzone nodes` lists them.
            let listing = try await runLong(["nodes", "--db", url])
            #expect(listing.status == 0, "\(listing.standardError)")
            #expect(
                listing.standardOutput.contains("shard-1-of-3  1/3    stopped"), "\(listing.standardOutput)")
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

    static func dump(sqlite path: String) throws -> [String: [[String]]] {
        try DerivedTableDump.dump(sqlite: DatabaseQueue(path: path), tables: tables)
    }

    static func dump(_ store: PostgresStore) async throws -> [String: [[String]]] {
        try await DerivedTableDump.dump(store, tables: tables)
    }
}
