import Foundation
import Recording
import Store
import TestZoneTestSupport
import Testing

@testable import testzone

/// The bundled replays (`Replays/demo`, `Replays/faults`) at the repository root.
private enum BundledReplays {
    static func path(_ relative: String) -> String? {
        let path = InteropPython.repositoryRoot.appendingPathComponent(relative).path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }
    static let demo = path("Replays/demo/demo.mcap")
    static let demoZone = path("Replays/demo/zone.toml")
    static let faults = path("Replays/faults/faults.mcap")
    static let faultsZone = path("Replays/faults/zone.toml")
}

@Suite("export --foxglove and clip through the testzone binary")
struct ExportClipTests {
    @Test(
        "export --foxglove of Replays/demo: every JSON message valid against its channel's JSON Schema, raw frames kept",
        .enabled(
            if: InteropPython.available && BundledReplays.demo != nil,
            "needs .venv (make setup) and Replays/demo"))
    func exportDemoValidates() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let demo = try #require(BundledReplays.demo)
        let out = dir.path("demo-foxglove.mcap")
        let outcome = try await TestZoneBinary.Run([
            "export", "--foxglove", out, "--config", try #require(BundledReplays.demoZone), demo, "--quiet",
        ]).finish(timeout: .seconds(900))
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("exported 320,600 frames"), "\(outcome.standardOutput)")
        #expect(outcome.standardOutput.contains("foxglove.LocationFix"))

        guard let python = InteropPython.executable else { return }
        let script = InteropPython.repositoryRoot.appendingPathComponent(
            "Tools/mcap-interop/validate_export.py"
        ).path
        let report =
            try JSONSerialization.jsonObject(with: InteropPython.run(python, [script, out])) as? [String: Any]
        #expect(report?["invalid"] as? Int == 0, "\(report?["errors"] ?? "")")
        let channels = report?["channels"] as? [String: [String: Any]] ?? [:]
        func messages(where predicate: (String, [String: Any]) -> Bool) -> Int {
            channels.filter { predicate($0.key, $0.value) }.reduce(0) {
                $0 + ($1.value["messages"] as? Int ?? 0)
            }
        }
        // The raw frames, all of them, on their original channels.
        let source = try MCAPReader(path: demo)
        let rawCount = messages { topic, _ in !topic.hasPrefix("/") }
        #expect(rawCount == Int(source.summary?.statistics?.messageCount ?? 0))
        // One JER message per decodable C-V2X frame and one JSON message per JT/T 808 packet.
        let cv2xFrames = messages { topic, _ in topic.hasPrefix("cv2x/") }
        #expect(
            messages { topic, c in topic.hasSuffix("/jer") && c["schema"] as? String == "testzone.CV2XFrame" }
                == cv2xFrames)
        #expect(
            messages { topic, c in
                topic.hasPrefix("/jt808/") && c["schema"] as? String == "testzone.JT808Packet"
            } > 0)
        // Foxglove's well-known schemas, per vehicle and for the zone.
        #expect(
            messages { topic, c in
                topic.hasSuffix("/jt808_fix") && c["schema"] as? String == "foxglove.LocationFix"
            } > 0)
        #expect(
            messages { topic, c in
                topic.hasSuffix("/bsm_fix") && c["schema"] as? String == "foxglove.LocationFix"
            } > 0)
        #expect(channels["/zone/road_network"]?["messages"] as? Int == 1)
        #expect(channels["/zone/road_network"]?["schema"] as? String == "foxglove.GeoJSON")
        #expect((channels["/zone/coverage"]?["messages"] as? Int ?? 0) > 0)
        #expect(channels["/events/automation"]?["schema"] as? String == "foxglove.Log")
        #expect((channels["/events/automation"]?["messages"] as? Int ?? 0) > 0)
        let vehicles = Set(
            channels.keys.filter { $0.hasPrefix("/vehicles/") }.map { $0.split(separator: "/")[1] })
        #expect(!vehicles.isEmpty && vehicles.allSatisfy { !$0.hasPrefix("UNREGISTERED") }, "\(vehicles)")
    }

    @Test(
        "export without --config: terminals become UNREGISTERED vehicles (it used to crash on the first one)")
    func exportWithoutZone() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let out = dir.path("out.mcap")
        let outcome = try await TestZoneBinary.Run([
            "export", "--foxglove", out, "--topic", "jt808/", "--to", "3", try #require(BundledReplays.demo),
            "--quiet",
        ]).finish(timeout: .seconds(120))
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let summary = try #require(try MCAPReader(path: out).summary)
        let fixes = summary.channels.values.filter { $0.topic.hasSuffix("/jt808_fix") }
        #expect(
            !fixes.isEmpty && fixes.allSatisfy { $0.topic.hasPrefix("/vehicles/UNREGISTERED-") },
            "\(fixes.map(\.topic))")
    }

    @Test("export --topic and --to keep only what is asked for")
    func exportFilters() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let journal = dir.path("journal.mcap")
        let messages = Samples.messages(count: 3_000)
        try Samples.write(messages, to: journal, options: .init(compression: .lz4, chunkSize: 8_192))
        let out = dir.path("out.mcap")
        let outcome = try await TestZoneBinary.Run([
            "export", "--foxglove", out, "--topic", "jt808/", "--to", "1.5", journal, "--quiet",
        ]).finish(timeout: .seconds(120))
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let start = messages.map(\.logTime).min()!
        let expected = Samples.logTimeOrdered(messages).filter {
            $0.topic.hasPrefix("jt808/") && $0.logTime < start + 1_500_000_000
        }
        let (read, warnings) = Samples.read(try MCAPReader(path: out), MCAPQuery())
        #expect(warnings.isEmpty)
        // The samples are random bytes: no JT/T 808 packet decodes, so only the raw frames remain.
        #expect(read == expected)
    }

    @Test(
        "clip --event: the window around an event of the database, its SHA-256 printed and stored in event_clips",
        .enabled(if: BundledReplays.faults != nil, "needs Replays/faults"))
    func clipEvent() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let journal = try #require(BundledReplays.faults)
        let database = dir.path("zone.sqlite")
        let replay = try await TestZoneBinary.Run([
            "replay", journal, "--db", database, "--config", try #require(BundledReplays.faultsZone),
            "--quiet",
        ]).finish(timeout: .seconds(900))
        #expect(replay.status == 0, "\(replay.standardError)")
        let store = try ZoneStore(path: database)
        let candidates = try store.storedEvents(kind: "collision", limit: 1) + store.storedEvents(limit: 1)
        let id = try #require(candidates.first?.id, "the faults replay has events")
        let event = try #require(try store.event(id: id))
        #expect(event == candidates.first)

        let clip = dir.path("clip.mcap")
        let outcome = try await TestZoneBinary.Run([
            "clip", "--event", String(id), "--db", database, "--before", "90s", "--after", "30s", "--out",
            clip, journal,
        ]).finish(timeout: .seconds(300))
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let sha = try FileDigest.sha256(clip)
        #expect(outcome.standardOutput.contains("sha256: \(sha)"), "\(outcome.standardOutput)")

        // Exactly the journal's messages in [event - 90 s, event + 30 s), channels and times unchanged.
        let centre = UInt64(event.time) * 1_000
        let window = MCAPQuery(startTime: centre - 90_000_000_000, endTime: centre + 30_000_000_000)
        let (expected, _) = Samples.read(try MCAPReader(path: journal), window)
        let reader = try MCAPReader(path: clip)
        let (copied, warnings) = Samples.read(reader, MCAPQuery())
        #expect(warnings.isEmpty)
        #expect(!copied.isEmpty)
        #expect(copied == expected)
        let metadata = reader.metadata().first { $0.name == "testzone-clip" }
        #expect(metadata?.entries["vin"] == event.vin)
        #expect(metadata?.entries["kind"] == event.kind)

        // Stored with the event, by vin, time and kind.
        let stored = try #require(try store.eventClip(vin: event.vin, time: event.time, kind: event.kind))
        #expect(stored.sha256 == sha)
        #expect(stored.path == clip)
        #expect(stored.messages == Int64(copied.count))
        #expect(stored.start == event.time - 90_000_000)
        #expect(stored.end == event.time + 30_000_000)

        // Usage errors: --event without --db, an unknown event.
        let noDB = try await TestZoneBinary.run([
            "clip", "--event", "1", "--out", dir.path("x.mcap"), journal,
        ])
        #expect(noDB.status == 64 || noDB.status == 2, "\(noDB.standardError)")
        let unknown = try await TestZoneBinary.run([
            "clip", "--event", "99999999", "--db", database, "--out", dir.path("x.mcap"), journal,
        ])
        #expect(unknown.status == 2)
        #expect(unknown.standardError.contains("no event with id 99999999"))
    }

    @Test("clip --at an offset from the journal's start")
    func clipAt() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let journal = dir.path("journal.mcap")
        let messages = Samples.messages(count: 2_000)
        try Samples.write(messages, to: journal, options: .init(compression: .zstd, chunkSize: 4_096))
        let clip = dir.path("clip.mcap")
        let outcome = try await TestZoneBinary.run([
            "clip", "--at", "1s", "--before", "0.5", "--after", "250ms", "--out", clip, journal,
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let start = messages.map(\.logTime).min()!
        let expected = Samples.logTimeOrdered(messages).filter {
            $0.logTime >= start + 500_000_000 && $0.logTime < start + 1_250_000_000
        }
        let (read, _) = Samples.read(try MCAPReader(path: clip), MCAPQuery())
        #expect(read == expected)
        #expect(outcome.standardOutput.contains("sha256: \(try FileDigest.sha256(clip))"))
    }
}

/// SHA-256 of a file, computed here independently of the command.
enum FileDigest {
    static func sha256(_ path: String) throws -> String {
        var hasher = SHA256()
        hasher.update([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
        return hasher.finalizeHex()
    }
}
