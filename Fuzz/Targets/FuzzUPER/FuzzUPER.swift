// libFuzzer target for the UPER runtime: the input is a script of primitives with fuzzer-chosen
// constraints followed by the data they read. Every primitive must either decode or throw
// UPERError (never crash); whatever decodes is re-encoded with the same constraints and decoded
// again, and both decodings must agree (writers must accept every value readers produce).

import UPER

/// Reads script parameters; past the end of the script it yields zeros.
struct ScriptCursor {
    var bytes: ArraySlice<UInt8>

    mutating func byte() -> UInt8 { bytes.popFirst() ?? 0 }

    mutating func int(in range: ClosedRange<Int>) -> Int {
        let raw = Int(byte()) << 8 | Int(byte())
        return range.lowerBound + raw % (range.count)
    }

    /// A bound: mostly small numbers, sometimes extremes.
    mutating func bound() -> Int64 {
        switch byte() % 8 {
        case 0: return Int64.min
        case 1: return Int64.max
        case 2: return Int64(Int32.min)
        case 3: return -Int64(int(in: 0...65535))
        default: return Int64(int(in: 0...65535))
        }
    }

    mutating func size() -> (lower: Int, upper: Int?, extensible: Bool) {
        let lower = int(in: 0...70)
        let upperKind = byte() % 4
        let upper: Int? = upperKind == 0 ? nil : upperKind == 1 ? lower : lower + int(in: 0...70000)
        return (lower, upper, byte() & 1 == 1)
    }
}

/// A small SEQUENCE carried in open types: { a INTEGER (0..1000), b BOOLEAN, ... }.
struct Inner: UPERCodable, Equatable {
    var a: Int64
    var b: Bool
    init(a: Int64, b: Bool) {
        self.a = a
        self.b = b
    }
    init(from reader: inout UPERReader) throws(UPERError) {
        let (extended, _) = try reader.readSequencePreamble(extensible: true, optionalCount: 0)
        a = try reader.readConstrainedInt(lower: 0, upper: 1000)
        b = try reader.readBool()
        if extended {
            let (count, presence) = try reader.readExtensionPresence()
            for index in 0..<count where presence >> UInt64(count - 1 - index) & 1 != 0 {
                try reader.skipOpenType()
            }
        }
    }
    func encode(to writer: inout UPERWriter) throws(UPERError) {
        try writer.writeSequencePreamble(extended: false, presence: 0, extensible: true, optionalCount: 0)
        try writer.writeConstrainedInt(a, lower: 0, upper: 1000)
        writer.writeBool(b)
    }
}

/// One primitive with its constraints.
enum Operation {
    case bool
    case bits(Int)
    case constrained(Int64, Int64, extensible: Bool)
    case semiConstrained(Int64)
    case unconstrained
    case normallySmall
    case length(Int, Int?)
    case index(Int, extensible: Bool, choice: Bool)
    case preamble(extensible: Bool, optionalCount: Int)
    case extensionPresence
    case openTypeBytes
    case openTypeInner
    case octetString(Int, Int?, Bool)
    case fixedOctets(Int)
    case bitString(Int, Int?, Bool)
    case knownMultiplier(PermittedAlphabet, Int, Int?, Bool)
    case utf8
    case count(Int, Int?, Bool)

    init(_ script: inout ScriptCursor) {
        switch script.byte() % 18 {
        case 0: self = .bool
        case 1: self = .bits(script.int(in: 0...64))
        case 2:
            let (a, b) = (script.bound(), script.bound())
            self = .constrained(min(a, b), max(a, b), extensible: script.byte() & 1 == 1)
        case 3: self = .semiConstrained(script.bound())
        case 4: self = .unconstrained
        case 5: self = .normallySmall
        case 6:
            let size = script.size()
            self = .length(size.lower, size.upper)
        case 7:
            self = .index(
                script.int(in: 1...300), extensible: script.byte() & 1 == 1, choice: script.byte() & 1 == 1)
        case 8: self = .preamble(extensible: script.byte() & 1 == 1, optionalCount: script.int(in: 0...64))
        case 9: self = .extensionPresence
        case 10: self = .openTypeBytes
        case 11: self = .openTypeInner
        case 12:
            let size = script.size()
            self = .octetString(size.lower, size.upper, size.extensible)
        case 13: self = .fixedOctets([1, 2, 4, 6, 8, 9, 16][Int(script.byte() % 7)])
        case 14:
            let size = script.size()
            self = .bitString(size.lower, size.upper, size.extensible)
        case 15:
            let alphabets: [PermittedAlphabet] = [
                .ia5, .visible, .printable, .numeric, PermittedAlphabet("0123456789ABCDEF"),
                PermittedAlphabet("x"),
                PermittedAlphabet(characters: Array(0...63)),
            ]
            let alphabet = alphabets[Int(script.byte()) % alphabets.count]
            let size = script.size()
            self = .knownMultiplier(alphabet, size.lower, size.upper, size.extensible)
        case 16: self = .utf8
        default:
            let size = script.size()
            self = .count(size.lower, size.upper, size.extensible)
        }
    }
}

