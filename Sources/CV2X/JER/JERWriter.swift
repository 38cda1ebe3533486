import UPER

/// A value that renders itself as X.697 JSON (JER), in the exact form asn1tools' `jer` codec
/// produces for the same schema and value (compact separators, keys in schema order).
public protocol JERRenderable {
    /// Appends the JER of this value to `writer`.
    func writeJER(to writer: inout JERWriter)
}

extension JERRenderable {
    /// The JER of this value as a string.
    public var jer: String {
        var writer = JERWriter()
        writeJER(to: &writer)
        return writer.string
    }
}

/// The ASN.1 NULL value.
public struct ASN1Null: Hashable, Sendable {
    /// The only NULL value.
    public init() {}
}

/// Writes compact JSON into a byte buffer by hand (no Foundation), tracking where commas go.
///
/// Value forms follow asn1tools 0.169 `jer`: INTEGER as a number, BOOLEAN `true`/`false`, NULL
/// `null`, ENUMERATED as its identifier string, OCTET STRING as uppercase hex, BIT STRING as
/// uppercase hex of its octets when the type's size constraint has a single value, otherwise
/// `{"value": hex, "length": bits}`; character strings escaped as Python's `json.dumps` does
/// (`ensure_ascii`: everything outside printable ASCII as `\uXXXX`, lowercase hex).
public struct JERWriter: Sendable {
    /// The JSON written so far (UTF-8).
    public private(set) var bytes: [UInt8]
    @usableFromInline var needsComma = false

    /// Creates an empty writer with room for `capacity` bytes.
    public init(capacity: Int = 512) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// The JSON written so far as a string.
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    /// Empties the buffer, keeping its storage, so the writer can render the next value.
    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        needsComma = false
    }

    @inline(__always)
    mutating func separator() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    @inline(__always)
    mutating func appendStatic(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends already-valid JSON text as one value.
    public mutating func rawValue(_ json: some Sequence<UInt8>) {
        separator()
        bytes.append(contentsOf: json)
        needsComma = true
    }

    /// Ends a JSON line: appends `\n`; the next value starts a new top-level value.
    public mutating func newline() {
        bytes.append(UInt8(ascii: "\n"))
        needsComma = false
    }

    /// `{`
    public mutating func beginObject() {
        separator()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    /// `}`
    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    /// `[`
    public mutating func beginArray() {
        separator()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    /// `]`
    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// An object key (an ASN.1 identifier: needs no escaping) followed by `:`.
    public mutating func key(_ name: StaticString) {
        separator()
        bytes.append(UInt8(ascii: "\""))
        appendStatic(name)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// An object key given at run time (escaped).
    public mutating func key(_ name: String) {
        string(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// An ENUMERATED identifier as a JSON string.
    public mutating func identifier(_ name: StaticString) {
        separator()
        bytes.append(UInt8(ascii: "\""))
        appendStatic(name)
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    /// An integer in decimal.
    public mutating func int(_ value: Int64) {
        separator()
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits = 1
        var probe = magnitude
        while probe >= 10 {
            probe /= 10
            digits += 1
        }
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits))
        var index = start + digits - 1
        repeat {
            bytes[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
            magnitude /= 10
            index -= 1
        } while magnitude > 0
        needsComma = true
    }

    /// `true` / `false`.
    public mutating func bool(_ value: Bool) {
        separator()
        appendStatic(value ? "true" : "false")
        needsComma = true
    }

    /// `null`.
    public mutating func null() {
        separator()
        appendStatic("null")
        needsComma = true
    }

    @inline(__always)
    mutating func hexByte(_ byte: UInt8) {
        let digits: StaticString = "0123456789ABCDEF"
        digits.withUTF8Buffer { table in
            bytes.append(table[Int(byte >> 4)])
            bytes.append(table[Int(byte & 0x0F)])
        }
    }

    /// OCTET STRING: uppercase hex in quotes.
    public mutating func hex(_ octets: [UInt8]) {
        separator()
        bytes.append(UInt8(ascii: "\""))
        for byte in octets { hexByte(byte) }
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    /// Fixed-size OCTET STRING kept inline: uppercase hex in quotes.
    public mutating func hex<Storage: FixedOctets>(_ octets: Storage) {
        separator()
        bytes.append(UInt8(ascii: "\""))
        for index in 0..<Storage.size { hexByte(octets[index]) }
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    /// BIT STRING of at most 64 bits, rendered as ``bitString(_:fixedSize:)-(BitString,_)`` does.
    public mutating func bitString(_ bits: ShortBitString, fixedSize: Bool) {
        bitString(BitString(bits), fixedSize: fixedSize)
    }

    /// BIT STRING: hex of its octets (first bit = most significant bit of the first octet, zero
    /// padded); wrapped as `{"value": hex, "length": n}` unless the type has a single size.
    public mutating func bitString(_ bits: BitString, fixedSize: Bool) {
        if !fixedSize {
            beginObject()
            key("value")
        }
        separator()
        bytes.append(UInt8(ascii: "\""))
        let count = bits.count
        var octet = 0
        while octet * 8 < count {
            var byte: UInt8 = 0
            for bit in 0..<8 where octet * 8 + bit < count && bits[octet * 8 + bit] {
                byte |= 0x80 >> UInt8(bit)
            }
            hexByte(byte)
            octet += 1
        }
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
        if !fixedSize {
            key("length")
            int(Int64(count))
            endObject()
        }
    }

    /// A character string, escaped like Python's `json.dumps(ensure_ascii=True)`.
    public mutating func string(_ text: String) {
        separator()
        bytes.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x22: appendStatic("\\\"")
            case 0x5C: appendStatic("\\\\")
            case 0x0A: appendStatic("\\n")
            case 0x0D: appendStatic("\\r")
            case 0x09: appendStatic("\\t")
            case 0x08: appendStatic("\\b")
            case 0x0C: appendStatic("\\f")
            case 0x20...0x7E: bytes.append(UInt8(truncatingIfNeeded: scalar.value))
            case 0x10000...:
                let v = scalar.value - 0x10000
                unicodeEscape(UInt16(0xD800 + (v >> 10)))
                unicodeEscape(UInt16(0xDC00 + (v & 0x3FF)))
            default:
                unicodeEscape(UInt16(truncatingIfNeeded: scalar.value))
            }
        }
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    mutating func unicodeEscape(_ unit: UInt16) {
        let digits: StaticString = "0123456789abcdef"
        appendStatic("\\u")
        digits.withUTF8Buffer { table in
            for shift in stride(from: 12, through: 0, by: -4) {
                bytes.append(table[Int((unit >> UInt16(shift)) & 0xF)])
            }
        }
    }

    /// The body of a CHOICE's unknown extension alternative (inside the CHOICE's object):
    /// `"unknownExtension":{"index":i,"bytes":"HEX"}`. asn1tools has no JER for it (it drops the
    /// alternative); this form keeps the raw open-type octets visible.
    public mutating func unknownChoiceExtension(index: Int, bytes octets: [UInt8]) {
        key("unknownExtension")
        beginObject()
        key("index")
        int(Int64(index))
        key("bytes")
        hex(octets)
        endObject()
    }

    /// An unknown ENUMERATED extension value: `{"unknownExtension":i}` (asn1tools has no JER for it).
    public mutating func unknownEnumeratedExtension(index: Int) {
        beginObject()
        key("unknownExtension")
        int(Int64(index))
        endObject()
    }
}
