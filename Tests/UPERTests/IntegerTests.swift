import Testing
import UPER

@Suite("Integers: constrained, extensible, semi-constrained, unconstrained, normally small")
struct IntegerTests {
    struct Constrained: Sendable, CustomTestStringConvertible {
        var lower: Int64
        var upper: Int64
        var value: Int64
        var bits: String
        var testDescription: String { "\(value) in \(lower)...\(upper)" }
    }

    /// Hand-computed X.691 10.5.7.1 encodings (unaligned: minimum bits for the range, no octets).
    static let constrained: [Constrained] = [
        .init(lower: 3, upper: 6, value: 5, bits: "10"),
        .init(lower: 3, upper: 6, value: 3, bits: "00"),
        .init(lower: 3, upper: 6, value: 6, bits: "11"),
        .init(lower: 5, upper: 5, value: 5, bits: ""),
        .init(lower: 0, upper: 1, value: 1, bits: "1"),
        .init(lower: -3, upper: 3, value: -3, bits: "000"),
        .init(lower: -3, upper: 3, value: 3, bits: "110"),
        .init(lower: 0, upper: 255, value: 255, bits: "11111111"),
        .init(lower: 0, upper: 256, value: 256, bits: "100000000"),
        .init(lower: 0, upper: 256, value: 0, bits: "000000000"),
        .init(
            lower: -900_000_000, upper: 900_000_001, value: 900_000_001,
            bits: "1101011010010011101001000000001"),
        .init(lower: Int64.min, upper: Int64.max, value: -1, bits: "0" + String(repeating: "1", count: 63)),
        .init(lower: Int64.min, upper: Int64.max, value: Int64.min, bits: String(repeating: "0", count: 64)),
        .init(lower: 0, upper: Int64.max, value: Int64.max, bits: String(repeating: "1", count: 63)),
    ]

    @Test("constrained whole numbers: exact bits and round trip", arguments: constrained)
    func constrainedBits(_ item: Constrained) throws {
        let encoded = try write { (writer) throws(UPERError) in
            try writer.writeConstrainedInt(item.value, lower: item.lower, upper: item.upper)
        }
        #expect(encoded == bits(item.bits))
        let (value, end) = try read(encoded) { (reader) throws(UPERError) in
            (try reader.readConstrainedInt(lower: item.lower, upper: item.upper), reader.bitOffset)
        }
        #expect(value == item.value)
        #expect(end == item.bits.count)
    }

