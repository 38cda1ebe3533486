/// An ASN.1 BIT STRING of at most 64 bits, held inline.
///
/// Unlike ``BitString`` it has no out-of-line storage, so it is trivially copyable: a structure
/// made of such fields copies as plain memory, with no reference counting. The generator uses it
/// for every BIT STRING type whose root size is at most 64 bits (all the flag sets of CSAE 53).
/// Bit 0 is the first bit on the wire (named bit 0 of a named-bit list).
public struct ShortBitString: Sendable, Hashable {
    /// The largest number of bits a value holds.
    public static let capacity = 64

    /// For `count` bits: the bits right-aligned, bit 0 most significant, the rest zero.
    public private(set) var bits: UInt64 {
        get { storedBits }
        set { storedBits = newValue }
    }
    @usableFromInline var storedBits: UInt64
    @usableFromInline var storedCount: UInt8

    /// Number of bits (0...64).
    @inlinable public var count: Int { Int(storedCount) }

    /// Creates a bit string of `count` bits (0...64); `bits` holds them in its low `count` bits,
    /// first bit most significant. Higher bits of `bits` are ignored.
    @inlinable
    public init(count: Int, bits: UInt64) {
        precondition(count >= 0 && count <= Self.capacity, "ShortBitString holds 0...64 bits, not \(count)")
        storedCount = UInt8(truncatingIfNeeded: count)
        storedBits = count == 64 ? bits : bits & ((1 &<< UInt64(truncatingIfNeeded: count)) &- 1)
    }

    /// The same bits, or nil when `value` is longer than 64 bits.
    public init?(exactly value: BitString) {
        guard value.count <= Self.capacity else { return nil }
        self.init(count: value.count, bits: value.bits)
    }

    /// Bit `bit` (0 = first on the wire); out-of-range bits read as false and ignore writes.
    public subscript(bit: Int) -> Bool {
        get {
            guard bit >= 0 && bit < count else { return false }
            return (bits >> UInt64(count - 1 - bit)) & 1 != 0
        }
        set {
            guard bit >= 0 && bit < count else { return }
            let mask: UInt64 = 1 << UInt64(count - 1 - bit)
            bits = newValue ? bits | mask : bits & ~mask
        }
    }

    /// The octets, first bit = MSB of the first octet, padded with zero bits.
    public var bytes: [UInt8] { BitString(self).bytes }
}

extension BitString {
    /// The same bits as a general bit string.
    @inlinable
    public init(_ value: ShortBitString) {
        self.init(count: value.count, bits: value.bits)
    }
}

extension ShortBitString: CustomStringConvertible {
    /// ASN.1 value notation, e.g. `'1010'B`.
    public var description: String { BitString(self).description }
}
