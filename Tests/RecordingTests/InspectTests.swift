import Foundation
import Recording
import TestZoneTestSupport
import Testing

@testable import testzone

@Suite("testzone inspect: several files, journal folders, --json, exit status")
struct InspectTests {
    @Test("a journal folder: one line per file, totals, and the problems of the cut file; exit 1")
    func folder() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let journal = dir.url.appendingPathComponent("journal")
        try FileManager.default.createDirectory(at: journal, withIntermediateDirectories: true)
        try Samples.write(
            Samples.messages(count: 400, seed: 1), to: journal.appendingPathComponent("a-000001.mcap").path,
            options: .init(compression: .zstd, chunkSize: 4_096))
        try Samples.write(
            Samples.messages(count: 300, seed: 2), to: journal.appendingPathComponent("a-000002.mcap").path,
            options: .init(compression: .lz4, chunkSize: 4_096))
        // A third file cut in the middle (a crash): its intact prefix counts, with a problem line.
        let whole = dir.path("whole.mcap")
        try Samples.write(
            Samples.messages(count: 500, seed: 3), to: whole,
            options: .init(compression: .none, chunkSize: 2_048))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: whole))
        try bytes.prefix(bytes.count / 2).write(to: journal.appendingPathComponent("a-000003.mcap"))
        try "not a recording".write(
            to: journal.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)

        let text = try await TestZoneBinary.run(["inspect", journal.path])
        #expect(text.status == 1, "\(text.standardError)")
        let lines = text.standardOutput.split(separator: "\n")
        #expect(lines.filter { $0.contains("a-00000") && $0.contains(".mcap") }.count >= 3)
        #expect(lines.contains { $0.hasPrefix("total (3 files)") })
        #expect(text.standardOutput.contains("a-000003.mcap: file ends inside"))
        #expect(!text.standardOutput.contains("notes.txt"))

        let json = try await TestZoneBinary.run(["inspect", "--json", journal.path])
        #expect(json.status == 1)
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let files = try #require(document["files"] as? [[String: Any]])
        #expect(
            files.map { ($0["path"] as? String).map { URL(fileURLWithPath: $0).lastPathComponent } } == [
                "a-000001.mcap", "a-000002.mcap", "a-000003.mcap",
            ])
        #expect(files[0]["messages"] as? Int == 400)
        #expect((files[0]["problems"] as? [String])?.isEmpty == true)
        #expect((files[2]["problems"] as? [String])?.isEmpty == false)
        #expect(files[2]["summary"] as? String == "missing")
        let totals = try #require(document["totals"] as? [String: Any])
        #expect(totals["files"] as? Int == 3)
        #expect(totals["filesWithProblems"] as? Int == 1)
        #expect((totals["messages"] as? Int ?? 0) >= 700)

        // Two complete files given by name: exit 0.
        let two = try await TestZoneBinary.run([
            "inspect", journal.appendingPathComponent("a-000001.mcap").path,
            journal.appendingPathComponent("a-000002.mcap").path,
        ])
        #expect(two.status == 0, "\(two.standardOutput)")
        #expect(two.standardOutput.contains("total (2 files)"))

        let missing = try await TestZoneBinary.run(["inspect", dir.path("nothing-here")])
        #expect(missing.status == 2)
        #expect(
            missing.standardError
                == "testzone inspect: error: cannot read the recording (\(dir.path("nothing-here"))): no such file or directory\n"
        )
    }

    @Test(
        "a footer without a summary section is valid; channels and schemas the summary omits come from the scan",
        .enabled(if: InteropPython.available, "Python with the mcap package not found: run `make setup`"))
    func summaryOptional() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("python.mcap")
        try InteropPython.helper(["write", path, "--compression", "zstd", "--no-summary", "--count", "300"])
        let reader = try MCAPReader(path: path)
        #expect(reader.footer != nil && !reader.hasSummarySection)
        let report = InspectReport(reader: reader, verify: true)
        #expect(report.problems.isEmpty, "\(report.problems)")
        #expect(report.summary == "none")
        #expect(report.messages == 300)
        #expect(Set(report.channels.map(\.topic)) == ["cv2x/RSU-0001", "jt808/013800000001", "cv2x/OBU-77"])
        #expect(report.channels.first { $0.topic == "cv2x/RSU-0001" }?.schema == "cv2x.MessageFrame")
        let outcome = try await TestZoneBinary.run(["inspect", path])
        #expect(outcome.status == 0, "\(outcome.standardOutput)")
        #expect(outcome.standardOutput.contains("summary:     none"))
    }
}
