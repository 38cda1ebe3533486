/// A cursor over borrowed bytes that decodes ASN.1 unaligned PER (X.691), most significant bit first.
///
/// Scalar reads never allocate: up to 64 bits are taken from one big-endian 64-bit window load. The
/// reader does not own its bytes; the caller keeps the buffer alive while the reader is in use
/// (``withReader(bytes:_:)`` and ``decode(_:from:complete:)-(_,[UInt8],_)`` do that for an array).
///
/// Every read that fails throws ``UPERError`` with the bit offset at which the failing item starts
/// (for truncated input: the offset at which the missing bits would have started).
public struct UPERReader {
    /// Start of the borrowed bytes (nil for an empty buffer).
    @usableFromInline let base: UnsafeRawPointer?
    /// Number of borrowed bytes; window loads never go past it.
    @usableFromInline let byteCount: Int
    /// Current bit position from the first bit of the buffer.
    @usableFromInline var position: Int
    /// Bit position at which the readable data ends (narrowed while decoding an open type).
    @usableFromInline var end: Int {
        didSet { fastEnd = Swift.min(end, (byteCount &- 7) &* 8) }
    }
    /// `min(end, (byteCount - 7) * 8)`: a read of `n >= 1` bits ending at or before `fastEnd` is
    /// inside the data and its first byte starts a full 8-byte window (one check on the hot path).
    @usableFromInline var fastEnd: Int

    /// Creates a reader over `buffer`, which must outlive the reader.
    @inlinable
    public init(_ buffer: UnsafeRawBufferPointer) {
        base = buffer.baseAddress
        byteCount = buffer.count
        position = 0
        end = buffer.count &* 8
        fastEnd = Swift.min(buffer.count &* 8, (buffer.count &- 7) &* 8)
    }

    /// Runs `body` with a reader over `bytes`, kept alive for the duration of the call.
    public static func withReader<Result, Failure: Error>(
        bytes: [UInt8], _ body: (inout UPERReader) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let outcome: Swift.Result<Result, Failure> = bytes.withUnsafeBytes { buffer in
            var reader = UPERReader(buffer)
            return Swift.Result { () throws(Failure) -> Result in try body(&reader) }
        }
        return try outcome.get()
    }

    /// Decodes a `T` from the start of `bytes`.
    ///
    /// With `complete: true` the encoding must use the whole input except the final padding
    /// (fewer than 8 bits); otherwise the rest of the input is ignored.
    public static func decode<T: UPERDecodable>(
        _ type: T.Type, from bytes: [UInt8], complete: Bool = false
    ) throws(UPERError) -> T {
        let outcome: Result<T, UPERError> = bytes.withUnsafeBytes { buffer in
            Result { () throws(UPERError) -> T in try decode(type, from: buffer, complete: complete) }
        }
        return try outcome.get()
    }

    /// Decodes a `T` from the start of `buffer` (see ``decode(_:from:complete:)-(_,[UInt8],_)``).
    public static func decode<T: UPERDecodable>(
        _ type: T.Type, from buffer: UnsafeRawBufferPointer, complete: Bool = false
    ) throws(UPERError) -> T {
        var reader = UPERReader(buffer)
        let value = try T(from: &reader)
        if complete {
            let rest = reader.remainingBits
            // An empty encoding is sent as one zero octet (X.691 11.1).
            if rest >= 8 && !(reader.position == 0 && buffer.count == 1) {
                throw UPERError(.trailingData(bits: rest), bitOffset: reader.position)
            }
        }
        return value
    }

    /// Bits consumed so far, from the first bit of the buffer.
    @inlinable public var bitOffset: Int {
        @inline(__always) get { position }
    }

    /// Bits left to read (inside an open type: left in the open type).
    @inlinable public var remainingBits: Int {
        @inline(__always) get { end &- position }
    }

    // MARK: Errors (kept out of line so that the inlined fast paths stay small)

    @usableFromInline
    func endOfData(_ needed: Int) -> UPERError {
        UPERError(.endOfData(neededBits: needed, availableBits: end - position), bitOffset: position)
    }

