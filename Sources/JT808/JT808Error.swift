/// An error decoding or encoding JT/T 808 data, with the byte offset where it was found.
///
/// `offset` counts bytes in the input the failing call was given: for ``JT808Framer`` errors it is
/// the offset in the stream fed to that framer so far; for packet decoding it is the offset in the
/// unescaped packet content (the first header byte is offset 0, the check code is not included);
/// for encoding it is the offset in the output written so far.
public struct JT808Error: Error, Equatable, Sendable, CustomStringConvertible {
    /// Byte offset of the failing field (see the type's documentation for what it counts).
    public var offset: Int
    /// The message id of the packet being decoded, when the header was read far enough to know it.
    public var messageID: UInt16?
    /// What went wrong.
    public var reason: Reason

    /// Creates an error.
    public init(offset: Int, messageID: UInt16? = nil, reason: Reason) {
        self.offset = offset
        self.messageID = messageID
        self.reason = reason
    }

    /// Why decoding, framing or encoding failed.
    public enum Reason: Equatable, Sendable, CustomStringConvertible {
        /// A field needs more bytes than are left in its enclosing structure (header, body, item).
        case truncated(field: String, needed: Int, available: Int)
        /// A BCD field holds a nibble above 9.
        case invalidBCD(field: String)
        /// A BCD date/time names a day or time that does not exist (shown as read, Beijing time).
        case invalidDate(field: String, value: String)
        /// A numeric field is outside the range the standard allows.
        case valueOutOfRange(field: String, value: Int64, range: ClosedRange<Int64>)
        /// The body length in the header's body attributes differs from the bytes present.
        case bodyLengthMismatch(declared: Int, actual: Int)
        /// A body has bytes left over after its last field.
        case trailingBytes(count: Int)
        /// A known additional-information item has a length the standard does not allow.
        case invalidItemLength(id: UInt8, length: Int, expected: String)
        /// A 0x0704 batch declares a different number of items than it holds.
        case batchCountMismatch(declared: Int, actual: Int)
        /// The XOR check code of a packet does not match its content.
        case badCheckCode(received: UInt8, computed: UInt8)
        /// A frame between two flags is too short to hold a header and a check code.
        case packetTooShort(length: Int)
        /// A frame grew beyond the framer's maximum packet length; it was dropped up to the next flag.
        case packetTooLarge(length: Int, limit: Int)
        /// 0x7D is followed by a byte other than 0x01 or 0x02 (0x7E when the frame ends after 0x7D).
        case invalidEscape(following: UInt8)
        /// The stream ended inside a packet (no closing flag).
        case unterminatedPacket(length: Int)
        /// Bytes that were not inside any packet (before the first flag) were discarded.
        case discardedBytes(count: Int)
        /// A decoder for one message id was asked to decode another message (or an encrypted or partial body).
        case unexpectedMessage(expected: UInt16)
        /// A value cannot be represented on the wire (encoder only).
        case notEncodable(field: String, detail: String)

        /// A short human-readable explanation.
        public var description: String {
            switch self {
            case .truncated(let field, let needed, let available):
                return "\(field) needs \(needed) byte(s) but only \(available) remain"
            case .invalidBCD(let field):
                return "\(field) holds an invalid BCD digit"
            case .invalidDate(let field, let value):
                return "\(field) is not a valid date/time: \(value)"
            case .valueOutOfRange(let field, let value, let range):
                return "\(field) \(value) is outside \(range.lowerBound)...\(range.upperBound)"
            case .bodyLengthMismatch(let declared, let actual):
                return "header declares a \(declared)-byte body but \(actual) byte(s) follow"
            case .trailingBytes(let count):
                return "\(count) unexpected byte(s) after the last field"
            case .invalidItemLength(let id, let length, let expected):
                return "additional item \(hexID(id)) has length \(length), expected \(expected)"
            case .batchCountMismatch(let declared, let actual):
                return "batch declares \(declared) item(s) but holds \(actual)"
            case .badCheckCode(let received, let computed):
                return "check code \(hexID(received)) does not match computed \(hexID(computed))"
            case .packetTooShort(let length):
                return "frame of \(length) byte(s) is too short for a header and check code"
            case .packetTooLarge(let length, let limit):
                return "frame of at least \(length) byte(s) exceeds the \(limit)-byte limit"
            case .invalidEscape(let following):
                return "0x7D followed by \(hexID(following)) is not a valid escape"
            case .unterminatedPacket(let length):
                return "input ended inside a packet after \(length) byte(s)"
            case .discardedBytes(let count):
                return "\(count) byte(s) outside any packet discarded"
            case .unexpectedMessage(let expected):
                return "not a plain, complete \(hexWord(expected)) packet"
            case .notEncodable(let field, let detail):
                return "\(field) cannot be encoded: \(detail)"
            }
        }
    }

    /// "message 0x0200, byte 23: latitude 95000000 is outside 0...90000000".
    public var description: String {
        if let messageID {
            return "message \(hexWord(messageID)), byte \(offset): \(reason)"
        }
        return "byte \(offset): \(reason)"
    }
}

/// "0x1F".
func hexID(_ value: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return "0x" + String(digits[Int(value >> 4)]) + String(digits[Int(value & 0x0F)])
}

/// "0x0200".
func hexWord(_ value: UInt16) -> String {
    hexID(UInt8(value >> 8)) + String(hexID(UInt8(value & 0xFF)).dropFirst(2))
}
