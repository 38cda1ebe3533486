// Inline fixed-size octet strings Octets1 ... Octets16 (see FixedOctets). Generated once by a
// short loop; each type masks its storage so that octets beyond its size stay zero.

/// OCTET STRING (SIZE(1)) stored inline.
public struct Octets1: FixedOctets, CustomStringConvertible {
    /// Always 1.
    @inlinable public static var size: Int { 1 }
    /// The storage (octets beyond 1 are zero).
    public var words: InlineOctetWords
    /// Creates the value from its storage; octets beyond 1 are cleared.
    @inlinable public init(words: InlineOctetWords) {
        self.words = InlineOctetWords(high: words.high & 0xFF00_0000_0000_0000, low: words.low & 0)
    }
    /// Lower-case hexadecimal.
    public var description: String { hexString }
}

/// OCTET STRING (SIZE(2)) stored inline.
public struct Octets2: FixedOctets, CustomStringConvertible {
    /// Always 2.
    @inlinable public static var size: Int { 2 }
    /// The storage (octets beyond 2 are zero).
    public var words: InlineOctetWords
    /// Creates the value from its storage; octets beyond 2 are cleared.
    @inlinable public init(words: InlineOctetWords) {
        self.words = InlineOctetWords(high: words.high & 0xFFFF_0000_0000_0000, low: words.low & 0)
    }
    /// Lower-case hexadecimal.
    public var description: String { hexString }
}

/// OCTET STRING (SIZE(3)) stored inline.
public struct Octets3: FixedOctets, CustomStringConvertible {
    /// Always 3.
    @inlinable public static var size: Int { 3 }
    /// The storage (octets beyond 3 are zero).
    public var words: InlineOctetWords
    /// Creates the value from its storage; octets beyond 3 are cleared.
    @inlinable public init(words: InlineOctetWords) {
        self.words = InlineOctetWords(high: words.high & 0xFFFF_FF00_0000_0000, low: words.low & 0)
    }
    /// Lower-case hexadecimal.
    public var description: String { hexString }
}

/// OCTET STRING (SIZE(4)) stored inline.
public struct Octets4: FixedOctets, CustomStringConvertible {
    /// Always 4.
    @inlinable public static var size: Int { 4 }
    /// The storage (octets beyond 4 are zero).
    public var words: InlineOctetWords
    /// Creates the value from its storage; octets beyond 4 are cleared.
    @inlinable public init(words: InlineOctetWords) {
        self.words = InlineOctetWords(high: words.high & 0xFFFF_FFFF_0000_0000, low: words.low & 0)
    }
    /// Lower-case hexadecimal.
    public var description: String { hexString }
}

/// OCTET STRING (SIZE(5)) stored inline.
public struct Octets5: FixedOctets, CustomStringConvertible {
    /// Always 5.
    @inlinable public static var size: Int { 5 }
    /// The storage (octets beyond 5 are zero).
    public var words: InlineOctetWords
    /// Creates the value from its storage; octets beyond 5 are cleared.
    @inlinable public init(words: InlineOctetWords) {
        self.words = InlineOctetWords(high: words.high & 0xFFFF_FFFF_FF00_0000, low: words.low & 0)
    }
    /// Lower-case hexadecimal.
    public var description: String { hexString }
}

/// OCTET STRING (SIZE(6)) stored inline.
public struct Octets6: FixedOctets, CustomStringConvertible {
    /// Always 6.
    @inlinable public static var size: Int { 6 }
    /// The storage (octets beyond 6 are zero).
    public var words: InlineOctetWords
    /// Creates the value from its storage; octets beyond 6 are cleared.
    @inlinable public init(words: InlineOctetWords) {
        self.words = InlineOctetWords(high: words.high & 0xFFFF_FFFF_FFFF_0000, low: words.low & 0)
    }
    /// Lower-case hexadecimal.
    public var description: String { hexString }
}

/// OCTET STRING (SIZE(7)) stored inline.
public struct Octets7: FixedOctets, CustomStringConvertible {
    /// Always 7.
    @inlinable public static var size: Int { 7 }
    /// The storage (octets beyond 7 are zero).
    public var words: InlineOctetWords
    /// Creates the value from its storage; octets beyond 7 are cleared.
    @inlinable public init(words: InlineOctetWords) {
        self.words = InlineOctetWords(high: words.high & 0xFFFF_FFFF_FFFF_FF00, low: words.low & 0)
    }
    /// Lower-case hexadecimal.
    public var description: String { hexString }
}

/// OCTET STRING (SIZE(8)) stored inline.
public struct Octets8: FixedOctets, CustomStringConvertible {
    /// Always 8.
    @inlinable public static var size: Int { 8 }
    /// The storage (octets beyond 8 are zero).
    public var words: InlineOctetWords
    /// Creates the value from its storage; octets beyond 8 are cleared.
    @inlinable public init(words: InlineOctetWords) {
        self.words = InlineOctetWords(high: words.high & 0xFFFF_FFFF_FFFF_FFFF, low: words.low & 0)
    }
    /// Lower-case hexadecimal.
    public var description: String { hexString }
}

