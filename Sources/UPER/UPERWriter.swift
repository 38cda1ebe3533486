/// Encodes ASN.1 unaligned PER (X.691), most significant bit first, into octets.
///
/// Writers mirror ``UPERReader``: each `readX` has a `writeX`. Methods that can receive a value
/// outside its constraint throw ``UPERError`` with `bitOffset` = the writer position at which the
/// item would have started. `writeBool` and `writeBits` cannot fail and do not throw.
public struct UPERWriter: Sendable {
    /// The alternative written by ``writeEnumeratedIndex(_:rootCount:extensible:)`` and
    /// ``writeChoiceIndex(_:rootCount:extensible:)``.
    public typealias Index = UPERReader.Index

    /// Completed octets.
    @usableFromInline var octets: [UInt8]
    /// Pending bits (fewer than 64), right-aligned.
    @usableFromInline var accumulator: UInt64
    /// Number of pending bits in `accumulator` (0...63).
    @usableFromInline var pendingBits: Int

    /// Creates an empty writer with room for `capacity` octets.
    public init(capacity: Int = 64) {
        octets = []
        octets.reserveCapacity(capacity)
        accumulator = 0
        pendingBits = 0
    }

    /// Encodes `value` as a complete encoding (padded to an octet; an empty encoding is one zero octet).
    public static func encode<T: UPEREncodable>(_ value: T) throws(UPERError) -> [UInt8] {
        var writer = UPERWriter()
        try value.encode(to: &writer)
        return writer.finish()
    }

    /// Bits written so far.
    public var bitCount: Int { octets.count * 8 + pendingBits }

    /// Pads the encoding with zero bits to an octet boundary and returns it. An empty encoding is
    /// returned as one zero octet (X.691 11.1). The writer stays padded afterwards.
    public mutating func finish() -> [UInt8] {
        if pendingBits > 0 {
            let aligned = accumulator << UInt64(64 - pendingBits)
            for index in 0..<((pendingBits + 7) / 8) {
                octets.append(UInt8(truncatingIfNeeded: aligned >> UInt64(56 - 8 * index)))
            }
            accumulator = 0
            pendingBits = 0
        }
        return octets.isEmpty ? [0] : octets
    }

    // MARK: Bits

    /// Writes one bit.
    @inlinable
    public mutating func writeBool(_ value: Bool) {
        writeBits(value ? 1 : 0, count: 1)
    }

    /// Writes the low `count` bits (0...64) of `value`, most significant first.
    @inlinable
    public mutating func writeBits(_ value: UInt64, count: Int) {
        guard count > 0 else { return }
        precondition(count <= 64, "writeBits: at most 64 bits at once")
        let bits = count == 64 ? value : value & ((1 << UInt64(count)) - 1)
        let free = 64 - pendingBits
        if count < free {
            accumulator = (accumulator << UInt64(count)) | bits
            pendingBits += count
            return
        }
        let rest = count - free
        let word = (accumulator << UInt64(free)) | (bits >> UInt64(rest))
        withUnsafeBytes(of: word.bigEndian) { octets.append(contentsOf: $0) }
        accumulator = rest == 0 ? 0 : bits & ((1 << UInt64(rest)) - 1)
        pendingBits = rest
    }

    /// Writes whole octets at the current (possibly unaligned) position.
    @usableFromInline
    mutating func writeOctets(_ bytes: some Collection<UInt8>) {
        var word: UInt64 = 0
        var filled = 0
        for byte in bytes {
            word = word << 8 | UInt64(byte)
            filled += 1
            if filled == 8 {
                writeBits(word, count: 64)
                word = 0
                filled = 0
            }
        }
        writeBits(word, count: filled * 8)
    }

    // MARK: Integers (X.691 10.5-10.9, 12)

    /// Constrained whole number `lower...upper` in the minimum number of bits.
    @inlinable
    public mutating func writeConstrainedInt(_ value: Int64, lower: Int64, upper: Int64) throws(UPERError) {
        guard value >= lower && value <= upper else {
            throw UPERError(.valueOutOfRange(value: value, lower: lower, upper: upper), bitOffset: bitCount)
        }
        let span = UInt64(bitPattern: upper &- lower)
        if span == 0 { return }
        writeBits(UInt64(bitPattern: value &- lower), count: 64 - span.leadingZeroBitCount)
    }

