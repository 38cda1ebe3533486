/// A failure that stops an MCAP operation (as opposed to an `MCAPWarning`, which a reader
/// reports and reads past).
public enum MCAPError: Error, Equatable, CustomStringConvertible {
    /// The file could not be opened, read, written or mapped (`errno` text in `reason`).
    case io(path: String, operation: String, reason: String)
    /// The file does not start with the MCAP magic.
    case notMCAP(path: String)
    /// A record field could not be read: `offset` is the file offset of the field (or of the
    /// record, for records inside a chunk it is the chunk's offset plus the inner offset).
    case malformedRecord(opcode: UInt8, offset: UInt64, field: String)
    /// Compression or decompression failed.
    case compression(String)
    /// Writer misuse: a message for a channel that was never added.
    case unknownChannel(UInt16)
    /// Writer misuse: a channel that refers to a schema that was never added.
    case unknownSchema(UInt16)
    /// Writer misuse: the writer was finished already.
    case writerFinished
    /// Too many schemas or channels (MCAP ids are 16-bit).
    case tooManyIDs(String)

    public var description: String {
        switch self {
        case .io(let path, let operation, let reason): return "\(path): \(operation) failed: \(reason)"
        case .notMCAP(let path): return "\(path): not an MCAP file (magic bytes missing)"
        case .malformedRecord(let opcode, let offset, let field):
            return "malformed \(opcodeName(opcode)) record at offset \(offset): cannot read \(field)"
        case .compression(let reason): return "compression: \(reason)"
        case .unknownChannel(let id): return "no channel with id \(id) was added to this writer"
        case .unknownSchema(let id): return "no schema with id \(id) was added to this writer"
        case .writerFinished: return "the MCAP writer was finished already"
        case .tooManyIDs(let what): return "too many \(what) for 16-bit MCAP ids"
        }
    }
}

/// A problem a reader found and read past: what was lost, and where.
public enum MCAPWarning: Sendable, Equatable, CustomStringConvertible {
    /// The file ends inside a record (a crash mid-write): the record is incomplete.
    /// `lostMessages` is the number of complete message records found in the part present of a
    /// cut chunk (a lower bound on what the chunk held), nil when not a chunk.
    case truncated(offset: UInt64, opcode: UInt8?, lostMessages: Int?)
    /// The file ends after complete records but without a footer (summary and indexes missing).
    case noFooter(fileSize: UInt64)
    /// A chunk could not be read (CRC mismatch, decompression failure, bad header): skipped.
    /// `lostMessages` counts the message records the chunk was indexed to hold, when known.
    case corruptChunk(offset: UInt64, reason: String, lostMessages: Int?)
    /// A chunk compressed with a method this reader does not support (only none, zstd and lz4
    /// are): skipped. `lostMessages` counts the messages its Message Index records list, when known.
    case unsupportedCompression(offset: UInt64, compression: String, lostMessages: Int?)
    /// A record could not be parsed: skipped.
    case malformedRecord(offset: UInt64, opcode: UInt8, reason: String)
    /// An attachment whose CRC does not match its content.
    case attachmentCRCMismatch(offset: UInt64, name: String)
    /// The data section CRC in the DataEnd record does not match the data read.
    case dataSectionCRCMismatch(expected: UInt32, actual: UInt32)
    /// The summary CRC in the footer does not match; the summary was ignored and the data
    /// section scanned instead.
    case summaryCRCMismatch(expected: UInt32, actual: UInt32)
    /// The summary section could not be parsed; the data section was scanned instead.
    case badSummary(reason: String)
    /// A message on a channel id with no Channel record before it (read, topic unknown).
    case unknownChannel(id: UInt16, offset: UInt64)
    /// Bytes after the footer's closing magic, or a bad closing magic.
    case badTrailer(offset: UInt64)

    public var description: String {
        switch self {
        case .truncated(let offset, let opcode, let lost):
            if opcode == MCAPOpcode.chunk.rawValue {
                let count = lost.map { "its \($0)\($0 > 0 ? " or more" : "") messages are lost" }
                return "file ends inside chunk at offset \(offset): \(count ?? "its messages are lost")"
            }
            if let opcode {
                return "file ends inside a \(opcodeName(opcode)) record at offset \(offset): record lost"
            }
            return "file ends inside a record header at offset \(offset)"
        case .noFooter(let size):
            return "no summary: footer missing (file ends at \(size) bytes without closing the recording)"
        case .corruptChunk(let offset, let reason, let lost):
            let count = lost.map { ", its \($0) messages skipped" } ?? ", its messages skipped"
            return "corrupt chunk at offset \(offset): \(reason)\(count)"
        case .unsupportedCompression(let offset, let compression, let lost):
            let count = lost.map { ", its \($0) messages skipped" } ?? ", its messages skipped"
            return
                "chunk at offset \(offset) uses compression \"\(compression)\", which TestZone does not read (it reads none, zstd, lz4)\(count)"
        case .malformedRecord(let offset, let opcode, let reason):
            return "malformed \(opcodeName(opcode)) record at offset \(offset) skipped: \(reason)"
        case .attachmentCRCMismatch(let offset, let name):
            return "attachment \"\(name)\" at offset \(offset): CRC mismatch"
        case .dataSectionCRCMismatch(let expected, let actual):
            return "data section CRC mismatch: recorded \(hex(expected)), computed \(hex(actual))"
        case .summaryCRCMismatch(let expected, let actual):
            return "summary CRC mismatch: recorded \(hex(expected)), computed \(hex(actual)); summary ignored"
        case .badSummary(let reason): return "summary unreadable (\(reason)); data section scanned instead"
        case .unknownChannel(let id, let offset):
            return "message at offset \(offset) on channel \(id), which has no Channel record"
        case .badTrailer(let offset): return "unexpected bytes after the footer at offset \(offset)"
        }
    }
}

func hex(_ value: UInt32) -> String {
    let s = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - s.count)) + s
}

/// A readable record name for messages (`chunk`, `message index`, `opcode 0x42`).
func opcodeName(_ opcode: UInt8) -> String {
    switch MCAPOpcode(rawValue: opcode) {
    case .header: return "header"
    case .footer: return "footer"
    case .schema: return "schema"
    case .channel: return "channel"
    case .message: return "message"
    case .chunk: return "chunk"
    case .messageIndex: return "message index"
    case .chunkIndex: return "chunk index"
    case .attachment: return "attachment"
    case .attachmentIndex: return "attachment index"
    case .statistics: return "statistics"
    case .metadata: return "metadata"
    case .metadataIndex: return "metadata index"
    case .summaryOffset: return "summary offset"
    case .dataEnd: return "data end"
    case nil: return "opcode 0x" + String(opcode, radix: 16)
    }
}
