import Foundation
import Metrics
import Pipeline
import Store
import Testing
import Zone

@testable import Reports

/// The bundled demo month (`Replays/demo`: demo.mcap, zone.toml, truth.json from the simulator):
/// replayed into a database with the pipeline, reported, and compared with the Store's figures
/// (what `testzone metrics` prints) and with the simulator's ground truth.
@Suite struct DemoMonthTests {
    /// `Replays/demo` at the repository root (found from this file), `$TESTZONE_DEMO_DIR`, or nil.
    static let demo: String? = {
        if let directory = ProcessInfo.processInfo.environment["TESTZONE_DEMO_DIR"] { return directory }
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = url.appendingPathComponent("Replays/demo").path
            if ["demo.mcap", "zone.toml", "truth.json"].allSatisfy({
                FileManager.default.fileExists(atPath: candidate + "/" + $0)
            }) {
                return candidate
            }
            url.deleteLastPathComponent()
        }
        return nil
    }()

    @Test(
        .disabled(if: demo == nil, "Replays/demo (demo.mcap, zone.toml, truth.json) is not in this checkout"))
    func demoMonthEqualsTheStoreAndTheGroundTruth() throws {
        let demo = try #require(Self.demo)
        let directory = try StoreFixture.directory("demo")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let zone = try ZoneConfiguration.load(contentsOf: URL(fileURLWithPath: demo + "/zone.toml"))
        let network = try ZoneSetup.roadNetwork(fromRecordings: [demo + "/demo.mcap"])
        let store = try ZoneStore(path: directory + "/zone.sqlite")
        var replay = DatabaseReplay(
            store: store, configuration: ZoneSetup.metricsConfiguration(zone: zone, network: network))
        replay.operatorNames = ZoneSetup.operatorNames(zone: zone)
        _ = try replay.run(files: [demo + "/demo.mcap"])

        let truthData = try #require(FileManager.default.contents(atPath: demo + "/truth.json"))
        let truth = try #require(try JSONSerialization.jsonObject(with: truthData) as? [String: Any])
        let totals = try #require(truth["totals"] as? [String: Any])
        let vehicles = try #require(truth["vehicles"] as? [[String: Any]])
        let firstEvent = vehicles.compactMap { ($0["disengagements"] as? [[String: Any]])?.first }.first
        let epochMs = ((firstEvent?["time"] as? [String: Any])?["epochMs"] as? NSNumber)?.int64Value
        let month = ReportPeriod(
            month: try ReportMonth(parsing: ShanghaiTime.day(micros: (epochMs ?? 0) * 1000).prefix(7).description))

        let job = ReportJob(
            databasePath: directory + "/zone.sqlite", month: month, outputDirectory: directory + "/out",
            zonePath: demo + "/zone.toml", roadNetwork: network, generatedAtMicros: 0, softwareVersion: "test"
        )
        let (report, _) = try job.run()
        let summary = report.summary

        // The Store's figures, as `testzone metrics --month` prints them.
        let stored = try store.zoneSummary(ReportFilter(month: month.description))
        #expect(abs(summary.meters / 1000 - stored.automatedKilometres) < 1e-9)
        #expect(summary.disengagements == stored.disengagements)
        #expect(summary.takeoverRequests == stored.takeoverRequests)
        #expect(summary.takeoverMedianSeconds == stored.medianTakeoverTime.map { Double($0) / 1e6 })
        #expect(abs((summary.linkCoverage ?? -1) - (stored.linkCoverage ?? -2)) < 1e-12)
        for vehicle in try store.vehicleSummaries(ReportFilter(month: month.description)) {
            let row = try #require(report.vehicles.first { $0.vin == vehicle.vin })
            #expect(abs(row.meters / 1000 - vehicle.automatedKilometres) < 1e-9)
            #expect(row.disengagements == vehicle.disengagements)
        }

        // The ground truth. Its `disengagements` are the explicit ones (type 2); the report counts
        // inferred disengagements too (DESIGN.md 5), with initiator "unknown".
        func int(_ key: String) -> Int? { (totals[key] as? NSNumber)?.intValue }
        #expect(summary.inferredDisengagements == int("inferredDisengagements"))
        #expect(summary.disengagements - summary.inferredDisengagements == int("disengagements"))
        #expect(summary.byInitiator.first { $0.key == "unknown" }?.count == summary.inferredDisengagements)
        #expect(summary.plannedDeactivations == int("plannedDeactivations"))
        #expect(summary.takeoverRequests == int("takeoverRequests"))
        #expect(summary.takeoversMissed == int("missedTakeovers"))
        #expect(summary.mrms == int("mrms"))
        #expect(summary.collisions == int("collisions"))
        #expect(summary.severeFailures == int("severeFailures"))
        let explicit = report.disengagements.filter { !$0.inferred }
        for (key, name) in [
            ("disengagementsByInitiator", \DisengagementRow.initiator),
            ("disengagementsByCause", \DisengagementRow.cause),
        ] {
            let expected = ((totals[key] as? [String: NSNumber]) ?? [:]).mapValues(\.intValue)
            var counted: [String: Int] = [:]
            for row in explicit { counted[row[keyPath: name].key, default: 0] += 1 }
            #expect(counted == expected, "\(key)")
        }
        let km = (totals["automatedKm"] as? [String: NSNumber]) ?? [:]
        for level in summary.levels {
            let expected = km[String(level.level)]?.doubleValue ?? 0
            #expect(abs(level.kilometers - expected) <= 0.005 * max(expected, 0.001), "L\(level.level) km")
        }
        if let median = int("takeoverMedianMs"), let got = summary.takeoverMedianSeconds {
            #expect(abs(got * 1000 - Double(median)) <= 1)
        }
        if let maximum = int("takeoverMaxMs"), let got = summary.takeoverMaxSeconds {
            #expect(abs(got * 1000 - Double(maximum)) <= 1)
        }
        #expect(report.coverage.linksDriven == int("linksAutomated"))
        #expect(report.coverage.gridCellsVisited == int("automatedCells"))
        #expect(report.coverage.links.allSatisfy { $0.points.count >= 2 })  // the map can be drawn
    }
}
