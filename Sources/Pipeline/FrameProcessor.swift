import CV2X
import JT808
import Metrics
import Store
import Zone

/// Turns journal messages (ZeroMQ topic, payload, log time, publish time) into observations:
/// decodes C-V2X and JT/T 808 frames by topic prefix, counts every frame as decoded, rejected
/// (with a reason, keeping the raw bytes as evidence) or duplicate, and feeds the metrics engine.
///
/// One processor per ordered stream of messages (a journal replay or the live ingest loop).
/// Steady state does not allocate per frame: topics are interned once, the JT/T 808 framer's
/// buffer is reused, decoded values live on the stack; rejected frames are copied (rare).
public struct FrameProcessor: Sendable {
    /// A dense reference to an interned topic (see ``topic(named:)``).
    public typealias TopicRef = Int

    enum TopicKind: Sendable {
        case cv2x(rsu: Int?)
        case jt808
        case unknown
        /// ``ZoneReload/topic``: a zone.toml the live ingest reloaded (applied in journal order).
        case zoneConfiguration
    }

    /// What the per-frame path needs of a topic (trivially copyable: no reference counting per
    /// frame; the name is in `topicNames`).
    struct TopicInfo: Sendable {
        var ref: TopicRef
        var kind: TopicKind
        var source: Int
        /// C-V2X: the set the topic's last frame decoded with, tried first for the next one (a
        /// stream keeps to one set; see ``CV2XFrame/init(autoDetecting:preferring:)``).
        var schema: CV2XSchema = .csae53_2020
    }

    /// Largest payload accepted (DESIGN.md 3).
    public static let maximumPayload = 64 * 1024

    /// The metrics engine being fed.
    public internal(set) var aggregator: ZoneAggregator
    var topics: [TopicInfo] = []
    private var topicNames: [String] = []
    private var topicIndex: [String: TopicRef] = [:]
    private var framer = JT808Framer()
    private static let idleFramer = JT808Framer(maximumPacketLength: 16)
    private var terminalVehicles: [UInt128: VehicleRef] = [:]
    private var terminalStreams: [UInt128: Int] = [:]
    /// Location report item convention per terminal (operator's ICV item ids).
    private var terminalItems: [UInt128: ItemDecoding] = [:]
    var obuStreams: [UInt64: OBUEntry] = [:]
    /// The C-V2X frames decoded last, one per set; decoding into them reuses their lists' storage.
    var cv2xDecoder = CV2XFrameDecoder()
    /// Rejected frames not yet handed to the store (``drainRejected()``).
    public private(set) var rejected: [RejectedFrame] = []
    /// Messages processed.
    public private(set) var messages: Int64 = 0
    /// Journal position of the message being processed (for rejected-frame evidence).
    public var journalFile: String?
    /// Index of the message being processed within ``journalFile``.
    public var messageIndex: Int64 = 0
    /// JT/T 808 fixes and events in arrival order since the caller last emptied it, for a live
    /// view (``IngestObserver``); `nil` (the default) collects nothing.
    public var liveObservations: [LiveObservation]?

    /// Creates a processor for a zone.
    public init(configuration: MetricsConfiguration) {
        aggregator = ZoneAggregator(configuration: configuration)
    }

    /// Interns a topic (`cv2x/<sourceId>`, `jt808/<sourceId>`; anything else is rejected as an
    /// unknown prefix). Allocates on first sight only.
    public mutating func topic(named name: String) -> TopicRef {
        if let ref = topicIndex[name] { return ref }
        let kind: TopicKind
        if name == ZoneReload.topic {
            kind = .zoneConfiguration
        } else if name.hasPrefix("cv2x/") {
            kind = .cv2x(rsu: aggregator.rsu(forID: name.dropFirst(5)))
        } else if name.hasPrefix("jt808/") {
            kind = .jt808
        } else {
            kind = .unknown
        }
        let ref = topics.count
        topics.append(TopicInfo(ref: ref, kind: kind, source: aggregator.source(named: name)))
        topicNames.append(name)
        topicIndex[name] = ref
        return ref
    }

    /// Processes one message. Times are nanoseconds since the Unix epoch; `publishTime` 0 means
    /// the gateway sent no time frame (the log time is then the receive time).
    public mutating func process(
        topic ref: TopicRef, payload: UnsafeRawBufferPointer, logTime: UInt64, publishTime: UInt64
    ) {
        process(topic: ref, payload: payload, logTime: logTime, publishTime: publishTime, contentHash: nil)
    }

