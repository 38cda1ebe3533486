// Monthly report generation for a zone of 500 vehicles (target: under 2 s; TESTZONE_BENCH_VEHICLES
// changes the count), and the DMV annual export over the same database (issue 18). The database is
// filled once through the Store's writer from Metrics aggregates: 30 daily runs of November
// 2026 (and one in October for the previous-month column), each vehicle driving 2 h a day in
// L3 or L4 on three parallel 10 km roads (300 links) past 10 RSUs, with takeover requests,
// disengagements, planned ends, MRMs and collisions. Each iteration is one `testzone report`:
// read the month and the previous month, build the report, render HTML, CSV, JSON and Markdown,
// write the files.
//
//   cd Benchmarks && swift package --disable-sandbox benchmark --target ReportsBenchmarks

import Benchmark
import Foundation
import Metrics
import Reports
import Store

let vehicleCount = Int(ProcessInfo.processInfo.environment["TESTZONE_BENCH_VEHICLES"] ?? "") ?? 500
let second: Microseconds = 1_000_000

/// Three parallel east-west roads 300 m apart, each of 100 links of 100 m.
struct ParallelRoads: RoadMatcher {
    static let latitude0 = 31.28
    static let longitude0 = 121.16
    let links: [RoadLinkInfo] = (0..<300).map {
        RoadLinkInfo(
            id: "R\($0 / 100)-\($0 % 100)", length: 100, roadClass: $0 / 100 == 1 ? "arterial" : "urban")
    }
    func match(latitude: Double, longitude: Double) -> Int? {
        let north = (latitude - Self.latitude0) * .pi / 180 * Geodesy.earthRadius
        let east =
            (longitude - Self.longitude0) * .pi / 180 * Geodesy.earthRadius * cos(Self.latitude0 * .pi / 180)
        let road = Int((north / 300).rounded())
        guard (0..<3).contains(road), abs(north - Double(road) * 300) <= 10, east >= 0, east < 10_000 else {
            return nil
        }
        return road * 100 + Int(east / 100)
    }
}

func latitude(north: Double) -> Double { ParallelRoads.latitude0 + north / Geodesy.earthRadius * 180 / .pi }
func longitude(east: Double) -> Double {
    ParallelRoads.longitude0 + east / (Geodesy.earthRadius * cos(ParallelRoads.latitude0 * .pi / 180)) * 180
        / .pi
}

let vehicles = (0..<vehicleCount).map { i in
    VehicleIdentity(
        vin: "LSVBENCH\(String(format: "%09d", i))", operatorID: "op\(i % 5)",
        terminalNumber: "1390000\(String(format: "%04d", i))",
        obuID: UInt64(0x1000 + i))
}

let configuration = MetricsConfiguration(
    vehicles: vehicles,
    rsus: (0..<10).map {
        RSUSite(
            id: "RSU-\($0)", latitude: latitude(north: 300),
            longitude: longitude(east: Double($0) * 1000 + 500))
    },
    roads: ParallelRoads(),
    grid: CoverageGrid(
        minLatitude: latitude(north: -500), minLongitude: longitude(east: -500),
        maxLatitude: latitude(north: 1100),
        maxLongitude: longitude(east: 10_500)))

func shanghai(year: Int, month: Int, day: Int, hour: Int) -> Microseconds {
    var components = DateComponents()
    components.year = year
    components.month = month
    components.day = day
    components.hour = hour
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(secondsFromGMT: 8 * 3600)!
    return Microseconds(calendar.date(from: components)!.timeIntervalSince1970) * second
}

