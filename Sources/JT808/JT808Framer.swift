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
    private var state = ScanState()
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
    /// The framer's state is kept when `handle` throws; the rest of the chunk is then not scanned.
    public mutating func append(
        _ chunk: UnsafeRawBufferPointer, _ handle: (JT808FramerEvent) throws -> Void
    ) rethrows {
        let chunkStart = streamOffset
        var state = self.state
        var index = 0
        defer {
            self.state = state
            streamOffset = chunkStart + index
        }
        try buffer.withUnsafeMutableBufferPointer { storage in
            guard let base = storage.baseAddress else { return }
            while true {
                switch Self.scan(
                    chunk, &index, chunkStart: chunkStart, into: base, capacity: storage.count, &state)
                {
                case .endOfChunk:
                    return
                case .packet(let start, let length):
                    try handle(
                        .packet(
                            content: UnsafeRawBufferPointer(start: base, count: length), streamOffset: start))
                case .error(let error):
                    try handle(.error(error))
                }
            }
        }
    }

    /// Feeds a chunk held in an array.
    public mutating func append(_ chunk: [UInt8], _ handle: (JT808FramerEvent) throws -> Void) rethrows {
        try chunk.withUnsafeBytes { bytes in try append(bytes, handle) }
    }

    /// Signals the end of the stream: reports a frame left open (no closing flag) or bytes
    /// discarded before any flag, and resets the framer for a new stream position.
    public mutating func finish(_ handle: (JT808FramerEvent) throws -> Void) rethrows {
        let error: JT808Error?
        if state.inFrame, state.count > 0 || state.escapePending || state.overflowLength > 0 {
            error = JT808Error(
                offset: state.frameStart,
                reason: .unterminatedPacket(length: max(state.count, state.overflowLength)))
        } else if state.discarded > 0 {
            error = JT808Error(offset: state.discardStart, reason: .discardedBytes(count: state.discarded))
        } else {
            error = nil
        }
        reset()
        if let error { try handle(.error(error)) }
    }

    /// Forgets any partial frame (e.g. after a connection drop); the stream offset keeps counting.
    public mutating func reset() {
        state = ScanState()
    }

    // MARK: Scanning

    /// Scalar state of the frame being assembled (kept in registers during a scan).
    private struct ScanState: Sendable {
        var count = 0
        var checksum: UInt8 = 0
        var inFrame = false
        var escapePending = false
        var overflowLength = 0
        /// Stream offset of the first invalid escape in this frame, or -1.
        var badEscapeOffset = -1
        var badEscapeByte: UInt8 = 0
        var frameStart = 0
        var discarded = 0
        var discardStart = 0
    }

    private enum ScanStop {
        case endOfChunk
        case packet(start: Int, length: Int)
        case error(JT808Error)
    }

    /// Consumes bytes from `index` until a frame completes (good or bad) or the chunk ends.
    private static func scan(
        _ chunk: UnsafeRawBufferPointer, _ index: inout Int, chunkStart: Int,
        into storage: UnsafeMutablePointer<UInt8>, capacity: Int, _ state: inout ScanState
    ) -> ScanStop {
        let end = chunk.count
        var i = index
        var count = state.count
        var checksum = state.checksum
        defer {
            index = i
            state.count = count
            state.checksum = checksum
        }
        while i < end {
            if state.inFrame && !state.escapePending {
                // Fast path: copy 8 bytes at a time while none of them is a flag or an escape.
                var folded: UInt64 = 0
                while i &+ 8 <= end, count &+ 8 <= capacity {
                    let word = chunk.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                    if hasByte(word, 0x7E) | hasByte(word, 0x7D) != 0 { break }
                    UnsafeMutableRawPointer(storage + count).storeBytes(of: word, as: UInt64.self)
                    folded ^= word
                    count &+= 8
                    i &+= 8
                }
                folded ^= folded >> 32
                folded ^= folded >> 16
                folded ^= folded >> 8
                checksum ^= UInt8(truncatingIfNeeded: folded)
                if i >= end { break }
            }
            let byte = chunk[i]
            i += 1
            if byte == 0x7E {
                state.count = count
                state.checksum = checksum
                let stop = closeFrame(
                    flagOffset: chunkStart + i - 1, storage: storage, capacity: capacity, &state)
                count = 0
                checksum = 0
                if let stop { return stop }
                continue
            }
            if !state.inFrame {
                if state.discarded == 0 { state.discardStart = chunkStart + i - 1 }
                state.discarded += 1
                continue
            }
            var value = byte
            if state.escapePending {
                state.escapePending = false
                if byte == 0x01 {
                    value = 0x7D
                } else if byte == 0x02 {
                    value = 0x7E
                } else {
                    if state.badEscapeOffset < 0 {
                        state.badEscapeOffset = chunkStart + i - 2
                        state.badEscapeByte = byte
                    }
                    continue
                }
            } else if byte == 0x7D {
                state.escapePending = true
                continue
            }
            if count < capacity {
                storage[count] = value
                count += 1
                checksum ^= value
            } else {
                state.overflowLength = max(state.overflowLength, count) + 1
            }
        }
        return .endOfChunk
    }

    /// Non-zero when some byte of `word` equals `byte` (classic SWAR zero-byte test).
    @inline(__always)
    private static func hasByte(_ word: UInt64, _ byte: UInt8) -> UInt64 {
        let x = word ^ (0x0101_0101_0101_0101 &* UInt64(byte))
        return (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
    }

    /// Handles a flag: closes the open frame (if any) and opens the next one.
    private static func closeFrame(
        flagOffset: Int, storage: UnsafeMutablePointer<UInt8>, capacity: Int, _ state: inout ScanState
    ) -> ScanStop? {
        var stop: ScanStop?
        if !state.inFrame {
            state.inFrame = true
            if state.discarded > 0 {
                stop = .error(
                    JT808Error(offset: state.discardStart, reason: .discardedBytes(count: state.discarded)))
                state.discarded = 0
            }
        } else if state.badEscapeOffset >= 0 {
            stop = .error(
                JT808Error(
                    offset: state.badEscapeOffset, reason: .invalidEscape(following: state.badEscapeByte)))
        } else if state.overflowLength > 0 {
            stop = .error(
                JT808Error(
                    offset: state.frameStart,
                    reason: .packetTooLarge(length: state.overflowLength, limit: capacity)))
        } else if state.escapePending {
            stop = .error(JT808Error(offset: flagOffset - 1, reason: .invalidEscape(following: 0x7E)))
        } else if state.count == 0 {
            stop = nil  // "7E 7E": closing flag of one packet followed by the opening flag of the next
        } else if state.count < minimumPacketLength {
            stop = .error(JT808Error(offset: state.frameStart, reason: .packetTooShort(length: state.count)))
        } else if state.checksum != 0 {
            let received = storage[state.count - 1]
            stop = .error(
                JT808Error(
                    offset: state.frameStart,
                    reason: .badCheckCode(received: received, computed: state.checksum ^ received)))
        } else {
            stop = .packet(start: state.frameStart, length: state.count - 1)
        }
        state.frameStart = flagOffset
        state.count = 0
        state.checksum = 0
        state.escapePending = false
        state.overflowLength = 0
        state.badEscapeOffset = -1
        return stop
    }
}
