import Testing
import UPER

/// INTEGER (0..255), for open-type tests.
struct ByteValue: UPERCodable, Equatable {
    var value: Int64
    init(_ value: Int64) { self.value = value }
    init(from reader: inout UPERReader) throws(UPERError) {
        value = try reader.readConstrainedInt(lower: 0, upper: 255)
    }
    func encode(to writer: inout UPERWriter) throws(UPERError) {
        try writer.writeConstrainedInt(value, lower: 0, upper: 255)
    }
}

/// NULL: an empty encoding.
struct NullValue: UPERCodable, Equatable {
    init() {}
    init(from reader: inout UPERReader) throws(UPERError) {}
    func encode(to writer: inout UPERWriter) throws(UPERError) {}
}

/// SEQUENCE { lat INTEGER (-900000000..900000001), inner SEQUENCE { x INTEGER (0..7) } } with error paths.
struct Position: UPERDecodable {
    var lat: Int64
    var x: Int64
    init(from reader: inout UPERReader) throws(UPERError) {
        do { lat = try reader.readConstrainedInt(lower: -900_000_000, upper: 900_000_001) } catch {
            throw error.inField("lat").inField("Position")
        }
        // A nested `do` whose catch rethrows needs `throws(UPERError)` spelled out.
        do throws(UPERError) {
            do { x = try reader.readConstrainedInt(lower: 0, upper: 4) } catch { throw error.inField("x") }
        } catch {
            throw error.inField("inner").inField("Position")
        }
    }
}

