/// A terminal's phone number / terminal number: BCD[6] (12 digits) in 2013 headers, BCD[10]
/// (20 digits) in 2019 headers. Held inline (no allocation) as the numeric value of its digits.
public struct TerminalNumber: Hashable, Sendable, CustomStringConvertible {
    /// The number the BCD digits spell (leading zeros are not significant).
    public var value: UInt128
    /// How many BCD bytes it occupied on the wire (6 or 10); `description` prints twice as many digits.
    public var byteCount: Int

    /// Creates a terminal number from its numeric value and wire width.
    public init(value: UInt128, byteCount: Int) {
        self.value = value
        self.byteCount = byteCount
    }

    /// Parses a string of decimal digits (at most `2 * byteCount`); nil otherwise.
    public init?(_ digits: some StringProtocol, byteCount: Int = 10) {
        guard !digits.isEmpty, digits.count <= 2 * byteCount else { return nil }
        var value: UInt128 = 0
        for character in digits.utf8 {
            guard character >= 0x30, character <= 0x39 else { return nil }
            value = value * 10 + UInt128(character - 0x30)
        }
        self.init(value: value, byteCount: byteCount)
    }

    /// All `2 * byteCount` digits, zero-padded on the left, e.g. "013912345678".
    public var description: String {
        var digits = [UInt8](repeating: 0x30, count: 2 * byteCount)
        var rest = value
        var index = digits.count - 1
        while rest > 0, index >= 0 {
            digits[index] = 0x30 + UInt8(rest % 10)
            rest /= 10
            index -= 1
        }
        return String(decoding: digits, as: UTF8.self)
    }

    /// The digits without leading zeros ("0" for zero): a stable source id whatever the header version.
    public var significantDigits: String { String(value) }
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
        let version: JT808HeaderVersion
        let terminal: TerminalNumber
        if attributes & 0x4000 != 0 {
            version = .v2019(protocolVersion: try reader.uint8("protocol version"))
            terminal = TerminalNumber(value: try reader.bcd(10, "terminal number"), byteCount: 10)
        } else {
            version = .v2013
            terminal = TerminalNumber(value: try reader.bcd(6, "terminal number"), byteCount: 6)
        }
        let serial = try reader.uint16("serial number")
        var subPackage: JT808SubPackage?
        if hasSubPackage {
            let total = try reader.uint16("sub-package total")
            let index = try reader.uint16("sub-package index")
            subPackage = JT808SubPackage(total: total, index: index)
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
        do {
            switch version {
            case .v2019(let protocolVersion):
                writer.uint8(protocolVersion)
                try writer.bcd(terminal.value, count: 10, field: "terminal number")
            case .v2013:
                try writer.bcd(terminal.value, count: 6, field: "terminal number")
            }
        } catch {
            throw JT808Error(offset: error.offset, messageID: messageID, reason: error.reason)
        }
        writer.uint16(serial)
        if let subPackage {
            writer.uint16(subPackage.total)
            writer.uint16(subPackage.index)
        }
    }
}
