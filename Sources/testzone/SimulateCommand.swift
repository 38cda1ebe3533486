import ArgumentParser
import Foundation
import Simulator
import Zone

/// `testzone simulate`: generates a Jiading-like test day with its ground truth.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulate a test zone's traffic: C-V2X and JT/T 808 frames plus their ground truth.",
        discussion: """
            Generates a grid of signalised intersections around 31.29 N 121.17 E with one RSU each \
            (MAP 1 Hz, SPAT, RSI, RSM), test vehicles of several operators driving it with L3/L4 \
            automation (BSM, JT/T 808 0x0200 with 0xE1/0xE2 at 1 Hz), RSU reception falling with \
            distance and optional faults. Deterministic for a seed. Writes an MCAP recording (--out) \
            or publishes on ZeroMQ (--publish), and the ground truth as JSON (--truth); --config-out \
            writes the zone.toml of the run. A status line (simulated time, frames, rate, ETA) \
            goes to standard error every few seconds unless --quiet.
            """
    )

    @Option(help: "Write the frames to this MCAP file.")
    var out: String?

    @Option(help: "Publish the frames on this ZeroMQ endpoint instead (see --socket).")
    var publish: String?

    @Option(help: "Socket for --publish: push (connects to ingest's --listen) or pub (binds).")
    var socket: String = "push"

    @Option(help: "Pace of --publish: a factor of real time, or 'max'.")
    var speed: String = "1"

    @Option(help: "Write the ground truth JSON to this file.")
    var truth: String?

    @Option(name: .customLong("config-out"), help: "Write the run's zone.toml to this file.")
    var configOut: String?

    @Option(name: .customLong("zone"), help: .hidden)
    var zoneDeprecated: String?

    /// `--config-out`, or its old spelling `--zone`.
    var zone: String? { configOut ?? zoneDeprecated }

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    @Option(help: "Start time, ISO 8601 with offset.")
    var start: String = "2026-11-02T09:00:00+08:00"

    @Option(help: "Simulated time (30m, 1h, or seconds).")
    var duration: RecordingArguments.Span = .init(nanoseconds: 1_800_000_000_000)

    @Option(help: "Number of test vehicles.")
    var vehicles: Int = 20

    @Option(help: "Intersections west to east.")
    var columns: Int = 4

    @Option(help: "Intersections south to north.")
    var rows: Int = 4

    @Option(help: "BSM rate per vehicle in Hz (1, 2, 5 or 10).")
    var bsmRate: Int = 10

    @Option(help: "SPAT rate per RSU in Hz (1, 2, 5 or 10).")
    var spatRate: Int = 10

    @Option(help: "RSM period per RSU, whole seconds (1s, 5s; 0: none).")
    var rsmPeriod: RecordingArguments.Span = .init(nanoseconds: 1_000_000_000)

    @Option(help: "RSI period while an event is active, whole seconds (0: none).")
    var rsiPeriod: RecordingArguments.Span = .init(nanoseconds: 1_000_000_000)

    @Flag(
        help:
            "Leave out the optional 8-byte gateway time frame (ZeroMQ only; MCAP keeps the time as log time)."
    )
    var noTimeFrame = false

    @Flag(
        help:
            "Inject the fault profile of Replays/faults (2 % loss, 1 % duplicates, 0.5 % corrupt, clocks within ±3 s)."
    )
    var faults = false

    @Option(help: "Frame loss probability (overrides --faults).")
    var loss: Double?

    @Option(help: "Duplicate probability (overrides --faults).")
    var duplicates: Double?

    @Option(help: "Corruption probability (overrides --faults).")
    var corrupt: Double?

    @Option(help: "Largest clock offset of a source (3s, 500ms; overrides --faults).")
    var clockOffset: RecordingArguments.Span?

    @Option(name: .customLong("clock-skew"), help: .hidden)
    var clockSkewDeprecated: Int?

    @Option(help: "Scale all automation hazard rates by this factor.")
    var hazardScale: Double = 1

    @Option(
        help:
            "Chunk compression of --out: zstd (level 19, smallest file), lz4 or none (many times faster for long runs)."
    )
    var compression: String = "zstd"

    @Flag(help: "No status line.")
    var quiet = false

    func validate() throws {
        _ = try RecordingArguments.compression(compression)
        if zoneDeprecated != nil {
            CommandFailure.deprecated("simulate", "--zone", use: "--config-out")
            if configOut != nil {
                throw ValidationError("give --config-out only (--zone is its old spelling)")
            }
        }
        if clockSkewDeprecated != nil {
            CommandFailure.deprecated("simulate", "--clock-skew", use: "--clock-offset")
            if clockOffset != nil {
                throw ValidationError("give --clock-offset only (--clock-skew is its old spelling, in ms)")
            }
        }
        try InputFiles.requireWritable(out, "cannot write the recording")
        try InputFiles.requireWritable(truth, "cannot write the ground truth")
        try InputFiles.requireWritable(zone, "cannot write the zone configuration")
        guard (out == nil) != (publish == nil) else {
            throw ValidationError("give exactly one of --out FILE.mcap or --publish ENDPOINT")
        }
        guard ZeroMQFrameSink.Mode(rawValue: socket) != nil else {
            throw ValidationError("--socket must be push or pub")
        }
        guard speed == "max" || (Double(speed).map { $0 > 0 } ?? false) else {
            throw ValidationError("--speed must be a positive number or 'max'")
        }
        guard [1, 2, 5, 10].contains(bsmRate), [1, 2, 5, 10].contains(spatRate) else {
            throw ValidationError("--bsm-rate and --spat-rate must be 1, 2, 5 or 10")
        }
        guard vehicles >= 1, vehicles <= 9999, columns >= 2, rows >= 2, columns * rows <= 400 else {
            throw ValidationError(
                "need 1-9999 vehicles and a grid of at least 2 x 2 (at most 400 intersections)")
        }
        guard duration.nanoseconds > 0, duration.seconds <= 7 * 86_400 else {
            throw ValidationError("--duration must be more than 0 and at most 7d")
        }
        for (name, period) in [("--rsm-period", rsmPeriod), ("--rsi-period", rsiPeriod)]
        where period.nanoseconds % 1_000_000_000 != 0 {
            throw ValidationError("\(name) must be whole seconds, got \(period.defaultValueDescription)")
        }
        guard parseStart() != nil else {
            throw ValidationError("--start '\(start)' is not ISO 8601 with an offset")
        }
        for (name, value) in [("--loss", loss), ("--duplicates", duplicates), ("--corrupt", corrupt)] {
            if let value, !(0...1).contains(value) { throw ValidationError("\(name) must be within 0...1") }
        }
        if publish == nil {
            GivenOptions.warnIgnored(
                "simulate", ["--socket", "--speed", "--no-time-frame"],
                "with --out (for --publish only; an MCAP is written as fast as it can, with log times)")
        } else {
            GivenOptions.warnIgnored("simulate", ["--compression"], "with --publish (for --out only)")
        }
    }

    private func parseStart() -> Int64? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        guard let date = formatter.date(from: start) else { return nil }
        return Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    func parameters() -> SimulationParameters {
        var parameters = SimulationParameters()
        parameters.seed = seed
        parameters.startMicroseconds = parseStart() ?? parameters.startMicroseconds
        parameters.durationSeconds = duration.seconds
        parameters.vehicleCount = vehicles
        parameters.gridColumns = columns
        parameters.gridRows = rows
        parameters.bsmRate = bsmRate
        parameters.spatRate = spatRate
        parameters.rsmPeriodSeconds = Int(rsmPeriod.nanoseconds / 1_000_000_000)
        parameters.rsiPeriodSeconds = Int(rsiPeriod.nanoseconds / 1_000_000_000)
        parameters.gatewayTimeFrame = !noTimeFrame
        if faults { parameters.faults = .demoFaults }
        if let loss { parameters.faults.lossRate = loss }
        if let duplicates { parameters.faults.duplicateRate = duplicates }
        if let corrupt { parameters.faults.corruptRate = corrupt }
        if let clockSkewDeprecated { parameters.faults.maxClockOffsetMilliseconds = clockSkewDeprecated }
        if let clockOffset {
            parameters.faults.maxClockOffsetMilliseconds = Int(clockOffset.nanoseconds / 1_000_000)
        }
        for index in parameters.automation.hazards.indices {
            parameters.automation.hazards[index].perHour *= hazardScale
        }
        return parameters
    }

    func run() throws {
        let parameters = parameters()
        var simulation = TrafficSimulation(parameters: parameters)
        if let zone {
            try Data(simulation.layout.configuration.tomlText().utf8).write(to: URL(fileURLWithPath: zone))
        }
        let clock = ContinuousClock()
        let began = clock.now
        // Ctrl-C / SIGTERM: stop at the current tick and finish the MCAP and the truth so far.
        StopSignal.install()
        // The runner asks whether to stop once per 100 ms tick: that is the progress count too.
        let progress = quiet ? nil : ProgressLine(label: "simulate")
        let totalTicks = max(1, Int((parameters.durationSeconds * 10).rounded()))
        var ticks = 0
        let shouldStop = {
            ticks += 1
            progress?.update(
                "\(ticks / 10) of \(totalTicks / 10) simulated s",
                done: Double(ticks) / Double(totalTicks))
            return StopSignal.requested
        }
        let result: (truth: GroundTruth, statistics: SimulationRunner.Statistics)
        if let out {
            var sink = try MCAPFrameSink(
                path: out, simulation: simulation, compression: RecordingArguments.compression(compression))
            result = try SimulationRunner.run(simulation: &simulation, sink: &sink, shouldStop: shouldStop)
        } else if let publish, let mode = ZeroMQFrameSink.Mode(rawValue: socket) {
            var sink = try ZeroMQFrameSink(
                endpoint: publish, mode: mode, speed: speed == "max" ? nil : Double(speed),
                timeFrame: parameters.gatewayTimeFrame)
            result = try SimulationRunner.run(simulation: &simulation, sink: &sink, shouldStop: shouldStop)
        } else {
            throw ValidationError("give --out or --publish")
        }
        progress?.finish()
        if let truth {
            try result.truth.jsonData().write(to: URL(fileURLWithPath: truth))
        }
        if result.statistics.stoppedEarly {
            let simulated = Double(simulation.currentMicroseconds - parameters.startMicroseconds) / 1e6
            StandardError.line(
                "simulate: interrupted after \(Int(simulated)) of \(Int(parameters.durationSeconds)) simulated s: "
                    + "\(result.statistics.framesWritten) frames"
                    + (out.map { "; \($0) finished (summary and footer)" } ?? "")
                    + (truth.map { "; \($0) holds the truth of the simulated time so far" } ?? ""))
            throw ExitCode(130)
        }
        let elapsed = clock.now - began
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let stats = result.statistics
        let totals = result.truth.totals
        var message = "simulated \(Int(parameters.durationSeconds)) s, \(parameters.vehicleCount) vehicles, "
        message += "\(simulation.layout.intersections.count) RSUs: \(stats.framesWritten) frames "
        message += "(\(stats.payloadBytes) payload bytes) in \(String(format: "%.2f", seconds)) s "
        message += "(\(Int(Double(stats.framesWritten) / max(seconds, 1e-9))) frames/s); "
        message += "automated km \(totals.automatedKm.mapValues { String(format: "%.2f", $0) }), "
        message += "\(totals.disengagements) disengagements, \(totals.takeoverRequests) takeover requests, "
        message += "\(totals.mrms) MRMs\n"
        FileHandle.standardError.write(Data(message.utf8))
    }
}