    /// Prepares the processing of a message that follows shortly (after `ahead` others of the
    /// same topic): for C-V2X, computes the content hash its duplicate check uses and starts
    /// loading the filter's memory for it. Returns the hash to pass to
    /// ``process(topic:payload:logTime:publishTime:contentHash:)`` (`nil` for other topics).
    /// Changes nothing else.
    mutating func prepare(topic ref: TopicRef, payload: UnsafeRawBufferPointer, ahead: Int) -> UInt64? {
        guard case .cv2x = topics[ref].kind else { return nil }
        let hash = ContentHash.hash(payload)
        aggregator.prefetchDuplicateCheck(
            source: topics[ref].source, sequenceKey: 0, contentHash: hash, ahead: ahead)
        return hash
    }

    /// Processes one message; `contentHash` is what ``prepare(topic:payload:ahead:)`` returned
    /// for it, or `nil` (then computed here).
    mutating func process(
        topic ref: TopicRef, payload: UnsafeRawBufferPointer, logTime: UInt64, publishTime: UInt64,
        contentHash: UInt64?
    ) {
        messages += 1
        let info = topics[ref]
        if case .zoneConfiguration = info.kind {
            applyZoneConfiguration(payload)
            return
        }
        let logMicros = Microseconds(truncatingIfNeeded: logTime / 1000)
        let receiveMicros = publishTime > 0 ? Microseconds(truncatingIfNeeded: publishTime / 1000) : logMicros
        if let defect = JournalEnvelope.defect(publishTime: publishTime) {  // marked by live ingest
            aggregator.received(source: info.source, at: nil)
            reject(info, payload, logMicros, category: defect.category, detail: defect.detail)
            return
        }
        // Data time (the gateway's receive time when it sent one): first/last seen and outages
        // then agree between live ingest, a replay of its journal and a replay of the recording.
        aggregator.received(source: info.source, at: receiveMicros)
        if payload.isEmpty {
            reject(info, payload, logMicros, category: "frame: empty payload", detail: "empty payload")
            return
        }
        if payload.count > Self.maximumPayload {
            reject(
                info, payload, logMicros, category: "frame: payload over 64 KiB",
                detail: "payload of \(payload.count) bytes")
            return
        }
        switch info.kind {
        case .zoneConfiguration:
            break
        case .unknown:
            reject(
                info, payload, logMicros, category: "frame: unknown topic prefix",
                detail: "topic \(topicNames[info.ref])")
        case .jt808:
            processJT808(info, payload, logMicros, receiveMicros: receiveMicros)
        case .cv2x(let rsu):
            processCV2X(
                info, rsu: rsu, payload, receiveMicros: receiveMicros, logMicros: logMicros,
                contentHash: contentHash ?? ContentHash.hash(payload))
        }
    }

    /// Processes one message given by topic name and bytes (convenience; interns the topic).
    public mutating func process(topic: String, payload: [UInt8], logTime: UInt64, publishTime: UInt64 = 0) {
        let ref = self.topic(named: topic)
        payload.withUnsafeBytes {
            process(topic: ref, payload: $0, logTime: logTime, publishTime: publishTime)
        }
    }

    /// Registry reloads applied so far (journaled zone.toml texts).
    public private(set) var registryVersion = 0

    /// Applies a journaled zone.toml (a reload of the live ingest): new and changed vehicles,
    /// RSUs and ICV item ids take effect from this message on, in live ingest and in every replay
    /// of the journal alike. A text that does not load changes nothing (live ingest journals
    /// only texts that loaded).
    mutating func applyZoneConfiguration(_ payload: UnsafeRawBufferPointer) {
        let text = String(decoding: payload, as: UTF8.self)
        guard let zone = try? ZoneConfiguration.parse(text, fileName: ZoneReload.topic) else { return }
        let registry = ZoneSetup.metricsConfiguration(zone: zone, network: RoadNetworkBuilder().build())
        aggregator.reload(
            vehicles: registry.vehicles, rsus: registry.rsus, automationItemIDs: registry.automationItemIDs)
        operatorNames.merge(ZoneSetup.operatorNames(zone: zone)) { _, new in new }
        // Lookups cached under the old registry.
        terminalVehicles.removeAll()
        terminalItems.removeAll()
        for (obu, entry) in obuStreams {
            obuStreams[obu] = OBUEntry(
                stream: entry.stream, vehicle: aggregator.directory.vehicle(forOBU: obu))
        }
        for index in topics.indices {
            if case .cv2x = topics[index].kind {
                topics[index].kind = .cv2x(rsu: aggregator.rsu(forID: topicNames[index].dropFirst(5)))
            }
        }
        registryVersion += 1
    }

