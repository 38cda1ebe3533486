/// The effective permitted alphabet of a known-multiplier character string (X.691 30.5).
///
/// In unaligned PER each character takes `ceil(log2(N))` bits for an alphabet of N characters.
/// A character is sent as its own code when every code of the alphabet fits in that many bits,
/// otherwise as its index in the alphabet sorted by code (X.691 30.5.4).
public struct PermittedAlphabet: Sendable, Hashable {
    /// The characters (ASCII codes), sorted and unique.
    public let characters: [UInt8]
    /// Bits per character in unaligned PER.
    public let bitsPerCharacter: Int
    /// Whether characters are sent as their index in `characters` (true) or their code (false).
    public let usesIndices: Bool
    /// Membership bitmap of the 256 codes, and code-to-index table.
    @usableFromInline let members: [UInt64]

    /// IA5String: codes 0...127, 7 bits, sent as codes.
    public static let ia5 = PermittedAlphabet(characters: Array(0...127))
    /// VisibleString (ISO646String): codes 32...126, 7 bits, sent as codes.
    public static let visible = PermittedAlphabet(characters: Array(32...126))
    /// PrintableString: letters, digits, space and `'()+,-./:=?`, 7 bits, sent as codes.
    public static let printable = PermittedAlphabet(
        characters: Array(65...90) + Array(97...122) + Array(48...57) + Array(" '()+,-./:=?".utf8))
    /// NumericString: space and digits, 4 bits, sent as indices (space = 0, "0" = 1, ...).
    public static let numeric = PermittedAlphabet(characters: Array(" 0123456789".utf8))

    /// An alphabet of the given characters (a FROM constraint), in any order, duplicates ignored.
    public init(characters: [UInt8]) {
        var members = [UInt64](repeating: 0, count: 4)
        for character in characters { members[Int(character >> 6)] |= 1 << UInt64(character & 63) }
        let sorted = (0...255).compactMap { code in
            members[code >> 6] & (1 << UInt64(code & 63)) != 0 ? UInt8(code) : nil
        }
        self.characters = sorted
        self.members = members
        let bits = sorted.count <= 1 ? 0 : 64 - UInt64(sorted.count - 1).leadingZeroBitCount
        bitsPerCharacter = bits
        usesIndices = Int(sorted.last ?? 0) > (1 << bits) - 1
    }

    /// An alphabet from a string of its characters, e.g. `PermittedAlphabet("0123456789ABCDEF")`.
    public init(_ characters: String) {
        self.init(characters: Array(characters.utf8))
    }

    /// Whether `character` is in the alphabet.
    @inlinable
    public func contains(_ character: UInt8) -> Bool {
        members[Int(character >> 6)] & (1 << UInt64(character & 63)) != 0
    }

    /// The character sent as `code`, or nil if no character has that code.
    @inlinable
    public func character(forCode code: UInt64) -> UInt8? {
        if usesIndices { return code < UInt64(characters.count) ? characters[Int(code)] : nil }
        guard code < 256, contains(UInt8(code)) else { return nil }
        return UInt8(code)
    }

    /// The code sent for `character`, or nil if it is not in the alphabet.
    public func code(for character: UInt8) -> UInt64? {
        guard contains(character) else { return nil }
        guard usesIndices else { return UInt64(character) }
        var low = 0
        var high = characters.count - 1
        while low < high {
            let middle = (low + high) / 2
            if characters[middle] < character { low = middle + 1 } else { high = middle }
        }
        return UInt64(low)
    }
}
