import Foundation
import Metrics
import Pipeline
import Simulator
import Store
import Testing
import Zone

/// Metrics on fresh simulator runs match the simulator's ground truth (issue 7 "done when"):
/// event counts exact by vehicle, initiator and cause; automated km per vehicle and level within
/// 0.5 %; takeover times within 1 ms; covered links and grid cells exact; rejected and duplicate
/// counts exact. Small runs (a few vehicles, minutes of traffic, hazards scaled up so that every
/// kind of event occurs) keep the suite quick; `Tools/metrics/compare_truth.py` checks large runs.
@Suite("Ground truth of simulator runs")
struct GroundTruthTests {
    func run(seed: UInt64) throws -> (
        truth: GroundTruth, store: ZoneStore, metrics: ZoneMetrics, directory: URL
    ) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "testzone-truth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var parameters = SimulationParameters()
        parameters.seed = seed
        parameters.durationSeconds = 420
        parameters.vehicleCount = 4
        parameters.gridColumns = 3
        parameters.gridRows = 2
        parameters.bsmRate = 2
        parameters.spatRate = 1
        parameters.faults = FaultParameters.demoFaults
        parameters.automation.hazards = parameters.automation.hazards.map {
            var hazard = $0
            hazard.perHour *= 12
            return hazard
        }
        parameters.automation.meanManualSeconds = 15
        parameters.automation.recoverySeconds = 5...15
        parameters.automation.plannedRunSeconds = 60...200
        var simulation = TrafficSimulation(parameters: parameters)
        let recording = directory.appendingPathComponent("sim.mcap").path
        var sink = try MCAPFrameSink(path: recording, simulation: simulation, zstdLevel: 1)
        let (truth, _) = try SimulationRunner.run(simulation: &simulation, sink: &sink)
        let network = try ZoneSetup.roadNetwork(fromRecordings: [recording])
        let configuration = ZoneSetup.metricsConfiguration(
            zone: simulation.layout.configuration, network: network)
        let store = try ZoneStore(path: directory.appendingPathComponent("zone.sqlite").path)
        let result = try DatabaseReplay(store: store, configuration: configuration).run(files: [recording])
        return (truth, store, result.metrics, directory)
    }

    @Test(arguments: [11, 12] as [UInt64])
    func metricsMatchGroundTruth(seed: UInt64) throws {
        let (truth, store, metrics, directory) = try run(seed: seed)
        defer { try? FileManager.default.removeItem(at: directory) }
        let reports = Dictionary(uniqueKeysWithValues: metrics.vehicleReports().map { ($0.identity.vin, $0) })
        var eventKinds = 0
        for vehicle in truth.vehicles {
            let report = try #require(reports[vehicle.vin], "vehicle \(vehicle.vin)")
            // Disengagements by initiator and cause (inferred ones: unknown / unspecified).
            var expected: [String: Int] = [:]
            for event in vehicle.disengagements {
                expected["\(event.initiatorName)/\(event.causeName)", default: 0] += 1
            }
            expected["unknown/unspecified", default: 0] += vehicle.inferredDisengagements.count
            if expected["unknown/unspecified"] == 0 { expected["unknown/unspecified"] = nil }
            var actual: [String: Int] = [:]
            for event in report.disengagements {
                actual["\(event.initiator.name)/\(event.cause.name)", default: 0] += 1
            }
            #expect(actual == expected, "\(vehicle.vin) disengagements")
            #expect(
                report.count(.plannedDeactivation) == vehicle.plannedDeactivations.count,
                "\(vehicle.vin) planned")
            #expect(report.count(.mrmStarted) == vehicle.mrms.count, "\(vehicle.vin) MRMs")
            #expect(report.count(.collision) == vehicle.collisions.count)
            #expect(report.count(.severeFailure) == vehicle.severeFailures.count)
            #expect(report.takeovers.requests == vehicle.takeovers.count, "\(vehicle.vin) takeover requests")
            #expect(report.takeovers.missed == vehicle.takeovers.filter { $0.outcome == "missed" }.count)
            let expectedTimes = vehicle.takeovers.filter { $0.outcome == "disengaged" }.compactMap(
                \.takeoverMs
            ).sorted()
            #expect(report.takeovers.times.count == expectedTimes.count, "\(vehicle.vin) takeovers")
            for (got, want) in zip(report.takeovers.times, expectedTimes) {
                #expect(abs(Double(got) / 1000 - Double(want)) <= 1, "\(vehicle.vin) takeover time")
            }
            for (level, km) in vehicle.automatedKm where km > 0 {
                let got = (report.automatedDistance[UInt8(level) ?? 0] ?? 0) / 1000
                #expect(abs(got - km) / km <= 0.005, "\(vehicle.vin) L\(level) km \(got) vs \(km)")
            }
            let links = Set(report.coveredLinks.map { metrics.configuration.roads?.links[Int($0)].id ?? "" })
            #expect(links == Set(vehicle.linksAutomated.map(\.link)), "\(vehicle.vin) covered links")
            #expect(
                report.coveredCells == Set(vehicle.automatedCells.map { Int32($0) }), "\(vehicle.vin) cells")
            eventKinds +=
                vehicle.disengagements.count + vehicle.takeovers.count + vehicle.plannedDeactivations.count
        }
        #expect(eventKinds > 0, "the run has events to compare")
        let health = Array(metrics.sources.values)
        #expect(
            health.reduce(0) { $0 + $1.rejectedTotal } == Int64(truth.faults.corrupted.values.reduce(0, +)))
        #expect(health.reduce(0) { $0 + $1.duplicates } == Int64(truth.faults.duplicated.values.reduce(0, +)))
        // The database says the same.
        let zone = try store.zoneSummary()
        #expect(zone.disengagements == truth.totals.disengagements + truth.totals.inferredDisengagements)
        #expect(zone.plannedDeactivations == truth.totals.plannedDeactivations)
        #expect(zone.takeoverRequests == truth.totals.takeoverRequests)
        #expect(zone.mrms == truth.totals.mrms)
    }
}
