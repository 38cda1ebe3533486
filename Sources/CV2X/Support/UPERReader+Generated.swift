import UPER

// Small, always-inlined reading helpers that the generated codecs call. They reduce every scalar
// field to one `readBits` (X.691 unaligned: a constrained whole number is the offset from the lower
// bound in exactly ceil(log2(range)) bits) and keep the error on the failure path only.

extension UPERReader {
    /// Constrained whole number (non-extensible) of `bits` bits; checks `upper` when the range is
    /// not a power of two.
    @inline(__always)
    mutating func cvInt(lower: Int64, upper: Int64, bits: Int) throws(UPERError) -> Int64 {
        let raw = try readBits(bits)
        let value = lower &+ Int64(bitPattern: raw)
        if value > upper {
            throw UPERError(
                .valueOutOfRange(value: value, lower: lower, upper: upper), bitOffset: bitOffset - bits)
        }
        return value
    }

    /// Root index of a CHOICE or ENUMERATED with `count` root alternatives (`bits` = ceil(log2(count))).
    @inline(__always)
    mutating func cvIndex(count: Int, bits: Int) throws(UPERError) -> Int {
        let index = Int(truncatingIfNeeded: try readBits(bits))
        if index >= count {
            throw UPERError(.invalidIndex(index: index, count: count), bitOffset: bitOffset - bits)
        }
        return index
    }

    /// Root index of an extensible CHOICE or ENUMERATED with `count` root alternatives, read
    /// with its extension bit (`readExtensibleRootIndex`): -1 when the extension bit is set, else
    /// the index, checked against `count` as `cvIndex` does.
    @inline(__always)
    mutating func cvExtensibleIndex(count: Int, bits: Int) throws(UPERError) -> Int {
        let index = try readExtensibleRootIndex(bits: bits)
        if index >= count {
            throw UPERError(.invalidIndex(index: index, count: count), bitOffset: bitOffset - bits)
        }
        return index
    }

    /// BIT STRING of fixed size up to 64 bits, kept inline.
    @inline(__always)
    mutating func cvFixedBitString(count: Int) throws(UPERError) -> ShortBitString {
        ShortBitString(count: count, bits: try readBits(count))
    }

    /// Fixed-size OCTET STRING into inline storage with at most four 32-bit reads (each stays on
    /// the reader's fast path whatever the bit alignment).
    @inline(__always)
    mutating func cvFixedOctets<Storage: FixedOctets>(_ type: Storage.Type) throws(UPERError) -> Storage {
        let size = Storage.size
        guard size * 8 <= remainingBits else {
            throw UPERError(
                .endOfData(neededBits: size * 8, availableBits: remainingBits), bitOffset: bitOffset)
        }
        if size <= 4 {
            return Storage(
                words: InlineOctetWords(high: try readBits(size * 8) << UInt64(64 - size * 8), low: 0))
        }
        var high = try readBits(32) << 32
        high |= try readBits(min(size, 8) * 8 - 32) << UInt64(64 - min(size, 8) * 8)
        guard size > 8 else { return Storage(words: InlineOctetWords(high: high, low: 0)) }
        let rest = size - 8
        var low: UInt64
        if rest <= 4 {
            low = try readBits(rest * 8) << UInt64(64 - rest * 8)
        } else {
            low = try readBits(32) << 32
            low |= try readBits(rest * 8 - 32) << UInt64(64 - rest * 8)
        }
        return Storage(words: InlineOctetWords(high: high, low: low))
    }

    /// The end-of-data error of a batched read: names the first component (name, bits) that does
    /// not fit in the remaining input; an empty name is the SEQUENCE's own preamble.
    func cvEndOfData(_ fields: [(String, Int)]) -> UPERError {
        var offset = 0
        let available = remainingBits
        for (name, bits) in fields {
            if offset + bits > available {
                return UPERError(
                    .endOfData(neededBits: bits, availableBits: available - offset),
                    bitOffset: bitOffset + offset,
                    path: name.isEmpty ? [] : [name])
            }
            offset += bits
        }
        return UPERError(.endOfData(neededBits: offset, availableBits: available), bitOffset: bitOffset)
    }

