import Foundation
import Metrics
import Recording
import Store
import TestZoneTestSupport
import Testing
import Zone

@testable import Pipeline

extension AlwaysOnIngestTests {
    @Suite("One owner per journal and database")
    struct OwnershipTests {
        @Test(
            "a second ingest on the same journal and database is refused; the first's journal equals its database"
        )
        func secondStartRefused() async throws {
            let simulated = try await SimulatedRun.make(duration: 60, vehicles: 3)
            let messages = try simulated.messages()
            let instance = try IngestInstance(zone: simulated.zone)
            let first = try instance.start(map: simulated.recording)
            defer { if first.process.isRunning { first.signal(SIGKILL) } }
            let gateway = try Gateway(endpoint: instance.endpoint)
            let half = messages.count / 2
            for message in messages[..<half] { try gateway.send(message) }
            try await waitUntil("first commit") { DatabaseView.liveFrames(instance.database) >= Int64(half) }
            let journalBefore = instance.journalFiles

            // The same command again: refused before it touches anything.
            let second = try instance.start(map: simulated.recording)
            defer { if second.process.isRunning { second.signal(SIGKILL) } }
            let refused = try await second.finish(timeout: .seconds(60))
            #expect(refused.status == 2, "second ingest: \(refused.status) \(refused.standardError)")
            #expect(
                refused.standardError.contains("pid \(first.process.processIdentifier)"),
                "the refusal names the holder: \(refused.standardError)")
            #expect(refused.standardError.contains("testzone ingest: error:"))
            #expect(instance.journalFiles == journalBefore, "no journal file created or replaced")
            #expect(
                try DatabaseView.scalar(instance.database, "SELECT COUNT(*) FROM runs") == 1,
                "no second run row")

            // Another journal directory but the same database: refused too.
            let otherJournal = instance.directory.appendingPathComponent("journal-2").path
            let third = try TestZoneBinary.Run([
                "ingest", "--config", instance.zone, "--listen", try freeEndpoint(), "--db",
                instance.database,
                "--journal", otherJournal, "--log-level", "notice",
            ])
            defer { if third.process.isRunning { third.signal(SIGKILL) } }
            let refusedAgain = try await third.finish(timeout: .seconds(60))
            #expect(refusedAgain.status == 2, "\(refusedAgain.standardError)")
            #expect(refusedAgain.standardError.contains("database"))
            #expect(
                ((try? FileManager.default.contentsOfDirectory(atPath: otherJournal)) ?? []).filter {
                    $0.hasSuffix(".mcap")
                }.isEmpty)

            // The first goes on undisturbed.
            for message in messages[half...] { try gateway.send(message) }
            try await waitUntil("all committed") {
                DatabaseView.liveFrames(instance.database) >= Int64(messages.count)
            }
            first.signal(SIGINT)
            let outcome = try await first.finish(timeout: .seconds(60))
            gateway.close()
            #expect(outcome.status == 0, "\(outcome.standardError)")

            let journaled = try instance.journalFiles.reduce(0) { sum, path in
                sum + Int(try MCAPReader(path: path).summary?.statistics?.messageCount ?? 0)
            }
            #expect(journaled == messages.count)
            try instance.expectDatabaseEqualsReplay(
                configuration: try simulated.configuration(), "between the first ingest and its journal")
            try? FileManager.default.removeItem(at: instance.directory)
            try? FileManager.default.removeItem(at: simulated.directory)
        }
    }
}
