/// What to read: a log-time range, a topic filter, and the order.
public struct MCAPQuery: Sendable {
    /// The order messages are delivered in.
    public enum Order: Sendable {
        /// Log-time order across chunks (stable: file order among equal times). Uses the summary's
        /// chunk indexes when present, otherwise a scan of the file's records.
        case logTime
        /// File order, streaming through the records (works on any prefix of a file).
        case file
    }

    /// Earliest log time (ns, inclusive); nil for no lower bound.
    public var startTime: UInt64?
    /// Latest log time (ns, exclusive); nil for no upper bound.
    public var endTime: UInt64?
    /// Exact topics to read; nil for all.
    public var topics: Set<String>?
    /// Topic prefixes to read (a channel matches when its topic starts with one); nil for all.
    public var topicPrefixes: [String]?
    public var order: Order

    public init(
        startTime: UInt64? = nil, endTime: UInt64? = nil, topics: Set<String>? = nil,
        topicPrefixes: [String]? = nil, order: Order = .logTime
    ) {
        self.startTime = startTime
        self.endTime = endTime
        self.topics = topics
        self.topicPrefixes = topicPrefixes
        self.order = order
    }

    /// Whether a channel's messages are wanted.
    public func includes(topic: String) -> Bool {
        if let topics, !topics.contains(topic) { return false }
        if let topicPrefixes, !topicPrefixes.contains(where: { topic.hasPrefix($0) }) { return false }
        return true
    }

    var filtersTopics: Bool { topics != nil || topicPrefixes != nil }
}

/// Reads an MCAP file: in file order (streaming, tolerant of truncation) or indexed (time
/// range, topics, log-time order across chunks). The file is memory-mapped; payloads are lent
/// to the caller without copying.
///
/// A file cut anywhere (a crash mid-write) yields every message of every complete chunk before
/// the cut, with warnings saying what was lost; a corrupt chunk (CRC mismatch, decompression
/// failure) is reported with its offset and skipped.
///
/// Not `Sendable` (cursors keep buffers); open one reader per thread. The mapping itself is
/// read-only and shared by the cursors of this reader.
public final class MCAPReader {
    /// The file's path (or the name given to an in-memory recording).
    public var path: String { file.path }
    /// Size of the file when it was opened.
    public var fileSize: UInt64 { UInt64(file.size) }
    /// The Header record, nil when the file ends before it.
    public private(set) var header: MCAPHeader?
    /// The Footer record, nil when the file ends without one (unfinished recording).
    public private(set) var footer: MCAPFooter?
    /// The parsed summary, nil when absent or unusable (see `summaryWarnings`).
    public private(set) var summary: MCAPSummary?
    /// Problems found with the header, footer and summary when opening.
    public private(set) var summaryWarnings: [MCAPWarning] = []

    let file: MappedFile

    /// Opens and maps the file at `path`. Throws when it cannot be read or is not MCAP.
    public convenience init(path: String) throws(MCAPError) {
        try self.init(file: try MappedFile(path: path))
    }

    /// Reads an in-memory recording (copied).
    public convenience init(bytes: [UInt8], name: String = "<memory>") throws(MCAPError) {
        try self.init(file: MappedFile(bytes: bytes, name: name))
    }

    init(file: MappedFile) throws(MCAPError) {
        self.file = file
        let bytes = file.bytes
        // A file cut inside the leading magic is an empty recording, not a foreign file.
        let magicPart = min(bytes.count, 8)
        guard bytes.prefix(magicPart).elementsEqual(mcapMagic.prefix(magicPart)) else {
            throw .notMCAP(path: file.path)
        }
        if bytes.count < 8 {
            summaryWarnings.append(.truncated(offset: 0, opcode: nil, lostMessages: nil))
            summaryWarnings.append(.noFooter(fileSize: UInt64(bytes.count)))
            return
        }
        header = readHeader()
        loadSummary()
    }

    private func readHeader() -> MCAPHeader? {
        guard let prefix = file.slice(8, 9) else { return nil }
        guard prefix[0] == MCAPOpcode.header.rawValue else {
            summaryWarnings.append(
                .malformedRecord(offset: 8, opcode: prefix[0], reason: "expected a header"))
            return nil
        }
        let length = UInt64(littleEndian: prefix.loadUnaligned(fromByteOffset: 1, as: UInt64.self))
        guard let body = file.slice(17, length) else { return nil }
        var parser = RecordParser(body, fileOffset: 17, opcode: MCAPOpcode.header.rawValue)
        return try? MCAPHeader(parsing: &parser)
    }

