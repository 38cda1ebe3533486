/// Appends big-endian fields to a byte array (encoder side; allocation is acceptable here).
struct ByteWriter {
    var bytes: [UInt8]

    init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    var count: Int { bytes.count }

    mutating func uint8(_ value: UInt8) { bytes.append(value) }

    mutating func uint16(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xFF))
    }

    mutating func uint32(_ value: UInt32) {
        bytes.append(UInt8(value >> 24))
        bytes.append(UInt8((value >> 16) & 0xFF))
        bytes.append(UInt8((value >> 8) & 0xFF))
        bytes.append(UInt8(value & 0xFF))
    }

    mutating func append(_ other: [UInt8]) { bytes.append(contentsOf: other) }

    /// Writes a UTC timestamp as BCD[6] YYMMDDhhmmss Beijing time (years 2000-2099).
    mutating func timestamp(_ timestamp: JT808Timestamp, field: String) throws(JT808Error) {
        let parts = timestamp.beijingComponents
        guard (2000...2099).contains(parts.year) else {
            throw JT808Error(
                offset: bytes.count,
                reason: .notEncodable(field: field, detail: "year \(parts.year) outside 2000...2099"))
        }
        for value in [parts.year - 2000, parts.month, parts.day, parts.hour, parts.minute, parts.second] {
            bytes.append(UInt8(value / 10) << 4 | UInt8(value % 10))
        }
    }
}
