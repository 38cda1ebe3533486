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
    var quiet: Bool

    func run() throws {
        let zone = try ZoneConfiguration.load(contentsOf: URL(fileURLWithPath: configuration))
        let clock = ContinuousClock()
        let started = clock.now
        let network = try ZoneSetup.roadNetwork(fromRecordings: files)
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
        let showBar = !quiet && StandardError.isTerminal
        var lastDraw = clock.now
        let result = try replay.run(files: files) { progress in
            guard showBar, clock.now - lastDraw >= .milliseconds(200) else { return }
            lastDraw = clock.now
            let share =
                progress.totalMessages > 0 ? Double(progress.messages) / Double(progress.totalMessages) : 0
            let filled = Int(min(1, share) * 30)
            StandardError.write(
                "\r\u{1B}[K[\(String(repeating: "#", count: filled))\(String(repeating: "-", count: 30 - filled))] "
                    + "\((share * 1000).rounded() / 10)% \(RecordingArguments.formatCount(Int(progress.messages))) msgs"
            )
        } shouldStop: {
            StopSignal.requested
        }
        if showBar { StandardError.write("\r\u{1B}[K") }
        for warning in result.warnings { StandardError.line("replay: warning: \(warning)") }
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
            StandardError.line(
                "replay: error: no frames in \(files.joined(separator: ", "))"
                    + (result.warnings.isEmpty ? "" : " (\(result.warnings.count) problem(s) above)")
                    + "; no run was kept in \(database)")
            throw ExitCode(2)
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
    }
}
