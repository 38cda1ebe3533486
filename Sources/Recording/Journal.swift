#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// TestZone's conventions for recordings (journals) on top of MCAP; see the README section
/// "Recording and replay".
///
/// - One channel per ZeroMQ topic: the channel topic is the topic frame (`cv2x/RSU-0001`).
/// - Message encoding `cv2x-uper` for `cv2x/` topics, `jt808` for `jt808/` topics (raw payloads,
///   no schema: schema id 0), `application/octet-stream` for anything else.
/// - Log time: receive time at the processor, ns since the Unix epoch.
/// - Publish time: the gateway time of the optional third frame (8 bytes, big-endian µs since
///   the epoch) converted to ns; the receive time when the frame is absent or malformed.
/// - Sequence: per-channel count of messages journaled (0, 1, 2, ...).
/// - A Metadata record named `testzone` with `zone` and `version` (and any extra entries).
public enum JournalFormat {
    /// Name of the Metadata record describing the recording.
    public static let metadataName = "testzone"
    /// Message encoding of C-V2X channels: one UPER-encoded CSAE 53 MessageFrame per message.
    public static let cv2xEncoding = "cv2x-uper"
    /// Message encoding of JT/T 808 channels: one or more complete 0x7E-delimited packets.
    public static let jt808Encoding = "jt808"
    /// Message encoding of channels whose topic has no known prefix.
    public static let unknownEncoding = "application/octet-stream"

    /// The message encoding for a topic (`cv2x/...`, `jt808/...`).
    public static func messageEncoding(forTopic topic: String) -> String {
        if topic.hasPrefix("cv2x/") { return cv2xEncoding }
        if topic.hasPrefix("jt808/") { return jt808Encoding }
        return unknownEncoding
    }

    /// The gateway time (ns) carried by a time frame: 8 bytes big-endian µs; nil when the frame
    /// does not have exactly 8 bytes.
    public static func gatewayTime(timeFrame: UnsafeRawBufferPointer) -> UInt64? {
        guard timeFrame.count == 8 else { return nil }
        let micros = UInt64(bigEndian: timeFrame.loadUnaligned(as: UInt64.self))
        return micros.multipliedReportingOverflow(by: 1_000).overflow ? nil : micros * 1_000
    }

    /// The 8-byte time frame (big-endian µs) for a time in ns.
    public static func timeFrame(nanoseconds: UInt64) -> [UInt8] {
        withUnsafeBytes(of: (nanoseconds / 1_000).bigEndian) { Array($0) }
    }

    /// The current wall-clock time in ns since the Unix epoch.
    public static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}

/// Writes ZeroMQ traffic to an MCAP journal with TestZone's conventions (`JournalFormat`):
/// channels are created on first sight of a topic, and appending a message that reuses a known
/// topic does not allocate.
///
/// Not thread-safe (it wraps an `MCAPWriter`).
public final class JournalWriter {
    /// The underlying MCAP writer (for flush policy, counters, attachments).
    public let writer: MCAPWriter
    private var topics = TopicTable()
    private var sequences: [UInt32] = [0]
    /// Messages whose time frame was present but not 8 bytes (publish time = receive time).
    public private(set) var malformedTimeFrames: UInt64 = 0
    /// Payload bytes journaled.
    public private(set) var payloadBytes: UInt64 = 0

    /// Creates the journal at `path` and writes the `testzone` metadata record (zone, version,
    /// plus `extraMetadata`).
    public init(
        path: String, zone: String, softwareVersion: String,
        options: MCAPWriter.Options = MCAPWriter.Options(),
        extraMetadata: [String: String] = [:]
    ) throws(MCAPError) {
        writer = try MCAPWriter(path: path, options: options)
        var entries = extraMetadata
        entries["zone"] = zone
        entries["version"] = softwareVersion
        try writer.addMetadata(MCAPMetadata(name: JournalFormat.metadataName, entries: entries))
    }

    /// Messages journaled so far.
    public var messageCount: UInt64 { writer.messageCount }

    /// Appends one received ZeroMQ message. `timeFrame` is the optional third frame (empty or
    /// nil when absent); `receiveTime` is the processor's receive time in ns.
    public func append(
        topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, timeFrame: UnsafeRawBufferPointer?,
        receiveTime: UInt64
    ) throws(MCAPError) {
        var publishTime = receiveTime
        if let timeFrame, timeFrame.count > 0 {
            if let gateway = JournalFormat.gatewayTime(timeFrame: timeFrame) {
                publishTime = gateway
            } else {
                malformedTimeFrames += 1
            }
        }
        let channel = try channelID(forTopic: topic)
        let sequence = sequences[Int(channel)]
        sequences[Int(channel)] = sequence &+ 1
        payloadBytes += UInt64(payload.count)
        try writer.write(
            channelID: channel, sequence: sequence, logTime: receiveTime, publishTime: publishTime,
            payload: payload)
    }