    /// Footer at the end, then the summary it points to (CRC checked).
    private func loadSummary() {
        let size = UInt64(file.size)
        let footerLength: UInt64 = 9 + 20
        guard size >= 8 + footerLength + 8, let trailer = file.slice(size - 8, 8),
            trailer.elementsEqual(mcapMagic),
            let footerRecord = file.slice(size - 8 - footerLength, footerLength),
            footerRecord[0] == MCAPOpcode.footer.rawValue,
            UInt64(littleEndian: footerRecord.loadUnaligned(fromByteOffset: 1, as: UInt64.self)) == 20
        else {
            summaryWarnings.append(.noFooter(fileSize: size))
            return
        }
        let footerOffset = size - 8 - footerLength
        var parser = RecordParser(
            UnsafeRawBufferPointer(rebasing: footerRecord[9...]), fileOffset: footerOffset + 9,
            opcode: MCAPOpcode.footer.rawValue)
        guard let footer = try? MCAPFooter(parsing: &parser) else { return }
        self.footer = footer
        // A footer with no summary section is valid (the summary is optional): readers walk the
        // data section instead.
        guard footer.summaryStart != 0 else { return }
        guard footer.summaryStart < footerOffset,
            let summaryBytes = file.slice(footer.summaryStart, footerOffset - footer.summaryStart)
        else {
            summaryWarnings.append(
                .badSummary(reason: "summary start \(footer.summaryStart) outside the file"))
            return
        }
        if footer.summaryCRC != 0,
            let covered = file.slice(footer.summaryStart, size - 8 - 4 - footer.summaryStart)
        {
            let actual = CRC32.checksum(covered)
            if actual != footer.summaryCRC {
                summaryWarnings.append(.summaryCRCMismatch(expected: footer.summaryCRC, actual: actual))
                return
            }
        }
        do {
            summary = try parseSummary(summaryBytes, fileOffset: footer.summaryStart)
        } catch {
            summaryWarnings.append(.badSummary(reason: error.description))
        }
    }

    private func parseSummary(_ bytes: UnsafeRawBufferPointer, fileOffset: UInt64) throws(MCAPError)
        -> MCAPSummary
    {
        var summary = MCAPSummary()
        var records = RecordParser(bytes, fileOffset: fileOffset, opcode: 0)
        while records.remaining > 0 {
            let opcode = try records.read(UInt8.self, "opcode")
            let length = try records.read(UInt64.self, "record length")
            guard length <= UInt64(records.remaining) else {
                throw .malformedRecord(
                    opcode: opcode, offset: fileOffset + UInt64(records.position), field: "body")
            }
            let bodyOffset = fileOffset + UInt64(records.position)
            var p = RecordParser(
                try records.readBytes(count: Int(length), "body"), fileOffset: bodyOffset, opcode: opcode)
            switch MCAPOpcode(rawValue: opcode) {
            case .schema:
                let schema = try MCAPSchema(parsing: &p)
                summary.schemas[schema.id] = schema
            case .channel:
                let channel = try MCAPChannel(parsing: &p)
                summary.channels[channel.id] = channel
            case .statistics: summary.statistics = try MCAPStatistics(parsing: &p)
            case .chunkIndex: summary.chunkIndexes.append(try MCAPChunkIndex(parsing: &p))
            case .attachmentIndex: summary.attachmentIndexes.append(try MCAPAttachmentIndex(parsing: &p))
            case .metadataIndex: summary.metadataIndexes.append(try MCAPMetadataIndex(parsing: &p))
            case .summaryOffset: summary.summaryOffsets.append(try MCAPSummaryOffset(parsing: &p))
            default: break  // other records may appear; skipped by their length
            }
        }
        return summary
    }

    // MARK: Reading messages

    /// A cursor over the messages the query selects (`query.order` picks streaming or indexed).
    public func makeCursor(_ query: MCAPQuery = MCAPQuery(), verifyCRCs: Bool = true) -> MCAPMessageCursor {
        MCAPMessageCursor(reader: self, query: query, verifyCRCs: verifyCRCs)
    }

