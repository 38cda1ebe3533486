/// A terminal's phone number / terminal number: BCD[6] (12 digits) in 2013 headers, BCD[10]
/// (20 digits) in 2019 headers. Held inline (no allocation) as the packed BCD bytes.
public struct TerminalNumber: Hashable, Sendable, CustomStringConvertible {
    /// The packed BCD digits, right-aligned: the last wire byte is the lowest byte. Every nibble is 0-9.
    public private(set) var bcd: UInt128
    /// How many BCD bytes it occupies on the wire (6 or 10); `description` prints twice as many digits.
    public var byteCount: Int

    /// Creates a terminal number from packed BCD; nil when a nibble is above 9 or `byteCount` is not 1...16.
    public init?(bcd: UInt128, byteCount: Int) {
        guard (1...16).contains(byteCount), Self.isValidBCD(bcd) else { return nil }
        self.bcd = bcd
        self.byteCount = byteCount
    }

    /// Internal: `bcd` already validated.
    init(validatedBCD bcd: UInt128, byteCount: Int) {
        self.bcd = bcd
        self.byteCount = byteCount
    }

    /// Creates a terminal number whose digits spell `value` (at most 32 digits are kept).
    public init(value: UInt128, byteCount: Int) {
        var rest = value
        var packed: UInt128 = 0
        var shift: UInt128 = 0
        while rest > 0, shift < 128 {
            packed |= (rest % 10) << shift
            rest /= 10
            shift += 4
        }
        self.bcd = packed
        self.byteCount = byteCount
    }

    /// Parses a string of decimal digits (at most `2 * byteCount`); nil otherwise.
    public init?(_ digits: some StringProtocol, byteCount: Int = 10) {
        guard !digits.isEmpty, digits.count <= 2 * byteCount, byteCount <= 16 else { return nil }
        var packed: UInt128 = 0
        for character in digits.utf8 {
            guard character >= 0x30, character <= 0x39 else { return nil }
            packed = packed << 4 | UInt128(character - 0x30)
        }
        self.init(validatedBCD: packed, byteCount: byteCount)
    }

    /// The number the digits spell (leading zeros are not significant).
    public var value: UInt128 {
        var result: UInt128 = 0
        for nibble in stride(from: 31, through: 0, by: -1) {
            result = result * 10 + ((bcd >> UInt128(nibble * 4)) & 0xF)
        }
        return result
    }

    /// All `2 * byteCount` digits, zero-padded on the left, e.g. "013912345678".
    public var description: String {
        let digits = (0..<(2 * byteCount)).reversed().map { nibble in
            0x30 + UInt8(truncatingIfNeeded: (bcd >> UInt128(nibble * 4)) & 0xF)
        }
        return String(decoding: digits, as: UTF8.self)
    }

    /// The digits without leading zeros ("0" for zero): a stable source id whatever the header version.
    public var significantDigits: String {
        let all = description.drop { $0 == "0" }
        return all.isEmpty ? "0" : String(all)
    }

    /// True when every nibble of `value` is a decimal digit.
    static func isValidBCD(_ value: UInt128) -> Bool {
        isValidBCD(UInt64(truncatingIfNeeded: value)) && isValidBCD(UInt64(truncatingIfNeeded: value >> 64))
    }

    /// True when every nibble of `value` is a decimal digit (nibble + 6 does not carry into bit 4).
    @inline(__always)
    static func isValidBCD(_ value: UInt64) -> Bool {
        let low = value & 0x0F0F_0F0F_0F0F_0F0F
        let high = (value >> 4) & 0x0F0F_0F0F_0F0F_0F0F
        return ((low &+ 0x0606_0606_0606_0606) | (high &+ 0x0606_0606_0606_0606)) & 0xF0F0_F0F0_F0F0_F0F0 == 0
    }
}

/// Which edition of the header a packet uses.
public enum JT808HeaderVersion: Hashable, Sendable {
    /// JT/T 808-2013 header: no version flag, BCD[6] terminal number.
    case v2013
    /// JT/T 808-2019 header: version flag set, protocol version byte, BCD[10] terminal number.
    case v2019(protocolVersion: UInt8)
}

/// Sub-package fields of a header whose sub-package flag is set.
public struct JT808SubPackage: Hashable, Sendable {
    /// Total number of packages in the message.
    public var total: UInt16
    /// This package's index, starting at 1.
    public var index: UInt16

    /// Creates sub-package fields.
    public init(total: UInt16, index: UInt16) {
        self.total = total
        self.index = index
    }
}