    @usableFromInline
    static func failOutOfRange(raw: UInt64, lower: Int64, upper: Int64, at offset: Int) throws(UPERError)
        -> Never
    {
        let value = Int64(bitPattern: UInt64(bitPattern: lower) &+ raw)
        throw UPERError(.valueOutOfRange(value: value, lower: lower, upper: upper), bitOffset: offset)
    }

    @usableFromInline
    static func failInvalidIndex(_ index: Int, count: Int, at offset: Int) throws(UPERError) -> Never {
        throw UPERError(.invalidIndex(index: index, count: count), bitOffset: offset)
    }

    // MARK: Bits

    /// Reads one bit (BOOLEAN, presence and extension bits).
    @inlinable @inline(__always)
    public mutating func readBool() throws(UPERError) -> Bool {
        if position < end, let base {
            let byte = base.load(fromByteOffset: position &>> 3, as: UInt8.self)
            let bit = (byte &>> UInt8(truncatingIfNeeded: 7 &- (position & 7))) & 1
            position &+= 1
            return bit != 0
        }
        return try readBitsOutOfLine(1) != 0
    }

    /// Reads `count` bits (0...64) as an unsigned number, first bit most significant.
    ///
    /// Fast path: one bounds check, one unaligned big-endian 64-bit load, two shifts. Reads ending
    /// in the last 7 bytes of the buffer use a small non-throwing helper (window = last 8 bytes);
    /// short buffers, 58-64-bit reads straddling 9 bytes and all errors go out of line.
    @inlinable @inline(__always)
    public mutating func readBits(_ count: Int) throws(UPERError) -> UInt64 {
        let shift = position & 7
        if position &+ count <= fastEnd && count > 0 && count &+ shift <= 64 {
            let word = UInt64(
                bigEndian: base.unsafelyUnwrapped.loadUnaligned(
                    fromByteOffset: position &>> 3, as: UInt64.self))
            position &+= count
            return (word &<< UInt64(truncatingIfNeeded: shift)) &>> UInt64(truncatingIfNeeded: 64 &- count)
        }
        if count == 0 { return 0 }
        if position &+ count <= end && count > 0 && count <= 57 && byteCount >= 8 {
            return readBitsTail(count)
        }
        return try readBitsOutOfLine(count)
    }

    /// A read of 1...57 bits within the data that ends in the last 7 bytes of a buffer of 8 or
    /// more: the window starts at the read's first byte or at the buffer's last 8 bytes, whichever
    /// is earlier, so it holds all the bits (the caller checked the bounds).
    @usableFromInline @inline(never)
    mutating func readBitsTail(_ count: Int) -> UInt64 {
        let byte = Swift.min(position &>> 3, byteCount &- 8)
        let offset = position &- (byte &<< 3)
        let word = UInt64(
            bigEndian: base.unsafelyUnwrapped.loadUnaligned(fromByteOffset: byte, as: UInt64.self))
        position &+= count
        return (word &<< UInt64(truncatingIfNeeded: offset)) &>> UInt64(truncatingIfNeeded: 64 &- count)
    }

    /// Checked, byte-by-byte read: zero counts, short buffers, 9-byte straddles, and all errors.
    @usableFromInline
    mutating func readBitsOutOfLine(_ count: Int) throws(UPERError) -> UInt64 {
        guard count > 0 else { return 0 }
        guard count <= 64 else {
            throw UPERError(.unsupported("read of \(count) bits at once (at most 64)"), bitOffset: position)
        }
        guard count <= end - position, let base else { throw endOfData(count) }
        if byteCount >= 8 {
            if count > 32 {
                // A 58-64-bit read straddling 9 bytes: two reads.
                let high = try readBits(count - 32)
                return high << 32 | (try readBits(32))
            }
            // Near the end: the window is the last 8 bytes of the buffer.
            let byte = min(position >> 3, byteCount - 8)
            let offset = position - byte * 8
            let word = UInt64(bigEndian: base.loadUnaligned(fromByteOffset: byte, as: UInt64.self))
            position += count
            return (word << UInt64(offset)) >> UInt64(64 - count)
        }
        var result: UInt64 = 0
        var remaining = count
        while remaining > 0 {
            let inByte = position & 7
            let available = 8 - inByte
            let take = min(available, remaining)
            let byte = UInt64(base.load(fromByteOffset: position >> 3, as: UInt8.self))
            let bits = (byte >> UInt64(available - take)) & ((1 << UInt64(take)) - 1)
            result = (result << UInt64(take)) | bits
            position += take
            remaining -= take
        }
        return result
    }