    /// The registry as reloaded (vehicles and RSUs; no road network), for the zone tables.
    public var reloadedRegistry: MetricsConfiguration {
        MetricsConfiguration(vehicles: aggregator.configuration.vehicles, rsus: aggregator.configuration.rsus)
    }

    /// Operator names of the journaled registry reloads (by id).
    public private(set) var operatorNames: [String: String] = [:]

    /// Hands over the rejected frames collected so far.
    public mutating func drainRejected() -> [RejectedFrame] {
        defer { rejected.removeAll(keepingCapacity: true) }
        return rejected
    }

    /// Releases observations held for reordering up to a watermark (live operation).
    public mutating func advance(to time: Microseconds) { aggregator.advance(to: time) }

    /// Finishes: releases everything held and returns the aggregate.
    public mutating func finish() -> ZoneMetrics { aggregator.finish() }

    mutating func reject(
        _ info: TopicInfo, _ payload: UnsafeRawBufferPointer, _ time: Microseconds, category: String,
        detail: String
    ) {
        aggregator.record(.rejected(reason: category), source: info.source)
        rejected.append(
            RejectedFrame(
                time: time, topic: topicNames[info.ref], reason: "\(category): \(detail)",
                payload: [UInt8](payload),
                journalFile: journalFile, messageIndex: journalFile == nil ? nil : messageIndex))
    }

    // MARK: JT/T 808

    private struct PacketTally {
        var packets = 0
        var duplicates = 0
        var firstError: (category: String, detail: String)?
    }

    private mutating func processJT808(
        _ info: TopicInfo, _ payload: UnsafeRawBufferPointer, _ time: Microseconds,
        receiveMicros: Microseconds
    ) {
        var framer = self.framer
        self.framer = Self.idleFramer  // keeps `framer` uniquely referenced: no copy of its buffer
        framer.reset()
        var tally = PacketTally()
        framer.append(payload) { event in
            switch event {
            case .packet(let content, _):
                tally.packets += 1
                handlePacket(content, info: info, time: time, receiveTime: receiveMicros, tally: &tally)
            case .error(let error):
                if tally.firstError == nil {
                    tally.firstError = (Self.category(error.reason), error.description)
                }
            }
        }
        framer.finish { event in
            if case .error(let error) = event, tally.firstError == nil {
                tally.firstError = (Self.category(error.reason), error.description)
            }
        }
        self.framer = framer
        // One outcome per frame: rejected if any packet in it failed, duplicate if every packet
        // repeated one seen before, decoded otherwise. Good packets of a frame are used either way.
        if let error = tally.firstError {
            reject(info, payload, time, category: error.category, detail: error.detail)
        } else if tally.packets == 0 {
            reject(info, payload, time, category: "jt808: no packet", detail: "no 0x7E-delimited packet")
        } else if tally.duplicates == tally.packets {
            aggregator.record(.duplicate, source: info.source)
        } else {
            aggregator.record(.decoded, source: info.source)
        }
    }

    private mutating func handlePacket(
        _ content: UnsafeRawBufferPointer, info: TopicInfo, time: Microseconds, receiveTime: Microseconds,
        tally: inout PacketTally
    ) {
        let packet: JT808Packet
        do {
            // Item convention of the terminal's operator (ICV item ids), malformed items kept raw.
            let known = terminalItems
            var unknownTerminal: TerminalNumber?
            packet = try JT808Packet(decoding: content) { header in
                if let decoding = known[header.terminal.value] { return decoding }
                unknownTerminal = header.terminal
                return Self.itemDecoding(header.terminal, configuration: aggregator.configuration)
            }
            if let terminal = unknownTerminal {
                terminalItems[terminal.value] = Self.itemDecoding(
                    terminal, configuration: aggregator.configuration)
            }
        } catch {
            if tally.firstError == nil { tally.firstError = (Self.category(error.reason), error.description) }
            return
        }
        let header = packet.header
        let key = UInt64(header.messageID) << 16 | UInt64(header.serial)
        if aggregator.isDuplicate(
            source: info.source, sequenceKey: key, contentHash: ContentHash.hash(content), at: time)
        {
            tally.duplicates += 1
            return
        }
        let terminal = header.terminal
        let stream: Int
        if let known = terminalStreams[terminal.value] {
            stream = known
        } else {
            stream = aggregator.sequenceStream(SequenceStream(kind: .jt808Serial, id: terminal.description))
            terminalStreams[terminal.value] = stream
        }
        aggregator.recordSequence(Int(header.serial), stream: stream, at: time)
        switch packet.body {
        case .locationReport(let report):
            observeKeepingMalformed(
                report, terminal: terminal, source: info.source, receiveTime: receiveTime, logTime: time)
        case .batchLocationUpload(let batch):
            for report in batch.reports {
                observeKeepingMalformed(
                    report, terminal: terminal, source: info.source, receiveTime: receiveTime, logTime: time)
            }
        case .heartbeat, .registration, .authentication, .raw:
            break
        }
    }

