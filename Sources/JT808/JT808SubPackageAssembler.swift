/// Reassembles messages that a terminal sent as several sub-packages (header sub-package flag
/// set; JT/T 808 sends the parts of one message with consecutive serial numbers).
///
/// Feed every decoded packet to ``add(_:)``: packets that are not parts come straight back; parts
/// are held until all parts of their message have arrived (in any order), and then the whole
/// message comes back, decoded, with the serial number of its first part and no sub-package
/// fields. The number of messages held is bounded: beyond ``maximumPendingMessages`` the oldest
/// incomplete message is dropped and counted in ``abandonedMessages``.
public struct JT808SubPackageAssembler: Sendable {
    /// Incomplete messages held at most.
    public let maximumPendingMessages: Int
    /// Incomplete messages dropped to stay within ``maximumPendingMessages``.
    public private(set) var abandonedMessages = 0

    private struct Key: Hashable, Sendable {
        var terminal: TerminalNumber
        var messageID: UInt16
        var firstSerial: UInt16
        var total: UInt16
    }

    private struct Pending: Sendable {
        var header: JT808Header
        var parts: [UInt16: [UInt8]]
        var arrival: Int
    }

    private var pending: [Key: Pending] = [:]
    private var arrivals = 0

    /// Creates an assembler holding at most `maximumPendingMessages` incomplete messages.
    public init(maximumPendingMessages: Int = 64) {
        self.maximumPendingMessages = max(maximumPendingMessages, 1)
    }

    /// Number of incomplete messages held.
    public var pendingMessages: Int { pending.count }

    /// Returns `packet` itself when it is not a part, nil while its message is incomplete, and the
    /// reassembled, decoded message when this was its last missing part. Throws for a part whose
    /// sub-package fields are impossible (index 0 or above total) and for a reassembled body that
    /// does not decode (offsets then count from the first byte of the reassembled body).
    public mutating func add(_ packet: JT808Packet) throws(JT808Error) -> JT808Packet? {
        guard let part = packet.header.subPackage else { return packet }
        guard part.total >= 1, part.index >= 1, part.index <= part.total else {
            throw JT808Error(
                offset: 0, messageID: packet.header.messageID,
                reason: .valueOutOfRange(
                    field: "sub-package index", value: Int64(part.index), range: 1...Int64(max(part.total, 1))
                ))
        }
        let bytes: [UInt8]
        if case .raw(let raw) = packet.body {
            bytes = raw.bytes
        } else {
            bytes = (try? packet.encodedBody()) ?? []
        }
        let key = Key(
            terminal: packet.header.terminal, messageID: packet.header.messageID,
            firstSerial: packet.header.serial &- (part.index - 1), total: part.total)
        arrivals += 1
        var entry = pending[key] ?? Pending(header: packet.header, parts: [:], arrival: arrivals)
        entry.parts[part.index] = bytes
        if part.index == 1 { entry.header = packet.header }
        guard entry.parts.count == Int(part.total) else {
            pending[key] = entry
            evictIfNeeded()
            return nil
        }
        pending[key] = nil
        var body: [UInt8] = []
        for index in 1...part.total { body += entry.parts[index] ?? [] }
        var header = entry.header
        header.subPackage = nil
        header.serial = key.firstSerial
        return JT808Packet(header: header, body: try JT808Body.decode(body, header: header))
    }

    private mutating func evictIfNeeded() {
        while pending.count > maximumPendingMessages {
            guard let oldest = pending.min(by: { $0.value.arrival < $1.value.arrival })?.key else { return }
            pending[oldest] = nil
            abandonedMessages += 1
        }
    }
}
