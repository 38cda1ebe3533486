import ArgumentParser
import Foundation
import Metrics
import Pipeline
import Store
import Zone

/// `testzone replay FILE... --db zone.sqlite --config zone.toml`: the recordings through
/// decoding and metrics at full speed into the database, with progress on standard error.
struct ReplayToDatabase {
    var files: [String]
    var database: String
    var configuration: String
    var map: [String] = []
    var quiet: Bool

    func run() throws {
        let zone = try ZoneConfiguration.load(contentsOf: URL(fileURLWithPath: configuration))
        ZoneTimeZone.check(zone, path: configuration, command: "replay")
        let clock = ContinuousClock()
        let started = clock.now
        let network = try ZoneSetup.roadNetwork(fromRecordings: map.isEmpty ? files : map)
        StandardError.line(
            "replay: road network from MAP: \(network.links.count) links, "
                + "\(RecordingArguments.formatCount(Int(network.totalLength))) m"
                + (network.unresolvedLinks.isEmpty ? "" : ", \(network.unresolvedLinks.count) unresolved"))
        let metrics = ZoneSetup.metricsConfiguration(zone: zone, network: network)
        let store = try ZoneStore(path: database)
        var configText = configuration
        if let data = FileManager.default.contents(atPath: configuration) {
            configText += " sha256:" + SHA256.hex([UInt8](data))
        }
        var replay = DatabaseReplay(
            store: store, configuration: metrics, softwareVersion: TestZone.softwareVersion,
            configurationDescription: configText)
        replay.operatorNames = ZoneSetup.operatorNames(zone: zone)
        StopSignal.install()
        // A bar on a terminal; otherwise a plain status line every 2 s (ProgressLine).
        let showBar = !quiet && StandardError.isTerminal
        let statusLine = !quiet && !showBar ? ProgressLine(label: "replay") : nil
        var lastDraw = clock.now
        let result = try replay.run(files: files) { progress in
            let share =
                progress.totalMessages > 0 ? Double(progress.messages) / Double(progress.totalMessages) : 0
            if let statusLine {
                let rate = Double(progress.messages) / max(1e-9, (clock.now - started).seconds)
                statusLine.update(
                    "\(RecordingArguments.formatCount(Int(progress.messages))) of "
                        + "\(RecordingArguments.formatCount(Int(progress.totalMessages))) frames, "
                        + "\(RecordingArguments.formatCount(Int(rate))) frames/s", done: share)
                return
            }
            guard showBar, clock.now - lastDraw >= .milliseconds(200) else { return }
            lastDraw = clock.now
            let filled = Int(min(1, share) * 30)
            StandardError.write(
                "\r\u{1B}[K[\(String(repeating: "#", count: filled))\(String(repeating: "-", count: 30 - filled))] "
                    + "\(RecordingArguments.formatCount(Int(progress.messages))) msgs"
                    + ProgressLine.eta(done: share, elapsed: clock.now - started)
            )
        } shouldStop: {
            StopSignal.requested
        }
        if showBar { StandardError.write("\r\u{1B}[K") }
        for warning in result.warnings { CommandFailure.printWarning("replay", "\(warning)") }
        if result.interrupted {
            StandardError.line(
                "replay: interrupted after \(RecordingArguments.formatCount(Int(result.messages))) frames: run "
                    + "\(result.runID) in \(database) is marked interrupted (reports skip it; the same replay "
                    + "again replaces it)")
            throw ExitCode(130)
        }
        if result.messages == 0 {
            // Nothing to count: an empty, foreign or wholly damaged recording. No run is kept,
            // so that no report shows a "complete" month of nothing.
            try? store.deleteRun(result.runID)
            throw CommandFailure(
                "no frames", files.joined(separator: ", "),
                "nothing to count (an empty, foreign or damaged recording"
                    + (result.warnings.isEmpty ? "" : "; \(result.warnings.count) problem(s) above")
                    + "); no run was kept in \(database)")
        }
        let elapsed = started.duration(to: clock.now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let health = result.metrics.sources.values
        let rejected = health.reduce(Int64(0)) { $0 + $1.rejectedTotal }
        let duplicates = health.reduce(Int64(0)) { $0 + $1.duplicates }
        let reports = result.metrics.vehicleReports()
        let zoneReport = result.metrics.zoneReport(reports)
        StandardError.line(
            "replay: \(RecordingArguments.formatCount(Int(result.messages))) frames in "
                + "\(String(format: "%.1f", seconds)) s (\(RecordingArguments.formatCount(Int(Double(result.messages) / max(seconds, 1e-9)))) frames/s) "
                + "into \(database), run \(result.runID): \(reports.count) vehicles, "
                + "\(String(format: "%.2f", zoneReport.automatedKilometres)) automated L3/L4 km, "
                + "\(zoneReport.disengagements) disengagements, \(rejected) rejected, \(duplicates) duplicates"
        )
        if !result.warnings.isEmpty {
            // A truncated or damaged recording: counted up to the damage, never silently complete.
            StandardError.line(
                "replay: the recordings had \(result.warnings.count) problem(s) (warnings above): run "
                    + "\(result.runID) holds the frames before each; the problems are stored with it and "
                    + "reports flag the run")
        }
    }
}
