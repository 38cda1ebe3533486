/// Body of message 0x0100 (terminal registration).
///
/// 2019 layout: WORD province id, WORD city/county id, BYTE[11] manufacturer id, BYTE[30]
/// terminal model, BYTE[30] terminal id, BYTE plate colour, STRING plate (the rest, GBK).
/// 2013 headers use BYTE[5], BYTE[20] and BYTE[7] for the three fixed fields.
/// Fixed fields are kept exactly as received (including their zero padding); see ``text(_:)``.
public struct TerminalRegistration: Hashable, Sendable {
    /// Province id (GB/T 2260 first two digits).
    public var province: UInt16
    /// City or county id (GB/T 2260 last four digits).
    public var city: UInt16
    /// Manufacturer id.
    public var manufacturer: [UInt8]
    /// Terminal model.
    public var model: [UInt8]
    /// Terminal id.
    public var terminalID: [UInt8]
    /// Plate colour (JT/T 697.7; 0 when the vehicle is not yet plated).
    public var plateColor: UInt8
    /// Plate number (GBK) or the VIN when `plateColor` is 0.
    public var plate: [UInt8]

    /// Creates a registration body; fixed fields shorter than their wire size are zero-padded when encoding.
    public init(
        province: UInt16, city: UInt16, manufacturer: [UInt8], model: [UInt8], terminalID: [UInt8],
        plateColor: UInt8, plate: [UInt8]
    ) {
        self.province = province
        self.city = city
        self.manufacturer = manufacturer
        self.model = model
        self.terminalID = terminalID
        self.plateColor = plateColor
        self.plate = plate
    }

    /// Sizes of (manufacturer, model, terminal id) for a header version.
    public static func fieldSizes(_ version: JT808HeaderVersion) -> (
        manufacturer: Int, model: Int, terminalID: Int
    ) {
        switch version {
        case .v2019: (11, 30, 30)
        case .v2013: (5, 20, 7)
        }
    }

    /// A byte field as text: trailing zero padding removed, decoded as UTF-8 (ASCII fields read
    /// the same in GBK); invalid sequences become U+FFFD.
    public static func text(_ bytes: [UInt8]) -> String {
        var end = bytes.count
        while end > 0, bytes[end - 1] == 0 { end -= 1 }
        return String(decoding: bytes[0..<end], as: UTF8.self)
    }

    static func decode(_ reader: inout ByteReader, version: JT808HeaderVersion) throws(JT808Error) -> Self {
        let sizes = fieldSizes(version)
        let province = try reader.uint16("province id")
        let city = try reader.uint16("city id")
        let manufacturer = try reader.byteArray(sizes.manufacturer, "manufacturer id")
        let model = try reader.byteArray(sizes.model, "terminal model")
        let terminalID = try reader.byteArray(sizes.terminalID, "terminal id")
        let color = try reader.uint8("plate colour")
        let plate = try reader.byteArray(reader.remaining, "plate")
        return Self(
            province: province, city: city, manufacturer: manufacturer, model: model, terminalID: terminalID,
            plateColor: color, plate: plate)
    }

    func encode(into writer: inout ByteWriter, version: JT808HeaderVersion) throws(JT808Error) {
        let sizes = Self.fieldSizes(version)
        writer.uint16(province)
        writer.uint16(city)
        try writer.fixed(manufacturer, sizes.manufacturer, field: "manufacturer id")
        try writer.fixed(model, sizes.model, field: "terminal model")
        try writer.fixed(terminalID, sizes.terminalID, field: "terminal id")
        writer.uint8(plateColor)
        writer.append(plate)
    }
}

/// Body of message 0x0102 (terminal authentication).
///
/// 2019 layout: BYTE code length n, STRING[n] authentication code, BYTE[15] IMEI, BYTE[20]
/// software version. 2013 headers: the whole body is the authentication code.
public struct TerminalAuthentication: Hashable, Sendable {
    /// Authentication code issued at registration.
    public var code: [UInt8]
    /// Terminal IMEI (2019 only, 15 bytes as received).
    public var imei: [UInt8]
    /// Software version (2019 only, 20 bytes as received, zero-padded).
    public var softwareVersion: [UInt8]

    /// Creates an authentication body; `imei` and `softwareVersion` are zero-padded when encoding.
    public init(code: [UInt8], imei: [UInt8] = [], softwareVersion: [UInt8] = []) {
        self.code = code
        self.imei = imei
        self.softwareVersion = softwareVersion
    }

    static func decode(_ reader: inout ByteReader, version: JT808HeaderVersion) throws(JT808Error) -> Self {
        switch version {
        case .v2013:
            return Self(code: try reader.byteArray(reader.remaining, "authentication code"))
        case .v2019:
            let length = Int(try reader.uint8("authentication code length"))
            let code = try reader.byteArray(length, "authentication code")
            let imei = try reader.byteArray(15, "IMEI")
            let software = try reader.byteArray(20, "software version")
            if !reader.isAtEnd { throw reader.error(.trailingBytes(count: reader.remaining)) }
            return Self(code: code, imei: imei, softwareVersion: software)
        }
    }

    func encode(into writer: inout ByteWriter, version: JT808HeaderVersion) throws(JT808Error) {
        switch version {
        case .v2013:
            writer.append(code)
        case .v2019:
            guard code.count <= 255 else {
                throw JT808Error(
                    offset: writer.count,
                    reason: .notEncodable(field: "authentication code", detail: "over 255 bytes"))
            }
            writer.uint8(UInt8(code.count))
            writer.append(code)
            try writer.fixed(imei, 15, field: "IMEI")
            try writer.fixed(softwareVersion, 20, field: "software version")
        }
    }
}

extension ByteWriter {
    /// Writes `value` zero-padded to `size` bytes; fails when it is longer.
    mutating func fixed(_ value: [UInt8], _ size: Int, field: String) throws(JT808Error) {
        guard value.count <= size else {
            throw JT808Error(
                offset: count, reason: .notEncodable(field: field, detail: "longer than \(size) bytes"))
        }
        append(value)
        for _ in value.count..<size { uint8(0) }
    }
}