    /// Constrained whole number with a possibly extensible constraint: a value outside the root is
    /// written as extension bit 1 plus an unconstrained integer.
    @inlinable
    public mutating func writeConstrainedInt(
        _ value: Int64, lower: Int64, upper: Int64, extensible: Bool
    ) throws(UPERError) {
        if extensible {
            let inRoot = value >= lower && value <= upper
            writeBool(!inRoot)
            if !inRoot {
                try writeUnconstrainedInt(value)
                return
            }
        }
        try writeConstrainedInt(value, lower: lower, upper: upper)
    }

    /// Semi-constrained whole number (`lower..MAX`).
    public mutating func writeSemiConstrainedInt(_ value: Int64, lower: Int64) throws(UPERError) {
        guard value >= lower else {
            throw UPERError(.valueOutOfRange(value: value, lower: lower, upper: nil), bitOffset: bitCount)
        }
        let offset = UInt64(bitPattern: value &- lower)
        let octets = max(1, (64 - offset.leadingZeroBitCount + 7) / 8)
        writeBits(UInt64(octets), count: 8)
        writeBits(offset, count: octets * 8)
    }

    /// Unconstrained whole number (minimum two's-complement octets). Cannot fail; throws only so
    /// that every integer writer has the same shape.
    public mutating func writeUnconstrainedInt(_ value: Int64) throws(UPERError) {
        let magnitude = value < 0 ? ~value : value
        let bits = 64 - UInt64(bitPattern: magnitude).leadingZeroBitCount + 1
        let octets = min(8, (bits + 7) / 8)
        writeBits(UInt64(octets), count: 8)
        writeBits(UInt64(bitPattern: value), count: octets * 8)
    }

    /// Normally small non-negative whole number (X.691 10.6).
    public mutating func writeNormallySmallNonNegative(_ value: Int) throws(UPERError) {
        if value >= 0 && value <= 63 {
            writeBits(UInt64(value), count: 7)
            return
        }
        guard value >= 0 else {
            throw UPERError(.valueOutOfRange(value: Int64(value), lower: 0, upper: nil), bitOffset: bitCount)
        }
        writeBool(true)
        try writeSemiConstrainedInt(Int64(value), lower: 0)
    }

    // MARK: Lengths (X.691 11.9)

    /// Length determinant (see ``UPERReader/readLength(lower:upper:)``). General lengths of 16384 or
    /// more need fragmentation and throw `.unsupported` here; string, open type and SEQUENCE OF
    /// writers fragment by themselves.
    public mutating func writeLength(_ length: Int, lower: Int, upper: Int?) throws(UPERError) {
        if let upper, upper < 65536 {
            try writeConstrainedInt(Int64(length), lower: Int64(lower), upper: Int64(upper))
            return
        }
        guard length >= lower, upper.map({ length <= $0 }) ?? true else {
            throw UPERError(
                .valueOutOfRange(value: Int64(length), lower: Int64(lower), upper: upper.map(Int64.init)),
                bitOffset: bitCount)
        }
        guard length < 16384 else {
            throw UPERError(.unsupported("fragmented length determinant here"), bitOffset: bitCount)
        }
        writeGeneralLength(length)
    }

    /// General length determinant for `length` < 16384 (one or two octets).
    public mutating func writeGeneralLength(_ length: Int) {
        precondition(length >= 0 && length < 16384, "general length must be below 16384 (fragment instead)")
        if length < 128 {
            writeBits(UInt64(length), count: 8)
        } else {
            writeBits(0x8000 | UInt64(length), count: 16)
        }
    }

    /// Writes the size determinant for `size` items and calls `body` with each chunk's item range
    /// (one chunk unless fragmented).
    @usableFromInline
    mutating func writeChunks(
        _ size: Int, lower: Int, upper: Int?, extensible: Bool,
        _ body: (inout UPERWriter, Range<Int>) throws(UPERError) -> Void
    ) throws(UPERError) {
        let inRoot = size >= lower && (upper.map { size <= $0 } ?? true)
        if extensible {
            writeBool(!inRoot)
        } else if !inRoot {
            throw UPERError(.sizeOutOfRange(size: size, lower: lower, upper: upper), bitOffset: bitCount)
        }
        if inRoot, let upper, upper < 65536 {
            let span = UInt64(upper - lower)
            if span > 0 { writeBits(UInt64(size - lower), count: 64 - span.leadingZeroBitCount) }
            try body(&self, 0..<size)
            return
        }
        var start = 0
        while size - start >= 16384 {
            let multiplier = min(4, (size - start) / 16384)
            writeBits(0xC0 | UInt64(multiplier), count: 8)
            try body(&self, start..<(start + multiplier * 16384))
            start += multiplier * 16384
        }
        writeGeneralLength(size - start)
        try body(&self, start..<size)
    }