    /// Throws `.endOfData` for `needed` bits at the current position (kept out of line).
    @usableFromInline
    func failEndOfData(_ needed: Int) throws(UPERError) -> Never {
        throw endOfData(needed)
    }

    /// Skips `count` bits.
    @inlinable
    public mutating func skipBits(_ count: Int) throws(UPERError) {
        guard count >= 0, count <= end &- position else { throw endOfData(count) }
        position &+= count
    }

    // MARK: Integers (X.691 10.5-10.9, 12)

    /// Constrained whole number `lower...upper` in the minimum number of bits (0 bits if the range is 1).
    @inlinable @inline(__always)
    public mutating func readConstrainedInt(lower: Int64, upper: Int64) throws(UPERError) -> Int64 {
        let span = UInt64(bitPattern: upper &- lower)
        if span == 0 { return lower }
        let width = 64 &- span.leadingZeroBitCount
        let raw = try readBits(width)
        if raw > span { try Self.failOutOfRange(raw: raw, lower: lower, upper: upper, at: position &- width) }
        return Int64(bitPattern: UInt64(bitPattern: lower) &+ raw)
    }

    /// Constrained whole number whose constraint may be extensible (`lower...upper, ...`): the
    /// extension bit comes first; when set, the value follows as an unconstrained integer.
    @inlinable @inline(__always)
    public mutating func readConstrainedInt(
        lower: Int64, upper: Int64, extensible: Bool
    ) throws(UPERError) -> Int64 {
        if extensible, try readBool() { return try readUnconstrainedInt() }
        return try readConstrainedInt(lower: lower, upper: upper)
    }

    /// Semi-constrained whole number (`lower..MAX`): length in octets, then `value - lower` unsigned.
    public mutating func readSemiConstrainedInt(lower: Int64) throws(UPERError) -> Int64 {
        let start = position
        let octets = try readIntegerLength(at: start)
        let raw = try readBits(octets * 8)
        let headroom = UInt64(bitPattern: Int64.max) &- UInt64(bitPattern: lower)
        guard raw <= headroom else { throw UPERError(.integerTooLarge(octets: octets), bitOffset: start) }
        return Int64(bitPattern: UInt64(bitPattern: lower) &+ raw)
    }

    /// Unconstrained whole number: length in octets, then the two's-complement value.
    public mutating func readUnconstrainedInt() throws(UPERError) -> Int64 {
        let start = position
        let octets = try readIntegerLength(at: start)
        guard octets > 0 else { return 0 }
        let raw = try readBits(octets * 8)
        let unused = UInt64(64 - octets * 8)
        return Int64(bitPattern: raw << unused) >> unused
    }

    /// Length determinant of an integer's contents: at most 8 octets are accepted.
    @usableFromInline
    mutating func readIntegerLength(at start: Int) throws(UPERError) -> Int {
        let (octets, fragment) = try readGeneralLength()
        guard !fragment, octets <= 8 else {
            throw UPERError(.integerTooLarge(octets: octets), bitOffset: start)
        }
        return octets
    }

    /// Normally small non-negative whole number (X.691 10.6): `0` + 6 bits, or `1` + semi-constrained.
    @inlinable @inline(__always)
    public mutating func readNormallySmallNonNegative() throws(UPERError) -> Int {
        let head = try readBits(7)
        if head & 0x40 == 0 { return Int(head) }
        position &-= 6
        return try readLargeNormallySmall()
    }

    @usableFromInline
    mutating func readLargeNormallySmall() throws(UPERError) -> Int {
        let start = position
        let value = try readSemiConstrainedInt(lower: 0)
        guard let result = Int(exactly: value) else {
            throw UPERError(.integerTooLarge(octets: 8), bitOffset: start)
        }
        return result
    }

    // MARK: Lengths (X.691 11.9)