/// A decoded value, compared after the round trip.
enum Value: Equatable {
    case bool(Bool)
    case integer(Int64)
    case int(Int)
    case index(UPERReader.Index)
    case preamble(Bool, UInt64)
    case presence(Int, UInt64)
    case octets([UInt8])
    case inner(Inner)
    case bits(BitString)
    case string(String)
}

func read(_ operation: Operation, _ reader: inout UPERReader) throws(UPERError) -> Value {
    switch operation {
    case .bool: return .bool(try reader.readBool())
    case .bits(let count): return .integer(Int64(bitPattern: try reader.readBits(count)))
    case .constrained(let lower, let upper, let extensible):
        return .integer(try reader.readConstrainedInt(lower: lower, upper: upper, extensible: extensible))
    case .semiConstrained(let lower): return .integer(try reader.readSemiConstrainedInt(lower: lower))
    case .unconstrained: return .integer(try reader.readUnconstrainedInt())
    case .normallySmall: return .int(try reader.readNormallySmallNonNegative())
    case .length(let lower, let upper): return .int(try reader.readLength(lower: lower, upper: upper))
    case .index(let count, let extensible, let choice):
        return .index(
            choice
                ? try reader.readChoiceIndex(rootCount: count, extensible: extensible)
                : try reader.readEnumeratedIndex(rootCount: count, extensible: extensible))
    case .preamble(let extensible, let optionalCount):
        let (extended, presence) = try reader.readSequencePreamble(
            extensible: extensible, optionalCount: optionalCount)
        return .preamble(extended, presence)
    case .extensionPresence:
        let (count, presence) = try reader.readExtensionPresence()
        return .presence(count, presence)
    case .openTypeBytes: return .octets(try reader.readOpenTypeBytes())
    case .openTypeInner: return .inner(try reader.readOpenType(Inner.self))
    case .octetString(let lower, let upper, let extensible):
        return .octets(try reader.readOctetString(lower: lower, upper: upper, extensible: extensible))
    case .fixedOctets(let size):
        switch size {
        case 1: return .octets(try reader.readFixedOctets(Octets1.self).bytes)
        case 2: return .octets(try reader.readFixedOctets(Octets2.self).bytes)
        case 4: return .octets(try reader.readFixedOctets(Octets4.self).bytes)
        case 6: return .octets(try reader.readFixedOctets(Octets6.self).bytes)
        case 8: return .octets(try reader.readFixedOctets(Octets8.self).bytes)
        case 9: return .octets(try reader.readFixedOctets(Octets9.self).bytes)
        default: return .octets(try reader.readFixedOctets(Octets16.self).bytes)
        }
    case .bitString(let lower, let upper, let extensible):
        return .bits(try reader.readBitString(lower: lower, upper: upper, extensible: extensible))
    case .knownMultiplier(let alphabet, let lower, let upper, let extensible):
        return .string(
            try reader.readKnownMultiplierString(alphabet, lower: lower, upper: upper, extensible: extensible)
        )
    case .utf8: return .string(try reader.readUTF8String(lower: 0, upper: nil, extensible: false))
    case .count(let lower, let upper, let extensible):
        return .int(try reader.readCount(lower: lower, upper: upper, extensible: extensible))
    }
}