/// One day of driving for every vehicle: 2 h, a fix every 2 s, BSMs every 2 s, events.
func day(month: Int, day: Int) -> ZoneMetrics {
    var aggregator = ZoneAggregator(configuration: configuration)
    let rsuSources = (0..<10).map { aggregator.source(named: "cv2x/RSU-\($0)") }
    for (index, vehicle) in vehicles.enumerated() {
        let ref = aggregator.vehicle(forTerminal: vehicle.terminalNumber)
        let source = aggregator.source(named: "jt808/\(vehicle.terminalNumber)")
        let start = shanghai(year: 2026, month: month, day: day, hour: 7 + index % 12)
        let level: UInt8 = index % 2 == 0 ? 4 : 3
        let road = Double(index % 3) * 300
        let steps = 3600  // 2 h at 2 s
        var events: [(Int, AutomationEventType, Initiator, Cause)] = [
            (900, .takeoverRequest, .ads, .leftODD),
            (
                903, .disengaged, [Initiator.safetyDriver, .ads, .remoteOperator][(index + day) % 3],
                Cause(rawValue: UInt8(1 + (index + day) % 10)) ?? .perception
            ),
            (950, .engaged, .safetyDriver, .unspecified),
            (steps - 1, .disengaged, .safetyDriver, .plannedEnd),
        ]
        if (index + day) % 7 == 0 {
            events += [
                (2000, .takeoverRequest, .ads, .hardware), (2004, .mrmStarted, .ads, .hardware),
                (2030, .mrmEnded, .ads, .hardware), (2060, .engaged, .safetyDriver, .unspecified),
            ]
        }
        if (index * 31 + day) % 97 == 0 { events.append((2500, .collision, .notApplicable, .otherRoadUser)) }
        events.sort { $0.0 < $1.0 }
        var next = 0
        var engaged = true
        for step in 0...steps {
            let t = start + Microseconds(step) * 2 * second
            while next < events.count, events[next].0 == step {
                let (_, type, initiator, cause) = events[next]
                aggregator.observe(
                    AutomationEvent(
                        vehicle: ref, time: t - 500_000, type: type, initiator: initiator, cause: cause,
                        levelBefore: engaged ? level : 0))
                if type == .disengaged || type == .mrmStarted { engaged = false }
                if type == .engaged { engaged = true }
                next += 1
            }
            let east = Double((step * 24) % 20_000)
            let position = east < 10_000 ? east : 20_000 - east
            aggregator.received(source: source, at: t)
            aggregator.record(.decoded, source: source)
            aggregator.observe(
                VehicleFix(
                    vehicle: ref, time: t, latitude: latitude(north: road),
                    longitude: longitude(east: position),
                    speed: 12, heading: east < 10_000 ? 90 : 270,
                    automation: AutomationState(level: engaged ? level : 0, status: engaged ? .active : .off))
            )
            let rsu = min(9, Int(position / 1000))
            aggregator.received(source: rsuSources[rsu], at: t)
            aggregator.record(.decoded, source: rsuSources[rsu])
            aggregator.observe(
                BSMReception(
                    vehicle: ref, rsu: rsu, msgCnt: UInt8(step % 128), receiveTime: t,
                    latitude: latitude(north: road),
                    longitude: longitude(east: position)))
        }
    }
    return aggregator.finish()
}

/// Where the database lives; built once per machine and reused while the generator version
/// (the file name) is the same.
let databasePath = FileManager.default.temporaryDirectory.appendingPathComponent(
    "testzone-reports-bench-v2-\(vehicleCount).sqlite"
)
.path
let outputDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
    "testzone-reports-bench-out"
).path

func buildDatabase() throws {
    let path = databasePath
    if FileManager.default.fileExists(atPath: path + ".complete") {
        _ = try ZoneStore(path: path)  // runs the migrations added since it was built
        return
    }
    for suffix in ["", "-wal", "-shm", ".complete"] {
        try? FileManager.default.removeItem(atPath: path + suffix)
    }
    let store = try ZoneStore(path: path)
    try store.registerZone(
        configuration,
        operators: Dictionary(uniqueKeysWithValues: (0..<5).map { ("op\($0)", "Operator \($0)") }))
    let days = [(10, 31)] + (1...30).map { (11, $0) }
    for (index, (month, d)) in days.enumerated() {
        let metrics = day(month: month, day: d)
        let file = RunFile(
            path: "/recordings/\(month)-\(d).mcap", sha256: String(format: "%064x", index + 1), bytes: 1)
        let run = try store.beginRun(key: "day-\(month)-\(d)", files: [file], startedAt: 0)
        try store.finishRun(run, metrics: metrics, frames: 1, finishedAt: 0)
    }
    _ = FileManager.default.createFile(atPath: path + ".complete", contents: Data())
}

/// One `testzone report` for November 2026, all formats, written to a scratch directory.
func writeReport() throws {
    let job = ReportJob(
        databasePath: databasePath, month: ReportPeriod(month: try ReportMonth(parsing: "2026-11")),
        outputDirectory: outputDirectory,
        generatedAtMicros: 0, softwareVersion: "bench")
    let (report, paths) = try job.run()
    precondition(
        report.vehicles.count == vehicleCount && report.summary.disengagements > 0 && paths.count > 10)
    blackHole(report)
}

/// The DMV annual files for the DMV year 2026 (1 Dec 2025 - 30 Nov 2026) over the same database.
func writeDMVExport() throws {
    var job = ReportJob(
        databasePath: databasePath, month: try ReportPeriod(dmvYear: 2026), outputDirectory: outputDirectory,
        generatedAtMicros: 0, softwareVersion: "bench")
    job.dmv = true
    let (report, paths) = try job.run()
    precondition(report.summary.disengagements > 0 && paths.count == 2)
    blackHole(report)
}

func removeOutput() {
    try? FileManager.default.removeItem(atPath: outputDirectory)
}

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal], timeUnits: .milliseconds, maxDuration: .seconds(20),
        maxIterations: 10)
    Benchmark(
        "Monthly report, \(vehicleCount) vehicles x 30 days, all formats", configuration: configuration,
        closure: { _ in try writeReport() }, setup: { try buildDatabase() }, teardown: { removeOutput() })
    Benchmark(
        "DMV annual export, \(vehicleCount) vehicles", configuration: configuration,
        closure: { _ in try writeDMVExport() }, setup: { try buildDatabase() }, teardown: { removeOutput() })
}
