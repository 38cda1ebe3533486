import Foundation
import Recording
import TestZoneTestSupport
import Testing

@testable import Pipeline

extension AlwaysOnIngestTests {
    @Suite("Journal rotation at Asia/Shanghai midnight (data time)")
    struct RotationTests {
        @Test(
            "a run across midnight: one journal file per data day; the database equals a replay of the journal"
        )
        func midnightRotation() async throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "midnight-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let simulated = SimulatedRun(directory: directory)
            let outcome = try await runLong([
                "simulate", "--out", simulated.recording, "--zone", simulated.zone, "--duration", "120",
                "--vehicles", "3", "--columns", "2", "--rows", "2", "--seed", "5",
                "--start", "2026-11-10T23:59:00+08:00",
            ])
            try #require(outcome.status == 0, "\(outcome.standardError)")
            let messages = try simulated.messages()
            let instance = try IngestInstance(zone: simulated.zone)
            defer { try? FileManager.default.removeItem(at: instance.directory) }
            // Long size and time limits: only the data day can rotate.
            let run = try instance.start(map: simulated.recording, extra: ["--rotate-minutes", "600"])
            defer { if run.process.isRunning { run.signal(SIGKILL) } }
            let gateway = try Gateway(endpoint: instance.endpoint)
            for message in messages { try gateway.send(message) }
            try await waitUntil("all committed") {
                DatabaseView.liveFrames(instance.database) >= Int64(messages.count)
            }
            run.signal(SIGINT)
            let stopped = try await run.finish(timeout: .seconds(60))
            gateway.close()
            #expect(stopped.status == 0, "\(stopped.standardError)")

            let midnight = IngestJournal.shanghaiMidnight(after: 1_794_326_340 * 1_000_000_000)  // 2026-11-10T23:59Z+8
            #expect(midnight == 1_794_326_400 * 1_000_000_000)
            let files = instance.journalFiles
            #expect(files.count == 2, "one file per Asia/Shanghai data day: \(files)")
            if files.count == 2 {
                let first = try MCAPReader(path: files[0]).makeCursor(MCAPQuery(order: .file))
                var before = 0
                while let message = first.next() {
                    if message.publishTime < midnight { before += 1 }
                }
                #expect(before > 0)
                let second = try MCAPReader(path: files[1]).makeCursor(MCAPQuery(order: .file))
                #expect((second.next()?.publishTime ?? 0) >= midnight - 1_000_000_000)
            }
            try instance.expectDatabaseEqualsReplay(
                configuration: try simulated.configuration(), "between live ingest and replay")
        }
    }
}
