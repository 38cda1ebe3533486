/// Body of message 0x0704 (batch upload of location data): WORD item count, BYTE type
/// (0 normal batch, 1 backfill of reports stored during a coverage loss), then per item a WORD
/// length followed by a location report body of that length.
public struct BatchLocationUpload: Hashable, Sendable {
    /// 0 normal batch, 1 backfill ("blind area" supplementary upload).
    public var type: UInt8
    /// The reports, in wire order.
    public var reports: [LocationReport]

    /// Creates a batch.
    public init(type: UInt8 = 0, reports: [LocationReport]) {
        self.type = type
        self.reports = reports
    }

    /// True when the batch backfills reports stored during a coverage loss (type 1).
    public var isBackfill: Bool { type == 1 }

    static func decode(_ reader: inout ByteReader) throws(JT808Error) -> BatchLocationUpload {
        let count = Int(try reader.uint16("batch item count"))
        let type = try reader.uint8("batch type")
        var reports: [LocationReport] = []
        reports.reserveCapacity(min(count, reader.remaining / (2 + LocationReport.fixedLength)))
        while reports.count < count {
            if reader.isAtEnd {
                throw reader.error(.batchCountMismatch(declared: count, actual: reports.count))
            }
            let length = Int(try reader.uint16("batch item length"))
            try reader.need(length, "batch item")
            reports.append(try LocationReport.decode(&reader, end: reader.position + length))
        }
        if !reader.isAtEnd { throw reader.error(.trailingBytes(count: reader.remaining)) }
        return BatchLocationUpload(type: type, reports: reports)
    }

    func encode(into writer: inout ByteWriter) throws(JT808Error) {
        guard reports.count <= Int(UInt16.max) else {
            throw JT808Error(
                offset: writer.count, reason: .notEncodable(field: "batch", detail: "too many items"))
        }
        writer.uint16(UInt16(reports.count))
        writer.uint8(type)
        for report in reports {
            var item = ByteWriter(capacity: 64)
            try report.encode(into: &item)
            guard item.count <= Int(UInt16.max) else {
                throw JT808Error(
                    offset: writer.count, reason: .notEncodable(field: "batch item", detail: "too long"))
            }
            writer.uint16(UInt16(item.count))
            writer.append(item.bytes)
        }
    }
}