/// OCTET STRING (SIZE(9)) stored inline.
public struct Octets9: FixedOctets, CustomStringConvertible {
    /// Always 9.
    @inlinable public static var size: Int { 9 }
    /// The storage (octets beyond 9 are zero).
    public var words: InlineOctetWords
    /// Creates the value from its storage; octets beyond 9 are cleared.
    @inlinable public init(words: InlineOctetWords) {
        self.words = InlineOctetWords(
            high: words.high & 0xFFFF_FFFF_FFFF_FFFF, low: words.low & 0xFF00_0000_0000_0000)
    }
    /// Lower-case hexadecimal.
    public var description: String { hexString }
}

/// OCTET STRING (SIZE(10)) stored inline.
public struct Octets10: FixedOctets, CustomStringConvertible {
    /// Always 10.
    @inlinable public static var size: Int { 10 }
    /// The storage (octets beyond 10 are zero).
    public var words: InlineOctetWords
    /// Creates the value from its storage; octets beyond 10 are cleared.
    @inlinable public init(words: InlineOctetWords) {
        self.words = InlineOctetWords(
            high: words.high & 0xFFFF_FFFF_FFFF_FFFF, low: words.low & 0xFFFF_0000_0000_0000)
    }
    /// Lower-case hexadecimal.
    public var description: String { hexString }
}

/// OCTET STRING (SIZE(11)) stored inline.
public struct Octets11: FixedOctets, CustomStringConvertible {
    /// Always 11.
    @inlinable public static var size: Int { 11 }
    /// The storage (octets beyond 11 are zero).
    public var words: InlineOctetWords
    /// Creates the value from its storage; octets beyond 11 are cleared.
    @inlinable public init(words: InlineOctetWords) {
        self.words = InlineOctetWords(
            high: words.high & 0xFFFF_FFFF_FFFF_FFFF, low: words.low & 0xFFFF_FF00_0000_0000)
    }
    /// Lower-case hexadecimal.
    public var description: String { hexString }
}

/// OCTET STRING (SIZE(12)) stored inline.
public struct Octets12: FixedOctets, CustomStringConvertible {
    /// Always 12.
    @inlinable public static var size: Int { 12 }
    /// The storage (octets beyond 12 are zero).
    public var words: InlineOctetWords
    /// Creates the value from its storage; octets beyond 12 are cleared.
    @inlinable public init(words: InlineOctetWords) {
        self.words = InlineOctetWords(
            high: words.high & 0xFFFF_FFFF_FFFF_FFFF, low: words.low & 0xFFFF_FFFF_0000_0000)
    }
    /// Lower-case hexadecimal.
    public var description: String { hexString }
}

/// OCTET STRING (SIZE(13)) stored inline.
public struct Octets13: FixedOctets, CustomStringConvertible {
    /// Always 13.
    @inlinable public static var size: Int { 13 }
    /// The storage (octets beyond 13 are zero).
    public var words: InlineOctetWords
    /// Creates the value from its storage; octets beyond 13 are cleared.
    @inlinable public init(words: InlineOctetWords) {
        self.words = InlineOctetWords(
            high: words.high & 0xFFFF_FFFF_FFFF_FFFF, low: words.low & 0xFFFF_FFFF_FF00_0000)
    }
    /// Lower-case hexadecimal.
    public var description: String { hexString }
}

/// OCTET STRING (SIZE(14)) stored inline.
public struct Octets14: FixedOctets, CustomStringConvertible {
    /// Always 14.
    @inlinable public static var size: Int { 14 }
    /// The storage (octets beyond 14 are zero).
    public var words: InlineOctetWords
    /// Creates the value from its storage; octets beyond 14 are cleared.
    @inlinable public init(words: InlineOctetWords) {
        self.words = InlineOctetWords(
            high: words.high & 0xFFFF_FFFF_FFFF_FFFF, low: words.low & 0xFFFF_FFFF_FFFF_0000)
    }
    /// Lower-case hexadecimal.
    public var description: String { hexString }
}

/// OCTET STRING (SIZE(15)) stored inline.
public struct Octets15: FixedOctets, CustomStringConvertible {
    /// Always 15.
    @inlinable public static var size: Int { 15 }
    /// The storage (octets beyond 15 are zero).
    public var words: InlineOctetWords
    /// Creates the value from its storage; octets beyond 15 are cleared.
    @inlinable public init(words: InlineOctetWords) {
        self.words = InlineOctetWords(
            high: words.high & 0xFFFF_FFFF_FFFF_FFFF, low: words.low & 0xFFFF_FFFF_FFFF_FF00)
    }
    /// Lower-case hexadecimal.
    public var description: String { hexString }
}

/// OCTET STRING (SIZE(16)) stored inline.
public struct Octets16: FixedOctets, CustomStringConvertible {
    /// Always 16.
    @inlinable public static var size: Int { 16 }
    /// The storage (octets beyond 16 are zero).
    public var words: InlineOctetWords
    /// Creates the value from its storage; octets beyond 16 are cleared.
    @inlinable public init(words: InlineOctetWords) {
        self.words = InlineOctetWords(
            high: words.high & 0xFFFF_FFFF_FFFF_FFFF, low: words.low & 0xFFFF_FFFF_FFFF_FFFF)
    }
    /// Lower-case hexadecimal.
    public var description: String { hexString }
}
