import Foundation
import TestZoneTestSupport
import Testing

/// Headless Chromium (Debian package `chromium`, installed by Tools/setup.sh).
enum Chromium {
    static let path = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Runs chromium headless on `url` with extra arguments; returns stdout (the DOM for
    /// `--dump-dom`). Killed after `timeout` seconds.
    static func run(_ arguments: [String], url: String, timeout: TimeInterval = 90) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(path))
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent(
            "chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        process.arguments =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--hide-scrollbars", "--user-data-dir=\(profile.path)",
            ] + arguments + [url]
        let output = FileManager.default.temporaryDirectory.appendingPathComponent(
            "chromium-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: output) }
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        return String(decoding: (try? Data(contentsOf: output)) ?? Data(), as: UTF8.self)
    }
}

@Suite("Dashboard in headless Chromium", .serialized)
struct DashboardTests {
    /// Screenshots go to out/ at the repository root (ignored by git).
    static let outDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("out/console")

    @Test(
        "the dashboard shows vehicle markers and event rows during a live replay; screenshots",
        .enabled(
            if: Chromium.path != nil, "chromium is not installed (Tools/setup.sh installs the Debian package)"
        ))
    func dashboardDuringLiveReplay() async throws {
        let simulation = try await Simulation.make(duration: 180, vehicles: 6)
        defer { simulation.remove() }
        let ingest = try await simulation.startIngest()
        let url = "http://127.0.0.1:\(ingest.port)/"
        // The replay runs at 8x real time (about 30 s) while the browser looks.
        let feed = Task { try await simulation.push(to: ingest.endpoint, speed: "8") }
        try await waitUntil("the first events", timeout: .seconds(90)) {
            let events = try LoopbackHTTP.get(port: ingest.port, "/api/v1/events?limit=5").json() as? [Any]
            return (events?.count ?? 0) > 0
        }
        var dom = ""
        for _ in 0..<5 {
            dom = try Chromium.run(["--timeout=6000", "--dump-dom"], url: url)
            if dom.contains("class=\"veh st-") && dom.contains("event-row") { break }
        }
        #expect(dom.contains("class=\"veh st-"), "no vehicle marker in the DOM")
        #expect(dom.contains("event-row"), "no event row in the DOM")
        #expect(dom.contains("vehicle-row"))
        try FileManager.default.createDirectory(at: Self.outDirectory, withIntermediateDirectories: true)
        for (name, size) in [("dashboard-1366x768", "1366,768"), ("dashboard-phone-390x844", "390,844")] {
            let file = Self.outDirectory.appendingPathComponent("\(name).png")
            try? FileManager.default.removeItem(at: file)
            _ = try Chromium.run(
                ["--timeout=6000", "--window-size=\(size)", "--screenshot=\(file.path)"], url: url)
            #expect(FileManager.default.fileExists(atPath: file.path), "no screenshot \(file.path)")
        }
        try await feed.value
        ingest.run.signal(SIGINT)
        let outcome = try await ingest.run.finish(timeout: .seconds(60))
        #expect(outcome.status == 0, "ingest: \(outcome.standardError)")
    }
}
