import Foundation
import Recording
import TestZoneTestSupport
import Testing

@testable import Pipeline

/// The demo recording of the repository (Replays/demo).
enum DemoRecording {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Replays/demo")
    static var recording: String { directory.appendingPathComponent("demo.mcap").path }
    static var zone: String { directory.appendingPathComponent("zone.toml").path }
}

extension AlwaysOnIngestTests {
    @Suite("Ctrl-C leaves valid files")
    struct InterruptTests {
        @Test("Ctrl-C of simulate finishes the MCAP and the truth so far")
        func simulateInterrupted() async throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "interrupt-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let out = directory.appendingPathComponent("sim.mcap").path
            let truth = directory.appendingPathComponent("truth.json").path
            let run = try TestZoneBinary.Run([
                "simulate", "--out", out, "--truth", truth, "--duration", "86400", "--vehicles", "20",
                "--seed",
                "3",
            ])
            defer { if run.process.isRunning { run.signal(SIGKILL) } }
            try await waitUntil("simulation under way", timeout: .seconds(180)) {
                ((try? FileManager.default.attributesOfItem(atPath: out)[.size] as? Int) ?? 0) > 100_000
            }
            run.signal(SIGINT)
            let outcome = try await run.finish(timeout: .seconds(60))
            #expect(outcome.status == 130, "\(outcome.standardError)")
            #expect(outcome.standardError.contains("interrupted"))
            #expect(JournalRecovery.isFinished(path: out), "the MCAP has its summary and footer")
            let reader = try MCAPReader(path: out)
            #expect((reader.summary?.statistics?.messageCount ?? 0) > 0)
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: truth)))
            #expect((json as? [String: Any])?["totals"] != nil, "the truth file is complete JSON")
        }

        @Test("Ctrl-C of replay --db marks the run interrupted; the same replay again replaces it")
        func replayToDatabaseInterrupted() async throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "interrupt-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let database = directory.appendingPathComponent("zone.sqlite").path
            let arguments = [
                "replay", DemoRecording.recording, "--db", database, "--config", DemoRecording.zone,
                "--quiet",
            ]
            let run = try TestZoneBinary.Run(arguments)
            defer { if run.process.isRunning { run.signal(SIGKILL) } }
            try await waitUntil("run begun") {
                (try? DatabaseView.scalar(database, "SELECT COUNT(*) FROM runs WHERE status = 'running'"))
                    == 1
            }
            run.signal(SIGINT)
            let outcome = try await run.finish(timeout: .seconds(120))
            #expect(outcome.status == 130, "\(outcome.standardError)")
            #expect(
                try DatabaseView.scalar(database, "SELECT COUNT(*) FROM runs WHERE status = 'interrupted'")
                    == 1)
            #expect(
                try DatabaseView.scalar(database, "SELECT COUNT(*) FROM runs WHERE status = 'running'") == 0)

            let again = try await runLong(arguments)
            #expect(again.status == 0, "\(again.standardError)")
            #expect(try DatabaseView.scalar(database, "SELECT COUNT(*) FROM runs") == 1)
            #expect(
                try DatabaseView.scalar(database, "SELECT COUNT(*) FROM runs WHERE status = 'complete'") == 1)
        }
    }
}