    // MARK: ENUMERATED / CHOICE

    /// ENUMERATED index (see ``UPERReader/readEnumeratedIndex(rootCount:extensible:)``).
    @inlinable
    public mutating func writeEnumeratedIndex(_ index: Index, rootCount: Int, extensible: Bool)
        throws(UPERError)
    {
        try writeIndex(index, rootCount: rootCount, extensible: extensible)
    }

    /// CHOICE index; the chosen alternative's value follows (as an open type for an extension).
    @inlinable
    public mutating func writeChoiceIndex(_ index: Index, rootCount: Int, extensible: Bool) throws(UPERError)
    {
        try writeIndex(index, rootCount: rootCount, extensible: extensible)
    }

    @inlinable
    mutating func writeIndex(_ index: Index, rootCount: Int, extensible: Bool) throws(UPERError) {
        switch index {
        case .root(let value):
            guard value >= 0 && value < rootCount else {
                throw UPERError(.invalidIndex(index: value, count: rootCount), bitOffset: bitCount)
            }
            if extensible { writeBool(false) }
            if rootCount > 1 {
                writeBits(UInt64(value), count: 64 - UInt64(rootCount - 1).leadingZeroBitCount)
            }
        case .extension(let value):
            guard extensible else { throw UPERError(.extensionNotAllowed, bitOffset: bitCount) }
            writeBool(true)
            try writeNormallySmallNonNegative(value)
        }
    }

    // MARK: SEQUENCE / SET

    /// SEQUENCE preamble: extension bit (if extensible) and the low `optionalCount` bits of `presence`.
    @inlinable
    public mutating func writeSequencePreamble(
        extended: Bool, presence: UInt64, extensible: Bool, optionalCount: Int
    ) throws(UPERError) {
        if extensible {
            writeBool(extended)
        } else if extended {
            throw UPERError(.extensionNotAllowed, bitOffset: bitCount)
        }
        guard optionalCount <= 64 else {
            throw UPERError(.unsupported("more than 64 optional components"), bitOffset: bitCount)
        }
        writeBits(presence, count: optionalCount)
    }

    /// Extension additions presence: normally small `count - 1`, then the low `count` bits of `presence`.
    public mutating func writeExtensionPresence(count: Int, presence: UInt64) throws(UPERError) {
        guard count >= 1 && count <= 64 else {
            throw UPERError(.unsupported("\(count) extension additions (1...64)"), bitOffset: bitCount)
        }
        try writeNormallySmallNonNegative(count - 1)
        writeBits(presence, count: count)
    }

    // MARK: Open types

    /// Writes raw octets as an open type (general length, fragmented from 16384 octets).
    public mutating func writeOpenTypeBytes(_ bytes: [UInt8]) throws(UPERError) {
        try writeOctetString(bytes, lower: 0, upper: nil, extensible: false)
    }

    /// Encodes `value` as a complete encoding and writes it as an open type.
    public mutating func writeOpenType<T: UPEREncodable>(_ value: T) throws(UPERError) {
        var inner = UPERWriter()
        do {
            try value.encode(to: &inner)
        } catch {
            throw UPERError(error.reason, bitOffset: bitCount + 8 + error.bitOffset, path: error.path)
        }
        try writeOpenTypeBytes(inner.finish())
    }

    // MARK: Strings

    /// OCTET STRING with size `lower...upper`.
    public mutating func writeOctetString(
        _ bytes: [UInt8], lower: Int, upper: Int?, extensible: Bool
    ) throws(UPERError) {
        try writeChunks(bytes.count, lower: lower, upper: upper, extensible: extensible) {
            (writer, range) throws(UPERError) in
            writer.writeOctets(bytes[range])
        }
    }

