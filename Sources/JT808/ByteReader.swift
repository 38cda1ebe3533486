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

    init(_ bytes: UnsafeRawBufferPointer, from start: Int = 0, to end: Int? = nil, messageID: UInt16? = nil) {
        self.bytes = bytes
        self.position = start
        self.end = end ?? bytes.count
        self.messageID = messageID
    }

    var remaining: Int { end - position }
    var isAtEnd: Bool { position >= end }

    func error(_ reason: JT808Error.Reason, at offset: Int? = nil) -> JT808Error {
        JT808Error(offset: offset ?? position, messageID: messageID, reason: reason)
    }

    func need(_ count: Int, _ field: String) throws(JT808Error) {
        if count > end - position {
            throw error(.truncated(field: field, needed: count, available: end - position))
        }
    }

    mutating func uint8(_ field: String) throws(JT808Error) -> UInt8 {
        try need(1, field)
        defer { position += 1 }
        return bytes[position]
    }

    mutating func uint16(_ field: String) throws(JT808Error) -> UInt16 {
        try need(2, field)
        defer { position += 2 }
        return UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt16.self))
    }

    mutating func uint32(_ field: String) throws(JT808Error) -> UInt32 {
        try need(4, field)
        defer { position += 4 }
        return UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self))
    }

    /// Copies `count` bytes (allocates; only for fields that are kept as byte arrays).
    mutating func byteArray(_ count: Int, _ field: String) throws(JT808Error) -> [UInt8] {
        try need(count, field)
        defer { position += count }
        return Array(UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)]))
    }

    /// Reads `count` packed BCD bytes as an integer of up to 32 digits (2 per byte).
    mutating func bcd(_ count: Int, _ field: String) throws(JT808Error) -> UInt128 {
        try need(count, field)
        var value: UInt128 = 0
        for index in position..<(position + count) {
            let byte = bytes[index]
            let high = byte >> 4
            let low = byte & 0x0F
            if high > 9 || low > 9 { throw error(.invalidBCD(field: field), at: index) }
            value = value * 100 + UInt128(high * 10 + low)
        }
        position += count
        return value
    }

    /// Reads a BCD[6] YYMMDDhhmmss Beijing time and converts it to a UTC timestamp.
    mutating func timestamp(_ field: String) throws(JT808Error) -> JT808Timestamp {
        let start = position
        try need(6, field)
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0)
        try withUnsafeMutableBytes(of: &digits) { (out) throws(JT808Error) in
            for index in 0..<6 {
                let byte = bytes[start + index]
                let high = byte >> 4
                let low = byte & 0x0F
                if high > 9 || low > 9 { throw error(.invalidBCD(field: field), at: start + index) }
                out[index] = high * 10 + low
            }
        }
        position += 6
        guard
            let timestamp = JT808Timestamp(
                beijingYear: 2000 + Int(digits.0), month: Int(digits.1), day: Int(digits.2),
                hour: Int(digits.3), minute: Int(digits.4), second: Int(digits.5))
        else {
            let text = JT808Timestamp.format(
                year: 2000 + Int(digits.0), month: Int(digits.1), day: Int(digits.2),
                hour: Int(digits.3), minute: Int(digits.4), second: Int(digits.5))
            throw error(.invalidDate(field: field, value: text + " UTC+8"), at: start)
        }
        return timestamp
    }
}
