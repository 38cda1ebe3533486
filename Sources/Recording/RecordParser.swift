/// A bounds-checked little-endian cursor over one record body. Every read fails with the file
/// offset of the field and its name instead of trapping on short or corrupt input.
struct RecordParser {
    let bytes: UnsafeRawBufferPointer
    /// File offset of `bytes[0]` (for error messages).
    let fileOffset: UInt64
    let opcode: UInt8
    private(set) var position = 0

    init(_ bytes: UnsafeRawBufferPointer, fileOffset: UInt64, opcode: UInt8) {
        self.bytes = bytes
        self.fileOffset = fileOffset
        self.opcode = opcode
    }

    var remaining: Int { bytes.count - position }

    private func failure(_ field: String) -> MCAPError {
        .malformedRecord(opcode: opcode, offset: fileOffset + UInt64(position), field: field)
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ field: String) throws(MCAPError) -> T {
        guard remaining >= MemoryLayout<T>.size else { throw failure(field) }
        let v = T(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: T.self))
        position += MemoryLayout<T>.size
        return v
    }

    mutating func readBytes(count: Int, _ field: String) throws(MCAPError) -> UnsafeRawBufferPointer {
        guard count >= 0, remaining >= count else { throw failure(field) }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[position..<position + count])
        position += count
        return slice
    }

    mutating func readRest() -> UnsafeRawBufferPointer {
        let slice = UnsafeRawBufferPointer(rebasing: bytes[position...])
        position = bytes.count
        return slice
    }

    mutating func readString(_ field: String) throws(MCAPError) -> String {
        let length = try read(UInt32.self, field + " length")
        let raw = try readBytes(count: Int(length), field)
        return String(decoding: raw, as: UTF8.self)
    }

    mutating func readByteArray32(_ field: String) throws(MCAPError) -> [UInt8] {
        let length = try read(UInt32.self, field + " length")
        return [UInt8](try readBytes(count: Int(length), field))
    }

    mutating func readStringMap(_ field: String) throws(MCAPError) -> [String: String] {
        let length = try read(UInt32.self, field + " length")
        let raw = try readBytes(count: Int(length), field)
        var inner = RecordParser(raw, fileOffset: fileOffset + UInt64(position - raw.count), opcode: opcode)
        var map: [String: String] = [:]
        while inner.remaining > 0 {
            let key = try inner.readString(field + " key")
            map[key] = try inner.readString(field + " value")
        }
        return map
    }

    /// A uint32-byte-length-prefixed map of uint16 keys to uint64 values.
    mutating func readIDMap(_ field: String) throws(MCAPError) -> [UInt16: UInt64] {
        let length = try read(UInt32.self, field + " length")
        let raw = try readBytes(count: Int(length), field)
        guard raw.count % 10 == 0 else { throw failure(field) }
        var map: [UInt16: UInt64] = [:]
        map.reserveCapacity(raw.count / 10)
        var i = 0
        while i < raw.count {
            let key = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt16.self))
            map[key] = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i + 2, as: UInt64.self))
            i += 10
        }
        return map
    }
}

// MARK: - Record decoding (bodies without the opcode and length prefix)

extension MCAPHeader {
    init(parsing p: inout RecordParser) throws(MCAPError) {
        self.init(profile: try p.readString("profile"), library: try p.readString("library"))
    }
}

extension MCAPFooter {
    init(parsing p: inout RecordParser) throws(MCAPError) {
        self.init(
            summaryStart: try p.read(UInt64.self, "summary_start"),
            summaryOffsetStart: try p.read(UInt64.self, "summary_offset_start"),
            summaryCRC: try p.read(UInt32.self, "summary_crc"))
    }
}

extension MCAPSchema {
    init(parsing p: inout RecordParser) throws(MCAPError) {
        self.init(
            id: try p.read(UInt16.self, "id"), name: try p.readString("name"),
            encoding: try p.readString("encoding"), data: try p.readByteArray32("data"))
    }
}

extension MCAPChannel {
    init(parsing p: inout RecordParser) throws(MCAPError) {
        self.init(
            id: try p.read(UInt16.self, "id"), schemaID: try p.read(UInt16.self, "schema_id"),
            topic: try p.readString("topic"), messageEncoding: try p.readString("message_encoding"),
            metadata: try p.readStringMap("metadata"))
    }
}