    /// Fixed-size OCTET STRING from inline storage (no length determinant).
    @inlinable
    public mutating func writeFixedOctets<Storage: FixedOctets>(_ value: Storage) throws(UPERError) {
        let size = Storage.size
        let words = value.words
        if size <= 8 {
            writeBits(words.high >> UInt64(64 - size * 8), count: size * 8)
        } else {
            writeBits(words.high, count: 64)
            writeBits(words.low >> UInt64(128 - size * 8), count: (size - 8) * 8)
        }
    }

    /// BIT STRING with size `lower...upper`.
    public mutating func writeBitString(
        _ value: BitString, lower: Int, upper: Int?, extensible: Bool
    ) throws(UPERError) {
        if value.count <= 64 {
            try writeChunks(value.count, lower: lower, upper: upper, extensible: extensible) {
                (writer, _) throws(UPERError) in
                writer.writeBits(value.bits, count: value.count)
            }
            return
        }
        let octets = value.bytes
        try writeChunks(value.count, lower: lower, upper: upper, extensible: extensible) {
            (writer, range) throws(UPERError) in
            // Chunks start at multiples of 16384 bits, so at octet boundaries.
            let first = range.lowerBound / 8
            let whole = range.count / 8
            writer.writeOctets(octets[first..<(first + whole)])
            let tail = range.count % 8
            if tail > 0 { writer.writeBits(UInt64(octets[first + whole] >> UInt8(8 - tail)), count: tail) }
        }
    }

    /// BIT STRING of at most 64 bits with size `lower...upper`.
    public mutating func writeBitString(
        _ value: ShortBitString, lower: Int, upper: Int?, extensible: Bool
    ) throws(UPERError) {
        try writeBitString(BitString(value), lower: lower, upper: upper, extensible: extensible)
    }

    /// Known-multiplier character string with permitted alphabet `alphabet` and size `lower...upper`.
    public mutating func writeKnownMultiplierString(
        _ value: String, _ alphabet: PermittedAlphabet, lower: Int, upper: Int?, extensible: Bool
    ) throws(UPERError) {
        let characters = Array(value.utf8)
        let start = bitCount
        for (index, character) in characters.enumerated() where alphabet.code(for: character) == nil {
            throw UPERError(.invalidCharacter(index: index), bitOffset: start)
        }
        let bits = alphabet.bitsPerCharacter
        try writeChunks(characters.count, lower: lower, upper: upper, extensible: extensible) {
            (writer, range) throws(UPERError) in
            for index in range { writer.writeBits(alphabet.code(for: characters[index]) ?? 0, count: bits) }
        }
    }

    /// UTF8String: general length in octets and the UTF-8 octets (size constraints not PER-visible).
    public mutating func writeUTF8String(
        _ value: String, lower: Int, upper: Int?, extensible: Bool
    ) throws(UPERError) {
        try writeOctetString(Array(value.utf8), lower: 0, upper: nil, extensible: false)
    }

    // MARK: SEQUENCE OF

    /// SEQUENCE OF element count (see ``UPERReader/readCount(lower:upper:extensible:)``); fragmented
    /// counts throw `.unsupported`, use ``writeSequenceOf(_:lower:upper:extensible:_:)`` for them.
    public mutating func writeCount(_ count: Int, lower: Int, upper: Int?, extensible: Bool) throws(UPERError)
    {
        let inRoot = count >= lower && (upper.map { count <= $0 } ?? true)
        if !inRoot || upper.map({ $0 >= 65536 }) ?? true, count >= 16384 {
            throw UPERError(
                .unsupported("fragmented SEQUENCE OF count; use writeSequenceOf"), bitOffset: bitCount)
        }
        try writeChunks(count, lower: lower, upper: upper, extensible: extensible) {
            (_, _) throws(UPERError) in
        }
    }

    /// SEQUENCE OF count and elements, fragmenting counts of 16384 and more where required.
    public mutating func writeSequenceOf<Element>(
        _ elements: [Element], lower: Int, upper: Int?, extensible: Bool,
        _ element: (inout UPERWriter, Element) throws(UPERError) -> Void
    ) throws(UPERError) {
        try writeChunks(elements.count, lower: lower, upper: upper, extensible: extensible) {
            (writer, range) throws(UPERError) in
            for index in range { try element(&writer, elements[index]) }
        }
    }
}
