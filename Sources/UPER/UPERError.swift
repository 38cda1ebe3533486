/// An error raised while decoding or encoding ASN.1 unaligned PER (X.691).
///
/// It says what went wrong (`reason`), where in the bit stream (`bitOffset`, counted from the first
/// bit of the outermost encoding; for encoders the writer position) and in which field (`path`,
/// outermost component first). Generated code prepends one path component per level with
/// ``inField(_:)`` as the error propagates, which costs nothing on the success path.
public struct UPERError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Reason: Sendable, Equatable {
        /// The input ended: `neededBits` were required but only `availableBits` remained.
        case endOfData(neededBits: Int, availableBits: Int)
        /// A constrained integer or length is outside `lower...upper` (`upper` nil: no upper bound).
        case valueOutOfRange(value: Int64, lower: Int64, upper: Int64?)
        /// A string or SEQUENCE OF size is outside `lower...upper` (`upper` nil: no upper bound).
        case sizeOutOfRange(size: Int, lower: Int, upper: Int?)
        /// A CHOICE or ENUMERATED root index is not below the number of root alternatives.
        case invalidIndex(index: Int, count: Int)
        /// An extension bit was set (or an extension value given) for a type without an extension marker.
        case extensionNotAllowed
        /// The character at `index` of a known-multiplier string is not in its permitted alphabet.
        case invalidCharacter(index: Int)
        /// A UTF8String's octets are not valid UTF-8.
        case invalidUTF8
        /// A semi-constrained or unconstrained integer needs more than 8 octets (or does not fit Int64).
        case integerTooLarge(octets: Int)
        /// An open type's contents are inconsistent with its length.
        case invalidOpenType(String)
        /// A valid encoding this runtime does not support (for example more than 64 optional components).
        case unsupported(String)
        /// More than padding follows a complete top-level encoding (strict decoding only).
        case trailingData(bits: Int)
    }

    /// What went wrong.
    public var reason: Reason
    /// Bit offset in the outermost encoding (decoding) or the writer position (encoding).
    public var bitOffset: Int
    /// Field path, outermost component first, e.g. `["MessageFrame", "bsmFrame", "pos", "lat"]`.
    public var path: [String]

    /// Creates an error at `bitOffset` with an optional field path.
    public init(_ reason: Reason, bitOffset: Int, path: [String] = []) {
        self.reason = reason
        self.bitOffset = bitOffset
        self.path = path
    }

    /// Returns a copy with `component` prepended to `path` (called on the way out of each field).
    public func inField(_ component: String) -> UPERError {
        var copy = self
        copy.path.insert(component, at: 0)
        return copy
    }

    /// The path joined with dots, e.g. `MessageFrame.bsmFrame.pos.lat` (empty at top level).
    public var pathString: String { path.joined(separator: ".") }

    /// E.g. `bit 123 at MessageFrame.bsmFrame.pos.lat: value 999 out of range 0...255`.
    public var description: String {
        let location = path.isEmpty ? "bit \(bitOffset)" : "bit \(bitOffset) at \(pathString)"
        return "\(location): \(reason)"
    }
}

extension UPERError.Reason: CustomStringConvertible {
    /// A human-readable sentence fragment, e.g. `value 999 out of range 0...255`.
    public var description: String {
        switch self {
        case .endOfData(let needed, let available):
            return "end of data: needed \(needed) bits, \(available) available"
        case .valueOutOfRange(let value, let lower, let upper):
            return "value \(value) out of range \(lower)...\(upper.map(String.init) ?? "")"
        case .sizeOutOfRange(let size, let lower, let upper):
            return "size \(size) out of range \(lower)...\(upper.map(String.init) ?? "")"
        case .invalidIndex(let index, let count):
            return "index \(index) not below the \(count) root alternatives"
        case .extensionNotAllowed:
            return "extension bit set on a type without extension marker"
        case .invalidCharacter(let index):
            return "character \(index) not in the permitted alphabet"
        case .invalidUTF8:
            return "invalid UTF-8"
        case .integerTooLarge(let octets):
            return "integer of \(octets) octets does not fit 64 bits"
        case .invalidOpenType(let detail):
            return "invalid open type: \(detail)"
        case .unsupported(let detail):
            return "unsupported: \(detail)"
        case .trailingData(let bits):
            return "\(bits) bits of trailing data after the complete encoding"
        }
    }
}
