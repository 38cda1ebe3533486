import Testing
import UPER

@Suite("Length determinants and fragmentation (X.691 11.9)")
struct LengthTests {
    @Test("constrained lengths use the minimum bits; lower == upper uses none")
    func constrained() throws {
        #expect(
            try write { (writer) throws(UPERError) in try writer.writeLength(5, lower: 0, upper: 255) } == [5]
        )
        #expect(
            try write { (writer) throws(UPERError) in try writer.writeLength(7, lower: 7, upper: 7) } == [0])
        #expect(
            try write { (writer) throws(UPERError) in try writer.writeLength(65535, lower: 0, upper: 65535) }
                == [0xFF, 0xFF])
        #expect(
            try read([0xFF, 0xFF]) { (reader) throws(UPERError) in
                (try reader.readLength(lower: 0, upper: 65535), reader.bitOffset)
            } == (65535, 16))
        #expect(try read([]) { (reader) throws(UPERError) in try reader.readLength(lower: 3, upper: 3) } == 3)
        #expect(
            writeError { (writer) throws(UPERError) in try writer.writeLength(9, lower: 1, upper: 8) }
                == UPERError(.valueOutOfRange(value: 9, lower: 1, upper: 8), bitOffset: 0))
        #expect(
            readError(bits("1001")) { (reader) throws(UPERError) in try reader.readLength(lower: 1, upper: 9)
            }
                == UPERError(.valueOutOfRange(value: 10, lower: 1, upper: 9), bitOffset: 0))
    }

    @Test("general lengths: one octet to 127, two to 16383, fragments above")
    func general() throws {
        let cases: [(Int, [UInt8])] = [
            (0, [0x00]), (127, [0x7F]), (128, [0x80, 0x80]), (16383, [0xBF, 0xFF]),
        ]
        for (length, expected) in cases {
            #expect(
                try write { (writer) throws(UPERError) in try writer.writeLength(length, lower: 0, upper: nil)
                }
                    == expected)
            #expect(
                try read(expected) { (reader) throws(UPERError) in try reader.readLength(lower: 0, upper: nil)
                }
                    == length)
            // ub >= 64K also uses the general form.
            #expect(
                try read(expected) { (reader) throws(UPERError) in
                    try reader.readLength(lower: 0, upper: 65536)
                }
                    == length)
        }
        #expect(
            writeError { (writer) throws(UPERError) in try writer.writeLength(16384, lower: 0, upper: nil) }?
                .reason == .unsupported("fragmented length determinant here"))
        #expect(
            readError([0xC1]) { (reader) throws(UPERError) in try reader.readLength(lower: 0, upper: nil) }?
                .reason == .unsupported("fragmented length determinant here"))
        for (first, multiplier) in [(UInt8(0xC1), 1), (0xC2, 2), (0xC3, 3), (0xC4, 4)] {
            let chunk = try read([first]) { (reader) throws(UPERError) in try reader.readGeneralLength() }
            #expect(chunk == (multiplier * 16384, true))
        }
        #expect(
            readError([0xC5]) { (reader) throws(UPERError) in try reader.readGeneralLength() }
                == UPERError(.valueOutOfRange(value: 5, lower: 1, upper: 4), bitOffset: 0))
        #expect(
            readError([0xC0]) { (reader) throws(UPERError) in try reader.readGeneralLength() }
                == UPERError(.valueOutOfRange(value: 0, lower: 1, upper: 4), bitOffset: 0))
        #expect(
            readError([0x85]) { (reader) throws(UPERError) in try reader.readGeneralLength() }
                == UPERError(.endOfData(neededBits: 8, availableBits: 0), bitOffset: 8))
        #expect(
            readError([0x05]) { (reader) throws(UPERError) in try reader.readLength(lower: 6, upper: nil) }
                == UPERError(.valueOutOfRange(value: 5, lower: 6, upper: nil), bitOffset: 0))
    }

    /// Expected fragment layout for `size` items: [(header octets, items)].
    static func fragments(_ size: Int) -> [([UInt8], Int)] {
        var result: [([UInt8], Int)] = []
        var left = size
        while left >= 16384 {
            let multiplier = min(4, left / 16384)
            result.append(([0xC0 | UInt8(multiplier)], multiplier * 16384))
            left -= multiplier * 16384
        }
        result.append((left < 128 ? [UInt8(left)] : [0x80 | UInt8(left >> 8), UInt8(left & 0xFF)], left))
        return result
    }

    @Test(
        "OCTET STRING fragments exactly as X.691 11.9.3.8 (including the final empty length)",
        arguments: [16383, 16384, 16385, 32768, 49152, 65536, 65536 + 16384 + 5, 100_000, 147_456])
    func octetFragments(size: Int) throws {
        let value = pattern(size, seed: size)
        let encoded = try write { (writer) throws(UPERError) in
            try writer.writeOctetString(value, lower: 0, upper: nil, extensible: false)
        }
        var expected: [UInt8] = []
        var offset = 0
        for (header, count) in Self.fragments(size) {
            expected += header
            expected += value[offset..<(offset + count)]
            offset += count
        }
        #expect(encoded == expected)
        let decoded = try read(encoded) { (reader) throws(UPERError) in
            try reader.readOctetString(lower: 0, upper: nil, extensible: false)
        }
        #expect(decoded == value)
        // Open types use the same length form.
        #expect(try read(encoded) { (reader) throws(UPERError) in try reader.readOpenTypeBytes() } == value)
        let skipped = try read(encoded) { (reader) throws(UPERError) in
            try reader.skipOpenType()
            return reader.bitOffset
        }
        #expect(skipped == encoded.count * 8)
    }

    @Test("fragmentation at an unaligned position, and a fixed size of 64K or more uses lengths")
    func unalignedAndFixedLarge() throws {
        let value = pattern(65536)
        let encoded = try write { (writer) throws(UPERError) in
            writer.writeBits(0b101, count: 3)
            try writer.writeOctetString(value, lower: 65536, upper: 65536, extensible: false)
        }
        #expect(encoded.count == (3 + 8 + 65536 * 8 + 8 + 7) / 8)
        #expect(encoded[0] == 0b1011_1000)  // 101 then 11000 of the C4 header
        let decoded = try read(encoded) { (reader) throws(UPERError) in
            _ = try reader.readBits(3)
            return try reader.readOctetString(lower: 65536, upper: 65536, extensible: false)
        }
        #expect(decoded == value)
    }

    @Test("fragmented totals are checked against the bounds, and truncated fragments are errors")
    func fragmentErrors() throws {
        let big = try write { (writer) throws(UPERError) in
            try writer.writeOctetString(pattern(81925), lower: 0, upper: nil, extensible: false)
        }
        #expect(
            readError(big) { (reader) throws(UPERError) in
                try reader.readOctetString(lower: 0, upper: 70000, extensible: false)
            } == UPERError(.sizeOutOfRange(size: 81925, lower: 0, upper: 70000), bitOffset: 0))
        #expect(
            writeError { (writer) throws(UPERError) in
                try writer.writeOctetString(pattern(70001), lower: 0, upper: 70000, extensible: false)
            } == UPERError(.sizeOutOfRange(size: 70001, lower: 0, upper: 70000), bitOffset: 0))
        let truncated = Array(big.prefix(1 + 65536 + 1 + 100))
        #expect(
            readError(truncated) { (reader) throws(UPERError) in
                try reader.readOctetString(lower: 0, upper: nil, extensible: false)
            }
                == UPERError(
                    .endOfData(neededBits: 16384 * 8, availableBits: 800), bitOffset: (1 + 65536 + 1) * 8))
        // Missing the length after a fragment.
        #expect(
            readError(Array(big.prefix(1 + 65536))) { (reader) throws(UPERError) in
                try reader.readOpenTypeBytes()
            } == UPERError(.endOfData(neededBits: 8, availableBits: 0), bitOffset: (1 + 65536) * 8))
    }

    @Test("fragmented BIT STRING, known-multiplier string and SEQUENCE OF round-trip")
    func otherFragments() throws {
        let bitValue = BitString(bytes: pattern(4097), count: 32768 + 3)
        let text = String(decoding: pattern(16384 + 1).map { $0 & 0x7F }, as: UTF8.self)
        let flags = (0..<(16384 * 2 + 2)).map { $0 % 3 == 0 }
        let encoded = try write { (writer) throws(UPERError) in
            try writer.writeBitString(bitValue, lower: 0, upper: nil, extensible: false)
            try writer.writeKnownMultiplierString(text, .ia5, lower: 0, upper: nil, extensible: false)
            try writer.writeSequenceOf(flags, lower: 0, upper: nil, extensible: false) {
                (writer, flag) throws(UPERError) in writer.writeBool(flag)
            }
        }
        // BIT STRING: C2 header, 32768 bits, then length 3 and 3 bits.
        #expect(encoded[0] == 0xC2)
        #expect(Array(encoded[1..<4097]) == Array(pattern(4096)))
        #expect(encoded[4097] == 0x03)
        try read(encoded) { (reader) throws(UPERError) in
            #expect(try reader.readBitString(lower: 0, upper: nil, extensible: false) == bitValue)
            #expect(
                try reader.readKnownMultiplierString(.ia5, lower: 0, upper: nil, extensible: false) == text)
            let decodedFlags = try reader.readSequenceOf(lower: 0, upper: nil, extensible: false) {
                (reader) throws(UPERError) in try reader.readBool()
            }
            #expect(decodedFlags == flags)
            #expect(reader.remainingBits < 8)
        }
        // readCount / writeCount refuse fragmented counts (readSequenceOf handles them).
        #expect(
            writeError { (writer) throws(UPERError) in
                try writer.writeCount(16384, lower: 0, upper: nil, extensible: false)
            }?
            .reason == .unsupported("fragmented SEQUENCE OF count; use writeSequenceOf"))
        #expect(
            readError([0xC1]) { (reader) throws(UPERError) in
                try reader.readCount(lower: 0, upper: nil, extensible: false)
            }?
            .reason == .unsupported("fragmented SEQUENCE OF count; use readSequenceOf"))
    }

    @Test("SEQUENCE OF counts: fixed, ranged, extensible, unbounded")
    func counts() throws {
        #expect(
            try write { (writer) throws(UPERError) in
                try writer.writeCount(4, lower: 4, upper: 4, extensible: false)
            } == [0])
        #expect(
            try write { (writer) throws(UPERError) in
                try writer.writeCount(3, lower: 1, upper: 4, extensible: false)
            } == bits("10"))
        #expect(
            try write { (writer) throws(UPERError) in
                try writer.writeCount(3, lower: 1, upper: 4, extensible: true)
            } == bits("0 10"))
        #expect(
            try write { (writer) throws(UPERError) in
                try writer.writeCount(5, lower: 1, upper: 4, extensible: true)
            }
                == bits("1 00000101"))
        #expect(
            try write { (writer) throws(UPERError) in
                try writer.writeCount(200, lower: 0, upper: nil, extensible: false)
            }
                == [0x80, 0xC8])
        #expect(
            try read(bits("1 00000101")) { (reader) throws(UPERError) in
                try reader.readCount(lower: 1, upper: 4, extensible: true)
            } == 5)
        #expect(
            writeError { (writer) throws(UPERError) in
                try writer.writeCount(0, lower: 1, upper: 4, extensible: false)
            }
                == UPERError(.sizeOutOfRange(size: 0, lower: 1, upper: 4), bitOffset: 0))
        // 1...5 takes 3 bits; "111" is size 8.
        #expect(
            readError(bits("0 111")) { (reader) throws(UPERError) in
                try reader.readCount(lower: 1, upper: 5, extensible: true)
            } == UPERError(.sizeOutOfRange(size: 8, lower: 1, upper: 5), bitOffset: 1))
        #expect(
            readError([0x03]) { (reader) throws(UPERError) in
                try reader.readCount(lower: 4, upper: nil, extensible: false)
            }
                == UPERError(.sizeOutOfRange(size: 3, lower: 4, upper: nil), bitOffset: 0))
    }
}