    /// Calls `body` for each selected message; returns the warnings (what was lost and why).
    /// The view's payload is valid only during the call.
    @discardableResult
    public func forEachMessage<E: Error>(
        _ query: MCAPQuery = MCAPQuery(), verifyCRCs: Bool = true,
        _ body: (MCAPMessageView, MCAPMessageCursor) throws(E) -> Void
    ) throws(E) -> [MCAPWarning] {
        let cursor = makeCursor(query, verifyCRCs: verifyCRCs)
        while let message = cursor.next() { try body(message, cursor) }
        return cursor.warnings
    }

    /// All selected messages, copied, with the warnings.
    public func readMessages(_ query: MCAPQuery = MCAPQuery()) -> (
        messages: [MCAPMessage], warnings: [MCAPWarning]
    ) {
        var messages: [MCAPMessage] = []
        let warnings = forEachMessage(query) { message, _ in messages.append(message.copy()) }
        return (messages, warnings)
    }

    // MARK: Metadata and attachments

    /// All Metadata records: through the summary's Metadata Index records when the summary's
    /// Statistics confirm they are complete, else by a walk of the top-level records (Metadata
    /// records never sit inside chunks, so no chunk is decompressed).
    public func metadata() -> [MCAPMetadata] {
        if let summary, let statistics = summary.statistics,
            Int(statistics.metadataCount) == summary.metadataIndexes.count
        {
            return summary.metadataIndexes.compactMap { index in
                guard let body = recordBody(at: index.offset, opcode: .metadata) else { return nil }
                return Self.parseMetadata(body.bytes, fileOffset: body.offset)
            }
        }
        return topLevelBodies(of: .metadata).compactMap {
            Self.parseMetadata($0.bytes, fileOffset: $0.offset)
        }
    }

    /// All Attachment records: through the summary's Attachment Index records when the summary's
    /// Statistics confirm they are complete, else by a walk of the top-level records.
    public func attachments() -> [MCAPAttachment] {
        if let summary, let statistics = summary.statistics,
            Int(statistics.attachmentCount) == summary.attachmentIndexes.count
        {
            return summary.attachmentIndexes.compactMap { index in
                guard let body = recordBody(at: index.offset, opcode: .attachment) else { return nil }
                return try? parseAttachment(body.bytes, fileOffset: body.offset).attachment
            }
        }
        return topLevelBodies(of: .attachment).compactMap {
            try? parseAttachment($0.bytes, fileOffset: $0.offset).attachment
        }
    }

    private static func parseMetadata(_ body: UnsafeRawBufferPointer, fileOffset: UInt64) -> MCAPMetadata? {
        var p = RecordParser(body, fileOffset: fileOffset, opcode: MCAPOpcode.metadata.rawValue)
        return try? MCAPMetadata(parsing: &p)
    }

    /// Whether the footer points to a summary section (the specification makes it optional).
    public var hasSummarySection: Bool { (footer?.summaryStart ?? 0) != 0 }

    /// The bodies of the complete top-level records with `opcode` in the data section (chunk
    /// bodies are skipped by their length). Stops at the first record cut short or at DataEnd.
    func topLevelBodies(of opcode: MCAPOpcode) -> [(bytes: UnsafeRawBufferPointer, offset: UInt64)] {
        var result: [(bytes: UnsafeRawBufferPointer, offset: UInt64)] = []
        let size = UInt64(file.size)
        var offset: UInt64 = 8
        while size >= 9, offset <= size - 9, let prefix = file.slice(offset, 9) {
            let length = UInt64(littleEndian: prefix.loadUnaligned(fromByteOffset: 1, as: UInt64.self))
            guard length <= size - offset - 9, let body = file.slice(offset + 9, length) else { break }
            if prefix[0] == opcode.rawValue { result.append((body, offset + 9)) }
            if prefix[0] == MCAPOpcode.dataEnd.rawValue || prefix[0] == MCAPOpcode.footer.rawValue { break }
            offset += 9 + length
        }
        return result
    }

    /// The body of the record at `offset` when it is complete and has the expected opcode.
    func recordBody(at offset: UInt64, opcode: MCAPOpcode) -> (bytes: UnsafeRawBufferPointer, offset: UInt64)?
    {
        guard let prefix = file.slice(offset, 9), prefix[0] == opcode.rawValue else { return nil }
        let length = UInt64(littleEndian: prefix.loadUnaligned(fromByteOffset: 1, as: UInt64.self))
        guard let body = file.slice(offset + 9, length) else { return nil }
        return (body, offset + 9)
    }