/// A JT/T 808 message header.
///
/// Layout (big-endian): WORD message id; WORD body attributes (bits 0-9 body length, 10-12
/// encryption, 13 sub-package, 14 version flag in 2019, 15 reserved); 2019 only: BYTE protocol
/// version; terminal number BCD[10] (2019) or BCD[6] (2013); WORD serial number; when the
/// sub-package bit is set: WORD total packages, WORD package index.
public struct JT808Header: Hashable, Sendable {
    /// Message id, e.g. 0x0200.
    public var messageID: UInt16
    /// Header edition (2019 version flag, protocol version).
    public var version: JT808HeaderVersion
    /// Terminal number.
    public var terminal: TerminalNumber
    /// Message serial number (per terminal, wraps at 65535).
    public var serial: UInt16
    /// Encryption bits 10-12 of the body attributes; 0 = plain, bit 0 (value 1) = RSA.
    public var encryption: UInt8
    /// Sub-package fields when the sub-package flag is set.
    public var subPackage: JT808SubPackage?
    /// Reserved bit 15 of the body attributes, kept so that re-encoding reproduces the packet.
    public var reservedBit: Bool

    /// Creates a header. The body length is computed when encoding.
    public init(
        messageID: UInt16, version: JT808HeaderVersion = .v2019(protocolVersion: 1), terminal: TerminalNumber,
        serial: UInt16, encryption: UInt8 = 0, subPackage: JT808SubPackage? = nil, reservedBit: Bool = false
    ) {
        self.messageID = messageID
        self.version = version
        self.terminal = terminal
        self.serial = serial
        self.encryption = encryption
        self.subPackage = subPackage
        self.reservedBit = reservedBit
    }

    /// True when the body is RSA-encrypted (encryption bit 0).
    public var isRSAEncrypted: Bool { encryption & 1 != 0 }

    /// Largest body length the 10-bit length field can carry.
    public static let maximumBodyLength = 1023

    /// Decodes a header from the start of `reader`; returns it and the declared body length.
    static func decode(_ reader: inout ByteReader) throws(JT808Error) -> (JT808Header, Int) {
        let messageID = try reader.uint16("message id")
        reader.messageID = messageID
        let attributes = try reader.uint16("body attributes")
        let bodyLength = Int(attributes & 0x03FF)
        let encryption = UInt8((attributes >> 10) & 0x07)
        let hasSubPackage = attributes & 0x2000 != 0
        let is2019 = attributes & 0x4000 != 0
        let rest = (is2019 ? 13 : 8) + (hasSubPackage ? 4 : 0)
        guard reader.remaining >= rest else {
            // Read field by field so that the error names the first field that is cut off.
            if is2019 { _ = try reader.uint8("protocol version") }
            _ = try reader.terminalBCD(wide: is2019)
            _ = try reader.uint16("serial number")
            _ = try reader.uint16("sub-package total")
            _ = try reader.uint16("sub-package index")
            throw reader.error(.truncated(field: "header", needed: rest, available: reader.remaining))
        }
        let version: JT808HeaderVersion
        let terminal: TerminalNumber
        if is2019 {
            version = .v2019(protocolVersion: reader.byte(at: reader.position))
            reader.position += 1
            terminal = TerminalNumber(validatedBCD: try reader.terminalBCD(wide: true), byteCount: 10)
        } else {
            version = .v2013
            terminal = TerminalNumber(validatedBCD: try reader.terminalBCD(wide: false), byteCount: 6)
        }
        let serial = reader.word(at: reader.position)
        reader.position += 2
        var subPackage: JT808SubPackage?
        if hasSubPackage {
            subPackage = JT808SubPackage(
                total: reader.word(at: reader.position), index: reader.word(at: reader.position + 2))
            reader.position += 4
        }
        let header = JT808Header(
            messageID: messageID, version: version, terminal: terminal, serial: serial,
            encryption: encryption, subPackage: subPackage, reservedBit: attributes & 0x8000 != 0)
        return (header, bodyLength)
    }

    func encode(bodyLength: Int, into writer: inout ByteWriter) throws(JT808Error) {
        guard bodyLength <= Self.maximumBodyLength else {
            throw JT808Error(
                offset: 0, messageID: messageID,
                reason: .notEncodable(field: "body", detail: "\(bodyLength) bytes exceed the 1023-byte limit")
            )
        }
        guard encryption <= 7 else {
            throw JT808Error(
                offset: 2, messageID: messageID, reason: .notEncodable(field: "encryption", detail: "above 7")
            )
        }
        var attributes = UInt16(bodyLength) | UInt16(encryption) << 10
        if subPackage != nil { attributes |= 0x2000 }
        if case .v2019 = version { attributes |= 0x4000 }
        if reservedBit { attributes |= 0x8000 }
        writer.uint16(messageID)
        writer.uint16(attributes)
        let width: Int
        switch version {
        case .v2019(let protocolVersion):
            writer.uint8(protocolVersion)
            width = 10
        case .v2013:
            width = 6
        }
        guard terminal.bcd >> UInt128(8 * width) == 0 else {
            throw JT808Error(
                offset: writer.count, messageID: messageID,
                reason: .notEncodable(field: "terminal number", detail: "more than \(2 * width) digits"))
        }
        for index in stride(from: width - 1, through: 0, by: -1) {
            writer.uint8(UInt8(truncatingIfNeeded: terminal.bcd >> UInt128(8 * index)))
        }
        writer.uint16(serial)
        if let subPackage {
            writer.uint16(subPackage.total)
            writer.uint16(subPackage.index)
        }
    }
}
