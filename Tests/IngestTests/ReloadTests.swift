import Foundation
import Metrics
import Recording
import TestZoneTestSupport
import Testing
import Zone

@testable import Pipeline

extension AlwaysOnIngestTests {
    @Suite("Zone reload while ingest runs")
    struct ReloadTests {
        @Test("SIGHUP adds a vehicle mid-run; a reload with errors keeps the running configuration")
        func sighupAddsVehicle() async throws {
            let simulated = try await SimulatedRun.make(duration: 120, vehicles: 3)
            defer { try? FileManager.default.removeItem(at: simulated.directory) }
            let messages = try simulated.messages()
            let full = try String(contentsOfFile: simulated.zone, encoding: .utf8)
            let zone = try ZoneConfiguration.load(contentsOf: URL(fileURLWithPath: simulated.zone))
            let added = try #require(zone.vehicles.last)
            // The session starts without the last vehicle.
            var reduced = zone
            reduced.vehicles.removeLast()
            let path = simulated.directory.appendingPathComponent("zone-live.toml").path
            let original = simulated.directory.appendingPathComponent("zone-start.toml").path
            try reduced.tomlText().write(toFile: path, atomically: true, encoding: .utf8)
            try reduced.tomlText().write(toFile: original, atomically: true, encoding: .utf8)

            let instance = try IngestInstance(zone: path)
            defer { try? FileManager.default.removeItem(at: instance.directory) }
            let run = try instance.start(map: simulated.recording)
            defer { if run.process.isRunning { run.signal(SIGKILL) } }
            let gateway = try Gateway(endpoint: instance.endpoint)
            let half = messages.count / 2
            for message in messages[..<half] { try gateway.send(message) }
            try await waitUntil("first half committed") {
                DatabaseView.liveFrames(instance.database) >= Int64(half)
            }

            // A broken file: logged with file and line, nothing changes.
            try (full + "\n[[vehicles]]\nvin = 12\n").write(toFile: path, atomically: true, encoding: .utf8)
            run.signal(SIGHUP)
            try await waitUntil("failed reload logged") {
                run.standardErrorSoFar.contains("zone reload failed")
            }
            #expect(run.standardErrorSoFar.contains("\(path):"), "the error names file and line")

            // The full registry: the vehicle is registered from now on.
            try full.write(toFile: path, atomically: true, encoding: .utf8)
            run.signal(SIGHUP)
            try await waitUntil("reload applied") {
                run.standardErrorSoFar.contains("zone configuration reloaded")
            }
            // The reload is in the journal before the second half.
            try await Task.sleep(for: .milliseconds(500))
            for message in messages[half...] { try gateway.send(message) }
            try await waitUntil("all committed") {
                DatabaseView.liveFrames(instance.database) >= Int64(messages.count) + 1
            }
            run.signal(SIGINT)
            let outcome = try await run.finish(timeout: .seconds(60))
            gateway.close()
            #expect(outcome.status == 0, "\(outcome.standardError)")

            // Before the reload its frames went to an unregistered identity, after it to the vehicle.
            #expect(
                try DatabaseView.scalar(
                    instance.database,
                    "SELECT COUNT(*) FROM vehicle_runs r JOIN vehicles v ON v.vin = r.vin WHERE v.vin = '\(added.vin)' AND v.registered = 1"
                ) == 1)
            #expect(
                try DatabaseView.scalar(
                    instance.database, "SELECT COUNT(*) FROM vehicles WHERE registered = 0")
                    >= 1)
            // A replay of the journal (with the zone.toml the session started with) gives the same.
            try instance.expectDatabaseEqualsReplay(
                configuration: ZoneSetup.metricsConfiguration(
                    zone: try .load(contentsOf: URL(fileURLWithPath: original)),
                    network: try ZoneSetup.roadNetwork(fromRecordings: [simulated.recording])),
                "between live ingest with a reload and the replay of its journal")
        }
    }
}