func write(_ operation: Operation, _ value: Value, _ writer: inout UPERWriter) throws(UPERError) {
    switch (operation, value) {
    case (.bool, .bool(let flag)): writer.writeBool(flag)
    case (.bits(let count), .integer(let bits)): writer.writeBits(UInt64(bitPattern: bits), count: count)
    case (.constrained(let lower, let upper, let extensible), .integer(let number)):
        try writer.writeConstrainedInt(number, lower: lower, upper: upper, extensible: extensible)
    case (.semiConstrained(let lower), .integer(let number)):
        try writer.writeSemiConstrainedInt(number, lower: lower)
    case (.unconstrained, .integer(let number)): try writer.writeUnconstrainedInt(number)
    case (.normallySmall, .int(let number)): try writer.writeNormallySmallNonNegative(number)
    case (.length(let lower, let upper), .int(let number)):
        try writer.writeLength(number, lower: lower, upper: upper)
    case (.index(let count, let extensible, let choice), .index(let index)):
        if choice {
            try writer.writeChoiceIndex(index, rootCount: count, extensible: extensible)
        } else {
            try writer.writeEnumeratedIndex(index, rootCount: count, extensible: extensible)
        }
    case (.preamble(let extensible, let optionalCount), .preamble(let extended, let presence)):
        try writer.writeSequencePreamble(
            extended: extended, presence: presence, extensible: extensible, optionalCount: optionalCount)
    case (.extensionPresence, .presence(let count, let presence)):
        try writer.writeExtensionPresence(count: count, presence: presence)
    case (.openTypeBytes, .octets(let bytes)): try writer.writeOpenTypeBytes(bytes)
    case (.openTypeInner, .inner(let inner)): try writer.writeOpenType(inner)
    case (.octetString(let lower, let upper, let extensible), .octets(let bytes)):
        try writer.writeOctetString(bytes, lower: lower, upper: upper, extensible: extensible)
    case (.fixedOctets(let size), .octets(let bytes)):
        try writer.writeOctetString(bytes, lower: size, upper: size, extensible: false)
    case (.bitString(let lower, let upper, let extensible), .bits(let bits)):
        try writer.writeBitString(bits, lower: lower, upper: upper, extensible: extensible)
    case (.knownMultiplier(let alphabet, let lower, let upper, let extensible), .string(let text)):
        try writer.writeKnownMultiplierString(
            text, alphabet, lower: lower, upper: upper, extensible: extensible)
    case (.utf8, .string(let text)): try writer.writeUTF8String(text, lower: 0, upper: nil, extensible: false)
    case (.count(let lower, let upper, let extensible), .int(let number)):
        try writer.writeCount(number, lower: lower, upper: upper, extensible: extensible)
    default: fatalError("value \(value) does not belong to \(operation)")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzUPER(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start, count > 0 else { return 0 }
    let input = Array(UnsafeBufferPointer(start: start, count: count))
    // First byte: script length (in bytes); the script, then the data.
    let scriptLength = min(Int(input[0]), input.count - 1)
    var script = ScriptCursor(bytes: input[1..<(1 + scriptLength)])
    var operations: [Operation] = []
    while !script.bytes.isEmpty && operations.count < 32 { operations.append(Operation(&script)) }
    let data = Array(input[(1 + scriptLength)...])

    var values: [Value] = []
    let failed: UPERError? = data.withUnsafeBytes { buffer in
        var reader = UPERReader(buffer)
        for operation in operations {
            do throws(UPERError) {
                values.append(try read(operation, &reader))
            } catch {
                precondition(
                    error.bitOffset >= 0 && error.bitOffset <= buffer.count * 8, "bad offset \(error)")
                return error
            }
        }
        return nil
    }
    _ = failed?.description

    // Re-encode what decoded and decode it again.
    var writer = UPERWriter()
    for (operation, value) in zip(operations, values) {
        do throws(UPERError) {
            try write(operation, value, &writer)
        } catch {
            fatalError("writer rejected decoded value \(value) for \(operation): \(error)")
        }
    }
    let encoded = writer.finish()
    encoded.withUnsafeBytes { buffer in
        var reader = UPERReader(buffer)
        for (operation, value) in zip(operations, values) {
            do throws(UPERError) {
                let again = try read(operation, &reader)
                precondition(again == value, "round trip changed \(value) to \(again) for \(operation)")
            } catch {
                fatalError("re-encoded \(value) for \(operation) does not decode: \(error)")
            }
        }
    }
    return 0
}
