import Testing
import UPER

@Suite("Bit cursor: readBits, readBool, skipBits, writer bits")
struct BitCursorTests {
    /// Reference: bit `index` of `bytes`, MSB first.
    static func bit(_ bytes: [UInt8], _ index: Int) -> UInt64 {
        UInt64((bytes[index / 8] >> UInt8(7 - index % 8)) & 1)
    }

    @Test("readBits matches a bit-by-bit reference at every offset and width, including the buffer end")
    func readBitsAgainstReference() throws {
        var generator = SplitMix64(state: 42)
        let bytes = (0..<24).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for offset in 0..<(bytes.count * 8) {
            for count in 0...64 where offset + count <= bytes.count * 8 {
                var expected: UInt64 = 0
                for index in offset..<(offset + count) { expected = expected << 1 | Self.bit(bytes, index) }
                let (value, end) = try read(bytes) { (reader) throws(UPERError) in
                    try reader.skipBits(offset)
                    return (try reader.readBits(count), reader.bitOffset)
                }
                #expect(value == expected, "offset \(offset) count \(count)")
                #expect(end == offset + count)
            }
        }
    }

    @Test("short buffers (below the 8-byte window) and open-type limits read the same bits")
    func shortBuffers() throws {
        var generator = SplitMix64(state: 11)
        for length in 1...9 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            for offset in 0..<(length * 8) {
                for count in 1...min(64, length * 8 - offset) {
                    var expected: UInt64 = 0
                    for index in offset..<(offset + count) {
                        expected = expected << 1 | Self.bit(bytes, index)
                    }
                    let value = try read(bytes) { (reader) throws(UPERError) in
                        try reader.skipBits(offset)
                        return try reader.readBits(count)
                    }
                    #expect(value == expected, "length \(length) offset \(offset) count \(count)")
                }
            }
        }
    }

    @Test("readBool reads MSB first and stops at the end with the bit offset")
    func readBool() throws {
        let values = try read([0b1010_0001]) { (reader) throws(UPERError) in
            try (0..<8).map { _ throws(UPERError) in try reader.readBool() }
        }
        #expect(values == [true, false, true, false, false, false, false, true])
        let error = readError([0xFF]) { (reader) throws(UPERError) in
            try reader.skipBits(8)
            return try reader.readBool()
        }
        #expect(error == UPERError(.endOfData(neededBits: 1, availableBits: 0), bitOffset: 8))
        #expect(
            readError([]) { (reader) throws(UPERError) in try reader.readBool() }
                == UPERError(.endOfData(neededBits: 1, availableBits: 0), bitOffset: 0))
    }

    @Test("truncated reads report needed and available bits at the failing offset")
    func truncated() {
        #expect(
            readError([0xAB]) { (reader) throws(UPERError) in try reader.readBits(9) }
                == UPERError(.endOfData(neededBits: 9, availableBits: 8), bitOffset: 0))
        #expect(
            readError([0xAB]) { (reader) throws(UPERError) in
                _ = try reader.readBits(3)
                return try reader.readBits(6)
            } == UPERError(.endOfData(neededBits: 6, availableBits: 5), bitOffset: 3))
        #expect(
            readError([0xAB, 0xCD]) { (reader) throws(UPERError) in try reader.skipBits(17) }
                == UPERError(.endOfData(neededBits: 17, availableBits: 16), bitOffset: 0))
        #expect(
            readError([UInt8](repeating: 0, count: 16)) { (reader) throws(UPERError) in
                try reader.readBits(65)
            }?
            .reason == .unsupported("read of 65 bits at once (at most 64)"))
    }

    @Test("reading zero bits consumes nothing, even from an empty buffer")
    func zeroBits() throws {
        let (value, offset) = try read([]) { (reader) throws(UPERError) in
            (try reader.readBits(0), reader.bitOffset)
        }
        #expect(value == 0 && offset == 0)
    }

    @Test("remainingBits and bitOffset track the cursor")
    func offsets() throws {
        try read([1, 2, 3]) { (reader) throws(UPERError) in
            #expect(reader.remainingBits == 24)
            _ = try reader.readBits(13)
            #expect(reader.bitOffset == 13 && reader.remainingBits == 11)
        }
    }

    @Test("writeBits of random widths round-trips through readBits")
    func writerRoundTrip() throws {
        var generator = SplitMix64(state: 7)
        var items: [(UInt64, Int)] = []
        var writer = UPERWriter()
        var total = 0
        for _ in 0..<3000 {
            let count = Int.random(in: 0...64, using: &generator)
            let value = count == 0 ? 0 : generator.next() >> UInt64(64 - count)
            items.append((value, count))
            writer.writeBits(value, count: count)
            total += count
            #expect(writer.bitCount == total)
        }
        let bytes = writer.finish()
        #expect(bytes.count == (total + 7) / 8)
        try read(bytes) { (reader) throws(UPERError) in
            for (value, count) in items { #expect(try reader.readBits(count) == value) }
            #expect(reader.remainingBits < 8)
        }
    }

    @Test("writeBits keeps only the low bits; finish pads with zeros; empty encoding is one zero octet")
    func writerPadding() {
        var writer = UPERWriter()
        writer.writeBits(0xFF, count: 3)
        writer.writeBool(false)
        writer.writeBool(true)
        #expect(writer.bitCount == 5)
        #expect(writer.finish() == [0b1110_1000])
        var empty = UPERWriter()
        #expect(empty.finish() == [0])
        var full = UPERWriter()
        full.writeBits(0x0123_4567_89AB_CDEF, count: 64)
        full.writeBits(1, count: 1)
        #expect(full.finish() == [0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0x80])
    }
}
