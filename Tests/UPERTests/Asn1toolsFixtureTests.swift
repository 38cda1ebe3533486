import Foundation
import Testing
import UPER

/// One encoding made by asn1tools (Tools/uper_fixtures.py; the ASN.1 is in the fixture's `spec`).
struct FixtureCase: Codable, Sendable, CustomTestStringConvertible {
    var type: String
    var text: String
    var hex: String
    var testDescription: String { "\(type) \(text.prefix(40))" }

    static let all: [FixtureCase] = {
        struct File: Codable { var cases: [FixtureCase] }
        guard let url = Bundle.module.url(forResource: "Fixtures/asn1tools-uper", withExtension: "json"),
            let data = try? Data(contentsOf: url),
            let file = try? JSONDecoder().decode(File.self, from: data)
        else { return [] }
        return file.cases
    }()
}

/// Decodes a value of one fixture type, renders it as the fixture's `text`, and re-encodes it.
struct FixtureCodec: Sendable {
    var run: @Sendable (inout UPERReader) throws(UPERError) -> (text: String, encoding: [UInt8])

    init<Value>(
        read: @escaping @Sendable (inout UPERReader) throws(UPERError) -> Value,
        write: @escaping @Sendable (inout UPERWriter, Value) throws(UPERError) -> Void,
        render: @escaping @Sendable (Value) -> String
    ) {
        run = { (reader) throws(UPERError) in
            let value = try read(&reader)
            var writer = UPERWriter()
            try write(&writer, value)
            return (render(value), writer.finish())
        }
    }

    static func integer(_ lower: Int64, _ upper: Int64, extensible: Bool = false) -> FixtureCodec {
        FixtureCodec(
            read: { (reader) throws(UPERError) in
                try reader.readConstrainedInt(lower: lower, upper: upper, extensible: extensible)
            },
            write: { (writer, value) throws(UPERError) in
                try writer.writeConstrainedInt(value, lower: lower, upper: upper, extensible: extensible)
            }, render: { "\($0)" })
    }

    static func octets(_ lower: Int, _ upper: Int?, extensible: Bool = false) -> FixtureCodec {
        FixtureCodec(
            read: { (reader) throws(UPERError) in
                try reader.readOctetString(lower: lower, upper: upper, extensible: extensible)
            },
            write: { (writer, value) throws(UPERError) in
                try writer.writeOctetString(value, lower: lower, upper: upper, extensible: extensible)
            },
            render: { value in
                value.count < 256
                    ? hexString(value) : value == pattern(value.count) ? "pattern:\(value.count)" : "?"
            })
    }

    static func bitString(_ lower: Int, _ upper: Int?) -> FixtureCodec {
        FixtureCodec(
            read: { (reader) throws(UPERError) in
                try reader.readBitString(lower: lower, upper: upper, extensible: false)
            },
            write: { (writer, value) throws(UPERError) in
                try writer.writeBitString(value, lower: lower, upper: upper, extensible: false)
            },
            render: { value in
                if value.count > 1000 {
                    return value == BitString(bytes: pattern(value.count / 8 + 1), count: value.count)
                        ? "\(value.count):pattern" : "?"
                }
                return "\(value.count):\(hexString(value.bytes))"
            })
    }

    static func string(_ alphabet: PermittedAlphabet, _ lower: Int, _ upper: Int?) -> FixtureCodec {
        FixtureCodec(
            read: { (reader) throws(UPERError) in
                try reader.readKnownMultiplierString(alphabet, lower: lower, upper: upper, extensible: false)
            },
            write: { (writer, value) throws(UPERError) in
                try writer.writeKnownMultiplierString(
                    value, alphabet, lower: lower, upper: upper, extensible: false)
            }, render: { $0 })
    }

    static func index(_ rootCount: Int, extensible: Bool) -> FixtureCodec {
        FixtureCodec(
            read: { (reader) throws(UPERError) in
                try reader.readEnumeratedIndex(rootCount: rootCount, extensible: extensible)
            },
            write: { (writer, value) throws(UPERError) in
                try writer.writeEnumeratedIndex(value, rootCount: rootCount, extensible: extensible)
            },
            render: { value in
                switch value {
                case .root(let index): "root:\(index)"
                case .extension(let index): "ext:\(index)"
                }
            })
    }