@Suite("ENUMERATED, CHOICE, SEQUENCE preamble, extension additions, open types")
struct StructureTests {
    @Test("ENUMERATED root indices use minimum bits; extensible ones an extension bit first")
    func enumerated() throws {
        #expect(
            try write { (writer) throws(UPERError) in
                try writer.writeEnumeratedIndex(.root(2), rootCount: 3, extensible: false)
            } == bits("10"))
        #expect(
            try write { (writer) throws(UPERError) in
                try writer.writeEnumeratedIndex(.root(2), rootCount: 3, extensible: true)
            } == bits("0 10"))
        #expect(
            try write { (writer) throws(UPERError) in
                try writer.writeEnumeratedIndex(.extension(1), rootCount: 3, extensible: true)
            } == bits("1 0 000001"))
        #expect(
            try write { (writer) throws(UPERError) in
                try writer.writeEnumeratedIndex(.root(0), rootCount: 1, extensible: false)
            } == [0])
        for index in [
            UPERReader.Index.root(0), .root(4), .extension(0), .extension(63), .extension(64),
            .extension(500),
        ] {
            let encoded = try write { (writer) throws(UPERError) in
                try writer.writeEnumeratedIndex(index, rootCount: 5, extensible: true)
            }
            #expect(
                try read(encoded) { (reader) throws(UPERError) in
                    try reader.readEnumeratedIndex(rootCount: 5, extensible: true)
                } == index)
        }
    }

    @Test("root index past the last alternative is an error; unknown extension indices are not")
    func indexErrors() throws {
        #expect(
            readError(bits("1 11")) { (reader) throws(UPERError) in
                _ = try reader.readBool()
                return try reader.readEnumeratedIndex(rootCount: 3, extensible: false)
            } == UPERError(.invalidIndex(index: 3, count: 3), bitOffset: 1))
        #expect(
            readError(bits("0 101")) { (reader) throws(UPERError) in
                try reader.readChoiceIndex(rootCount: 5, extensible: true)
            } == UPERError(.invalidIndex(index: 5, count: 5), bitOffset: 1))
        #expect(
            try read(bits("1 0 011110")) { (reader) throws(UPERError) in
                try reader.readChoiceIndex(rootCount: 5, extensible: true)
            } == .extension(30))
        #expect(
            writeError { (writer) throws(UPERError) in
                try writer.writeChoiceIndex(.root(3), rootCount: 3, extensible: true)
            } == UPERError(.invalidIndex(index: 3, count: 3), bitOffset: 0))
        #expect(
            writeError { (writer) throws(UPERError) in
                try writer.writeChoiceIndex(.root(-1), rootCount: 3, extensible: false)
            } == UPERError(.invalidIndex(index: -1, count: 3), bitOffset: 0))
        #expect(
            writeError { (writer) throws(UPERError) in
                try writer.writeEnumeratedIndex(.extension(0), rootCount: 3, extensible: false)
            } == UPERError(.extensionNotAllowed, bitOffset: 0))
        #expect(
            readError([]) { (reader) throws(UPERError) in
                try reader.readChoiceIndex(rootCount: 2, extensible: true)
            }
                == UPERError(.endOfData(neededBits: 1, availableBits: 0), bitOffset: 0))
    }

    @Test("CHOICE extension alternative: index then open type, unknown ones kept raw and re-encoded")
    func choiceExtension() throws {
        // ExtPick c:65535 from asn1tools: 1 0000000 (ext index 0), open type 02 ffff.
        let encoded = try write { (writer) throws(UPERError) in
            try writer.writeChoiceIndex(.extension(0), rootCount: 2, extensible: true)
            try writer.writeOpenTypeBytes([0xFF, 0xFF])
        }
        #expect(encoded == [0x80, 0x02, 0xFF, 0xFF])
        let (index, raw) = try read(encoded) { (reader) throws(UPERError) in
            (try reader.readChoiceIndex(rootCount: 2, extensible: true), try reader.readOpenTypeBytes())
        }
        #expect(index == .extension(0) && raw == [0xFF, 0xFF])
    }

    @Test("SEQUENCE preamble: extension bit then presence bits, first component most significant")
    func preamble() throws {
        #expect(
            try write { (writer) throws(UPERError) in
                try writer.writeSequencePreamble(
                    extended: true, presence: 0b101, extensible: true, optionalCount: 3)
            } == bits("1 101"))
        #expect(
            try write { (writer) throws(UPERError) in
                try writer.writeSequencePreamble(
                    extended: false, presence: 0b01, extensible: false, optionalCount: 2)
            } == bits("01"))
        for optionalCount in [0, 1, 5, 63, 64] {
            for extensible in [false, true] {
                let presence =
                    optionalCount == 0 ? 0 : UInt64.max >> UInt64(64 - optionalCount) & 0x5555_5555_5555_5555
                let encoded = try write { (writer) throws(UPERError) in
                    try writer.writeSequencePreamble(
                        extended: extensible, presence: presence, extensible: extensible,
                        optionalCount: optionalCount)
                    writer.writeBool(true)
                }
                let (preamble, marker) = try read(encoded) { (reader) throws(UPERError) in
                    (
                        try reader.readSequencePreamble(extensible: extensible, optionalCount: optionalCount),
                        try reader.readBool()
                    )
                }
                #expect(preamble.extended == extensible && preamble.presence == presence && marker)
            }
        }
        #expect(
            writeError { (writer) throws(UPERError) in
                try writer.writeSequencePreamble(
                    extended: true, presence: 0, extensible: false, optionalCount: 1)
            } == UPERError(.extensionNotAllowed, bitOffset: 0))
        #expect(
            readError([UInt8](repeating: 0, count: 10)) { (reader) throws(UPERError) in
                try reader.readSequencePreamble(extensible: true, optionalCount: 65)
            }?.reason == .unsupported("more than 64 optional components"))
        #expect(
            readError(bits("1 10")) { (reader) throws(UPERError) in
                try reader.readSequencePreamble(extensible: true, optionalCount: 8)
            } == UPERError(.endOfData(neededBits: 9, availableBits: 8), bitOffset: 0))
    }

    @Test("extension additions: normally small count - 1, then presence bits; up to 64")
    func extensionPresence() throws {
        #expect(
            try write { (writer) throws(UPERError) in
                try writer.writeExtensionPresence(count: 2, presence: 0b10)
            } == bits("0 000001 10"))
        for count in [1, 2, 63, 64] {
            let presence = UInt64.max >> UInt64(64 - count)
            let encoded = try write { (writer) throws(UPERError) in
                try writer.writeExtensionPresence(count: count, presence: presence)
            }
            #expect(
                try read(encoded) { (reader) throws(UPERError) in try reader.readExtensionPresence() } == (
                    count, presence
                ))
        }
        #expect(
            writeError { (writer) throws(UPERError) in
                try writer.writeExtensionPresence(count: 65, presence: 0)
            }?
            .reason == .unsupported("65 extension additions (1...64)"))
        #expect(
            writeError { (writer) throws(UPERError) in
                try writer.writeExtensionPresence(count: 0, presence: 0)
            } != nil)
        #expect(
            readError(bits("1 00000001 01000000") + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]) {
                (reader) throws(UPERError) in try reader.readExtensionPresence()
            } == UPERError(.unsupported("65 extension additions (at most 64)"), bitOffset: 0))
    }

    @Test("open types: known contents decoded in place, padding skipped, absolute error offsets")
    func openTypes() throws {
        let encoded = try write { (writer) throws(UPERError) in
            writer.writeBits(0b11, count: 2)
            try writer.writeOpenType(ByteValue(200))
            try writer.writeOpenType(NullValue())
            writer.writeBits(0b101, count: 3)
        }
        // 11, 00000001 11001000, 00000001 00000000 (empty encoding = one zero octet), 101.
        #expect(encoded == bits("11 00000001 11001000 00000001 00000000 101"))
        try read(encoded) { (reader) throws(UPERError) in
            _ = try reader.readBits(2)
            #expect(try reader.readOpenType(ByteValue.self) == ByteValue(200))
            #expect(reader.bitOffset == 18)
            #expect(try reader.readOpenType(NullValue.self) == NullValue())
            #expect(reader.bitOffset == 34)
            #expect(try reader.readBits(3) == 0b101)
        }
        // Contents longer than the open type: the inner read fails at the open type's end.
        #expect(
            readError([0x00, 0xFF]) { (reader) throws(UPERError) in try reader.readOpenType(ByteValue.self) }
                == UPERError(.endOfData(neededBits: 8, availableBits: 0), bitOffset: 8))
        // Length beyond the input.
        #expect(
            readError([0x03, 0x01]) { (reader) throws(UPERError) in try reader.readOpenType(ByteValue.self) }
                == UPERError(.endOfData(neededBits: 24, availableBits: 8), bitOffset: 8))
        #expect(
            readError([0x03, 0x01]) { (reader) throws(UPERError) in try reader.skipOpenType() }
                == UPERError(.endOfData(neededBits: 24, availableBits: 8), bitOffset: 8))
        // After a failed open type the reader's limit is restored (errors do not leak state).
        var generator = SplitMix64(state: 3)
        let large = (0..<20000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let fragmented = try write { (writer) throws(UPERError) in
            try writer.writeOpenTypeBytes([0x7B] + large)
            try writer.writeOpenType(ByteValue(9))
        }
        try read(fragmented) { (reader) throws(UPERError) in
            #expect(try reader.readOpenType(ByteValue.self) == ByteValue(0x7B))
            #expect(try reader.readOpenType(ByteValue.self) == ByteValue(9))
        }
    }

    @Test("writeOpenType reports inner errors at the absolute position")
    func openTypeWriteError() {
        #expect(
            writeError { (writer) throws(UPERError) in
                writer.writeBits(0, count: 4)
                try writer.writeOpenType(ByteValue(300))
            } == UPERError(.valueOutOfRange(value: 300, lower: 0, upper: 255), bitOffset: 12))
    }

    @Test("top-level decode: strict mode rejects trailing octets, allows padding and the empty encoding")
    func topLevel() throws {
        #expect(try UPERReader.decode(ByteValue.self, from: [7]) == ByteValue(7))
        #expect(try UPERReader.decode(ByteValue.self, from: [7, 8]) == ByteValue(7))
        #expect(try UPERReader.decode(ByteValue.self, from: [7], complete: true) == ByteValue(7))
        #expect(try UPERReader.decode(NullValue.self, from: [0], complete: true) == NullValue())
        do {
            _ = try UPERReader.decode(ByteValue.self, from: [7, 8], complete: true)
            Issue.record("trailing octet accepted")
        } catch {
            #expect(error == UPERError(.trailingData(bits: 8), bitOffset: 8))
        }
        #expect(try UPERWriter.encode(ByteValue(7)) == [7])
        #expect(try UPERWriter.encode(NullValue()) == [0])
        let bytes: [UInt8] = [42]
        let viaBuffer = try bytes.withUnsafeBytes { buffer throws(UPERError) in
            try UPERReader.decode(ByteValue.self, from: buffer, complete: true)
        }
        #expect(viaBuffer == ByteValue(42))
    }

    @Test("errors carry the field path built with inField and describe themselves")
    func errorPaths() {
        do {
            _ = try UPERReader.decode(Position.self, from: [0x80, 0, 0, 0x01, 0xC0])
            Issue.record("out-of-range x accepted")
        } catch {
            #expect(error.reason == .valueOutOfRange(value: 7, lower: 0, upper: 4))
            #expect(error.bitOffset == 31)
            #expect(error.path == ["Position", "inner", "x"])
            #expect(error.pathString == "Position.inner.x")
            #expect(error.description == "bit 31 at Position.inner.x: value 7 out of range 0...4")
        }
        do {
            _ = try UPERReader.decode(Position.self, from: [0x80])
            Issue.record("truncated input accepted")
        } catch {
            #expect(error.description == "bit 0 at Position.lat: end of data: needed 31 bits, 8 available")
        }
        let plain = UPERError(.sizeOutOfRange(size: 3, lower: 4, upper: nil), bitOffset: 5)
        #expect(plain.description == "bit 5: size 3 out of range 4...")
        #expect(plain.inField("a").inField("b").path == ["b", "a"])
        let reasons: [UPERError.Reason] = [
            .invalidIndex(index: 3, count: 3), .extensionNotAllowed, .invalidCharacter(index: 1),
            .invalidUTF8,
            .integerTooLarge(octets: 9), .invalidOpenType("x"), .unsupported("y"), .trailingData(bits: 8),
        ]
        for reason in reasons { #expect(!UPERError(reason, bitOffset: 0).description.isEmpty) }
    }
}
