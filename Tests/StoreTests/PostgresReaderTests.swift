import Foundation
import Metrics
import Store
import TestZoneTestSupport
import Testing

/// The read interface of `testzone metrics` and `report` (issue 20): the same queries over an
/// SQLite file and a PostgreSQL store give the same figures; the PostgreSQL reader only reads.
@Suite("Store readers: SQLite and PostgreSQL")
struct PostgresReaderTests {
    @Test(.enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.skipMessage))
    func summariesAreTheSameOverBothBackEnds() async throws {
        let metrics = StoreTests.metrics()
        let (sqlite, directory) = try StoreTests.liveCommittedDatabase(metrics, complete: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let sqliteReader = sqlite.reader

        try await PostgresScratch.withStore { store in
            try await store.registerZone(StoreTests.configuration, operators: ["saic": "SAIC Motor"])
            let run = try await store.beginRun(
                key: "live:n0/s", node: "n0", files: [], kind: "live", startedAt: StoreTests.t0)
            try await store.commitLiveRun(
                run, node: "n0", metrics: metrics, rewrite: true,
                span: (StoreTests.t0, StoreTests.t0 + 300_000_000), frames: 903, rejected: [],
                checkpoints: [],
                complete: true, files: [], at: StoreTests.t0)
            let location = store.location
            // Expectations stay in the test's task; the thread returns what differs.
            let (count, differences) = try await onThread { () throws -> (Int, [String]) in
                let postgres = try StoreSummaries.open(.postgres(location))
                defer { postgres.reader.close() }
                let local = StoreSummaries(sqliteReader)
                var differences: [String] = []
                func compare<Value: Equatable>(_ what: String, _ a: Value, _ b: Value) {
                    if a != b { differences.append("\(what): PostgreSQL \(a), SQLite \(b)") }
                }
                for filter in [
                    ReportFilter(), ReportFilter(month: "2026-11"), ReportFilter(operatorID: "saic"),
                    ReportFilter(vin: "LSVAU2180N2183294"),
                ] {
                    compare(
                        "vehicles \(filter)", try postgres.vehicleSummaries(filter),
                        try local.vehicleSummaries(filter))
                    compare("zone \(filter)", try postgres.zoneSummary(filter), try local.zoneSummary(filter))
                    compare(
                        "daily \(filter)", try postgres.dailyMileage(filter), try local.dailyMileage(filter))
                    for grouping in SummaryGrouping.allCases {
                        compare(
                            "\(filter) by \(grouping)", try postgres.summaries(filter, by: grouping),
                            try local.summaries(filter, by: grouping))
                    }
                }
                compare("operators", try postgres.operatorIDs(), try local.operatorIDs())
                compare("known vehicle", try postgres.hasVehicle("LSVAU2180N2183294"), true)
                compare("unknown vehicle", try postgres.hasVehicle("NOPE"), false)
                return (try local.vehicleSummaries().count, differences)
            }
            #expect(count == 2)
            #expect(differences.isEmpty, "\(differences)")
        }
    }

    /// What the decoding test reads, returned from the reader's thread.
    struct Decoded: Sendable {
        var total: Int64, totalText: String, half: Double, real: Double, realAsInteger: Int64, yes: Int64
        var mark: String, text: String, number: Int64, nothing: Int64?, nothingAsInteger: Int64
        var hasRuns: Bool, runsHasNode: Bool, hint: String
        var refusal: ZoneStoreError?
        var runsAfterRefusal: Int64?
    }

    @Test(.enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.skipMessage))
    func postgresReaderDecodesLikeSQLiteAndOnlyReads() async throws {
        try await PostgresScratch.withStore { store in
            let location = store.location
            let decoded = try await onThread { () throws -> Decoded in
                let reader = try PostgresStoreReader(location)
                defer { reader.close() }
                guard
                    let row = try reader.read({ session in
                        try session.row(
                            """
                            SELECT SUM(x) AS total, SUM(x) / 2.0 AS half, 1.5::float8 AS real, TRUE AS yes,
                            '?' AS mark, ? || 'b' AS text, ? AS number, NULL::bigint AS nothing
                            FROM (VALUES (3::bigint), (4::bigint)) AS v(x)
                            """, ["a", Int64(42)])
                    })
                else { throw CancellationError() }
                var decoded = Decoded(
                    total: row.int64("total"), totalText: row.text("total"), half: row.double("half"),
                    real: row.double("real"), realAsInteger: row.int64("real"), yes: row.int64("yes"),
                    mark: row.text("mark"), text: row.text("text"), number: row.int64("number"),
                    nothing: row.optionalInt64("nothing"), nothingAsInteger: row.int64("nothing"),
                    hasRuns: try reader.read { try $0.hasTable("runs") },
                    runsHasNode: try reader.read { try $0.columnNames(of: "runs") }.contains("node"),
                    hint: try reader.read {
                        try $0.indexHint(table: "grid_coverage", index: "grid_coverage_cell")
                    })
                // A read is a read-only transaction: the server refuses a write in it.
                do {
                    _ = try reader.read { try $0.rows("DELETE FROM runs") }
                } catch let error as ZoneStoreError {
                    decoded.refusal = error
                }
                // The connection is usable after a failed read (the transaction was rolled back).
                decoded.runsAfterRefusal = try reader.read { try $0.int64("SELECT COUNT(*) FROM runs") }
                return decoded
            }
            #expect(decoded.total == 7 && decoded.totalText == "7")
            #expect(decoded.half == 3.5)
            #expect(decoded.real == 1.5 && decoded.realAsInteger == 1)
            #expect(decoded.yes == 1)
            #expect(decoded.mark == "?")
            #expect(decoded.text == "ab")
            #expect(decoded.number == 42)
            #expect(decoded.nothing == nil && decoded.nothingAsInteger == 0)
            #expect(decoded.hasRuns && decoded.runsHasNode)
            #expect(decoded.hint == "")
            let refusal = try #require(decoded.refusal, "a write inside a read went through")
            #expect(refusal.reason.contains("read-only transaction"), "\(refusal)")
            #expect(refusal.reason.contains("25006"), "\(refusal)")
            #expect(refusal.path == location.description)
            #expect(decoded.runsAfterRefusal == 0)
        }
    }
}
