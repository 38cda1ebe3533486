import Foundation
import Recording
import TestZoneTestSupport
import Testing

@testable import Pipeline

extension AlwaysOnIngestTests {
    @Suite("Live ingest and replay give the same report; replay --push loses nothing")
    struct LiveReplayReportTests {
        /// The Asia/Shanghai month (YYYY-MM) of a time in microseconds.
        static func shanghaiMonth(_ micros: Int64) -> String {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
            formatter.dateFormat = "yyyy-MM"
            return formatter.string(from: Date(timeIntervalSince1970: Double(micros) / 1e6))
        }

        /// Every file of a report directory, by name.
        static func files(_ directory: String) throws -> [String: Data] {
            var result: [String: Data] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
                result[name] = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name)"))
            }
            return result
        }

        @Test(
            "the demo through replay --push and ingest: `testzone report` byte-identical to a replay of the journal"
        )
        func demoReportLiveEqualsReplay() async throws {
            let total = Int64(
                try MCAPReader(path: DemoRecording.recording).summary?.statistics?.messageCount ?? 0)
            #expect(total > 0)
            let instance = try IngestInstance(zone: DemoRecording.zone)
            defer { try? FileManager.default.removeItem(at: instance.directory) }
            let ingest = try instance.start(map: DemoRecording.recording)
            defer { if ingest.process.isRunning { ingest.signal(SIGKILL) } }
            let push = try await runLong([
                "replay", DemoRecording.recording, "--push", instance.endpoint, "--speed", "max", "--quiet",
            ])
            #expect(push.status == 0, "\(push.standardError)")
            try await waitUntil("all frames committed", timeout: .seconds(300)) {
                DatabaseView.liveFrames(instance.database) >= total
            }
            ingest.signal(SIGINT)
            let stopped = try await ingest.finish(timeout: .seconds(120))
            #expect(stopped.status == 0, "\(stopped.standardError)")
            #expect(DatabaseView.liveFrames(instance.database) == total)

            // RSU first/last seen are data time: inside the run's span (live ingest's receive clock
            // is today, the recording's data time is not), so availability is measured, not 0 %.
            let rsus = try DatabaseView.scalar(
                instance.database, "SELECT COUNT(*) FROM data_health WHERE source_id LIKE 'cv2x/%'")
            let inside = try DatabaseView.scalar(
                instance.database,
                """
                SELECT COUNT(*) FROM data_health d, runs r WHERE d.source_id LIKE 'cv2x/%'
                AND d.first_seen_us >= r.first_time_us - 60000000 AND d.last_seen_us <= r.last_time_us + 60000000
                """)
            #expect(
                rsus > 0 && inside == rsus, "\(inside) of \(rsus) RSUs seen inside the run's data-time span")
            let replay = try await instance.replayJournalWithBinary()
            let first = try DatabaseView.scalar(instance.database, "SELECT MIN(first_time_us) FROM runs")
            let month = Self.shanghaiMonth(first)
            var outputs: [[String: Data]] = []
            for (name, database) in [("live", instance.database), ("replay", replay)] {
                let out = instance.directory.appendingPathComponent("report-\(name)").path
                let report = try await runLong([
                    "report", "--db", database, "--month", month, "--out", out, "--zone", DemoRecording.zone,
                    "--generated-at", "2026-12-01T09:00:00+08:00",
                ])
                #expect(report.status == 0, "report \(name): \(report.standardError)")
                outputs.append(try Self.files(out))
            }
            #expect(!outputs[0].isEmpty)
            #expect(outputs[0].keys.sorted() == outputs[1].keys.sorted())
            for (name, live) in outputs[0] {
                #expect(
                    live == outputs[1][name], "report file \(name) differs between live ingest and replay")
            }
            // `metrics --json` prints full-precision figures: equal to the last bit although the
            // live database and the replay hold their rows in a different order (exact sums).
            var metrics: [String] = []
            for database in [instance.database, replay] {
                let result = try await runLong(["metrics", "--db", database, "--json"])
                #expect(result.status == 0, "\(result.standardError)")
                metrics.append(result.standardOutput)
            }
            #expect(!metrics[0].isEmpty)
            #expect(metrics[0] == metrics[1], "metrics --json differs between live ingest and replay")
        }

        @Test("replay --push into ingest 20 times in a row: zero missing frames")
        func pushTwentyTimes() async throws {
            // A shorter recording than the demo with the same property (the ingest, a debug build,
            // is slower than the sender, so the last frames are queued when the sender finishes).
            let simulated = try await SimulatedRun.make(duration: 120, vehicles: 4)
            defer { try? FileManager.default.removeItem(at: simulated.directory) }
            let count = Int64(
                try MCAPReader(path: simulated.recording).summary?.statistics?.messageCount ?? 0)
            let instance = try IngestInstance(zone: simulated.zone)
            defer { try? FileManager.default.removeItem(at: instance.directory) }
            let ingest = try instance.start(map: simulated.recording)
            defer { if ingest.process.isRunning { ingest.signal(SIGKILL) } }
            for pass in 1...20 {
                let push = try await runLong([
                    "replay", simulated.recording, "--push", instance.endpoint, "--speed", "max", "--quiet",
                ])
                #expect(push.status == 0, "pass \(pass): \(push.standardError)")
            }
            try await waitUntil("all frames of 20 passes committed", timeout: .seconds(300)) {
                DatabaseView.liveFrames(instance.database) >= 20 * count
            }
            ingest.signal(SIGINT)
            let stopped = try await ingest.finish(timeout: .seconds(120))
            #expect(stopped.status == 0, "\(stopped.standardError)")
            #expect(DatabaseView.liveFrames(instance.database) == 20 * count, "frames received by ingest")
            let journaled = try instance.journalFiles.reduce(Int64(0)) { sum, path in
                sum + Int64(try MCAPReader(path: path).summary?.statistics?.messageCount ?? 0)
            }
            #expect(journaled == 20 * count)
        }
    }
}