    private mutating func vehicle(for terminal: TerminalNumber) -> VehicleRef {
        if let ref = terminalVehicles[terminal.value] { return ref }
        let ref = aggregator.vehicle(forTerminal: terminal.significantDigits)
        terminalVehicles[terminal.value] = ref
        return ref
    }

    /// The item convention for a terminal: its operator's ICV item ids, malformed items kept raw.
    static func itemDecoding(_ terminal: TerminalNumber, configuration: MetricsConfiguration) -> ItemDecoding
    {
        let ids = configuration.automationItemIDs[terminal.significantDigits] ?? .standard
        return ItemDecoding(
            automationStateID: ids.state, automationEventID: ids.event, keepsMalformedItems: true)
    }

    /// Whether an 0xE1 state has values the table of DESIGN.md 4 defines.
    static func isDefined(_ state: JT808.AutomationState) -> Bool {
        Metrics.AutomationStatus(rawValue: state.mode.rawValue) != nil && state.level <= 5
    }

    /// Whether an 0xE2 event has values the table of DESIGN.md 4 defines.
    static func isDefined(_ event: JT808.AutomationEvent) -> Bool {
        Metrics.AutomationEventType(rawValue: event.type.rawValue) != nil
            && Initiator(rawValue: event.initiator.rawValue) != nil && event.initiator.rawValue != 255
            && Cause(rawValue: event.cause.rawValue) != nil && event.levelBefore <= 5
    }

    /// Observes a report after setting aside (and counting in the source's data health) the
    /// additional items that did not parse and the ICV items with values DESIGN.md 4 does not
    /// define: the position and the other items are used.
    private mutating func observeKeepingMalformed(
        _ report: LocationReport, terminal: TerminalNumber, source: Int, receiveTime: Microseconds,
        logTime: Microseconds
    ) {
        var malformed = report.malformedItems.count
        let stateDefined = report.automationState.map(Self.isDefined) ?? true
        var eventsDefined = true
        for event in report.automationEvents where !Self.isDefined(event) { eventsDefined = false }
        guard !stateDefined || !eventsDefined else {
            if malformed > 0 { aggregator.recordMalformedItems(malformed, source: source) }
            observe(report, terminal: terminal, source: source, receiveTime: receiveTime, logTime: logTime)
            return
        }
        var kept = report
        if !stateDefined {
            kept.automationState = nil
            malformed += 1
        }
        if !eventsDefined {
            var events = AutomationEvents()
            for event in report.automationEvents {
                if Self.isDefined(event) { events.append(event) } else { malformed += 1 }
            }
            kept.automationEvents = events
        }
        aggregator.recordMalformedItems(malformed, source: source)
        observe(kept, terminal: terminal, source: source, receiveTime: receiveTime, logTime: logTime)
    }

    private mutating func observe(
        _ report: LocationReport, terminal: TerminalNumber, source: Int, receiveTime: Microseconds,
        logTime: Microseconds
    ) {
        let vehicle = vehicle(for: terminal)
        let time = report.time.secondsSince1970 * 1_000_000
        aggregator.recordClockOffset(receiveTime - time, source: source)
        for event in report.automationEvents {
            guard let type = Metrics.AutomationEventType(rawValue: event.type.rawValue),
                let initiator = Initiator(rawValue: event.initiator.rawValue),
                let cause = Cause(rawValue: event.cause.rawValue)
            else { continue }
            let observation = Metrics.AutomationEvent(
                vehicle: vehicle, time: event.millisecondsSince1970 * 1000, type: type,
                initiator: initiator,
                cause: cause, levelBefore: event.levelBefore)
            aggregator.observe(observation)
            liveObservations?.append(.event(observation, logTime: logTime))
        }
        guard report.isPositioned else { return }
        var state: Metrics.AutomationState?
        if let s = report.automationState, let status = AutomationStatus(rawValue: s.mode.rawValue) {
            state = Metrics.AutomationState(level: s.level, status: status, flags: s.flags.rawValue)
        }
        let fix = VehicleFix(
            vehicle: vehicle, time: time, latitude: report.latitude, longitude: report.longitude,
            speed: Double(report.speed) / 36, heading: Double(report.direction), automation: state)
        aggregator.observe(fix)
        liveObservations?.append(.fix(fix, logTime: logTime))
    }

