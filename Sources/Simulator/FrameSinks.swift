import Foundation
import Recording
import ZeroMQ
import Zone

/// Where delivered frames go: an MCAP recording or a ZeroMQ socket.
public protocol FrameSink {
    /// Writes one frame (in receive-time order).
    mutating func write(_ frame: DeliveredFrame) throws
    /// Flushes and closes.
    mutating func finish() throws
}

/// Writes frames to an MCAP recording with the journal conventions of the Recording module
/// (`JournalWriter`, README "Journal conventions"): one channel per topic, message encoding
/// `cv2x-uper`/`jt808`, data = the payload frame, log time = receive time and publish time = the
/// gateway time frame (both the frame's receive time, in ns), per-channel sequence from 0, the
/// `testzone` metadata record (zone name, version `testzone simulate`, plus the run's seed, start,
/// duration, counts and rates). The zone configuration is attached as `zone.toml`.
public final class MCAPFrameSink: FrameSink {
    private let journal: JournalWriter

    /// Creates `path` (replacing it) for the run of `simulation`. zstd at level 19 by default
    /// (small files to commit); `.lz4` or `.none` write long runs many times faster.
    public init(
        path: String, simulation: TrafficSimulation, compression: MCAPCompression = .zstd,
        chunkSize: Int = 4 << 20, zstdLevel: Int = 19
    ) throws {
        let parameters = simulation.parameters
        do {
            journal = try JournalWriter(
                path: path, zone: simulation.layout.configuration.name, softwareVersion: "testzone simulate",
                options: MCAPWriter.Options(
                    compression: compression, chunkSize: chunkSize, zstdLevel: zstdLevel,
                    library: "testzone simulate"),
                extraMetadata: [
                    "seed": String(parameters.seed),
                    "startMicroseconds": String(parameters.startMicroseconds),
                    "durationSeconds": String(parameters.durationSeconds),
                    "vehicles": String(parameters.vehicleCount),
                    "rsus": String(simulation.layout.intersections.count),
                    "bsmRateHz": String(parameters.bsmRate), "spatRateHz": String(parameters.spatRate),
                ])
            let start = UInt64(parameters.startMicroseconds) * 1000
            try journal.writer.addAttachment(
                MCAPAttachment(
                    logTime: start, createTime: start, name: "zone.toml", mediaType: "application/toml",
                    data: Array(simulation.layout.configuration.tomlText().utf8)))
        } catch {
            throw SimulationError.output("\(path): \(error)")
        }
    }

    public func write(_ frame: DeliveredFrame) throws {
        let time = UInt64(frame.receiveMicroseconds)
        do {
            try journal.append(
                topic: frame.topic, payload: frame.payload, gatewayTimeMicros: time, receiveTime: time * 1000)
        } catch {
            throw SimulationError.output("\(journal.writer.path): \(error)")
        }
    }

    public func finish() throws {
        do { try journal.finish() } catch { throw SimulationError.output("\(journal.writer.path): \(error)") }
    }
}

/// Sends frames as ZeroMQ multipart messages (topic, payload, optional 8-byte big-endian
/// receive time in µs), paced by receive time at `speed` x real time (nil: as fast as possible).
public final class ZeroMQFrameSink: FrameSink {
    /// How the socket reaches the platform.
    public enum Mode: String, Sendable, CaseIterable {
        /// PUSH, connecting to ingest's PULL `--listen` endpoint (lossless: blocks at the high-water mark).
        case push
        /// PUB, binding the endpoint for ingest's `--subscribe`.
        case pub
    }

    private let context: Context
    private let socket: Socket
    private let speed: Double?
    private let timeFrame: Bool
    private let clock = ContinuousClock()
    private var origin: (wall: ContinuousClock.Instant, data: Int64)?

    /// Opens the socket.
    public init(endpoint: String, mode: Mode, speed: Double?, timeFrame: Bool) throws {
        do {
            context = try Context()
            socket = try Socket(context, mode == .push ? .push : .pub)
            try socket.setLinger(.seconds(30))
            if mode == .push { try socket.connect(endpoint) } else { try socket.bind(endpoint) }
        } catch {
            throw SimulationError.output("\(endpoint): \(error)")
        }
        self.speed = speed
        self.timeFrame = timeFrame
    }