extension MCAPChunkIndex {
    init(parsing p: inout RecordParser) throws(MCAPError) {
        self.init(
            messageStartTime: try p.read(UInt64.self, "message_start_time"),
            messageEndTime: try p.read(UInt64.self, "message_end_time"),
            chunkStartOffset: try p.read(UInt64.self, "chunk_start_offset"),
            chunkLength: try p.read(UInt64.self, "chunk_length"),
            messageIndexOffsets: try p.readIDMap("message_index_offsets"),
            messageIndexLength: try p.read(UInt64.self, "message_index_length"),
            compression: try p.readString("compression"),
            compressedSize: try p.read(UInt64.self, "compressed_size"),
            uncompressedSize: try p.read(UInt64.self, "uncompressed_size"))
    }
}

extension MCAPAttachmentIndex {
    init(parsing p: inout RecordParser) throws(MCAPError) {
        self.init(
            offset: try p.read(UInt64.self, "offset"), length: try p.read(UInt64.self, "length"),
            logTime: try p.read(UInt64.self, "log_time"), createTime: try p.read(UInt64.self, "create_time"),
            dataSize: try p.read(UInt64.self, "data_size"), name: try p.readString("name"),
            mediaType: try p.readString("media_type"))
    }
}

extension MCAPMetadata {
    init(parsing p: inout RecordParser) throws(MCAPError) {
        self.init(name: try p.readString("name"), entries: try p.readStringMap("metadata"))
    }
}

extension MCAPMetadataIndex {
    init(parsing p: inout RecordParser) throws(MCAPError) {
        self.init(
            offset: try p.read(UInt64.self, "offset"), length: try p.read(UInt64.self, "length"),
            name: try p.readString("name"))
    }
}

extension MCAPStatistics {
    init(parsing p: inout RecordParser) throws(MCAPError) {
        self.init()
        messageCount = try p.read(UInt64.self, "message_count")
        schemaCount = try p.read(UInt16.self, "schema_count")
        channelCount = try p.read(UInt32.self, "channel_count")
        attachmentCount = try p.read(UInt32.self, "attachment_count")
        metadataCount = try p.read(UInt32.self, "metadata_count")
        chunkCount = try p.read(UInt32.self, "chunk_count")
        messageStartTime = try p.read(UInt64.self, "message_start_time")
        messageEndTime = try p.read(UInt64.self, "message_end_time")
        channelMessageCounts = try p.readIDMap("channel_message_counts")
    }
}

extension MCAPSummaryOffset {
    init(parsing p: inout RecordParser) throws(MCAPError) {
        self.init(
            groupOpcode: try p.read(UInt8.self, "group_opcode"),
            groupStart: try p.read(UInt64.self, "group_start"),
            groupLength: try p.read(UInt64.self, "group_length"))
    }
}

/// The fixed fields of a Chunk record and where its compressed records lie.
struct ChunkHeader {
    var messageStartTime: UInt64
    var messageEndTime: UInt64
    var uncompressedSize: UInt64
    var uncompressedCRC: UInt32
    var compression: String
    /// The compressed (or stored) records.
    var records: UnsafeRawBufferPointer
    /// File offset of `records`.
    var recordsOffset: UInt64

    init(parsing p: inout RecordParser) throws(MCAPError) {
        messageStartTime = try p.read(UInt64.self, "message_start_time")
        messageEndTime = try p.read(UInt64.self, "message_end_time")
        uncompressedSize = try p.read(UInt64.self, "uncompressed_size")
        uncompressedCRC = try p.read(UInt32.self, "uncompressed_crc")
        compression = try p.readString("compression")
        let length = try p.read(UInt64.self, "records length")
        guard length <= UInt64(p.remaining) else {
            throw .malformedRecord(
                opcode: p.opcode, offset: p.fileOffset + UInt64(p.position), field: "records")
        }
        recordsOffset = p.fileOffset + UInt64(p.position)
        records = try p.readBytes(count: Int(length), "records")
    }
}
