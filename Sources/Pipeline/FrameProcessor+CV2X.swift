import CV2X
import Metrics
import UPER

extension FrameProcessor {
    /// What the processor keeps per OBU id seen in BSMs.
    struct OBUEntry: Sendable {
        /// The BSM msgCnt sequence stream of the OBU.
        var stream: Int
        /// The registry vehicle with this OBU id (`nil`: not registered).
        var vehicle: VehicleRef?
    }

    /// The fields of a BSM the metrics use, whichever CSAE 53 set it was decoded with. (The
    /// three sets' BSMs are distinct generated types with the same fields.)
    struct BSMFields {
        var obu: UInt64
        var msgCnt: UInt8
        var secMark: UInt16
        var latitude: Int32
        var longitude: Int32
    }

    /// Decodes one C-V2X `MessageFrame` into the processor's kept frames (`CV2XFrameDecoder`: lists
    /// reuse the previous frame's storage): with the set the topic's previous frame used first, then
    /// in the `auto` order (2020, 2019, 2017). The choice depends only on the journal's order, so a
    /// replay decodes exactly as the live run did. BSMs of registered OBUs become receptions at
    /// the topic's RSU; other frame types count as decoded.
    mutating func processCV2X(
        _ info: TopicInfo, rsu: Int?, _ payload: UnsafeRawBufferPointer, receiveMicros: Microseconds,
        logMicros: Microseconds, contentHash: UInt64
    ) {
        let schema: CV2XSchema
        do {
            schema = try cv2xDecoder.decode(autoDetecting: payload, preferring: info.schema)
        } catch {
            reject(info, payload, logMicros, category: Self.category(error.reason), detail: error.description)
            return
        }
        if schema != info.schema { topics[info.ref].schema = schema }
        // The BSM is read where the decoder keeps it (no copy of the frame).
        var fields: BSMFields?
        switch schema {
        case .csae53_2020:
            if cv2xDecoder.csae53_2020.alternative == .bsmFrame {
                fields = BSMFields(cv2xDecoder.csae53_2020.bsmFrame)
            }
        case .csae53_2019:
            if cv2xDecoder.csae53_2019.alternative == .bsmFrame {
                fields = BSMFields(cv2xDecoder.csae53_2019.bsmFrame)
            }
        case .csae53_2017:
            if cv2xDecoder.csae53_2017.alternative == .bsmFrame {
                fields = BSMFields(cv2xDecoder.csae53_2017.bsmFrame)
            }
        }
        // Duplicates: same source, same sequence (OBU id and msgCnt for a BSM; the frame type
        // otherwise), same content. The sequence is read from the content by a deterministic
        // decoder, so equal content means equal sequence and the content hash alone is the key
        // (known before decoding: live ingest prefetches the filter's memory with it).
        if aggregator.isDuplicate(
            source: info.source, sequenceKey: 0, contentHash: contentHash, at: logMicros)
        {
            aggregator.record(.duplicate, source: info.source)
            return
        }
        aggregator.record(.decoded, source: info.source)
        guard let bsm = fields else { return }
        // Clock offset: receive time within its minute minus secMark (ms of the minute), wrapped
        // to +-30 s; secMark 60000 and above means unavailable.
        if bsm.secMark < 60_000 {
            var offsetMs = Int64(((receiveMicros / 1000) % 60_000 + 60_000) % 60_000) - Int64(bsm.secMark)
            if offsetMs >= 30_000 { offsetMs -= 60_000 }
            if offsetMs < -30_000 { offsetMs += 60_000 }
            aggregator.recordClockOffset(offsetMs * 1000, source: info.source)
        }
        // One lookup per BSM: the OBU's sequence stream and registry vehicle (the registry's OBU
        // ids are fixed for the run, so the vehicle can be kept with the stream).
        let obu: OBUEntry
        if let known = obuStreams[bsm.obu] {
            obu = known
        } else {
            let stream = aggregator.sequenceStream(SequenceStream(kind: .bsmMsgCnt, id: Self.hex(bsm.obu)))
            obu = OBUEntry(stream: stream, vehicle: aggregator.directory.vehicle(forOBU: bsm.obu))
            obuStreams[bsm.obu] = obu
        }
        aggregator.recordSequence(Int(bsm.msgCnt), stream: obu.stream, at: receiveMicros)
        // Unregistered OBUs go through the aggregator, which counts them as unattributed.
        guard let vehicle = obu.vehicle ?? aggregator.vehicle(forOBU: bsm.obu) else { return }
        aggregator.observe(
            BSMReception(
                vehicle: vehicle, rsu: rsu, msgCnt: bsm.msgCnt, receiveTime: receiveMicros,
                latitude: Double(bsm.latitude) / 1e7, longitude: Double(bsm.longitude) / 1e7))
    }

    /// Sixteen lower-case hex digits.
    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
    }

    /// A stable category for counting rejections by reason.
    static func category(_ reason: UPERError.Reason) -> String {
        switch reason {
        case .endOfData: "cv2x: truncated"
        case .valueOutOfRange: "cv2x: value out of range"
        case .sizeOutOfRange: "cv2x: size out of range"
        case .invalidIndex: "cv2x: invalid choice index"
        case .extensionNotAllowed: "cv2x: extension not allowed"
        case .invalidCharacter: "cv2x: invalid character"
        case .invalidUTF8: "cv2x: invalid UTF-8"
        case .integerTooLarge: "cv2x: integer too large"
        case .invalidOpenType: "cv2x: invalid open type"
        case .unsupported: "cv2x: unsupported encoding"
        case .trailingData: "cv2x: trailing data"
        }
    }
}

extension FrameProcessor.BSMFields {
    init(_ m: borrowing CSAE53_2020.BasicSafetyMessage) {
        self.init(
            obu: m.id.words.high, msgCnt: m.msgCnt, secMark: m.secMark, latitude: m.pos.lat,
            longitude: m.pos.long)
    }

    init(_ m: borrowing CSAE53_2019.BasicSafetyMessage) {
        self.init(
            obu: m.id.words.high, msgCnt: m.msgCnt, secMark: m.secMark, latitude: m.pos.lat,
            longitude: m.pos.long)
    }

    init(_ m: borrowing CSAE53_2017.BasicSafetyMessage) {
        self.init(
            obu: m.id.words.high, msgCnt: m.msgCnt, secMark: m.secMark, latitude: m.pos.lat,
            longitude: m.pos.long)
    }
}
