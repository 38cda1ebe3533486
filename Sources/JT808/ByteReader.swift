/// A bounds-checked big-endian cursor over bytes read in place.
///
/// Every read checks the remaining length first and throws ``JT808Error`` with the offset of the
/// field on overrun, so malformed input never reads out of bounds. Offsets are absolute in `bytes`.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    /// Absolute offset of the next byte to read.
    var position: Int
    /// Absolute offset one past the last readable byte.
    let end: Int
    /// The message id, for error context.
    var messageID: UInt16?
    /// How location report items are decoded.
    var items: ItemDecoding

    init(
        _ bytes: UnsafeRawBufferPointer, from start: Int = 0, to end: Int? = nil, messageID: UInt16? = nil,
        items: ItemDecoding = .strict
    ) {
        self.bytes = bytes
        self.position = start
        self.end = end ?? bytes.count
        self.messageID = messageID
        self.items = items
    }

    var remaining: Int { end - position }
    var isAtEnd: Bool { position >= end }

    func error(_ reason: JT808Error.Reason, at offset: Int? = nil) -> JT808Error {
        JT808Error(offset: offset ?? position, messageID: messageID, reason: reason)
    }

    @inline(__always)
    func need(_ count: Int, _ field: String) throws(JT808Error) {
        if _slowPath(count > end - position) { throw truncated(count, field) }
    }

    @inline(never)
    func truncated(_ count: Int, _ field: String) -> JT808Error {
        error(.truncated(field: field, needed: count, available: end - position))
    }

    @inline(__always)
    mutating func uint8(_ field: String) throws(JT808Error) -> UInt8 {
        try need(1, field)
        defer { position += 1 }
        return bytes[position]
    }

    @inline(__always)
    mutating func uint16(_ field: String) throws(JT808Error) -> UInt16 {
        try need(2, field)
        defer { position += 2 }
        return UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt16.self))
    }

    @inline(__always)
    mutating func uint32(_ field: String) throws(JT808Error) -> UInt32 {
        try need(4, field)
        defer { position += 4 }
        return UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self))
    }

    // MARK: Unchecked reads, for fields whose enclosing structure was bounds-checked as a whole

    /// The byte at absolute `offset` (the caller has checked that it lies before `end`).
    @inline(__always)
    func byte(at offset: Int) -> UInt8 { bytes[offset] }

    /// The big-endian WORD at absolute `offset` (checked by the caller).
    @inline(__always)
    func word(at offset: Int) -> UInt16 {
        UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    /// The big-endian DWORD at absolute `offset` (checked by the caller).
    @inline(__always)
    func dword(at offset: Int) -> UInt32 {
        UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// The BCD[6] Beijing time at absolute `offset` (6 bytes checked by the caller), as UTC.
    @inline(__always)
    func timestamp(at start: Int, _ field: String) throws(JT808Error) -> JT808Timestamp {
        let packed = UInt64(dword(at: start)) << 16 | UInt64(word(at: start + 4))
        if _slowPath(!TerminalNumber.isValidBCD(packed)) { throw invalidBCD(field, from: start) }
        @inline(__always) func pair(_ index: Int) -> Int {
            let byte = Int(truncatingIfNeeded: packed >> UInt64(40 - 8 * index)) & 0xFF
            return (byte >> 4) &* 10 &+ (byte & 0xF)
        }
        guard
            let timestamp = JT808Timestamp(
                yearOfCentury: pair(0), month: pair(1), day: pair(2), hour: pair(3), minute: pair(4),
                second: pair(5))
        else {
            throw invalidDate(field, at: start, 2000 + pair(0), pair(1), pair(2), pair(3), pair(4), pair(5))
        }
        return timestamp
    }

    /// Copies `count` bytes (allocates; only for fields that are kept as byte arrays).
    mutating func byteArray(_ count: Int, _ field: String) throws(JT808Error) -> [UInt8] {
        try need(count, field)
        defer { position += count }
        return Array(UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)]))
    }

    /// Reads a BCD[10] (2019) or BCD[6] (2013) terminal number as packed BCD, right-aligned,
    /// after checking every nibble.
    mutating func terminalBCD(wide: Bool) throws(JT808Error) -> UInt128 {
        let count = wide ? 10 : 6
        try need(count, "terminal number")
        let high: UInt64
        let low = UInt64(word(at: position + count - 2))
        if wide {
            high = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self))
        } else {
            high = UInt64(dword(at: position))
        }
        if _slowPath(!TerminalNumber.isValidBCD(high) || !TerminalNumber.isValidBCD(low)) {
            throw invalidBCD("terminal number")
        }
        position += count
        return UInt128(high) << 16 | UInt128(low)
    }

    /// The error for the first invalid BCD byte at or after `position`.
    @inline(never)
    func invalidBCD(_ field: String, from start: Int? = nil) -> JT808Error {
        var index = start ?? position
        while index < end - 1, bytes[index] >> 4 <= 9, bytes[index] & 0xF <= 9 { index += 1 }
        return error(.invalidBCD(field: field), at: index)
    }

    /// Reads a BCD[6] YYMMDDhhmmss Beijing time and converts it to a UTC timestamp.
    mutating func timestamp(_ field: String) throws(JT808Error) -> JT808Timestamp {
        try need(6, field)
        let timestamp = try timestamp(at: position, field)
        position += 6
        return timestamp
    }

    @inline(never)
    func invalidDate(
        _ field: String, at offset: Int, _ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int,
        _ second: Int
    ) -> JT808Error {
        let text = JT808Timestamp.format(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        return error(.invalidDate(field: field, value: text + " UTC+8"), at: offset)
    }
}
