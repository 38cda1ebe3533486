/// Sixteen octets in two words, octet 0 = most significant byte of `high`; the storage of ``FixedOctets``.
public struct InlineOctetWords: Sendable, Hashable {
    /// Octets 0...7, octet 0 most significant.
    public var high: UInt64
    /// Octets 8...15, octet 8 most significant.
    public var low: UInt64

    /// Creates the storage from its two words.
    @inlinable
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }
}

/// A fixed-size OCTET STRING (`SIZE(n)`, n <= 16) kept inline, so decoding it does not allocate.
///
/// Conforming types are ``Octets1`` through ``Octets16``; octets beyond `size` are always zero.
public protocol FixedOctets: Sendable, Hashable {
    /// Number of octets.
    static var size: Int { get }
    /// All octets zero.
    init()
    /// Creates the value from its storage (octets beyond `size` must be zero).
    init(words: InlineOctetWords)
    /// The storage.
    var words: InlineOctetWords { get set }
}

extension FixedOctets {
    /// All octets zero.
    @inlinable
    public init() { self.init(words: InlineOctetWords(high: 0, low: 0)) }

    /// Creates the value from exactly `size` octets; nil for any other count.
    public init?(_ bytes: some Collection<UInt8>) {
        guard bytes.count == Self.size else { return nil }
        self.init()
        for (index, byte) in bytes.enumerated() { self[index] = byte }
    }

    /// The octets as an array.
    public var bytes: [UInt8] { (0..<Self.size).map { self[$0] } }

    /// Octet `index` (0..<size); out-of-range indices read 0 and ignore writes.
    @inlinable
    public subscript(index: Int) -> UInt8 {
        get {
            guard index >= 0 && index < Self.size else { return 0 }
            let word = index < 8 ? words.high : words.low
            return UInt8(truncatingIfNeeded: word >> UInt64(56 - 8 * (index & 7)))
        }
        set {
            guard index >= 0 && index < Self.size else { return }
            let shift = UInt64(56 - 8 * (index & 7))
            let mask = ~(UInt64(0xFF) << shift)
            if index < 8 {
                words.high = words.high & mask | UInt64(newValue) << shift
            } else {
                words.low = words.low & mask | UInt64(newValue) << shift
            }
        }
    }

    /// Lower-case hexadecimal, e.g. `0a1b2c3d`.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for index in 0..<Self.size {
            text.append(digits[Int(self[index] >> 4)])
            text.append(digits[Int(self[index] & 15)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