    /// Length determinant of a constrained or general length. For `upper < 65536` a constrained whole
    /// number `lower...upper` (no bits when `lower == upper`); otherwise the general form (one or
    /// two octets) checked against the bounds. A fragment header (lengths of 16384 and more) throws
    /// `.unsupported`: callers that can receive one use ``readGeneralLength()`` in a loop.
    public mutating func readLength(lower: Int, upper: Int?) throws(UPERError) -> Int {
        if let upper, upper < 65536 {
            return Int(try readConstrainedInt(lower: Int64(lower), upper: Int64(upper)))
        }
        let start = position
        let (length, fragment) = try readGeneralLength()
        if fragment {
            throw UPERError(.unsupported("fragmented length determinant here"), bitOffset: start)
        }
        guard length >= lower, upper.map({ length <= $0 }) ?? true else {
            throw UPERError(
                .valueOutOfRange(value: Int64(length), lower: Int64(lower), upper: upper.map(Int64.init)),
                bitOffset: start)
        }
        return length
    }

    /// General (unconstrained) length determinant (X.691 11.9.3.6-8): `0xxxxxxx` (0...127),
    /// `10xxxxxx xxxxxxxx` (0...16383), or a fragment header `11mmmmmm` for `m * 16384` items
    /// (m = 1...4) after which another length determinant follows (`isFragment` true).
    public mutating func readGeneralLength() throws(UPERError) -> (length: Int, isFragment: Bool) {
        let start = position
        let first = try readBits(8)
        if first & 0x80 == 0 { return (Int(first), false) }
        if first & 0x40 == 0 {
            let second = try readBits(8)
            return (Int((first & 0x3F) << 8 | second), false)
        }
        let multiplier = Int(first & 0x3F)
        guard (1...4).contains(multiplier) else {
            throw UPERError(.valueOutOfRange(value: Int64(multiplier), lower: 1, upper: 4), bitOffset: start)
        }
        return (multiplier * 16384, true)
    }

    /// Size determinant of a string or SEQUENCE OF: the first chunk's size, whether more fragments
    /// follow, and whether the extension bit was set (size then not checked against the root).
    @usableFromInline
    mutating func readSizeHeader(
        lower: Int, upper: Int?, extensible: Bool
    ) throws(UPERError) -> (size: Int, isFragment: Bool, extended: Bool) {
        if extensible, try readBool() {
            let (size, fragment) = try readGeneralLength()
            return (size, fragment, true)
        }
        let start = position
        if let upper, upper < 65536 {
            if upper == lower { return (lower, false, false) }
            let span = UInt64(upper - lower)
            let raw = try readBits(64 - span.leadingZeroBitCount)
            guard raw <= span else {
                throw UPERError(
                    .sizeOutOfRange(size: lower + Int(raw), lower: lower, upper: upper), bitOffset: start)
            }
            return (lower + Int(raw), false, false)
        }
        let (size, fragment) = try readGeneralLength()
        if !fragment, size < lower || upper.map({ size > $0 }) ?? false {
            throw UPERError(.sizeOutOfRange(size: size, lower: lower, upper: upper), bitOffset: start)
        }
        return (size, fragment, false)
    }

    /// Reads a size determinant and calls `body` once per chunk of items (once unless fragmented),
    /// then checks a fragmented total against the root bounds. Returns the total size.
    @usableFromInline
    mutating func readChunks(
        lower: Int, upper: Int?, extensible: Bool,
        _ body: (inout UPERReader, Int) throws(UPERError) -> Void
    ) throws(UPERError) -> Int {
        let start = position
        var (size, fragment, extended) = try readSizeHeader(
            lower: lower, upper: upper, extensible: extensible)
        var total = 0
        let wasFragmented = fragment
        while true {
            try body(&self, size)
            total += size
            if !fragment { break }
            (size, fragment) = try readGeneralLength()
        }
        if wasFragmented && !extended && (total < lower || upper.map({ total > $0 }) ?? false) {
            throw UPERError(.sizeOutOfRange(size: total, lower: lower, upper: upper), bitOffset: start)
        }
        return total
    }

    // MARK: ENUMERATED / CHOICE (X.691 14, 23)

    /// An ENUMERATED or CHOICE alternative: an index into the root (in definition order for CHOICE,
    /// in value order for ENUMERATED), or an index into the extension additions.
    public enum Index: Sendable, Equatable, Hashable {
        case root(Int)
        case `extension`(Int)
    }