    public func write(_ frame: DeliveredFrame) throws {
        if let speed {
            if let origin {
                let due = origin.wall + .microseconds(Double(frame.receiveMicroseconds - origin.data) / speed)
                let wait = (due - clock.now).components
                if wait.seconds > 0 || wait.attoseconds > 0 {
                    Thread.sleep(forTimeInterval: Double(wait.seconds) + Double(wait.attoseconds) / 1e18)
                }
            } else {
                origin = (clock.now, frame.receiveMicroseconds)
            }
        }
        do {
            if timeFrame {
                let time = UInt64(frame.receiveMicroseconds).bigEndian
                let timeBytes = withUnsafeBytes(of: time) { Array($0) }
                try socket.send(multipart: [Array(frame.topic.utf8), frame.payload, timeBytes])
            } else {
                try socket.send(multipart: [Array(frame.topic.utf8), frame.payload])
            }
        } catch {
            throw SimulationError.output("send on \(frame.topic): \(error)")
        }
    }

    public func finish() throws {
        socket.close()
    }
}

/// Runs a whole simulation into a sink and returns its ground truth.
public enum SimulationRunner {
    /// Statistics of a run.
    public struct Statistics: Sendable {
        /// Messages the world transmitted.
        public var messagesGenerated = 0
        /// Frames handed to the sink.
        public var framesWritten = 0
        /// Payload bytes handed to the sink.
        public var payloadBytes = 0
        /// The run was stopped before the end of its duration.
        public var stoppedEarly = false
    }

    /// Simulates `parameters` into `sink`; frames reach the sink in receive-time order.
    public static func run(
        parameters: SimulationParameters, sink: inout some FrameSink
    ) throws -> (truth: GroundTruth, statistics: Statistics) {
        var simulation = TrafficSimulation(parameters: parameters)
        return try run(simulation: &simulation, sink: &sink)
    }

    /// Simulates an already set-up world into `sink`. When `shouldStop` becomes true (Ctrl-C),
    /// the simulation ends at the current tick: the frames routed so far are written, the sink is
    /// finished and the truth covers the simulated time so far (see ``Statistics/stoppedEarly``).
    public static func run(
        simulation: inout TrafficSimulation, sink: inout some FrameSink, shouldStop: () -> Bool = { false }
    ) throws -> (truth: GroundTruth, statistics: Statistics) {
        var router = FrameRouter(simulation: simulation, encoder: FrameEncoder(layout: simulation.layout))
        var messages: [SimulatedMessage] = []
        var frames: [DeliveredFrame] = []
        var statistics = Statistics()
        while !simulation.isFinished {
            if shouldStop() {
                statistics.stoppedEarly = true
                break
            }
            messages.removeAll(keepingCapacity: true)
            simulation.step(into: &messages)
            statistics.messagesGenerated += messages.count
            for message in messages { try router.route(message) }
            // Latencies are below 0.5 s and duplicates follow within 50 ms: everything received
            // more than a second before the current tick is final.
            frames.removeAll(keepingCapacity: true)
            router.drain(before: simulation.currentMicroseconds - 1_000_000, into: &frames)
            for frame in frames {
                try sink.write(frame)
                statistics.framesWritten += 1
                statistics.payloadBytes += frame.payload.count
            }
        }
        frames.removeAll()
        router.drainAll(into: &frames)
        for frame in frames {
            try sink.write(frame)
            statistics.framesWritten += 1
            statistics.payloadBytes += frame.payload.count
        }
        try sink.finish()
        return (router.truth.finish(), statistics)
    }
}

/// Collects frames in memory (tests, small runs).
public struct MemoryFrameSink: FrameSink {
    /// Frames written so far.
    public private(set) var frames: [DeliveredFrame] = []

    /// An empty sink.
    public init() {}

    public mutating func write(_ frame: DeliveredFrame) throws { frames.append(frame) }
    public mutating func finish() throws {}
}

extension GroundTruth {
    /// Pretty-printed JSON with sorted keys (byte-identical for identical runs).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
