import Foundation
import Zone

/// Turns simulated messages into wire frames: the output layer's encoding step.
public protocol MessageEncoding: Sendable {
    /// The payload of `message`: one UPER `MessageFrame` of `schema` (the edition of the RSU that
    /// sends or forwards it), or one 0x7E-delimited JT/T 808 packet (`schema` is then ignored).
    func encode(_ message: SimulatedMessage, schema: CSAESchemaSet) throws -> [UInt8]
    /// Whether the project's decoders accept `payload` on a topic of this family (used to make
    /// sure an injected corruption is detectable).
    func decodes(_ payload: [UInt8], family: TopicFamily) -> Bool
}

/// The two topic families of the wire contract (DESIGN.md section 3).
public enum TopicFamily: String, Sendable, Hashable, Codable {
    /// `cv2x/<sourceId>`.
    case cv2x
    /// `jt808/<sourceId>`.
    case jt808
}

/// One ZeroMQ message as the platform receives it.
public struct DeliveredFrame: Sendable, Hashable {
    /// What happened to the frame on its way.
    public enum Disposition: String, Sendable, Hashable, Codable {
        /// Arrived as sent.
        case intact
        /// A second copy of a frame that also arrived intact.
        case duplicate
        /// Arrived damaged: the project's decoders reject it.
        case corrupted
    }

    /// Frame 0: `cv2x/<id>` or `jt808/<id>`.
    public var topic: String
    /// Frame 1.
    public var payload: [UInt8]
    /// Gateway receive time, µs since the epoch (frame 2 when sent).
    public var receiveMicroseconds: Int64
    /// Disposition.
    public var disposition: Disposition
    /// Sequence number in generation order (for stable ordering).
    var sequence: Int64
}

/// The radio and network between the simulated sources and the platform.
///
/// - BSMs are received by every RSU within 500 m with a packet reception ratio that falls with
///   distance: `PRR(d) = 0.97 / (1 + exp((d - R) / (0.12 R)))` for the RSU's nominal range `R`;
///   each RSU forwards what it received on `cv2x/<rsuId>` after 5-30 ms.
/// - RSUs' own MAP/SPAT/RSI/RSM go out on `cv2x/<rsuId>` after 2-10 ms.
/// - JT/T 808 reports go on `jt808/<terminal>` after 60-400 ms (cellular).
/// - Faults (``FaultParameters``) apply per delivered frame: loss, corruption (the frame is
///   damaged until the decoders reject it: JT/T 808 gets a body byte changed, which breaks the
///   XOR check; UPER frames are cut short), duplicates (a second copy 1-50 ms later).
///
/// Frames come out in receive-time order through ``drain(before:into:)``.
public struct FrameRouter: Sendable {
    /// Reception probability at `distance` metres from an RSU of nominal range `range`.
    public static func receptionRatio(distance: Double, range: Double) -> Double {
        guard distance <= 500 else { return 0 }
        return 0.97 / (1 + exp((distance - range) / (0.12 * range)))
    }

    /// The distance bands of BSM reception accounting (DESIGN.md section 5), upper bounds in m.
    public static let bandUpperBounds: [Double] = [100, 200, 300, 500]

    /// Band index of `distance` (0-100, 100-200, 200-300, 300-500; lower bound inclusive), or nil beyond 500 m.
    public static func band(of distance: Double) -> Int? {
        for (index, bound) in bandUpperBounds.enumerated() where distance < bound { return index }
        return nil
    }

    private let layout: ZoneLayout
    private let encoder: any MessageEncoding
    private let faults: FaultParameters
    private var radio: SimulationRandom
    private var network: SimulationRandom
    private var faultRandom: SimulationRandom
    private var pending: [DeliveredFrame] = []
    private var sequence: Int64 = 0
    /// The ground truth accumulated so far.
    public private(set) var truth: GroundTruthRecorder

    /// A router for the world of `simulation`.
    public init(simulation: TrafficSimulation, encoder: any MessageEncoding) {
        self.layout = simulation.layout
        self.encoder = encoder
        self.faults = simulation.parameters.faults
        let seed = simulation.parameters.seed
        self.radio = SimulationRandom.stream(seed: seed, label: "radio")
        self.network = SimulationRandom.stream(seed: seed, label: "network")
        self.faultRandom = SimulationRandom.stream(seed: seed, label: "faults")
        self.truth = GroundTruthRecorder(simulation: simulation)
    }

    /// Routes one message: encodes it, decides who receives it, applies faults.
    public mutating func route(_ message: SimulatedMessage) throws {
        let sent = message.trueMicroseconds
        func ownPayload(_ rsuIndex: Int) throws -> [UInt8] {
            try encoder.encode(message, schema: layout.configuration.rsus[rsuIndex].schema)
        }
        switch message {
        case .bsm(let sample):
            truth.recordBSMTransmitted(sample)
            // An RSU forwards what it hears in its own edition: encode once per edition.
            var payloads: [CSAESchemaSet: [UInt8]] = [:]
            for (index, rsu) in layout.configuration.rsus.enumerated() {
                let distance = Geodesy.greatCircleDistance(sample.position, rsu.position)
                guard let band = Self.band(of: distance) else { continue }
                let received = radio.chance(Self.receptionRatio(distance: distance, range: rsu.nominalRange))
                let latency = Int64(network.integer(in: 5_000...30_000))
                var payload: [UInt8] = []
                if received {
                    if let cached = payloads[rsu.schema] {
                        payload = cached
                    } else {
                        payload = try encoder.encode(message, schema: rsu.schema)
                        payloads[rsu.schema] = payload
                    }
                }
                let outcome =
                    received
                    ? deliver(topic: "cv2x/\(rsu.id)", family: .cv2x, payload: payload, at: sent + latency)
                    : .notSent
                truth.recordBSMReception(
                    sample, rsuIndex: index, band: band, outcome: outcome, at: sent + latency)
            }
        case .location(let sample):
            let terminal = layout.configuration.vehicles[sample.vehicleIndex].terminal
            let latency = Int64(network.integer(in: 60_000...400_000))
            let payload = try encoder.encode(message, schema: .csae53_2020)
            let outcome = deliver(
                topic: "jt808/\(terminal)", family: .jt808, payload: payload, at: sent + latency)
            truth.recordLocation(sample, outcome: outcome)
        case .map(let sample):
            routeRSU(sample.rsuIndex, kind: .map, payload: try ownPayload(sample.rsuIndex), sent: sent)
        case .spat(let sample):
            routeRSU(sample.rsuIndex, kind: .spat, payload: try ownPayload(sample.rsuIndex), sent: sent)
        case .rsi(let sample):
            routeRSU(sample.rsuIndex, kind: .rsi, payload: try ownPayload(sample.rsuIndex), sent: sent)
        case .rsm(let sample):
            routeRSU(sample.rsuIndex, kind: .rsm, payload: try ownPayload(sample.rsuIndex), sent: sent)
        }
    }