    /// ENUMERATED index: extension bit (if extensible); root index as a constrained number
    /// `0..<rootCount`, or an extension index as a normally small number.
    @inlinable @inline(__always)
    public mutating func readEnumeratedIndex(rootCount: Int, extensible: Bool) throws(UPERError) -> Index {
        try readIndex(rootCount: rootCount, extensible: extensible)
    }

    /// CHOICE index: as for ENUMERATED; an extension alternative's value follows as an open type.
    @inlinable @inline(__always)
    public mutating func readChoiceIndex(rootCount: Int, extensible: Bool) throws(UPERError) -> Index {
        try readIndex(rootCount: rootCount, extensible: extensible)
    }

    /// The extension bit and the root index of an extensible ENUMERATED or CHOICE whose root
    /// index takes `bits` bits (1...56), read together: the root index (not range-checked), or -1
    /// when the extension bit is set, the reader then just after that bit (where the extension
    /// index follows). Same bits and errors as `readBool()` then `readBits(bits)`, in one load
    /// on the fast path.
    @inlinable @inline(__always)
    public mutating func readExtensibleRootIndex(bits: Int) throws(UPERError) -> Int {
        let count = bits &+ 1
        let shift = position & 7
        if position &+ count <= fastEnd && count &+ shift <= 64 {
            let loaded = UInt64(
                bigEndian: base.unsafelyUnwrapped.loadUnaligned(
                    fromByteOffset: position &>> 3, as: UInt64.self))
            let word = loaded &<< UInt64(truncatingIfNeeded: shift)
            if word &>> 63 != 0 {
                position &+= 1
                return -1
            }
            position &+= count
            return Int(truncatingIfNeeded: word &>> UInt64(truncatingIfNeeded: 64 &- count))
        }
        return try readExtensibleRootIndexOutOfLine(bits: bits)
    }

    /// `readExtensibleRootIndex(bits:)` near the end of the buffer: the two reads one after the other.
    @usableFromInline
    mutating func readExtensibleRootIndexOutOfLine(bits: Int) throws(UPERError) -> Int {
        if try readBool() { return -1 }
        return Int(truncatingIfNeeded: try readBits(bits))
    }

    @inlinable @inline(__always)
    mutating func readIndex(rootCount: Int, extensible: Bool) throws(UPERError) -> Index {
        if extensible, try readBool() { return .extension(try readNormallySmallNonNegative()) }
        guard rootCount > 1 else {
            if rootCount == 1 { return .root(0) }
            try Self.failInvalidIndex(0, count: 0, at: position)
        }
        let width = 64 &- UInt64(truncatingIfNeeded: rootCount &- 1).leadingZeroBitCount
        let raw = Int(truncatingIfNeeded: try readBits(width))
        if raw >= rootCount { try Self.failInvalidIndex(raw, count: rootCount, at: position &- width) }
        return .root(raw)
    }

    // MARK: SEQUENCE / SET (X.691 19)

    /// SEQUENCE preamble: the extension bit (if extensible), then one presence bit per OPTIONAL or
    /// DEFAULT root component, returned in the low `optionalCount` bits (first component most
    /// significant). At most 64 optional components.
    @inlinable @inline(__always)
    public mutating func readSequencePreamble(
        extensible: Bool, optionalCount: Int
    ) throws(UPERError) -> (extended: Bool, presence: UInt64) {
        if extensible && optionalCount < 64 {
            let word = try readBits(optionalCount &+ 1)
            return (word &>> UInt64(optionalCount) != 0, word & ((1 &<< UInt64(optionalCount)) &- 1))
        }
        if optionalCount > 64 { try failTooManyOptionals() }
        let extended = extensible ? try readBool() : false
        return (extended, try readBits(optionalCount))
    }

    @usableFromInline
    func failTooManyOptionals() throws(UPERError) -> Never {
        throw UPERError(.unsupported("more than 64 optional components"), bitOffset: position)
    }

    /// Extension additions presence (X.691 19.8): a normally small number `count - 1`, then `count`
    /// presence bits (first addition most significant). At most 64 additions.
    public mutating func readExtensionPresence() throws(UPERError) -> (count: Int, presence: UInt64) {
        let start = position
        let count = try readNormallySmallNonNegative() + 1
        guard count <= 64 else {
            throw UPERError(.unsupported("\(count) extension additions (at most 64)"), bitOffset: start)
        }
        return (count, try readBits(count))
    }