    @Test("constrained: values just outside the bounds are rejected by the writer at its position")
    func constrainedWriterBounds() {
        #expect(
            writeError { (writer) throws(UPERError) in
                writer.writeBits(0, count: 5)
                try writer.writeConstrainedInt(7, lower: 0, upper: 6)
            } == UPERError(.valueOutOfRange(value: 7, lower: 0, upper: 6), bitOffset: 5))
        #expect(
            writeError { (writer) throws(UPERError) in try writer.writeConstrainedInt(-4, lower: -3, upper: 3)
            }
                == UPERError(.valueOutOfRange(value: -4, lower: -3, upper: 3), bitOffset: 0))
        #expect(
            writeError { (writer) throws(UPERError) in try writer.writeConstrainedInt(4, lower: 5, upper: 5) }
                == UPERError(.valueOutOfRange(value: 4, lower: 5, upper: 5), bitOffset: 0))
    }

    @Test("constrained: an encoding above the upper bound is an error at the number's offset")
    func constrainedDecoderBounds() {
        // 0...4 takes 3 bits; "101" = 5 is out of range. Two bits of prefix first.
        #expect(
            readError(bits("11 101")) { (reader) throws(UPERError) in
                _ = try reader.readBits(2)
                return try reader.readConstrainedInt(lower: 0, upper: 4)
            } == UPERError(.valueOutOfRange(value: 5, lower: 0, upper: 4), bitOffset: 2))
        // Latitude-like range: 31 bits, all ones = 2147483647 - 900000000 > 900000001.
        #expect(
            readError([0xFF, 0xFF, 0xFF, 0xFF]) { (reader) throws(UPERError) in
                try reader.readConstrainedInt(lower: -900_000_000, upper: 900_000_001)
            }
                == UPERError(
                    .valueOutOfRange(value: 1_247_483_647, lower: -900_000_000, upper: 900_000_001),
                    bitOffset: 0))
        #expect(
            readError([0xFF]) { (reader) throws(UPERError) in
                try reader.readConstrainedInt(lower: 0, upper: 511)
            }
                == UPERError(.endOfData(neededBits: 9, availableBits: 8), bitOffset: 0))
    }

    @Test("extensible constraint: root values get bit 0, others bit 1 and an unconstrained integer")
    func extensible() throws {
        let cases: [(Int64, String)] = [
            (0, "0 000"), (7, "0 111"), (8, "1 00000001 00001000"), (-1, "1 00000001 11111111"),
            (256, "1 00000010 00000001 00000000"),
        ]
        for (value, expected) in cases {
            let encoded = try write { (writer) throws(UPERError) in
                try writer.writeConstrainedInt(value, lower: 0, upper: 7, extensible: true)
            }
            #expect(encoded == bits(expected), "value \(value)")
            #expect(
                try read(encoded) { (reader) throws(UPERError) in
                    try reader.readConstrainedInt(lower: 0, upper: 7, extensible: true)
                } == value)
        }
        // Not extensible: same encoding as the plain form, and outside values are errors.
        #expect(
            try write { (writer) throws(UPERError) in
                try writer.writeConstrainedInt(5, lower: 0, upper: 7, extensible: false)
            } == bits("101"))
        #expect(
            writeError { (writer) throws(UPERError) in
                try writer.writeConstrainedInt(8, lower: 0, upper: 7, extensible: false)
            } == UPERError(.valueOutOfRange(value: 8, lower: 0, upper: 7), bitOffset: 0))
        // Truncated after the extension bit.
        #expect(
            readError(bits("1")) { (reader) throws(UPERError) in
                try reader.readConstrainedInt(lower: 0, upper: 7, extensible: true)
            } == UPERError(.endOfData(neededBits: 8, availableBits: 7), bitOffset: 1))
    }

    @Test("semi-constrained: octet length then value minus lower bound")
    func semiConstrained() throws {
        let cases: [(Int64, Int64, [UInt8])] = [
            (-10, -10, [0x01, 0x00]), (-10, 245, [0x01, 0xFF]), (-10, 246, [0x02, 0x01, 0x00]),
            (0, 0, [0x01, 0x00]), (0, Int64.max, [0x08, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
            (Int64.min, Int64.max, [0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
        ]
        for (lower, value, expected) in cases {
            let encoded = try write { (writer) throws(UPERError) in
                try writer.writeSemiConstrainedInt(value, lower: lower)
            }
            #expect(encoded == expected, "\(value) from \(lower)")
            #expect(
                try read(encoded) { (reader) throws(UPERError) in
                    try reader.readSemiConstrainedInt(lower: lower)
                } == value)
        }
        #expect(
            writeError { (writer) throws(UPERError) in try writer.writeSemiConstrainedInt(-11, lower: -10) }
                == UPERError(.valueOutOfRange(value: -11, lower: -10, upper: nil), bitOffset: 0))
        // 9 octets never fit; 8 octets above Int64.max - lower do not either.
        #expect(
            readError([0x09] + [UInt8](repeating: 0, count: 9)) { (reader) throws(UPERError) in
                try reader.readSemiConstrainedInt(lower: 0)
            } == UPERError(.integerTooLarge(octets: 9), bitOffset: 0))
        #expect(
            readError([0x08] + [UInt8](repeating: 0xFF, count: 8)) { (reader) throws(UPERError) in
                try reader.readSemiConstrainedInt(lower: 1)
            } == UPERError(.integerTooLarge(octets: 8), bitOffset: 0))
        // Length says 4 octets, only 2 present.
        #expect(
            readError([0x04, 0x01, 0x02]) { (reader) throws(UPERError) in
                try reader.readSemiConstrainedInt(lower: 0)
            }
                == UPERError(.endOfData(neededBits: 32, availableBits: 16), bitOffset: 8))
    }

    @Test("unconstrained: minimal two's-complement octets")
    func unconstrained() throws {
        let cases: [(Int64, [UInt8])] = [
            (0, [0x01, 0x00]), (1, [0x01, 0x01]), (-1, [0x01, 0xFF]), (127, [0x01, 0x7F]),
            (128, [0x02, 0x00, 0x80]),
            (-128, [0x01, 0x80]), (-129, [0x02, 0xFF, 0x7F]),
            (Int64.max, [0x08, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
            (Int64.min, [0x08, 0x80, 0, 0, 0, 0, 0, 0, 0]),
        ]
        for (value, expected) in cases {
            let encoded = try write { (writer) throws(UPERError) in try writer.writeUnconstrainedInt(value) }
            #expect(encoded == expected, "\(value)")
            #expect(
                try read(encoded) { (reader) throws(UPERError) in try reader.readUnconstrainedInt() } == value
            )
        }
        #expect(
            readError([0x09] + [UInt8](repeating: 0, count: 9)) { (reader) throws(UPERError) in
                try reader.readUnconstrainedInt()
            } == UPERError(.integerTooLarge(octets: 9), bitOffset: 0))
        // A fragment header as the length of an integer.
        #expect(
            readError([0xC1]) { (reader) throws(UPERError) in try reader.readUnconstrainedInt() }
                == UPERError(.integerTooLarge(octets: 16384), bitOffset: 0))
    }

    @Test("normally small non-negative numbers: 6 bits up to 63, then semi-constrained")
    func normallySmall() throws {
        let cases: [(Int, String)] = [
            (0, "0 000000"), (1, "0 000001"), (63, "0 111111"), (64, "1 00000001 01000000"),
            (1000, "1 00000010 00000011 11101000"),
        ]
        for (value, expected) in cases {
            let encoded = try write { (writer) throws(UPERError) in
                try writer.writeNormallySmallNonNegative(value)
            }
            #expect(encoded == bits(expected), "\(value)")
            let (decoded, end) = try read(encoded) { (reader) throws(UPERError) in
                (try reader.readNormallySmallNonNegative(), reader.bitOffset)
            }
            #expect(decoded == value)
            #expect(end == expected.filter { $0 != " " }.count)
        }
        #expect(
            writeError { (writer) throws(UPERError) in try writer.writeNormallySmallNonNegative(-1) }
                == UPERError(.valueOutOfRange(value: -1, lower: 0, upper: nil), bitOffset: 0))
        #expect(
            readError(bits("1 00000001")) { (reader) throws(UPERError) in
                try reader.readNormallySmallNonNegative()
            }
                == UPERError(.endOfData(neededBits: 8, availableBits: 7), bitOffset: 9))
    }

    @Test("random constrained and extensible values round-trip for random ranges")
    func randomRoundTrip() throws {
        var generator = SplitMix64(state: 99)
        for _ in 0..<2000 {
            let a = Int64(bitPattern: generator.next()) >> Int64.random(in: 0...63, using: &generator)
            let b = Int64(bitPattern: generator.next()) >> Int64.random(in: 0...63, using: &generator)
            let (lower, upper) = (min(a, b), max(a, b))
            let value = Int64.random(in: lower...upper, using: &generator)
            let outside = Int64(bitPattern: generator.next()) >> Int64.random(in: 0...63, using: &generator)
            let encoded = try write { (writer) throws(UPERError) in
                try writer.writeConstrainedInt(value, lower: lower, upper: upper)
                try writer.writeConstrainedInt(outside, lower: lower, upper: upper, extensible: true)
                try writer.writeSemiConstrainedInt(value, lower: lower)
                try writer.writeUnconstrainedInt(outside)
            }
            try read(encoded) { (reader) throws(UPERError) in
                #expect(try reader.readConstrainedInt(lower: lower, upper: upper) == value)
                #expect(
                    try reader.readConstrainedInt(lower: lower, upper: upper, extensible: true) == outside)
                #expect(try reader.readSemiConstrainedInt(lower: lower) == value)
                #expect(try reader.readUnconstrainedInt() == outside)
            }
        }
    }
}
