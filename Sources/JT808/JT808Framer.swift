/// What a ``JT808Framer`` hands to its caller for each frame.
public enum JT808FramerEvent {
    /// A packet whose check code matched. `content` is the unescaped header and body (without
    /// the check code), valid only during the callback; `streamOffset` is the offset of its
    /// opening flag in the stream fed to the framer.
    case packet(content: UnsafeRawBufferPointer, streamOffset: Int)
    /// A frame that was dropped or bytes that were discarded; the framer has already resynchronised
    /// and goes on with the next flag. The error's offset is a stream offset.
    case error(JT808Error)
}

/// Splits a byte stream from one source into JT/T 808 packets.
///
/// Stateful across chunks: a packet may arrive split at any byte, and a chunk may hold several
/// packets. Every 0x7E delimits: it closes the current frame and opens the next, so garbage
/// between packets is dropped as one bad frame and the framer resynchronises on the next flag.
/// Each frame is unescaped (0x7D 0x01 → 0x7D, 0x7D 0x02 → 0x7E) into a buffer of bounded size
/// that is reused for every packet (no allocation per packet in steady state), and its XOR check
/// code is verified before the packet is handed over.
public struct JT808Framer: Sendable {
    /// Largest unescaped frame (header, body, check code) accepted; longer frames are dropped.
    public let maximumPacketLength: Int

    private var buffer: [UInt8]
    private var count = 0
    private var checksum: UInt8 = 0
    private var inFrame = false
    private var escapePending = false
    private var overflowLength = 0
    private var frameError: JT808Error?
    private var frameStart = 0
    private var discarded = 0
    private var discardStart = 0
    /// Bytes consumed so far.
    public private(set) var streamOffset = 0

    /// Smallest valid frame: a 2013 header (12 bytes) and the check code.
    public static let minimumPacketLength = 13

    /// Default limit: a 2019 header with sub-package fields (21), a 1023-byte body, the check code.
    public static let defaultMaximumPacketLength = 21 + JT808Header.maximumBodyLength + 1

    /// Creates a framer whose unescaped frames may hold at most `maximumPacketLength` bytes.
    public init(maximumPacketLength: Int = defaultMaximumPacketLength) {
        self.maximumPacketLength = max(maximumPacketLength, Self.minimumPacketLength)
        buffer = [UInt8](repeating: 0, count: self.maximumPacketLength)
    }

    /// Feeds the next chunk of the stream and reports each complete frame to `handle`, in order.
    public mutating func append<E: Error>(
        _ chunk: UnsafeRawBufferPointer, _ handle: (JT808FramerEvent) throws(E) -> Void
    ) throws(E) {
        let chunkStart = streamOffset
        var index = 0
        let end = chunk.count
        // Copy state into locals for the hot loop; written back before every callback and at the end.
        var count = self.count
        var checksum = self.checksum
        var escapePending = self.escapePending
        var overflowLength = self.overflowLength
        let capacity = maximumPacketLength
        var pendingError: JT808Error?
        var completed: (start: Int, length: Int)?
        var resume = false
        repeat {
            resume = false
            buffer.withUnsafeMutableBufferPointer { storage in
                while index < end {
                    let byte = chunk[index]
                    index += 1
                    if byte == 0x7E {
                        let flagOffset = chunkStart + index - 1
                        if !inFrame {
                            inFrame = true
                            if discarded > 0 {
                                pendingError = JT808Error(
                                    offset: discardStart, reason: .discardedBytes(count: discarded))
                                discarded = 0
                            }
                        } else if count > 0 || escapePending || overflowLength > 0 || frameError != nil {
                            if let error = frameError {
                                pendingError = error
                            } else if overflowLength > 0 {
                                pendingError = JT808Error(
                                    offset: frameStart,
                                    reason: .packetTooLarge(length: overflowLength, limit: capacity))
                            } else if escapePending {
                                pendingError = JT808Error(
                                    offset: flagOffset - 1, reason: .invalidEscape(following: 0x7E))
                            } else if count < Self.minimumPacketLength {
                                pendingError = JT808Error(
                                    offset: frameStart, reason: .packetTooShort(length: count))
                            } else if checksum != 0 {
                                let received = storage[count - 1]
                                pendingError = JT808Error(
                                    offset: frameStart,
                                    reason: .badCheckCode(received: received, computed: checksum ^ received))
                            } else {
                                completed = (frameStart, count - 1)
                            }
                        }
                        frameStart = flagOffset
                        count = 0
                        checksum = 0
                        escapePending = false
                        overflowLength = 0
                        frameError = nil
                        if pendingError != nil || completed != nil { return }
                        continue
                    }
                    guard inFrame else {
                        if discarded == 0 { discardStart = chunkStart + index - 1 }
                        discarded += 1
                        continue
                    }
                    var value = byte
                    if escapePending {
                        escapePending = false
                        switch byte {
                        case 0x01: value = 0x7D
                        case 0x02: value = 0x7E
                        default:
                            if frameError == nil {
                                frameError = JT808Error(
                                    offset: chunkStart + index - 2, reason: .invalidEscape(following: byte))
                            }
                            continue
                        }
                    } else if byte == 0x7D {
                        escapePending = true
                        continue
                    }
                    if count < capacity {
                        storage[count] = value
                        count += 1
                        checksum ^= value
                    } else {
                        overflowLength = max(overflowLength, count) + 1
                    }
                }
            }
            self.count = count
            self.checksum = checksum
            self.escapePending = escapePending
            self.overflowLength = overflowLength
            if let error = pendingError {
                pendingError = nil
                resume = true
                try handle(.error(error))
            }
            if let frame = completed {
                completed = nil
                resume = true
                let outcome = buffer.withUnsafeBytes { bytes in
                    Result { () throws(E) in
                        try handle(
                            .packet(
                                content: UnsafeRawBufferPointer(rebasing: bytes[0..<frame.length]),
                                streamOffset: frame.start))
                    }
                }
                try outcome.get()
            }
        } while resume && index < end
        streamOffset = chunkStart + end
    }

    /// Feeds a chunk held in an array.
    public mutating func append<E: Error>(_ chunk: [UInt8], _ handle: (JT808FramerEvent) throws(E) -> Void)
        throws(E)
    {
        let outcome = chunk.withUnsafeBytes { bytes in
            Result { () throws(E) in try append(bytes, handle) }
        }
        try outcome.get()
    }

    /// Signals the end of the stream: reports a frame left open (no closing flag) or bytes
    /// discarded before any flag, and resets the framer for a new stream position.
    public mutating func finish<E: Error>(_ handle: (JT808FramerEvent) throws(E) -> Void) throws(E) {
        let error: JT808Error?
        if inFrame, count > 0 || escapePending || overflowLength > 0 {
            error = JT808Error(
                offset: frameStart, reason: .unterminatedPacket(length: max(count, overflowLength)))
        } else if discarded > 0 {
            error = JT808Error(offset: discardStart, reason: .discardedBytes(count: discarded))
        } else {
            error = nil
        }
        reset()
        if let error { try handle(.error(error)) }
    }

    /// Forgets any partial frame (e.g. after a connection drop); the stream offset keeps counting.
    public mutating func reset() {
        count = 0
        checksum = 0
        inFrame = false
        escapePending = false
        overflowLength = 0
        frameError = nil
        discarded = 0
    }
}