    /// A full streaming pass: every record checked (CRCs when `verifyCRCs`), for `inspect`.
    public func scanFile(verifyCRCs: Bool = true) -> MCAPFileScan {
        let cursor = MCAPMessageCursor(reader: self, query: MCAPQuery(order: .file), verifyCRCs: verifyCRCs)
        cursor.collectsDetails = true
        var counts: [UInt16: UInt64] = [:]
        var count: UInt64 = 0
        var start = UInt64.max
        var end: UInt64 = 0
        var channelTimes: [UInt16: (UInt64, UInt64)] = [:]
        while let message = cursor.next() {
            count += 1
            counts[message.channelID, default: 0] += 1
            start = min(start, message.logTime)
            end = max(end, message.logTime)
            if let times = channelTimes[message.channelID] {
                channelTimes[message.channelID] = (
                    min(times.0, message.logTime), max(times.1, message.logTime)
                )
            } else {
                channelTimes[message.channelID] = (message.logTime, message.logTime)
            }
        }
        return MCAPFileScan(
            messageCount: count, messageStartTime: count > 0 ? start : 0, messageEndTime: end,
            channelMessageCounts: counts, channelTimeRanges: channelTimes.mapValues { $0.0...$0.1 },
            channels: cursor.knownChannels, schemas: cursor.knownSchemas, chunks: cursor.chunksSeen,
            metadata: cursor.metadataSeen, attachments: cursor.attachmentsSeen,
            footerFound: cursor.footerSeen,
            dataEndFound: cursor.dataEndSeen, warnings: cursor.warnings)
    }
}

/// What a full pass over a file found (see `MCAPReader.scanFile`).
public struct MCAPFileScan: Sendable {
    public var messageCount: UInt64
    public var messageStartTime: UInt64
    public var messageEndTime: UInt64
    public var channelMessageCounts: [UInt16: UInt64]
    public var channelTimeRanges: [UInt16: ClosedRange<UInt64>]
    public var channels: [UInt16: MCAPChannel]
    public var schemas: [UInt16: MCAPSchema]
    /// Every complete chunk, in file order (corrupt ones included, see `readable`).
    public var chunks: [MCAPChunkInfo]
    public var metadata: [MCAPMetadata]
    public var attachments: [MCAPAttachment]
    public var footerFound: Bool
    public var dataEndFound: Bool
    public var warnings: [MCAPWarning]
}

/// A chunk as found in the data section.
public struct MCAPChunkInfo: Sendable, Equatable {
    public var offset: UInt64
    public var compression: String
    public var compressedSize: UInt64
    public var uncompressedSize: UInt64
    public var messageStartTime: UInt64
    public var messageEndTime: UInt64
    /// Messages read from it (0 when unreadable).
    public var messageCount: Int
    /// False when the chunk was corrupt and skipped.
    public var readable: Bool
}

/// Parses an Attachment body; `crcOK` is false when a non-zero CRC does not match.
func parseAttachment(_ body: UnsafeRawBufferPointer, fileOffset: UInt64) throws(MCAPError)
    -> (attachment: MCAPAttachment, crcOK: Bool)
{
    var p = RecordParser(body, fileOffset: fileOffset, opcode: MCAPOpcode.attachment.rawValue)
    let logTime = try p.read(UInt64.self, "log_time")
    let createTime = try p.read(UInt64.self, "create_time")
    let name = try p.readString("name")
    let mediaType = try p.readString("media_type")
    let length = try p.read(UInt64.self, "data length")
    guard length <= UInt64(p.remaining) else {
        throw .malformedRecord(opcode: p.opcode, offset: fileOffset + UInt64(p.position), field: "data")
    }
    let data = try p.readBytes(count: Int(length), "data")
    let covered = p.position
    let crc = try p.read(UInt32.self, "crc")
    let crcOK = crc == 0 || CRC32.checksum(UnsafeRawBufferPointer(rebasing: body[0..<covered])) == crc
    return (
        MCAPAttachment(
            logTime: logTime, createTime: createTime, name: name, mediaType: mediaType, data: [UInt8](data)),
        crcOK
    )
}