    /// Skips the extension additions of a SEQUENCE that knows none of them (X.691 19.7-19.9).
    mutating func cvSkipExtensionAdditions() throws(UPERError) {
        let (count, presence) = try readExtensionPresence()
        for index in 0..<count where presence & (1 << UInt64(count - 1 - index)) != 0 {
            try skipOpenType()
        }
    }

    /// Decodes an open type's contents (a known extension addition) with `body`; error offsets are
    /// reported relative to the whole encoding.
    mutating func cvOpenType<T>(
        _ body: (inout UPERReader) throws(UPERError) -> T
    ) throws(UPERError) -> T {
        let bytes = try readOpenTypeBytes()
        let contentStart = bitOffset - bytes.count * 8
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(UPERError) -> T in
                var sub = UPERReader(buffer)
                return try body(&sub)
            }
        }
        do {
            return try result.get()
        } catch {
            var shifted = error
            shifted.bitOffset += contentStart
            throw shifted
        }
    }

    /// INTEGER (lower..MAX, ...): extension bit, then semi-constrained or unconstrained.
    mutating func cvExtensibleSemiConstrainedInt(lower: Int64) throws(UPERError) -> Int64 {
        if try readBool() {
            return try readUnconstrainedInt()
        }
        return try readSemiConstrainedInt(lower: lower)
    }

    /// INTEGER (MIN..MAX, ...) / INTEGER (...): extension bit, then unconstrained.
    mutating func cvExtensibleUnconstrainedInt() throws(UPERError) -> Int64 {
        _ = try readBool()
        return try readUnconstrainedInt()
    }
}

extension UPERWriter {
    /// Constrained whole number (non-extensible); throws when `value` is outside `lower...upper`.
    @inline(__always)
    mutating func cvInt(_ value: Int64, lower: Int64, upper: Int64, bits: Int) throws(UPERError) {
        guard value >= lower, value <= upper else {
            throw UPERError(.valueOutOfRange(value: value, lower: lower, upper: upper), bitOffset: bitCount)
        }
        if bits > 0 {
            writeBits(UInt64(bitPattern: value &- lower), count: bits)
        }
    }

    /// INTEGER (lower..MAX, ...).
    mutating func cvExtensibleSemiConstrainedInt(_ value: Int64, lower: Int64) throws(UPERError) {
        if value >= lower {
            writeBool(false)
            try writeSemiConstrainedInt(value, lower: lower)
        } else {
            writeBool(true)
            try writeUnconstrainedInt(value)
        }
    }

    /// INTEGER (MIN..MAX, ...).
    mutating func cvExtensibleUnconstrainedInt(_ value: Int64) throws(UPERError) {
        writeBool(false)
        try writeUnconstrainedInt(value)
    }
}

// Errors of the generated batched reads, built out of line so that the decoders' hot paths stay
// short (the field name is a static string until an error happens).
extension UPERError {
    /// A root index of `count` alternatives that is `index` or more, at `bitOffset` in `field`.
    @inline(never)
    static func cvInvalidIndex(_ index: Int, count: Int, bitOffset: Int, field: StaticString) -> UPERError {
        UPERError(.invalidIndex(index: index, count: count), bitOffset: bitOffset, path: ["\(field)"])
    }

    /// A constrained whole number whose offset from `lower` (`raw`) is above `upper`.
    @inline(never)
    static func cvOutOfRange(_ raw: UInt64, lower: Int64, upper: Int64, bitOffset: Int, field: StaticString)
        -> UPERError
    {
        UPERError(
            .valueOutOfRange(value: lower &+ Int64(bitPattern: raw), lower: lower, upper: upper),
            bitOffset: bitOffset, path: ["\(field)"])
    }
}