    // MARK: Open types (X.691 11.2)

    /// Reads an open type's octets (an unknown extension kept raw). Fragmented lengths are supported.
    public mutating func readOpenTypeBytes() throws(UPERError) -> [UInt8] {
        try readOctetString(lower: 0, upper: nil, extensible: false)
    }

    /// Skips an open type.
    public mutating func skipOpenType() throws(UPERError) {
        _ = try readChunks(lower: 0, upper: nil, extensible: false) { (reader, size) throws(UPERError) in
            try reader.skipBits(size * 8)
        }
    }

    /// Decodes a `T` carried in an open type (a known extension addition or alternative). `T` may
    /// not read past the open type's length; unused padding at its end is skipped.
    public mutating func readOpenType<T: UPERDecodable>(_ type: T.Type) throws(UPERError) -> T {
        let start = position
        let (length, fragment) = try readGeneralLength()
        if fragment {
            // 16384 octets and more: reassemble, then decode from the copy.
            position = start
            let bytes = try readOpenTypeBytes()
            do {
                return try UPERReader.decode(type, from: bytes)
            } catch {
                throw UPERError(error.reason, bitOffset: start, path: error.path)
            }
        }
        guard length * 8 <= remainingBits else { throw endOfData(length * 8) }
        let contentEnd = position + length * 8
        let savedEnd = end
        end = contentEnd
        let value: T
        do {
            value = try T(from: &self)
        } catch {
            end = savedEnd
            throw error
        }
        end = savedEnd
        position = contentEnd
        return value
    }

    // MARK: Strings (X.691 16, 17, 30)

    /// OCTET STRING with size `lower...upper` (`upper` nil: no upper bound), extensible or not.
    public mutating func readOctetString(lower: Int, upper: Int?, extensible: Bool) throws(UPERError)
        -> [UInt8]
    {
        var result: [UInt8] = []
        _ = try readChunks(lower: lower, upper: upper, extensible: extensible) {
            (reader, size) throws(UPERError) in
            try reader.appendOctets(size, to: &result)
        }
        return result
    }

    /// Appends `count` octets read at the current (possibly unaligned) position.
    @usableFromInline
    mutating func appendOctets(_ count: Int, to result: inout [UInt8]) throws(UPERError) {
        guard count <= remainingBits / 8 else { throw endOfData(count * 8) }
        result.reserveCapacity(result.count + count)
        var left = count
        while left >= 8 {
            let word = try readBits(64)
            withUnsafeBytes(of: word.bigEndian) { result.append(contentsOf: $0) }
            left -= 8
        }
        while left > 0 {
            result.append(UInt8(truncatingIfNeeded: try readBits(8)))
            left -= 1
        }
    }

    /// Fixed-size OCTET STRING (`SIZE(n)`, n = `Storage.size` <= 16) into inline storage: no length
    /// determinant, no allocation.
    @inlinable @inline(__always)
    public mutating func readFixedOctets<Storage: FixedOctets>(_ type: Storage.Type) throws(UPERError)
        -> Storage
    {
        let size = Storage.size
        if size &* 8 > end &- position { try failEndOfData(size &* 8) }
        if size <= 8 {
            let high = try readBits(size &* 8) &<< UInt64(64 &- size &* 8)
            return Storage(words: InlineOctetWords(high: high, low: 0))
        }
        let high = try readBits(64)
        let low = try readBits((size &- 8) &* 8) &<< UInt64(128 &- size &* 8)
        return Storage(words: InlineOctetWords(high: high, low: low))
    }

    /// BIT STRING with size `lower...upper`, extensible or not. Up to 64 bits are read inline.
    @inlinable @inline(__always)
    public mutating func readBitString(lower: Int, upper: Int?, extensible: Bool) throws(UPERError)
        -> BitString
    {
        if let upper, let size = try readRootBitStringSize(lower: lower, upper: upper, extensible: extensible)
        {
            return BitString(count: size, bits: try readBits(size))
        }
        return try readBitStringGeneral(lower: lower, upper: upper, extensible: extensible)
    }

