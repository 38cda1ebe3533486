import Foundation
import GRDB
import Metrics
import Store
import Testing

@testable import Reports

/// The report reads link and grid coverage in index order (LinkUsageScan, a seek per visited
/// cell); these tests hold both to the plain `COUNT(DISTINCT ...)` / `DISTINCT` SQL they replace,
/// with a (vehicle, day, link) recorded by two complete runs, an incomplete run, an operator
/// scope, a period of two months, and a database written before the indexes existed.
@Suite struct CoverageReadTests {
    /// The fixture's database plus a second complete run with November's first run's rows again
    /// (the same vehicle-days recorded twice) and an incomplete one.
    static func database(_ name: String) throws -> String {
        let directory = try StoreFixture.directory(name)
        let path = directory + "/zone.sqlite"
        let store = try StoreFixture.makeDatabase(at: path)
        let again = try store.beginRun(
            key: "run1-again",
            files: [
                RunFile(path: "/recordings/again.mcap", sha256: String(repeating: "a", count: 64), bytes: 1)
            ],
            startedAt: 0)
        try store.finishRun(again, metrics: StoreFixture.novemberRun1, frames: 1, finishedAt: 0)
        _ = try store.beginRun(
            key: "unfinished",
            files: [
                RunFile(path: "/recordings/open.mcap", sha256: String(repeating: "b", count: 64), bytes: 1)
            ],
            startedAt: 0)
        return path
    }

    /// What the plain SQL says: vehicle-days per link and visited cells of complete runs.
    static func expected(_ path: String, period: ReportPeriod, operatorID: String?) throws
        -> (links: [String: Int], cells: Set<Int>)
    {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in
            let scope = """
                month >= ? AND month <= ? AND day >= ? AND day <= ?
                AND run_id IN (SELECT id FROM runs WHERE status = 'complete')
                """
                + (operatorID == nil ? "" : " AND vin IN (SELECT vin FROM vehicles WHERE operator_id = ?)")
            var arguments: StatementArguments = [
                period.firstMonthString, period.lastMonthString, period.firstDayString, period.lastDayString,
            ]
            if let operatorID { arguments += [operatorID] }
            var links: [String: Int] = [:]
            for row in try Row.fetchAll(
                db,
                sql:
                    "SELECT link_id, COUNT(DISTINCT vin || '/' || day) AS n FROM link_coverage WHERE \(scope) GROUP BY link_id",
                arguments: arguments)
            {
                links[row["link_id"]] = row["n"]
            }
            let cells = try Int.fetchSet(
                db, sql: "SELECT DISTINCT cell FROM grid_coverage WHERE \(scope)", arguments: arguments)
            return (links, cells)
        }
    }

    static func check(_ path: String, period: ReportPeriod, operatorID: String?) throws {
        let records = try StoreReportReader(path: path).records(month: period, operatorID: operatorID)
        let (links, cells) = try expected(path, period: period, operatorID: operatorID)
        if operatorID == nil { #expect(!links.isEmpty) }
        #expect(records.linkUsage.map(\.linkID) == links.keys.sorted())
        #expect(
            Dictionary(uniqueKeysWithValues: records.linkUsage.map { ($0.linkID, $0.vehicleDays) }) == links)
        let columns = try DatabaseQueue(path: path).read { db in
            try Int.fetchOne(db, sql: "SELECT columns FROM coverage_grid WHERE id = 1") ?? 0
        }
        let visited = records.grid.visitedCells.map { $0.row * columns + $0.column }
        #expect(visited == cells.sorted())
    }

    static let periods = [
        ReportPeriod(month: try! ReportMonth(parsing: "2026-11")),
        ReportPeriod(month: try! ReportMonth(parsing: "2026-10")),
        try! ReportPeriod(from: "2026-10-15", through: "2026-11-30"),
    ]

    @Test(arguments: periods)
    func linkUsageAndCellsEqualThePlainQueries(period: ReportPeriod) throws {
        let path = try Self.database("coverage-read")
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        // The fixture drives the same links in both November runs: duplicates must count once.
        for operatorID in [nil, "op1", "op2"] { try Self.check(path, period: period, operatorID: operatorID) }
    }

    @Test func databaseWithoutTheReportIndexesGivesTheSameRecords() throws {
        let path = try Self.database("coverage-read-old")
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let withIndexes = try StoreReportReader(path: path).records(month: Self.periods[2], operatorID: nil)
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "DROP INDEX link_coverage_link; DROP INDEX grid_coverage_cell")
        }
        let without = try StoreReportReader(path: path).records(month: Self.periods[2], operatorID: nil)
        #expect(without.linkUsage == withIndexes.linkUsage)
        #expect(without.grid == withIndexes.grid)
        try Self.check(path, period: Self.periods[2], operatorID: nil)
    }
}