    private mutating func routeRSU(_ index: Int, kind: RSUMessageKind, payload: [UInt8], sent: Int64) {
        let latency = Int64(network.integer(in: 2_000...10_000))
        let outcome = deliver(
            topic: "cv2x/\(layout.configuration.rsus[index].id)", family: .cv2x, payload: payload,
            at: sent + latency)
        truth.recordRSUMessage(rsuIndex: index, kind: kind, outcome: outcome)
    }

    /// What became of a frame handed to the network.
    public enum Outcome: Sendable, Hashable {
        /// Not transmitted to the platform (not received over the air).
        case notSent
        /// Lost in the network.
        case lost
        /// Arrived corrupted only.
        case corrupted
        /// Arrived intact (`duplicated`: plus a second copy).
        case delivered(duplicated: Bool)

        /// Whether an intact copy reached the platform.
        public var arrived: Bool { if case .delivered = self { true } else { false } }
    }

    private mutating func deliver(topic: String, family: TopicFamily, payload: [UInt8], at time: Int64)
        -> Outcome
    {
        if faults.lossRate > 0 && faultRandom.chance(faults.lossRate) {
            truth.recordFault(.lost, topic: topic, family: family, at: time)
            return .lost
        }
        if faults.corruptRate > 0 && faultRandom.chance(faults.corruptRate) {
            let damaged = corrupt(payload, family: family)
            append(
                DeliveredFrame(
                    topic: topic, payload: damaged, receiveMicroseconds: time, disposition: .corrupted,
                    sequence: 0))
            truth.recordFault(.corrupted, topic: topic, family: family, at: time)
            return .corrupted
        }
        append(
            DeliveredFrame(
                topic: topic, payload: payload, receiveMicroseconds: time, disposition: .intact, sequence: 0))
        if faults.duplicateRate > 0 && faultRandom.chance(faults.duplicateRate) {
            let later = time + Int64(faultRandom.integer(in: 1_000...50_000))
            append(
                DeliveredFrame(
                    topic: topic, payload: payload, receiveMicroseconds: later, disposition: .duplicate,
                    sequence: 0))
            truth.recordFault(.duplicated, topic: topic, family: family, at: later)
            return .delivered(duplicated: true)
        }
        return .delivered(duplicated: false)
    }

    private mutating func append(_ frame: DeliveredFrame) {
        var frame = frame
        frame.sequence = sequence
        sequence += 1
        pending.append(frame)
    }

    /// Damages a payload so that the project's decoders reject it.
    private mutating func corrupt(_ payload: [UInt8], family: TopicFamily) -> [UInt8] {
        switch family {
        case .jt808:
            // Change one byte between the delimiters (never into 0x7E/0x7D, so framing holds):
            // the XOR check code no longer matches. Checked against the decoder all the same.
            for _ in 0..<64 {
                var damaged = payload
                guard damaged.count > 3 else { return [0x7E, 0x7E] }
                let index = faultRandom.integer(in: 1...(damaged.count - 2))
                var replacement = UInt8(truncatingIfNeeded: faultRandom.next())
                while replacement == damaged[index] || replacement == 0x7E || replacement == 0x7D {
                    replacement &+= 1
                }
                damaged[index] = replacement
                if !encoder.decodes(damaged, family: .jt808) { return damaged }
            }
            return [0x7E, 0x7E]
        case .cv2x:
            // Cut the frame short, shorter until the decoder rejects it (the empty frame always fails).
            var length = payload.count / 2
            while length > 0 {
                let candidate = Array(payload.prefix(length))
                if !encoder.decodes(candidate, family: .cv2x) { return candidate }
                length /= 2
            }
            return []
        }
    }

    /// Moves every pending frame received before `time` (µs) to `output`, in receive-time order.
    public mutating func drain(before time: Int64, into output: inout [DeliveredFrame]) {
        pending.sort { ($0.receiveMicroseconds, $0.sequence) < ($1.receiveMicroseconds, $1.sequence) }
        let split = pending.firstIndex { $0.receiveMicroseconds >= time } ?? pending.count
        output.append(contentsOf: pending[..<split])
        pending.removeFirst(split)
    }

    /// Moves all pending frames to `output`.
    public mutating func drainAll(into output: inout [DeliveredFrame]) {
        drain(before: .max, into: &output)
    }
}

/// Kinds of messages an RSU sends itself.
public enum RSUMessageKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// MAP.
    case map
    /// SPAT.
    case spat
    /// RSI.
    case rsi
    /// RSM.
    case rsm
}