    /// BIT STRING with size `lower...upper` (`upper` at most 64 for the root) into a
    /// ``ShortBitString``. A size extension longer than 64 bits is valid PER but does not fit:
    /// it throws `unsupported` at the string's size field rather than losing bits.
    @inlinable @inline(__always)
    public mutating func readShortBitString(lower: Int, upper: Int, extensible: Bool) throws(UPERError)
        -> ShortBitString
    {
        if let size = try readRootBitStringSize(lower: lower, upper: upper, extensible: extensible) {
            return ShortBitString(count: size, bits: try readBits(size))
        }
        return try readShortBitStringGeneral(lower: lower, upper: upper, extensible: extensible)
    }

    /// The size of a BIT STRING whose root size is at most 64 bits, read inline, when the value
    /// is in the root; nil (position unchanged) for the general path (a larger root size or a
    /// size extension).
    @inlinable @inline(__always)
    mutating func readRootBitStringSize(lower: Int, upper: Int, extensible: Bool) throws(UPERError) -> Int? {
        guard upper <= 64, lower >= 0, lower <= upper else { return nil }
        let extended = extensible ? try readBool() : false
        if extended {
            position &-= 1
            return nil
        }
        if upper == lower { return lower }
        let width = 64 &- UInt64(truncatingIfNeeded: upper &- lower).leadingZeroBitCount
        let size = lower &+ Int(truncatingIfNeeded: try readBits(width))
        if size > upper {
            try failSizeOutOfRange(size, lower: lower, upper: upper, at: position &- width)
        }
        return size
    }

    /// The rest of an extensible BIT STRING into a ``ShortBitString`` when its extension bit, just
    /// read, is set (the size extension: a length and the bits). Generated decoders read the
    /// extension bit themselves and take the root path inline.
    public mutating func readShortBitStringExtension(lower: Int, upper: Int) throws(UPERError)
        -> ShortBitString
    {
        position &-= 1
        return try readShortBitStringGeneral(lower: lower, upper: upper, extensible: true)
    }

    @usableFromInline
    mutating func readShortBitStringGeneral(lower: Int, upper: Int, extensible: Bool) throws(UPERError)
        -> ShortBitString
    {
        let start = position
        let value = try readBitStringGeneral(lower: lower, upper: upper, extensible: extensible)
        guard let short = ShortBitString(exactly: value) else {
            throw UPERError(
                .unsupported(
                    "BIT STRING of \(value.count) bits (a size extension) exceeds the 64 bits of its type"),
                bitOffset: start)
        }
        return short
    }

    @usableFromInline
    func failSizeOutOfRange(_ size: Int, lower: Int, upper: Int?, at offset: Int) throws(UPERError) -> Never {
        throw UPERError(.sizeOutOfRange(size: size, lower: lower, upper: upper), bitOffset: offset)
    }

    @usableFromInline
    mutating func readBitStringGeneral(lower: Int, upper: Int?, extensible: Bool) throws(UPERError)
        -> BitString
    {
        let (size, fragment, extended) = try readSizeHeader(
            lower: lower, upper: upper, extensible: extensible)
        if !fragment && size <= 64 {
            return BitString(count: size, bits: try readBits(size))
        }
        // Longer strings: fragments are multiples of 16384 bits, so whole octets until the last chunk.
        var octets: [UInt8] = []
        var total = 0
        var chunk = size
        var more = fragment
        let start = position
        while true {
            guard chunk <= remainingBits else { throw endOfData(chunk) }
            try appendOctets(chunk / 8, to: &octets)
            let tail = chunk % 8
            if tail > 0 { octets.append(UInt8(truncatingIfNeeded: try readBits(tail) << UInt64(8 - tail))) }
            total += chunk
            if !more { break }
            (chunk, more) = try readGeneralLength()
        }
        if fragment && !extended && (total < lower || upper.map({ total > $0 }) ?? false) {
            throw UPERError(.sizeOutOfRange(size: total, lower: lower, upper: upper), bitOffset: start)
        }
        return BitString(bytes: octets, count: total)
    }