    static func sequenceOf<Element: Sendable>(
        _ lower: Int, _ upper: Int?, extensible: Bool,
        read element: @escaping @Sendable (inout UPERReader) throws(UPERError) -> Element,
        write writeElement: @escaping @Sendable (inout UPERWriter, Element) throws(UPERError) -> Void
    ) -> FixtureCodec {
        FixtureCodec(
            read: { (reader) throws(UPERError) in
                let count = try reader.readCount(lower: lower, upper: upper, extensible: extensible)
                var elements: [Element] = []
                for _ in 0..<count { elements.append(try element(&reader)) }
                return elements
            },
            write: { (writer, elements) throws(UPERError) in
                try writer.writeCount(elements.count, lower: lower, upper: upper, extensible: extensible)
                for element in elements { try writeElement(&writer, element) }
            },
            render: { "[" + $0.map { "\($0)" }.joined(separator: ",") + "]" })
    }

    static func codable<T: UPERCodable & CustomStringConvertible>(_ type: T.Type) -> FixtureCodec {
        FixtureCodec(
            read: { (reader) throws(UPERError) in try T(from: &reader) },
            write: { (writer, value) throws(UPERError) in try value.encode(to: &writer) },
            render: { $0.description })
    }

    static let byType: [String: FixtureCodec] = [
        "Fixed": .integer(5, 5), "Bit": .integer(0, 1), "Small": .integer(-3, 3), "Byte": .integer(0, 255),
        "NineBits": .integer(0, 256), "Int32": .integer(-2_147_483_648, 2_147_483_647),
        "Latitude": .integer(-900_000_000, 900_000_001), "Positive63": .integer(0, Int64.max),
        "Full64": .integer(Int64.min, Int64.max),
        "ExtInt": .integer(0, 7, extensible: true), "ExtNeg": .integer(-100, 100, extensible: true),
        "Unconstrained": FixtureCodec(
            read: { (reader) throws(UPERError) in try reader.readUnconstrainedInt() },
            write: { (writer, value) throws(UPERError) in try writer.writeUnconstrainedInt(value) },
            render: { "\($0)" }),
        "Flag": FixtureCodec(
            read: { (reader) throws(UPERError) in try reader.readBool() },
            write: { (writer, value) throws(UPERError) in writer.writeBool(value) }, render: { "\($0)" }),
        "Nothing": .codable(NullValue.self),
        "Colour": .index(3, extensible: false), "Single": .index(1, extensible: false),
        "ExtColour": .index(3, extensible: true),
        "Pick": .codable(Pick.self), "ExtPick": .codable(ExtPick.self),
        "Octets4": FixtureCodec(
            read: { (reader) throws(UPERError) in try reader.readFixedOctets(Octets4.self) },
            write: { (writer, value) throws(UPERError) in try writer.writeFixedOctets(value) },
            render: { $0.hexString }),
        "Octets1To8": .octets(1, 8), "ExtOctets": .octets(2, 4, extensible: true),
        "AnyOctets": .octets(0, nil),
        "Bits12": .bitString(12, 12), "Bits0To80": .bitString(0, 80), "AnyBits": .bitString(0, nil),
        "Name": .string(.ia5, 1, 20), "Digits": .string(.numeric, 0, 5), "Code3": .string(.printable, 3, 3),
        "Visible": .string(.visible, 0, nil),
        "HexDigits": .string(PermittedAlphabet("0123456789ABCDEF"), 1, 8),
        "Letters": .string(PermittedAlphabet("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), 0, nil),
        "Text": FixtureCodec(
            read: { (reader) throws(UPERError) in
                try reader.readUTF8String(lower: 0, upper: nil, extensible: false)
            },
            write: { (writer, value) throws(UPERError) in
                try writer.writeUTF8String(value, lower: 0, upper: nil, extensible: false)
            }, render: { $0 }),
        "Nibbles": .sequenceOf(
            1, 4, extensible: false,
            read: { (reader) throws(UPERError) in try reader.readConstrainedInt(lower: 0, upper: 15) },
            write: { (writer, value) throws(UPERError) in
                try writer.writeConstrainedInt(value, lower: 0, upper: 15)
            }),
        "ExtNibbles": .sequenceOf(
            1, 4, extensible: true,
            read: { (reader) throws(UPERError) in try reader.readConstrainedInt(lower: 0, upper: 15) },
            write: { (writer, value) throws(UPERError) in
                try writer.writeConstrainedInt(value, lower: 0, upper: 15)
            }),
        "Flags": .sequenceOf(
            0, nil, extensible: false, read: { (reader) throws(UPERError) in try reader.readBool() },
            write: { (writer, value) throws(UPERError) in writer.writeBool(value) }),
        "Record": .codable(Record.self), "Closed": .codable(Closed.self),
    ]
}

extension NullValue: CustomStringConvertible {
    var description: String { "null" }
}

/// Pick ::= CHOICE { a INTEGER (0..3), b BOOLEAN, c NULL }
enum Pick: UPERCodable, CustomStringConvertible, Equatable {
    case a(Int64)
    case b(Bool)
    case c

    init(from reader: inout UPERReader) throws(UPERError) {
        switch try reader.readChoiceIndex(rootCount: 3, extensible: false) {
        case .root(0): self = .a(try reader.readConstrainedInt(lower: 0, upper: 3))
        case .root(1): self = .b(try reader.readBool())
        default: self = .c
        }
    }

    func encode(to writer: inout UPERWriter) throws(UPERError) {
        switch self {
        case .a(let value):
            try writer.writeChoiceIndex(.root(0), rootCount: 3, extensible: false)
            try writer.writeConstrainedInt(value, lower: 0, upper: 3)
        case .b(let value):
            try writer.writeChoiceIndex(.root(1), rootCount: 3, extensible: false)
            writer.writeBool(value)
        case .c:
            try writer.writeChoiceIndex(.root(2), rootCount: 3, extensible: false)
        }
    }

    var description: String {
        switch self {
        case .a(let value): "a:\(value)"
        case .b(let value): "b:\(value)"
        case .c: "c:null"
        }
    }
}

/// ExtPick ::= CHOICE { a INTEGER (0..3), b BOOLEAN, ..., c INTEGER (0..65535), d IA5String }
enum ExtPick: UPERCodable, CustomStringConvertible {
    case a(Int64)
    case b(Bool)
    case c(Int64)
    case d(String)
    case unknown(Int, [UInt8])

    struct Word: UPERCodable {
        var value: Int64
        init(_ value: Int64) { self.value = value }
        init(from reader: inout UPERReader) throws(UPERError) {
            value = try reader.readConstrainedInt(lower: 0, upper: 65535)
        }
        func encode(to writer: inout UPERWriter) throws(UPERError) {
            try writer.writeConstrainedInt(value, lower: 0, upper: 65535)
        }
    }

    struct Text: UPERCodable {
        var value: String
        init(_ value: String) { self.value = value }
        init(from reader: inout UPERReader) throws(UPERError) {
            value = try reader.readKnownMultiplierString(.ia5, lower: 0, upper: nil, extensible: false)
        }
        func encode(to writer: inout UPERWriter) throws(UPERError) {
            try writer.writeKnownMultiplierString(value, .ia5, lower: 0, upper: nil, extensible: false)
        }
    }

    init(from reader: inout UPERReader) throws(UPERError) {
        switch try reader.readChoiceIndex(rootCount: 2, extensible: true) {
        case .root(0): self = .a(try reader.readConstrainedInt(lower: 0, upper: 3))
        case .root(_): self = .b(try reader.readBool())
        case .extension(0): self = .c(try reader.readOpenType(Word.self).value)
        case .extension(1): self = .d(try reader.readOpenType(Text.self).value)
        case .extension(let index): self = .unknown(index, try reader.readOpenTypeBytes())
        }
    }

    func encode(to writer: inout UPERWriter) throws(UPERError) {
        switch self {
        case .a(let value):
            try writer.writeChoiceIndex(.root(0), rootCount: 2, extensible: true)
            try writer.writeConstrainedInt(value, lower: 0, upper: 3)
        case .b(let value):
            try writer.writeChoiceIndex(.root(1), rootCount: 2, extensible: true)
            writer.writeBool(value)
        case .c(let value):
            try writer.writeChoiceIndex(.extension(0), rootCount: 2, extensible: true)
            try writer.writeOpenType(Word(value))
        case .d(let value):
            try writer.writeChoiceIndex(.extension(1), rootCount: 2, extensible: true)
            try writer.writeOpenType(Text(value))
        case .unknown(let index, let bytes):
            try writer.writeChoiceIndex(.extension(index), rootCount: 2, extensible: true)
            try writer.writeOpenTypeBytes(bytes)
        }
    }

    var description: String {
        switch self {
        case .a(let value): "a:\(value)"
        case .b(let value): "b:\(value)"
        case .c(let value): "c:\(value)"
        case .d(let value): "d:\(value)"
        case .unknown(let index, let bytes): "unknown\(index):\(hexString(bytes))"
        }
    }
}

/// Record ::= SEQUENCE { a INTEGER (0..3), b BOOLEAN OPTIONAL, c IA5String (SIZE(0..3)) DEFAULT "x",
///   ..., d INTEGER (0..255) OPTIONAL, e Pick OPTIONAL }
struct Record: UPERCodable, CustomStringConvertible {
    var a: Int64
    var b: Bool?
    var c = "x"
    var d: Int64?
    var e: Pick?
    /// Additions after the known ones, kept raw (index, octets).
    var unknownAdditions: [(Int, [UInt8])] = []

    init(from reader: inout UPERReader) throws(UPERError) {
        let (extended, presence) = try reader.readSequencePreamble(extensible: true, optionalCount: 2)
        a = try reader.readConstrainedInt(lower: 0, upper: 3)
        if presence & 0b10 != 0 { b = try reader.readBool() }
        if presence & 0b01 != 0 {
            c = try reader.readKnownMultiplierString(.ia5, lower: 0, upper: 3, extensible: false)
        }
        guard extended else { return }
        let (count, additions) = try reader.readExtensionPresence()
        for index in 0..<count where additions >> UInt64(count - 1 - index) & 1 != 0 {
            switch index {
            case 0: d = try reader.readOpenType(ByteValue.self).value
            case 1: e = try reader.readOpenType(Pick.self)
            default: unknownAdditions.append((index, try reader.readOpenTypeBytes()))
            }
        }
    }

    func encode(to writer: inout UPERWriter) throws(UPERError) {
        let extended = d != nil || e != nil || !unknownAdditions.isEmpty
        let presence: UInt64 = (b != nil ? 0b10 : 0) | (c != "x" ? 0b01 : 0)
        try writer.writeSequencePreamble(
            extended: extended, presence: presence, extensible: true, optionalCount: 2)
        try writer.writeConstrainedInt(a, lower: 0, upper: 3)
        if let b { writer.writeBool(b) }
        if c != "x" { try writer.writeKnownMultiplierString(c, .ia5, lower: 0, upper: 3, extensible: false) }
        guard extended else { return }
        // The bitmap covers every extension addition of the type (X.691 19.8), not only up to the last present one.
        let count = max(2, (unknownAdditions.map(\.0).max() ?? -1) + 1)
        var bits: UInt64 = 0
        if d != nil { bits |= 1 << UInt64(count - 1) }
        if e != nil { bits |= 1 << UInt64(count - 2) }
        for (index, _) in unknownAdditions { bits |= 1 << UInt64(count - 1 - index) }
        try writer.writeExtensionPresence(count: count, presence: bits)
        if let d { try writer.writeOpenType(ByteValue(d)) }
        if let e { try writer.writeOpenType(e) }
        for (_, bytes) in unknownAdditions { try writer.writeOpenTypeBytes(bytes) }
    }

    var description: String {
        "a=\(a),b=\(b.map { "\($0)" } ?? "-"),c=\(c),d=\(d.map { "\($0)" } ?? "-"),e=\(e.map { "\($0)" } ?? "-")"
    }
}

/// Closed ::= SEQUENCE { a INTEGER (0..3), b OCTET STRING (SIZE(4)) OPTIONAL }
struct Closed: UPERCodable, CustomStringConvertible {
    var a: Int64
    var b: Octets4?

    init(from reader: inout UPERReader) throws(UPERError) {
        let (_, presence) = try reader.readSequencePreamble(extensible: false, optionalCount: 1)
        a = try reader.readConstrainedInt(lower: 0, upper: 3)
        if presence & 1 != 0 { b = try reader.readFixedOctets(Octets4.self) }
    }

    func encode(to writer: inout UPERWriter) throws(UPERError) {
        try writer.writeSequencePreamble(
            extended: false, presence: b != nil ? 1 : 0, extensible: false, optionalCount: 1)
        try writer.writeConstrainedInt(a, lower: 0, upper: 3)
        if let b { try writer.writeFixedOctets(b) }
    }

    var description: String { "a=\(a),b=\(b.map(\.hexString) ?? "-")" }
}

@Suite("Cross-check with asn1tools encodings (committed fixture)")
struct Asn1toolsFixtureTests {
    @Test("the fixture is present and covers every codec")
    func fixturePresent() {
        #expect(FixtureCase.all.count >= 150)
        #expect(Set(FixtureCase.all.map(\.type)) == Set(FixtureCodec.byType.keys))
    }

    @Test("decode gives asn1tools' value, re-encoding gives asn1tools' octets", arguments: FixtureCase.all)
    func matchesAsn1tools(_ item: FixtureCase) throws {
        let codec = try #require(FixtureCodec.byType[item.type], "no codec for \(item.type)")
        let bytes = hex(item.hex)
        // asn1tools returns an empty encoding as no octets; X.691 11.1 sends one zero octet.
        let input = bytes.isEmpty ? [0] : bytes
        let (result, rest) = try read(input) { (reader) throws(UPERError) in
            (try codec.run(&reader), reader.remainingBits)
        }
        #expect(result.text == item.text)
        #expect(result.encoding == input)
        #expect(rest < 8 || bytes.isEmpty)
        // Every strict prefix fails cleanly (truncation is an error, never a crash or a wrong value).
        if input.count < 64 {
            for length in 0..<input.count where !(input.count == 1 && input[0] == 0) {
                let prefix = Array(input.prefix(length))
                let outcome = Result { () throws(UPERError) in
                    try read(prefix) { (reader) throws(UPERError) in try codec.run(&reader) }
                }
                if case .success(let partial) = outcome {
                    // A prefix may still hold a complete shorter value (trailing zero octets).
                    #expect(partial.encoding != input || bytes.last == 0, "prefix \(length) decoded as whole")
                }
            }
        }
    }

    @Test("an unknown CHOICE extension alternative is kept raw and re-encoded identically")
    func unknownChoiceAlternative() throws {
        // ExtPick with extension index 5 carrying 3 octets.
        let encoded = try write { (writer) throws(UPERError) in
            try writer.writeChoiceIndex(.extension(5), rootCount: 2, extensible: true)
            try writer.writeOpenTypeBytes([1, 2, 3])
        }
        let value = try UPERReader.decode(ExtPick.self, from: encoded, complete: true)
        #expect(value.description == "unknown5:010203")
        #expect(try UPERWriter.encode(value) == encoded)
    }

    @Test("unknown SEQUENCE extension additions are skipped by index and kept raw")
    func unknownAdditions() throws {
        var record = try UPERReader.decode(Record.self, from: hex("88180720"))
        #expect(record.description == "a=1,b=-,c=x,d=200,e=-")
        record.unknownAdditions = [(4, [0xAA, 0xBB])]
        let encoded = try UPERWriter.encode(record)
        let decoded = try UPERReader.decode(Record.self, from: encoded, complete: true)
        #expect(decoded.d == 200 && decoded.e == nil)
        #expect(decoded.unknownAdditions.count == 1 && decoded.unknownAdditions[0].0 == 4)
        #expect(decoded.unknownAdditions[0].1 == [0xAA, 0xBB])
    }
}