    /// Frame counters of every C-V2X topic seen so far (appended to `activity`, which is emptied
    /// first; for a live view, once per batch).
    public func cv2xActivity(into activity: inout [SourceActivity]) {
        activity.removeAll(keepingCapacity: true)
        for info in topics {
            guard case .cv2x(let rsu) = info.kind else { continue }
            let health = aggregator.sourceActivity(source: info.source)
            activity.append(
                SourceActivity(
                    topic: topicNames[info.ref], rsu: rsu, received: health.received,
                    lastSeen: health.lastSeen))
        }
    }

    /// A stable category for counting rejections by reason (the full description is kept with the frame).
    static func category(_ reason: JT808Error.Reason) -> String {
        switch reason {
        case .truncated: "jt808: truncated"
        case .invalidBCD: "jt808: invalid BCD"
        case .invalidDate: "jt808: invalid date"
        case .valueOutOfRange: "jt808: value out of range"
        case .bodyLengthMismatch: "jt808: body length mismatch"
        case .trailingBytes: "jt808: trailing bytes"
        case .invalidItemLength: "jt808: invalid item length"
        case .batchCountMismatch: "jt808: batch count mismatch"
        case .badCheckCode: "jt808: bad check code"
        case .packetTooShort: "jt808: packet too short"
        case .packetTooLarge: "jt808: packet too large"
        case .invalidEscape: "jt808: invalid escape"
        case .unterminatedPacket: "jt808: unterminated packet"
        case .discardedBytes: "jt808: bytes outside packets"
        case .unexpectedMessage: "jt808: unexpected message"
        case .notEncodable: "jt808: not encodable"
        }
    }
}

/// The content fingerprint of duplicate detection: XXH64 (seed 0) — 32-byte stripes in four
/// lanes, then 8-, 4- and 1-byte steps and the avalanche. A 40-60 byte frame takes about a dozen
/// dependent multiplications, where ``FNV1a`` takes one per byte (it was ~7 % of the processor
/// thread); only equality of hashes matters to the duplicate filter.
enum ContentHash {
    private static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let p3: UInt64 = 0x1656_67B1_9E37_79F9
    private static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63
    private static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

    @inline(__always)
    private static func rotate(_ value: UInt64, _ count: UInt64) -> UInt64 {
        (value << count) | (value >> (64 - count))
    }

    @inline(__always)
    private static func round(_ accumulator: UInt64, _ input: UInt64) -> UInt64 {
        rotate(accumulator &+ input &* p2, 31) &* p1
    }

    @inline(__always)
    private static func merge(_ accumulator: UInt64, _ value: UInt64) -> UInt64 {
        (accumulator ^ round(0, value)) &* p1 &+ p4
    }

    /// XXH64 of a byte range.
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        guard var p = bytes.baseAddress, bytes.count > 0 else { return avalanche(p5) }
        var n = bytes.count
        var h: UInt64
        if n >= 32 {
            var v1 = p1 &+ p2
            var v2 = p2
            var v3: UInt64 = 0
            var v4 = 0 &- p1
            while n >= 32 {
                v1 = round(v1, UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)))
                v2 = round(v2, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
                v3 = round(v3, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
                v4 = round(v4, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
                p += 32
                n -= 32
            }
            h = rotate(v1, 1) &+ rotate(v2, 7) &+ rotate(v3, 12) &+ rotate(v4, 18)
            h = merge(merge(merge(merge(h, v1), v2), v3), v4)
        } else {
            h = p5
        }
        h = h &+ UInt64(bytes.count)
        while n >= 8 {
            h ^= round(0, UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)))
            h = rotate(h, 27) &* p1 &+ p4
            p += 8
            n -= 8
        }
        if n >= 4 {
            h ^= UInt64(UInt32(littleEndian: p.loadUnaligned(as: UInt32.self))) &* p1
            h = rotate(h, 23) &* p2 &+ p3
            p += 4
            n -= 4
        }
        while n > 0 {
            h ^= UInt64(p.load(as: UInt8.self)) &* p5
            h = rotate(h, 11) &* p1
            p += 1
            n -= 1
        }
        return avalanche(h)
    }

    @inline(__always)
    private static func avalanche(_ value: UInt64) -> UInt64 {
        var h = value
        h ^= h >> 33
        h = h &* p2
        h ^= h >> 29
        h = h &* p3
        h ^= h >> 32
        return h
    }
}

/// FNV-1a 64-bit: a simple byte-wise fingerprint (spots repeated MAP frames in recordings).
public enum FNV1a {
    /// Hash of a byte range.
    @inlinable
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            h ^= UInt64(byte)
            h &*= 0x0000_0100_0000_01B3
        }
        return h
    }
}
