import Testing
import UPER

@Suite("OCTET STRING, BIT STRING, fixed octets, character strings")
struct StringTests {
    @Test("OCTET STRING: fixed size has no length, ranged has a constrained length, extensible a bit")
    func octetStrings() throws {
        #expect(
            try write { (writer) throws(UPERError) in
                try writer.writeOctetString([0xDE, 0xAD, 0xBE, 0xEF], lower: 4, upper: 4, extensible: false)
            } == [0xDE, 0xAD, 0xBE, 0xEF])
        // SIZE(1..8): 3-bit length (n - 1), then octets at bit 3.
        #expect(
            try write { (writer) throws(UPERError) in
                try writer.writeOctetString([0xFF], lower: 1, upper: 8, extensible: false)
            } == bits("000 11111111"))
        #expect(
            try write { (writer) throws(UPERError) in
                try writer.writeOctetString([1, 2, 3], lower: 2, upper: 4, extensible: true)
            } == bits("0 01 00000001 00000010 00000011"))
        #expect(
            try write { (writer) throws(UPERError) in
                try writer.writeOctetString([1, 2, 3, 4, 5], lower: 2, upper: 4, extensible: true)
            } == bits("1 00000101 00000001 00000010 00000011 00000100 00000101"))
        for size in [0, 1, 4, 5, 300] {
            let value = pattern(size)
            let encoded = try write { (writer) throws(UPERError) in
                try writer.writeOctetString(value, lower: 2, upper: 4, extensible: true)
            }
            #expect(
                try read(encoded) { (reader) throws(UPERError) in
                    try reader.readOctetString(lower: 2, upper: 4, extensible: true)
                } == value)
        }
        #expect(
            writeError { (writer) throws(UPERError) in
                try writer.writeOctetString([1, 2, 3], lower: 4, upper: 4, extensible: false)
            } == UPERError(.sizeOutOfRange(size: 3, lower: 4, upper: 4), bitOffset: 0))
        #expect(
            writeError { (writer) throws(UPERError) in
                try writer.writeOctetString([1, 2, 3, 4, 5], lower: 2, upper: 4, extensible: false)
            } == UPERError(.sizeOutOfRange(size: 5, lower: 2, upper: 4), bitOffset: 0))
        // Ranged length 1...3 in 2 bits: "11" = 4 is above the bound.
        #expect(
            readError(bits("11")) { (reader) throws(UPERError) in
                try reader.readOctetString(lower: 1, upper: 3, extensible: false)
            } == UPERError(.sizeOutOfRange(size: 4, lower: 1, upper: 3), bitOffset: 0))
        #expect(
            readError([0xDE, 0xAD]) { (reader) throws(UPERError) in
                try reader.readOctetString(lower: 4, upper: 4, extensible: false)
            } == UPERError(.endOfData(neededBits: 32, availableBits: 16), bitOffset: 0))
    }

    @Test("fixed octets are read inline at any bit offset, for every size 1...16")
    func fixedOctets() throws {
        func check<Storage: FixedOctets>(_ type: Storage.Type) throws {
            let value = pattern(Storage.size, seed: Storage.size)
            let stored = try #require(Storage(value))
            #expect(stored.bytes == value)
            #expect(Storage(pattern(Storage.size + 1)) == nil)
            for prefix in 0..<8 {
                let encoded = try write { (writer) throws(UPERError) in
                    writer.writeBits(0x55, count: prefix)
                    try writer.writeFixedOctets(stored)
                    writer.writeBool(true)
                }
                #expect(
                    encoded
                        == (try write { (writer) throws(UPERError) in
                            writer.writeBits(0x55, count: prefix)
                            try writer.writeOctetString(
                                value, lower: Storage.size, upper: Storage.size, extensible: false)
                            writer.writeBool(true)
                        }))
                let decoded = try read(encoded) { (reader) throws(UPERError) in
                    _ = try reader.readBits(prefix)
                    let octets = try reader.readFixedOctets(Storage.self)
                    #expect(try reader.readBool())
                    return octets
                }
                #expect(decoded == stored)
            }
            #expect(
                readError(pattern(Storage.size - 1)) { (reader) throws(UPERError) in
                    try reader.readFixedOctets(Storage.self)
                }
                    == UPERError(
                        .endOfData(neededBits: Storage.size * 8, availableBits: Storage.size * 8 - 8),
                        bitOffset: 0))
        }
        try check(Octets1.self)
        try check(Octets2.self)
        try check(Octets3.self)
        try check(Octets4.self)
        try check(Octets5.self)
        try check(Octets6.self)
        try check(Octets7.self)
        try check(Octets8.self)
        try check(Octets9.self)
        try check(Octets10.self)
        try check(Octets11.self)
        try check(Octets12.self)
        try check(Octets13.self)
        try check(Octets14.self)
        try check(Octets15.self)
        try check(Octets16.self)
    }

    @Test("fixed octets: subscript, masking of storage beyond the size, hex")
    func fixedOctetsValue() {
        var value = Octets3()
        value[0] = 0xAB
        value[2] = 0x01
        value[3] = 0xFF  // ignored
        #expect(value.bytes == [0xAB, 0x00, 0x01])
        #expect(value[7] == 0 && value[-1] == 0)
        #expect(value.description == "ab0001")
        let masked = Octets3(words: InlineOctetWords(high: UInt64.max, low: UInt64.max))
        #expect(masked == Octets3([0xFF, 0xFF, 0xFF]))
        #expect(Octets10([UInt8](repeating: 9, count: 10))?.words.low == 0x0909_0000_0000_0000)
    }

    @Test("BIT STRING: fixed, ranged and extensible sizes, inline and spilled")
    func bitStrings() throws {
        let twelve = BitString(count: 12, bits: 0xABC)
        #expect(
            try write { (writer) throws(UPERError) in
                try writer.writeBitString(twelve, lower: 12, upper: 12, extensible: false)
            } == [0xAB, 0xC0])
        // SIZE(0..80): 7-bit length.
        #expect(
            try write { (writer) throws(UPERError) in
                try writer.writeBitString(
                    BitString(count: 3, bits: 0b101), lower: 0, upper: 80, extensible: false)
            } == bits("0000011 101"))
        // SIZE(1..8, ...) outside the root: extension bit and general length.
        #expect(
            try write { (writer) throws(UPERError) in
                try writer.writeBitString(
                    BitString(count: 9, bits: 0x1FF), lower: 1, upper: 8, extensible: true)
            } == bits("1 00001001 111111111"))
        #expect(
            try write { (writer) throws(UPERError) in
                try writer.writeBitString(
                    BitString(count: 2, bits: 0b10), lower: 1, upper: 8, extensible: true)
            } == bits("0 001 10"))
        var generator = SplitMix64(state: 5)
        for count in [0, 1, 7, 8, 9, 63, 64, 65, 80, 200] {
            let octets = (0..<((count + 7) / 8)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let value = BitString(bytes: octets, count: count)
            for (lower, upper, extensible) in [
                (0, 80, true), (0, Int?.none, false), (count, count, false), (1, 8, true),
            ]
            where extensible || (count >= lower && count <= (upper ?? Int.max)) {
                let encoded = try write { (writer) throws(UPERError) in
                    writer.writeBool(true)
                    try writer.writeBitString(value, lower: lower, upper: upper, extensible: extensible)
                }
                let decoded = try read(encoded) { (reader) throws(UPERError) in
                    _ = try reader.readBool()
                    return try reader.readBitString(lower: lower, upper: upper, extensible: extensible)
                }
                #expect(
                    decoded == value,
                    "count \(count) size \(lower)...\(String(describing: upper)) ext \(extensible)")
                #expect(decoded.bytes == BitString(bytes: octets, count: count).bytes)
            }
        }
        #expect(
            writeError { (writer) throws(UPERError) in
                try writer.writeBitString(
                    BitString(count: 13, bits: 0), lower: 12, upper: 12, extensible: false)
            } == UPERError(.sizeOutOfRange(size: 13, lower: 12, upper: 12), bitOffset: 0))
        #expect(
            readError([0xFF]) { (reader) throws(UPERError) in
                try reader.readBitString(lower: 12, upper: 12, extensible: false)
            } == UPERError(.endOfData(neededBits: 12, availableBits: 8), bitOffset: 0))
    }

    @Test("BitString value: subscripts, bytes, equality across initialisers, description")
    func bitStringValue() {
        var value = BitString(count: 10, bits: 0)
        value[0] = true
        value[9] = true
        value[10] = true  // ignored
        #expect(value.bits == 0b10_0000_0001)
        #expect(value.bytes == [0x80, 0x40])
        #expect(value == BitString(bytes: [0x80, 0x7F], count: 10))  // bits after count ignored
        #expect(value.description == "'1000000001'B")
        var long = BitString(bytes: [UInt8](repeating: 0, count: 10), count: 77)
        long[76] = true
        long[0] = true
        #expect(long[76] && long[0] && !long[1])
        #expect(long.bytes == [0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0x08])
        #expect(
            BitString(count: 70, bits: UInt64.max).bytes == [
                0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0,
            ])
        #expect(BitString(bytes: [0xF0], count: 12).bytes == [0xF0, 0x00])
        #expect(BitString(count: 0, bits: 5).bytes == [])
    }

    @Test("ShortBitString: same wire form as BitString, root and extension sizes, 65 bits rejected")
    func shortBitString() throws {
        var value = ShortBitString(count: 13, bits: 0)
        value[0] = true
        value[12] = true
        value[13] = true  // ignored
        #expect(value.bits == 0b1_0000_0000_0001 && value.count == 13)
        #expect(value.bytes == BitString(value).bytes && value.description == "'1000000000001'B")
        #expect(
            ShortBitString(exactly: BitString(count: 64, bits: .max)) == ShortBitString(count: 64, bits: .max)
        )
        #expect(
            ShortBitString(exactly: BitString(bytes: [UInt8](repeating: 0xFF, count: 9), count: 65)) == nil)
        // SIZE(13, ...): root value, then an extension value of 20 bits, then one of 65 bits.
        for count in [13, 20, 65] {
            let long = BitString(bytes: [UInt8](repeating: 0xA5, count: 9), count: count)
            let encoded = try write { (writer) throws(UPERError) in
                try writer.writeBitString(long, lower: 13, upper: 13, extensible: true)
            }
            let general = try read(encoded) { (reader) throws(UPERError) in
                try reader.readBitString(lower: 13, upper: 13, extensible: true)
            }
            #expect(general == long)
            // The generated decoders' form: the extension bit, then the root bits inline or the
            // size extension through readShortBitStringExtension.
            func inline(_ reader: inout UPERReader) throws(UPERError) -> ShortBitString {
                try
                    (reader.readBool()
                    ? reader.readShortBitStringExtension(lower: 13, upper: 13)
                    : ShortBitString(count: 13, bits: reader.readBits(13)))
            }
            if count <= 64 {
                let short = try read(encoded) { (reader) throws(UPERError) in
                    try reader.readShortBitString(lower: 13, upper: 13, extensible: true)
                }
                #expect(BitString(short) == long)
                #expect(try read(encoded) { (reader) throws(UPERError) in try inline(&reader) } == short)
                #expect(
                    try write { (writer) throws(UPERError) in
                        try writer.writeBitString(short, lower: 13, upper: 13, extensible: true)
                    } == encoded)
            } else {
                let error = readError(encoded) { (reader) throws(UPERError) in
                    try reader.readShortBitString(lower: 13, upper: 13, extensible: true)
                }
                #expect(error?.bitOffset == 0)
                #expect(readError(encoded) { (reader) throws(UPERError) in try inline(&reader) } == error)
                if case .unsupported(let text)? = error?.reason {
                    #expect(text.contains("65 bits"))
                } else {
                    Issue.record("expected unsupported, got \(String(describing: error))")
                }
            }
        }
        // SIZE(1..8): 3-bit length, out-of-range length is an error at the length field.
        #expect(
            try read(bits("010 101")) { (reader) throws(UPERError) in
                try reader.readShortBitString(lower: 1, upper: 8, extensible: false)
            } == ShortBitString(count: 3, bits: 0b101))
    }

    @Test("Boxed: equality and hashing by value")
    func boxed() {
        let a = Boxed([1, 2, 3])
        let b = Boxed([1, 2, 3])
        #expect(a == b && a.hashValue == b.hashValue && a != Boxed([1]))
    }

    @Test("known-multiplier strings: 7-bit IA5/Visible/Printable codes, NumericString indices")
    func knownMultiplier() throws {
        #expect(PermittedAlphabet.ia5.bitsPerCharacter == 7 && !PermittedAlphabet.ia5.usesIndices)
        #expect(PermittedAlphabet.visible.bitsPerCharacter == 7 && !PermittedAlphabet.visible.usesIndices)
        #expect(
            PermittedAlphabet.printable.characters.count == 74
                && PermittedAlphabet.printable.bitsPerCharacter == 7)
        #expect(PermittedAlphabet.numeric.bitsPerCharacter == 4 && PermittedAlphabet.numeric.usesIndices)
        // IA5String (SIZE(1..20)) "A": 5-bit length 0, then 1000001.
        #expect(
            try write { (writer) throws(UPERError) in
                try writer.writeKnownMultiplierString("A", .ia5, lower: 1, upper: 20, extensible: false)
            } == bits("00000 1000001"))
        // NumericString (SIZE(0..5)) "12 3": length 100, then indices 2, 3, 0, 4.
        #expect(
            try write { (writer) throws(UPERError) in
                try writer.writeKnownMultiplierString("12 3", .numeric, lower: 0, upper: 5, extensible: false)
            } == bits("100 0010 0011 0000 0100"))
        // PrintableString (SIZE(3)): no length.
        #expect(
            try write { (writer) throws(UPERError) in
                try writer.writeKnownMultiplierString(
                    "ABC", .printable, lower: 3, upper: 3, extensible: false)
            } == bits("1000001 1000010 1000011"))
        #expect(
            try read(bits("1000001 1000010 1000011")) { (reader) throws(UPERError) in
                try reader.readKnownMultiplierString(.printable, lower: 3, upper: 3, extensible: false)
            } == "ABC")
        // Extensible size outside the root.
        let long = try write { (writer) throws(UPERError) in
            try writer.writeKnownMultiplierString("hello", .visible, lower: 1, upper: 4, extensible: true)
        }
        #expect(long == bits("1 00000101 1101000 1100101 1101100 1101100 1101111"))
        #expect(
            try read(long) { (reader) throws(UPERError) in
                try reader.readKnownMultiplierString(.visible, lower: 1, upper: 4, extensible: true)
            } == "hello")
    }

    @Test("permitted alphabets (FROM): index encoding when codes do not fit, direct when they do")
    func alphabets() throws {
        let hexDigits = PermittedAlphabet("0123456789ABCDEF")
        #expect(hexDigits.bitsPerCharacter == 4 && hexDigits.usesIndices)
        #expect(
            try write { (writer) throws(UPERError) in
                try writer.writeKnownMultiplierString("9A", hexDigits, lower: 1, upper: 8, extensible: false)
            } == bits("001 1001 1010"))
        let single = PermittedAlphabet("x")
        #expect(single.bitsPerCharacter == 0)
        #expect(
            try write { (writer) throws(UPERError) in
                try writer.writeKnownMultiplierString("xxx", single, lower: 0, upper: 7, extensible: false)
            } == bits("011"))
        #expect(
            try read(bits("011")) { (reader) throws(UPERError) in
                try reader.readKnownMultiplierString(single, lower: 0, upper: 7, extensible: false)
            } == "xxx")
        // Codes 0...63 fit 6 bits: sent as themselves.
        let low = PermittedAlphabet(characters: Array(0...63))
        #expect(low.bitsPerCharacter == 6 && !low.usesIndices)
        #expect(
            try write { (writer) throws(UPERError) in
                try writer.writeKnownMultiplierString("0?", low, lower: 2, upper: 2, extensible: false)
            } == bits("110000 111111"))
        #expect(PermittedAlphabet(characters: [3, 1, 2, 1]).characters == [1, 2, 3])
    }

    @Test("characters outside the alphabet are errors with the character index and bit offset")
    func invalidCharacters() {
        // NumericString index 11 does not exist; the third character starts at bit 3 + 8.
        #expect(
            readError(bits("011 0001 0010 1011")) { (reader) throws(UPERError) in
                try reader.readKnownMultiplierString(.numeric, lower: 0, upper: 5, extensible: false)
            } == UPERError(.invalidCharacter(index: 2), bitOffset: 11))
        // VisibleString: code 0x10 is a control character.
        #expect(
            readError(bits("00000001 0010000")) { (reader) throws(UPERError) in
                try reader.readKnownMultiplierString(.visible, lower: 0, upper: nil, extensible: false)
            } == UPERError(.invalidCharacter(index: 0), bitOffset: 8))
        #expect(
            writeError { (writer) throws(UPERError) in
                try writer.writeKnownMultiplierString("12a", .numeric, lower: 0, upper: 5, extensible: false)
            } == UPERError(.invalidCharacter(index: 2), bitOffset: 0))
        #expect(
            writeError { (writer) throws(UPERError) in
                try writer.writeKnownMultiplierString("é", .ia5, lower: 0, upper: nil, extensible: false)
            } == UPERError(.invalidCharacter(index: 0), bitOffset: 0))
        #expect(
            writeError { (writer) throws(UPERError) in
                try writer.writeKnownMultiplierString(
                    "ABCD", .printable, lower: 3, upper: 3, extensible: false)
            } == UPERError(.sizeOutOfRange(size: 4, lower: 3, upper: 3), bitOffset: 0))
        // Length says 5 characters of 7 bits, only 2 octets follow.
        #expect(
            readError(bits("00000101 1111111 1111111 11")) { (reader) throws(UPERError) in
                try reader.readKnownMultiplierString(.ia5, lower: 0, upper: nil, extensible: false)
            } == UPERError(.endOfData(neededBits: 35, availableBits: 16), bitOffset: 8))
    }

    @Test("UTF8String: octet length (size constraint not PER-visible), validation")
    func utf8() throws {
        let encoded = try write { (writer) throws(UPERError) in
            try writer.writeUTF8String("嘉定", lower: 1, upper: 2, extensible: false)
        }
        #expect(encoded == [0x06, 0xE5, 0x98, 0x89, 0xE5, 0xAE, 0x9A])
        #expect(
            try read(encoded) { (reader) throws(UPERError) in
                try reader.readUTF8String(lower: 1, upper: 2, extensible: false)
            } == "嘉定")
        #expect(
            readError([0x02, 0xC3, 0x28]) { (reader) throws(UPERError) in
                try reader.readUTF8String(lower: 0, upper: nil, extensible: false)
            } == UPERError(.invalidUTF8, bitOffset: 0))
        #expect(
            readError([0x04, 0x61]) { (reader) throws(UPERError) in
                try reader.readUTF8String(lower: 0, upper: nil, extensible: false)
            } == UPERError(.endOfData(neededBits: 32, availableBits: 8), bitOffset: 8))
    }
}
