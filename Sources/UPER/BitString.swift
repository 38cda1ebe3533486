/// An ASN.1 BIT STRING value.
///
/// Up to 64 bits are kept inline (no allocation); longer values spill to an array of octets.
/// Bit 0 is the first bit on the wire (named bit 0 of a named-bit list).
public struct BitString: Sendable, Hashable {
    /// Number of bits.
    public let count: Int
    /// For `count <= 64`: the bits right-aligned, bit 0 most significant; zero otherwise.
    @usableFromInline var inlineBits: UInt64
    /// For `count > 64`: the octets, bit 0 = MSB of the first octet, unused trailing bits zero.
    @usableFromInline var spilled: [UInt8]?

    /// Creates a bit string of `count` bits; `bits` holds them in its low `count` bits, first bit
    /// most significant. For `count > 64` the 64 bits are the first ones and the rest are zero.
    @inlinable
    public init(count: Int, bits: UInt64) {
        let count = max(0, count)
        if count <= 64 {
            self.count = count
            inlineBits = count == 64 ? bits : bits & ((1 &<< UInt64(count)) &- 1)
            spilled = nil
        } else {
            var octets = [UInt8](repeating: 0, count: (count + 7) / 8)
            for index in 0..<8 { octets[index] = UInt8(truncatingIfNeeded: bits >> UInt64(56 - 8 * index)) }
            self.count = count
            inlineBits = 0
            spilled = octets
        }
    }

    /// Creates a bit string of `count` bits from octets (first bit = MSB of the first octet); missing
    /// octets read as zero bits and bits after `count` are ignored.
    public init(bytes: [UInt8], count: Int) {
        let count = max(0, count)
        let needed = (count + 7) / 8
        var octets = Array(bytes.prefix(needed))
        if octets.count < needed { octets.append(contentsOf: repeatElement(0, count: needed - octets.count)) }
        if count % 8 != 0, let last = octets.indices.last {
            octets[last] &= ~UInt8(0xFF >> (count % 8))
        }
        if count <= 64 {
            var word: UInt64 = 0
            for octet in octets { word = word << 8 | UInt64(octet) }
            word >>= UInt64((8 - count % 8) % 8)
            self.count = count
            inlineBits = word
            spilled = nil
        } else {
            self.count = count
            inlineBits = 0
            spilled = octets
        }
    }

    /// The bits right-aligned with bit 0 most significant (for `count > 64`: the first 64 bits).
    public var bits: UInt64 {
        if count <= 64 { return inlineBits }
        var word: UInt64 = 0
        for octet in (spilled ?? []).prefix(8) { word = word << 8 | UInt64(octet) }
        return word
    }

    /// Bit `bit` (0 = first on the wire); out-of-range bits read as false and ignore writes.
    public subscript(bit: Int) -> Bool {
        get {
            guard bit >= 0 && bit < count else { return false }
            if count <= 64 { return (inlineBits >> UInt64(count - 1 - bit)) & 1 != 0 }
            return ((spilled?[bit / 8] ?? 0) >> UInt8(7 - bit % 8)) & 1 != 0
        }
        set {
            guard bit >= 0 && bit < count else { return }
            if count <= 64 {
                let mask: UInt64 = 1 << UInt64(count - 1 - bit)
                inlineBits = newValue ? inlineBits | mask : inlineBits & ~mask
            } else {
                let mask: UInt8 = 1 << UInt8(7 - bit % 8)
                if newValue { spilled?[bit / 8] |= mask } else { spilled?[bit / 8] &= ~mask }
            }
        }
    }

    /// The octets, first bit = MSB of the first octet, padded with zero bits.
    public var bytes: [UInt8] {
        if count > 64 { return spilled ?? [] }
        let aligned = count == 0 ? 0 : inlineBits << UInt64(64 - count)
        return (0..<((count + 7) / 8)).map { UInt8(truncatingIfNeeded: aligned >> UInt64(56 - 8 * $0)) }
    }
}

extension BitString: CustomStringConvertible {
    /// ASN.1 value notation, e.g. `'1010'B`.
    public var description: String {
        "'" + String((0..<count).map { self[$0] ? "1" : "0" }) + "'B"
    }
}