    /// The channel of a topic, added on first sight. For callers that look a topic up once and
    /// then append with ``append(channel:payload:publishTime:receiveTime:)`` (channel ids are
    /// per file: look them up again after opening a new journal file).
    public func channel(forTopic topic: UnsafeRawBufferPointer) throws(MCAPError) -> UInt16 {
        try channelID(forTopic: topic)
    }

    /// Appends one message to a channel given by ``channel(forTopic:)``, with the publish time
    /// already resolved from the time frame (ns; the receive time when the frame was absent).
    /// Does not allocate once the chunk buffers have grown.
    @inline(__always)
    public func append(
        channel: UInt16, payload: UnsafeRawBufferPointer, publishTime: UInt64, receiveTime: UInt64
    )
        throws(MCAPError)
    {
        let slot = Int(channel)
        guard slot < sequences.count else { throw .unknownChannel(channel) }
        let sequence = sequences[slot]
        sequences[slot] = sequence &+ 1
        payloadBytes += UInt64(payload.count)
        try writer.write(
            channelID: channel, sequence: sequence, logTime: receiveTime, publishTime: publishTime,
            payload: payload)
    }

    /// Appends one message given as arrays (convenience; allocates).
    public func append(topic: String, payload: [UInt8], gatewayTimeMicros: UInt64?, receiveTime: UInt64)
        throws(MCAPError)
    {
        let frame = gatewayTimeMicros.map { withUnsafeBytes(of: $0.bigEndian) { Array($0) } } ?? []
        let result = Array(topic.utf8).withUnsafeBytes { topicBytes in
            payload.withUnsafeBytes { payloadBytes in
                frame.withUnsafeBytes { frameBytes in
                    Result { () throws(MCAPError) in
                        try append(
                            topic: topicBytes, payload: payloadBytes, timeFrame: frameBytes,
                            receiveTime: receiveTime)
                    }
                }
            }
        }
        try result.get()
    }

    /// Closes the open chunk and writes everything to the file (see `MCAPWriter.flush()`).
    public func flush() throws(MCAPError) { try writer.flush() }

    /// Writes the summary and closes the file.
    public func finish() throws(MCAPError) { try writer.finish() }

    private func channelID(forTopic topic: UnsafeRawBufferPointer) throws(MCAPError) -> UInt16 {
        if let id = topics.find(topic) { return id }
        let name = String(decoding: topic, as: UTF8.self)
        let id = try writer.addChannel(
            topic: name, messageEncoding: JournalFormat.messageEncoding(forTopic: name))
        topics.insert([UInt8](topic), id: id)
        if Int(id) >= sequences.count {
            sequences.append(contentsOf: repeatElement(0, count: Int(id) + 1 - sequences.count))
        }
        return id
    }
}

/// Topic bytes -> channel id, open addressing with FNV-1a hashes; lookups do not allocate.
struct TopicTable {
    private var keys: [[UInt8]] = []
    private var ids: [UInt16] = []
    /// Index into `keys` + 1, or 0 for an empty slot. Capacity is a power of two.
    private var slots = [Int32](repeating: 0, count: 64)

    private static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    func find(_ topic: UnsafeRawBufferPointer) -> UInt16? {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: Self.hash(topic)) & mask
        while slots[i] != 0 {
            let k = Int(slots[i]) - 1
            let equal = keys[k].withUnsafeBytes { key in
                key.count == topic.count
                    && (key.count == 0 || memcmp(key.baseAddress!, topic.baseAddress!, key.count) == 0)
            }
            if equal { return ids[k] }
            i = (i + 1) & mask
        }
        return nil
    }

    mutating func insert(_ topic: [UInt8], id: UInt16) {
        keys.append(topic)
        ids.append(id)
        if keys.count * 2 > slots.count {
            slots = [Int32](repeating: 0, count: slots.count * 2)
            for k in keys.indices { place(k) }
        } else {
            place(keys.count - 1)
        }
    }

    private mutating func place(_ k: Int) {
        let mask = slots.count - 1
        var i = keys[k].withUnsafeBytes { Int(truncatingIfNeeded: Self.hash($0)) } & mask
        while slots[i] != 0 { i = (i + 1) & mask }
        slots[i] = Int32(k + 1)
    }
}
