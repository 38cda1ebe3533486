import Foundation
import Metrics
import Recording
import TestZoneTestSupport
import Testing
import ZeroMQ

@testable import Pipeline

extension AlwaysOnIngestTests {
    @Suite("Incremental commits")
    struct IncrementalCommitTests {
        /// Event and segment rows with their row ids.
        static func rowIDs(_ database: String) throws -> [String] {
            let events = try DatabaseView.scalar(
                database, "SELECT COALESCE(SUM(id * 7 + time_us % 1000003), 0) FROM events")
            let segments = try DatabaseView.scalar(
                database, "SELECT COALESCE(SUM(rowid * 7 + start_us % 1000003), 0) FROM mode_segments")
            let daily = try DatabaseView.scalar(database, "SELECT COALESCE(SUM(rowid), 0) FROM vehicle_daily")
            return ["\(events)", "\(segments)", "\(daily)"]
        }

        @Test("a commit writes only what changed: nothing while idle, rows of earlier commits keep their ids")
        func idleCommitsWriteNothing() async throws {
            let simulated = try await SimulatedRun.make(duration: 120, vehicles: 3)
            defer { try? FileManager.default.removeItem(at: simulated.directory) }
            let messages = try simulated.messages()
            let instance = try IngestInstance(zone: simulated.zone)
            defer { try? FileManager.default.removeItem(at: instance.directory) }
            let run = try instance.start(map: simulated.recording)
            defer { if run.process.isRunning { run.signal(SIGKILL) } }
            let gateway = try Gateway(endpoint: instance.endpoint)
            for message in messages { try gateway.send(message) }
            try await waitUntil("all committed") {
                DatabaseView.liveFrames(instance.database) >= Int64(messages.count)
            }
            try await Task.sleep(for: .milliseconds(600))  // a commit after the last change
            let before = try Self.rowIDs(instance.database)
            let checkpointsUpdated = "SELECT MAX(updated_at_us) FROM journal_checkpoints"
            let checkpointsBefore = try DatabaseView.scalar(instance.database, checkpointsUpdated)
            #expect(try DatabaseView.scalar(instance.database, "SELECT COUNT(*) FROM events") > 0)
            // Several commits (every 0.2 s) with nothing new.
            try await Task.sleep(for: .milliseconds(1500))
            #expect(try Self.rowIDs(instance.database) == before, "idle commits rewrote rows")
            #expect(
                try DatabaseView.scalar(instance.database, checkpointsUpdated) == checkpointsBefore,
                "idle commits rewrote the journal checkpoints")
            #expect(
                run.standardErrorSoFar.contains(", 0 rows"), "the status line shows commits writing nothing")
            run.signal(SIGINT)
            let outcome = try await run.finish(timeout: .seconds(60))
            gateway.close()
            #expect(outcome.status == 0, "\(outcome.standardError)")
            try instance.expectDatabaseEqualsReplay(
                configuration: try simulated.configuration(), "between live ingest and replay")
        }

        @Test(
            "drives on four Asia/Shanghai days: what is committed and final leaves memory, the database still equals the replay"
        )
        func settledRowsLeaveMemory() async throws {
            // The same zone (same seed) on 2 to 5 November. A day's last observations are held in
            // the reorder buffers until the next day's arrive; once 4 November is released, the
            // segments, events and coverage of 2 November are final (seal: start of 3 November).
            var days: [SimulatedRun] = []
            for day in 2...5 {
                days.append(
                    try await SimulatedRun.make(
                        duration: 120, vehicles: 3, start: "2026-11-0\(day)T10:00:00+08:00"))
            }
            defer { for day in days { try? FileManager.default.removeItem(at: day.directory) } }
            let instance = try IngestInstance(zone: days[0].zone)
            defer { try? FileManager.default.removeItem(at: instance.directory) }
            let run = try TestZoneBinary.Run([
                "ingest", "--config", instance.zone, "--listen", instance.endpoint, "--db", instance.database,
                "--journal", instance.journal, "--map", days[0].recording, "--commit-interval", "0.2s",
                "--status-interval", "1s", "--log-level", "debug",
            ])
            defer { if run.process.isRunning { run.signal(SIGKILL) } }
            let gateway = try Gateway(endpoint: instance.endpoint)
            var sent = 0
            for day in days {
                let messages = try day.messages()
                for message in messages { try gateway.send(message) }
                sent += messages.count
                let expected = Int64(sent)
                try await waitUntil("day committed") {
                    DatabaseView.liveFrames(instance.database) >= expected
                }
                try await Task.sleep(for: .milliseconds(600))  // a commit after the last change
            }
            run.signal(SIGINT)
            let outcome = try await run.finish(timeout: .seconds(60))
            gateway.close()
            #expect(outcome.status == 0, "\(outcome.standardError)")
            // The commit lines count what was released: segments/events of the first day.
            let released = outcome.standardError.split(separator: "\n").compactMap { line in
                line.firstRange(of: "released=").map { String(line[$0.upperBound...].prefix { $0 != " " }) }
            }.last
            let counts = (released ?? "").split(separator: "/").compactMap { Int($0) }
            #expect(
                counts.count == 2 && counts[0] > 0 && counts[1] > 0,
                "released \(String(describing: released))")
            let firstDayEvents = try DatabaseView.scalar(
                instance.database, "SELECT COUNT(*) FROM events WHERE day = '2026-11-02'")
            #expect(firstDayEvents > 0)
            try instance.expectDatabaseEqualsReplay(
                configuration: try days[0].configuration(), "after releasing the first day from memory")
        }

        @Test("kill -9 while committing and rotating all the time, then restart: exactly once")
        func killDuringCommitAndRotation() async throws {
            let simulated = try await SimulatedRun.make(duration: 120, vehicles: 3)
            defer { try? FileManager.default.removeItem(at: simulated.directory) }
            let messages = try simulated.messages()
            let instance = try IngestInstance(zone: simulated.zone)
            defer { try? FileManager.default.removeItem(at: instance.directory) }
            let split = messages.count * 2 / 3
            // Commits every 20 ms and a new journal file every 100 kB: a kill lands in both.
            let busy = ["--commit-seconds", "0.02", "--rotate-size", "100kB", "--flush-seconds", "0.1"]
            let first = try TestZoneBinary.Run(
                [
                    "ingest", "--config", instance.zone, "--listen", instance.endpoint, "--db",
                    instance.database,
                    "--journal", instance.journal, "--map", simulated.recording, "--status-seconds", "1",
                    "--log-level", "notice",
                ] + busy)
            defer { if first.process.isRunning { first.signal(SIGKILL) } }
            let gateway = try Gateway(endpoint: instance.endpoint)
            for message in messages[..<split] { try gateway.send(message) }
            try await waitUntil("several files and commits") {
                instance.journalFiles.count >= 3 && DatabaseView.liveFrames(instance.database) > 0
            }
            first.signal(SIGKILL)
            _ = try await first.finish()
            try gateway.socket.setLinger(.zero)
            gateway.close()

            let second = try instance.start(map: simulated.recording)
            defer { if second.process.isRunning { second.signal(SIGKILL) } }
            try await waitUntil("recovered") {
                second.standardErrorSoFar.contains("applied the journal the database had not committed")
            }
            let recovered = try instance.journalFiles.dropLast().reduce(Int64(0)) { sum, path in
                sum + Int64(try MCAPReader(path: path).summary?.statistics?.messageCount ?? 0)
            }
            let gateway2 = try Gateway(endpoint: instance.endpoint)
            for message in messages[split...] { try gateway2.send(message) }
            try await waitUntil("rest committed") {
                DatabaseView.liveFrames(instance.database) >= recovered + Int64(messages.count - split)
            }
            second.signal(SIGINT)
            let outcome = try await second.finish(timeout: .seconds(60))
            gateway2.close()
            #expect(outcome.status == 0, "\(outcome.standardError)")
            try instance.expectDatabaseEqualsReplay(
                configuration: try simulated.configuration(), "after kill -9 during commits and rotation")
        }
    }
}