    /// Known-multiplier character string (IA5String, NumericString, PrintableString, VisibleString,
    /// optionally with a FROM constraint given as `alphabet`) with size `lower...upper`.
    public mutating func readKnownMultiplierString(
        _ alphabet: PermittedAlphabet, lower: Int, upper: Int?, extensible: Bool
    ) throws(UPERError) -> String {
        let bits = alphabet.bitsPerCharacter
        var string = ""
        var decoded = 0
        _ = try readChunks(lower: lower, upper: upper, extensible: extensible) {
            (reader, size) throws(UPERError) in
            guard size * bits <= reader.remainingBits else { throw reader.endOfData(size * bits) }
            guard size > 0 else { return }
            // The characters go straight into the string's storage (no intermediate array; up to
            // 15 characters need no allocation at all). Every alphabet is ASCII, so the bytes are
            // valid UTF-8; the bounds were checked above, so the reads cannot fail.
            var invalid: (index: Int, bitOffset: Int)?
            let chunk = String(unsafeUninitializedCapacity: size) { buffer in
                for index in 0..<size {
                    let start = reader.position
                    let raw = (try? reader.readBits(bits)) ?? 0
                    guard let character = alphabet.character(forCode: raw) else {
                        invalid = (decoded + index, start)
                        return 0
                    }
                    buffer[index] = character
                }
                return size
            }
            if let invalid {
                throw UPERError(.invalidCharacter(index: invalid.index), bitOffset: invalid.bitOffset)
            }
            decoded += size
            if string.isEmpty { string = chunk } else { string += chunk }
        }
        return string
    }

    /// UTF8String: a general length in octets then the UTF-8 octets. Size constraints of UTF8String
    /// are not PER-visible (X.691 30.6), so `lower`, `upper` and `extensible` do not change the encoding;
    /// they are accepted so that all string readers have one shape.
    public mutating func readUTF8String(lower: Int, upper: Int?, extensible: Bool) throws(UPERError) -> String
    {
        let start = position
        let octets = try readOctetString(lower: 0, upper: nil, extensible: false)
        guard let string = String(validating: octets, as: UTF8.self) else {
            throw UPERError(.invalidUTF8, bitOffset: start)
        }
        return string
    }

    // MARK: SEQUENCE OF (X.691 20)

    /// SEQUENCE OF element count with size constraint `lower...upper` (possibly extensible). A
    /// fragmented count (16384 elements and more without an upper bound below 65536) throws
    /// `.unsupported`; use ``readSequenceOf(lower:upper:extensible:_:)`` for such types.
    @inlinable @inline(__always)
    public mutating func readCount(lower: Int, upper: Int?, extensible: Bool) throws(UPERError) -> Int {
        // Inline for a root size constrained below 64K (every CSAE 53 list).
        if let upper, upper < 65536, lower >= 0, lower <= upper {
            let extended = extensible ? try readBool() : false
            if !extended {
                if upper == lower { return lower }
                let width = 64 &- UInt64(truncatingIfNeeded: upper &- lower).leadingZeroBitCount
                let size = lower &+ Int(truncatingIfNeeded: try readBits(width))
                if size > upper {
                    try failSizeOutOfRange(size, lower: lower, upper: upper, at: position &- width)
                }
                return size
            }
            position &-= 1
        }
        return try readCountGeneral(lower: lower, upper: upper, extensible: extensible)
    }

    @usableFromInline
    mutating func readCountGeneral(lower: Int, upper: Int?, extensible: Bool) throws(UPERError) -> Int {
        let start = position
        let (size, fragment, _) = try readSizeHeader(lower: lower, upper: upper, extensible: extensible)
        if fragment {
            throw UPERError(
                .unsupported("fragmented SEQUENCE OF count; use readSequenceOf"), bitOffset: start)
        }
        return size
    }

    /// SEQUENCE OF with its count and elements, including fragmented counts (16384 elements and more).
    public mutating func readSequenceOf<Element>(
        lower: Int, upper: Int?, extensible: Bool,
        _ element: (inout UPERReader) throws(UPERError) -> Element
    ) throws(UPERError) -> [Element] {
        var result: [Element] = []
        _ = try readChunks(lower: lower, upper: upper, extensible: extensible) {
            (reader, size) throws(UPERError) in
            result.reserveCapacity(result.count + min(size, reader.remainingBits + 1))
            for _ in 0..<size { result.append(try element(&reader)) }
        }
        return result
    }
}
