import Foundation
import Metrics
import Recording
import Store
import TestZoneTestSupport
import Testing
import ZeroMQ
import Zone

@testable import Pipeline
@testable import testzone

@Suite("Live ingest over real sockets", .serialized)
struct IngestTests {
    /// Sends all messages, waits until the database has committed `expected` frames, stops the
    /// ingest with SIGINT and checks it ended cleanly.
    private func sendAndStop(
        _ messages: [[[UInt8]]], to instance: IngestInstance, run: TestZoneBinary.Run, expected: Int64
    ) async throws -> TestZoneBinary.Outcome {
        let gateway = try Gateway(endpoint: instance.endpoint)
        for message in messages { try gateway.send(message) }
        try await waitUntil("\(expected) frames committed") {
            DatabaseView.liveFrames(instance.database) >= expected
        }
        run.signal(SIGINT)
        let outcome = try await run.finish(timeout: .seconds(60))
        gateway.close()
        #expect(outcome.status == 0, "ingest exit status \(outcome.status): \(outcome.standardError)")
        return outcome
    }

    @Test("simulator recording -> PUSH -> ingest equals replay of its journal and the ground truth")
    func liveEqualsReplay() async throws {
        let simulated = try await SimulatedRun.make(faults: true)
        defer { try? FileManager.default.removeItem(at: simulated.directory) }
        let messages = try simulated.messages()
        let instance = try IngestInstance(zone: simulated.zone)
        defer { try? FileManager.default.removeItem(at: instance.directory) }
        let run = try instance.start(map: simulated.recording)
        defer { if run.process.isRunning { run.signal(SIGKILL) } }
        let outcome = try await sendAndStop(messages, to: instance, run: run, expected: Int64(messages.count))
        #expect(outcome.standardError.contains("ingest done"))

        // Every frame is journaled, and accounted decoded + rejected + duplicate.
        let journaled = try instance.journalFiles.reduce(0) { sum, path in
            sum + Int(try MCAPReader(path: path).summary?.statistics?.messageCount ?? 0)
        }
        #expect(journaled == messages.count)
        let received = try DatabaseView.scalar(instance.database, "SELECT SUM(received) FROM data_health")
        let accounted = try DatabaseView.scalar(
            instance.database, "SELECT SUM(decoded + rejected + duplicates) FROM data_health")
        #expect(received == Int64(messages.count))
        #expect(accounted == received)
        #expect(
            try DatabaseView.scalar(instance.database, "SELECT COUNT(*) FROM runs WHERE status = 'complete'")
                == 1)

        // The live database equals `testzone replay --db` of the journal into a fresh database.
        let replay = try await instance.replayJournalWithBinary()
        let live = try DatabaseView.contents(instance.database)
        let replayed = try DatabaseView.contents(replay)
        for table in DatabaseView.tables {
            #expect(live[table] == replayed[table], "table \(table) differs between live ingest and replay")
        }

