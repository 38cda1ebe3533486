import Foundation
import GRDB
import Recording
import TestZoneTestSupport
import Testing
import ZeroMQ

/// A simulated run (recording, zone, truth) made by the real binary in a directory of its own.
struct Simulation {
    let directory: URL
    var recording: String { directory.appendingPathComponent("sim.mcap").path }
    var zone: String { directory.appendingPathComponent("zone.toml").path }
    var database: String { directory.appendingPathComponent("zone.sqlite").path }
    var journal: String { directory.appendingPathComponent("journal").path }

    /// Simulates `duration` seconds with frequent automation events (hazards scaled up) and faults.
    static func make(duration: Int, vehicles: Int, hazardScale: Double = 25) async throws -> Simulation {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let simulation = Simulation(directory: directory)
        let outcome = try await TestZoneBinary.Run([
            "simulate", "--out", simulation.recording, "--zone", simulation.zone, "--duration", "\(duration)",
            "--vehicles", "\(vehicles)", "--columns", "2", "--rows", "2", "--seed", "11", "--faults",
            "--hazard-scale", "\(hazardScale)",
        ]).finish(timeout: .seconds(300))
        try #require(outcome.status == 0, "simulate failed: \(outcome.standardError)")
        return simulation
    }

    /// Messages in the recording.
    var messageCount: Int64 {
        get throws { Int64(try MCAPReader(path: recording).summary?.statistics?.messageCount ?? 0) }
    }

    /// Pushes the whole recording into `endpoint` with the real binary, as fast as it goes.
    func push(to endpoint: String, speed: String = "max") async throws {
        let outcome = try await TestZoneBinary.Run([
            "replay", recording, "--push", endpoint, "--speed", speed, "--quiet",
        ]).finish(timeout: .seconds(300))
        try #require(outcome.status == 0, "replay --push failed: \(outcome.standardError)")
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    /// `testzone ingest --http 127.0.0.1:0` on a free PULL endpoint; returns the process, the
    /// endpoint and the console's port (read from its stderr line).
    func startIngest() async throws -> (run: TestZoneBinary.Run, endpoint: String, port: Int) {
        let endpoint = try freeEndpoint()
        let run = try TestZoneBinary.Run([
            "ingest", "--config", zone, "--listen", endpoint, "--db", database, "--journal", journal, "--map",
            recording, "--commit-seconds", "0.2", "--status-seconds", "0", "--log-level", "notice", "--http",
            "127.0.0.1:0",
        ])
        let port = try await consolePort(run, command: "ingest")
        return (run, endpoint, port)
    }
}

/// Waits for `testzone <command>: console at http://127.0.0.1:PORT/` on the process's stderr.
func consolePort(_ run: TestZoneBinary.Run, command: String) async throws -> Int {
    var port: Int?
    try await waitUntil("the console address on stderr", timeout: .seconds(60)) {
        let text = run.standardErrorSoFar
        guard let range = text.range(of: "testzone \(command): console at http://127.0.0.1:") else {
            if !run.process.isRunning { throw CancellationError() }
            return false
        }
        port = Int(text[range.upperBound...].prefix { $0.isNumber })
        return port != nil
    }
    return try #require(port)
}

enum Database {
    static func scalar(_ path: String, _ sql: String) throws -> Int64 {
        try DatabaseQueue(path: path).read { db in try Int64.fetchOne(db, sql: sql) ?? 0 }
    }

    static func rows(_ path: String, _ sql: String) throws -> [Row] {
        try DatabaseQueue(path: path).read { db in try Row.fetchAll(db, sql: sql) }
    }

    static func liveFrames(_ path: String) -> Int64 {
        guard FileManager.default.fileExists(atPath: path) else { return 0 }
        return (try? scalar(path, "SELECT COALESCE(MAX(frames), 0) FROM runs WHERE kind = 'live'")) ?? 0
    }
}

/// Prometheus text: the value of a sample `name{labels}` (labels in the order printed).
func prometheusValues(_ text: String, name: String) -> [String: Double] {
    var values: [String: Double] = [:]
    for line in text.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
        guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...])
        else {
            continue
        }
        values[String(line[..<space].dropFirst(name.count))] = value
    }
    return values
}