        // And the ground truth: automated km by level and disengagements.
        let truth = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: simulated.truth)))
        let totals = try #require((truth as? [String: Any])?["totals"] as? [String: Any])
        let km = try #require(totals["automatedKm"] as? [String: Double])
        for level in [3, 4] {
            let metres = try DatabaseView.scalar(
                instance.database,
                "SELECT CAST(ROUND(SUM(distance_m)) AS INTEGER) FROM vehicle_daily WHERE level = \(level)")
            let expected = (km["\(level)"] ?? 0) * 1000
            #expect(
                abs(Double(metres) - expected) <= max(20, expected * 0.01),
                "L\(level): \(metres) m vs truth \(expected) m")
        }
    }

    @Test(
        "malformed envelopes, bad payloads and out-of-zone vehicles are counted and stored; the pipeline goes on"
    )
    func badInput() async throws {
        let simulated = try await SimulatedRun.make(duration: 60, vehicles: 3)
        defer { try? FileManager.default.removeItem(at: simulated.directory) }
        var messages = try simulated.messages()
        // Remove the last vehicle from the registry: its frames become out-of-zone.
        let zoneText = try String(contentsOfFile: simulated.zone, encoding: .utf8)
        let blocks = zoneText.components(separatedBy: "[[vehicles]]")
        let reduced =
            blocks.dropLast().joined(separator: "[[vehicles]]")
            + (blocks.last.map { last in
                // keep whatever follows the last vehicle block (RSUs)
                let rest = last.components(separatedBy: "\n[[").dropFirst().map { "\n[[" + $0 }.joined()
                return rest
            } ?? "")
        let zone = simulated.directory.appendingPathComponent("zone-reduced.toml").path
        try reduced.write(toFile: zone, atomically: true, encoding: .utf8)

        let good = messages.count
        let time = JournalFormat.timeFrame(nanoseconds: 1_795_000_000_000_000_000)
        let bad: [[[UInt8]]] = [
            [Array("gps/UNKNOWN-1".utf8), [1, 2, 3], time],  // unknown topic prefix
            [Array("cv2x/RSU-X".utf8)],  // missing payload
            [Array("jt808/013900000099".utf8), [UInt8](repeating: 0x7E, count: 70 * 1024), time],  // oversize
            [Array("cv2x/RSU-X".utf8), [0x00, 0x14, 0x01], [1, 2, 3, 4, 5]],  // 5-byte time frame
            [Array("cv2x/RSU-X".utf8), [0x00, 0x14, 0x01], time, [9]],  // four frames
            [Array("cv2x/RSU-X".utf8), [0xFF, 0xFF, 0xFF, 0xFF], time],  // not a MessageFrame
            [Array("jt808/013900000099".utf8), [0x7E, 0x02, 0x00, 0x7E], time],  // broken JT/T 808
        ]
        // Bad frames in the middle: good frames before and after must all be decoded.
        messages.insert(contentsOf: bad, at: good / 2)

        let instance = try IngestInstance(zone: zone)
        defer { try? FileManager.default.removeItem(at: instance.directory) }
        let run = try instance.start(map: simulated.recording)
        defer { if run.process.isRunning { run.signal(SIGKILL) } }
        _ = try await sendAndStop(messages, to: instance, run: run, expected: Int64(messages.count))

        let reasons = try DatabaseView.contents(instance.database)["rejected_reasons"] ?? []
        for category in [
            "frame: unknown topic prefix", "frame: empty payload", "frame: payload over 64 KiB",
            "frame: time frame not 8 bytes", "frame: more than 3 frames",
        ] {
            #expect(reasons.contains { $0.contains(category) }, "no rejected reason \(category): \(reasons)")
        }
        let rejectedFrames = try DatabaseView.scalar(
            instance.database, "SELECT COUNT(*) FROM rejected_frames")
        #expect(rejectedFrames == Int64(bad.count))
        let rejected = try DatabaseView.scalar(instance.database, "SELECT SUM(rejected) FROM data_health")
        #expect(rejected == Int64(bad.count))
        let decodedPlusDuplicates = try DatabaseView.scalar(
            instance.database, "SELECT SUM(decoded + duplicates) FROM data_health")
        #expect(decodedPlusDuplicates == Int64(good))
        // The out-of-zone vehicle is stored as unregistered.
        #expect(
            try DatabaseView.scalar(instance.database, "SELECT COUNT(*) FROM vehicles WHERE registered = 0")
                >= 1)
        // Replay of the journal rejects exactly the same frames with the same reasons.
        let replay = try instance.replayJournal(
            configuration: ZoneSetup.metricsConfiguration(
                zone: try .load(contentsOf: URL(fileURLWithPath: zone)),
                network: try ZoneSetup.roadNetwork(fromRecordings: [simulated.recording])))
        let live = try DatabaseView.contents(instance.database)
        let replayed = try DatabaseView.contents(replay)
        for table in DatabaseView.tables {
            #expect(live[table] == replayed[table], "table \(table) differs between live ingest and replay")
        }
    }

    @Test("kill -9 and restart: every journaled frame applied exactly once", arguments: [0.25, 0.6, 0.9])
    func killAndRestart(at fraction: Double) async throws {
        let simulated = try await SimulatedRun.make(duration: 120, vehicles: 3)
        defer { try? FileManager.default.removeItem(at: simulated.directory) }
        let messages = try simulated.messages()
        let instance = try IngestInstance(zone: simulated.zone)
        defer { try? FileManager.default.removeItem(at: instance.directory) }
        let split = Int(Double(messages.count) * fraction)

        // First life: part of the frames, then SIGKILL (after at least one journal flush and
        // one database commit, mid-stream).
        let first = try instance.start(map: simulated.recording, extra: ["--flush-seconds", "0.2"])
        defer { if first.process.isRunning { first.signal(SIGKILL) } }
        let gateway = try Gateway(endpoint: instance.endpoint)
        for message in messages[..<split] { try gateway.send(message) }
        try await waitUntil("first commit and journal flush") {
            let size = instance.journalFiles.first.flatMap {
                try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int
            }
            return DatabaseView.liveFrames(instance.database) > 0 && (size ?? 0) > 8192
        }
        try await Task.sleep(for: .milliseconds(Int(300 + 900 * fraction)))
        first.signal(SIGKILL)
        _ = try await first.finish()
        // Frames still queued in this gateway are not resent to the next life.
        try gateway.socket.setLinger(.zero)
        gateway.close()

        // Second life: recovers, then takes the rest.
        let second = try instance.start(map: simulated.recording)
        defer { if second.process.isRunning { second.signal(SIGKILL) } }
        try await waitUntil("recovered journal") {
            instance.journalFiles.count >= 2 && JournalRecovery.isFinished(path: instance.journalFiles[0])
        }
        let recovered = Int64(
            try MCAPReader(path: instance.journalFiles[0]).summary?.statistics?.messageCount ?? 0)
        #expect(recovered > 0 && recovered <= Int64(split), "recovered \(recovered) of \(split) sent")
        let outcome = try await sendAndStop(
            Array(messages[split...]), to: instance, run: second,
            expected: recovered + Int64(messages.count - split))
        #expect(outcome.standardError.contains("resuming interrupted session"))

        // Exactly the database of an uninterrupted run over the journaled frames.
        let replay = try instance.replayJournal(configuration: try simulated.configuration())
        let live = try DatabaseView.contents(instance.database)
        let replayed = try DatabaseView.contents(replay)
        for table in DatabaseView.tables {
            #expect(live[table] == replayed[table], "table \(table) differs after kill -9 at \(fraction)")
        }
        let received = try DatabaseView.scalar(instance.database, "SELECT SUM(received) FROM data_health")
        #expect(received == recovered + Int64(messages.count - split))
    }
}
