/// Pulls messages out of an `MCAPReader` one at a time, in file order (streaming) or log-time
/// order (indexed), as the query says. Several cursors can be merged (replay merges files).
///
/// `next()` lends a view whose payload stays valid until the following `next()` call on this
/// cursor. Problems found on the way accumulate in `warnings`. Not thread-safe.
public final class MCAPMessageCursor {
    /// A message found while planning an indexed read: where it is and when it was logged.
    private struct Entry {
        var logTime: UInt64
        /// Index into `sources`.
        var source: Int32
        /// Offset of the message record (opcode byte) within that source.
        var offset: Int
    }

    /// A chunk (or the set of loose top-level messages) an indexed read will visit.
    private struct PlannedChunk {
        var offset: UInt64
        var startTime: UInt64
        var endTime: UInt64
        var messageIndexOffsets: [UInt16: UInt64]
        /// True for the pseudo-chunk of messages written outside chunks.
        var loose: Bool
    }

    public let query: MCAPQuery
    /// Whether chunk, attachment and data-section CRCs are checked.
    public let verifyCRCs: Bool
    private let reader: MCAPReader
    private let file: MappedFile
    private let decompressor = ChunkDecompressor()

    /// The cursor's mutable state. It lives behind a pointer, not in stored properties: Swift
    /// checks every access to a class's stored `var` for exclusivity at run time unless the
    /// optimizer proves it safe (`swift_beginAccess`, which keeps a thread-local set of accesses),
    /// and with several such accesses per message the checks took a quarter of the time of an
    /// indexed read (perf, issue 17). Accesses through a pointer are not checked; the computed
    /// properties below forward to it, so the code reads as before. Not thread-safe, as before.
    private let state: UnsafeMutablePointer<State>

    private struct State {
        var warnings: [MCAPWarning] = []

        // Channel table, indexed by channel id.
        var channelTable: [MCAPChannel?] = []
        var channelSelection: [UInt8] = []
        var schemaTable: [UInt16: MCAPSchema] = [:]
        var warnedChannels: Set<UInt16> = []

        // Details collected for `scanFile`.
        var collectsDetails: Bool = false
        var chunksSeen: [MCAPChunkInfo] = []
        var metadataSeen: [MCAPMetadata] = []
        var attachmentsSeen: [MCAPAttachment] = []
        var footerSeen: Bool = false
        var dataEndSeen: Bool = false

        // Streaming state.
        var position: UInt64 = 8
        var crc: CRC32 = CRC32()
        var crcCovered: UInt64 = 0
        var chunkRecords: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)
        var chunkPosition: Int = 0
        var chunkFileOffset: UInt64 = 0
        var finished: Bool = false

        // Indexed state.
        var planned: Bool = false
        var groups: [[PlannedChunk]] = []
        var groupIndex: Int = 0
        var entries: [Entry] = []
        var entryPosition: Int = 0
        var sources: [UnsafeRawBufferPointer] = []
        var decompressors: [ChunkDecompressor] = []
        var looseMessages: [Entry] = []
        var allChunkOffsets: [UInt64] = []
        var definitionsRead: Set<UInt64> = []
        var nextUnread: Int = 0
    }

    /// What was lost or found wrong so far (complete once `next()` has returned nil).
    public private(set) var warnings: [MCAPWarning] {
        _read { yield state.pointee.warnings }
        _modify { yield &state.pointee.warnings }
    }

    private var channelTable: [MCAPChannel?] {
        _read { yield state.pointee.channelTable }
        _modify { yield &state.pointee.channelTable }
    }

    /// Per channel id: 0 not yet known, 1 selected, 2 filtered out.
    private var channelSelection: [UInt8] {
        _read { yield state.pointee.channelSelection }
        _modify { yield &state.pointee.channelSelection }
    }

    private var schemaTable: [UInt16: MCAPSchema] {
        _read { yield state.pointee.schemaTable }
        _modify { yield &state.pointee.schemaTable }
    }

    private var warnedChannels: Set<UInt16> {
        _read { yield state.pointee.warnedChannels }
        _modify { yield &state.pointee.warnedChannels }
    }

    var collectsDetails: Bool {
        _read { yield state.pointee.collectsDetails }
        _modify { yield &state.pointee.collectsDetails }
    }

    private(set) var chunksSeen: [MCAPChunkInfo] {
        _read { yield state.pointee.chunksSeen }
        _modify { yield &state.pointee.chunksSeen }
    }

    private(set) var metadataSeen: [MCAPMetadata] {
        _read { yield state.pointee.metadataSeen }
        _modify { yield &state.pointee.metadataSeen }
    }

    private(set) var attachmentsSeen: [MCAPAttachment] {
        _read { yield state.pointee.attachmentsSeen }
        _modify { yield &state.pointee.attachmentsSeen }
    }

    private(set) var footerSeen: Bool {
        _read { yield state.pointee.footerSeen }
        _modify { yield &state.pointee.footerSeen }
    }

    private(set) var dataEndSeen: Bool {
        _read { yield state.pointee.dataEndSeen }
        _modify { yield &state.pointee.dataEndSeen }
    }

    private var position: UInt64 {
        _read { yield state.pointee.position }
        _modify { yield &state.pointee.position }
    }

    private var crc: CRC32 {
        _read { yield state.pointee.crc }
        _modify { yield &state.pointee.crc }
    }

    private var crcCovered: UInt64 {
        _read { yield state.pointee.crcCovered }
        _modify { yield &state.pointee.crcCovered }
    }

    private var chunkRecords: UnsafeRawBufferPointer {
        _read { yield state.pointee.chunkRecords }
        _modify { yield &state.pointee.chunkRecords }
    }

    private var chunkPosition: Int {
        _read { yield state.pointee.chunkPosition }
        _modify { yield &state.pointee.chunkPosition }
    }

    private var chunkFileOffset: UInt64 {
        _read { yield state.pointee.chunkFileOffset }
        _modify { yield &state.pointee.chunkFileOffset }
    }

    private var finished: Bool {
        _read { yield state.pointee.finished }
        _modify { yield &state.pointee.finished }
    }

    private var planned: Bool {
        _read { yield state.pointee.planned }
        _modify { yield &state.pointee.planned }
    }

    private var groups: [[PlannedChunk]] {
        _read { yield state.pointee.groups }
        _modify { yield &state.pointee.groups }
    }

    private var groupIndex: Int {
        _read { yield state.pointee.groupIndex }
        _modify { yield &state.pointee.groupIndex }
    }

    private var entries: [Entry] {
        _read { yield state.pointee.entries }
        _modify { yield &state.pointee.entries }
    }

    private var entryPosition: Int {
        _read { yield state.pointee.entryPosition }
        _modify { yield &state.pointee.entryPosition }
    }

    private var sources: [UnsafeRawBufferPointer] {
        _read { yield state.pointee.sources }
        _modify { yield &state.pointee.sources }
    }

    private var decompressors: [ChunkDecompressor] {
        _read { yield state.pointee.decompressors }
        _modify { yield &state.pointee.decompressors }
    }

    private var looseMessages: [Entry] {
        _read { yield state.pointee.looseMessages }
        _modify { yield &state.pointee.looseMessages }
    }

    /// Every chunk of the file (offsets, ascending) and those whose Schema and Channel records
    /// have been read: when the summary does not list every channel and schema, the records of
    /// chunks that an indexed read skips (or reaches late) are read before messages need them.
    private var allChunkOffsets: [UInt64] {
        _read { yield state.pointee.allChunkOffsets }
        _modify { yield &state.pointee.allChunkOffsets }
    }

    private var definitionsRead: Set<UInt64> {
        _read { yield state.pointee.definitionsRead }
        _modify { yield &state.pointee.definitionsRead }
    }

    private var nextUnread: Int {
        _read { yield state.pointee.nextUnread }
        _modify { yield &state.pointee.nextUnread }
    }

    /// Whether the summary lists every channel and schema (its Statistics say how many there
    /// are): then no chunk needs reading for its Schema and Channel records.
    private lazy var definitionsComplete: Bool = {
        guard let summary = reader.summary, let statistics = summary.statistics else { return false }
        return summary.channels.count >= Int(statistics.channelCount)
            && summary.schemas.count >= Int(statistics.schemaCount)
    }()

    init(reader: MCAPReader, query: MCAPQuery, verifyCRCs: Bool) {
        self.reader = reader
        self.file = reader.file
        self.query = query
        self.verifyCRCs = verifyCRCs
        state = .allocate(capacity: 1)
        state.initialize(to: State())
        if file.size < 8 { finished = true }
        if query.order == .file && file.size < 8 {
            warnings = reader.summaryWarnings
        }
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }

    // MARK: Channels and schemas

    /// The channel with this id, once its Channel record has been read (or from the summary).
    public func channel(_ id: UInt16) -> MCAPChannel? {
        Int(id) < channelTable.count ? channelTable[Int(id)] : nil
    }

    /// The schema with this id, once read.
    public func schema(_ id: UInt16) -> MCAPSchema? { schemaTable[id] }

    /// Channels known so far.
    public var knownChannels: [UInt16: MCAPChannel] {
        var result: [UInt16: MCAPChannel] = [:]
        for case let channel? in channelTable { result[channel.id] = channel }
        return result
    }

    /// Schemas known so far.
    public var knownSchemas: [UInt16: MCAPSchema] { schemaTable }

    private func register(_ channel: MCAPChannel) {
        let slot = Int(channel.id)
        if slot >= channelTable.count {
            channelTable.append(contentsOf: repeatElement(nil, count: slot + 1 - channelTable.count))
            channelSelection.append(contentsOf: repeatElement(0, count: slot + 1 - channelSelection.count))
        }
        channelTable[slot] = channel
        channelSelection[slot] = query.includes(topic: channel.topic) ? 1 : 2
    }

    /// Whether messages on `id` are selected (unknown channels pass unless topics are filtered).
    @inline(__always)
    private func selects(channelID id: UInt16, offset: UInt64) -> Bool {
        let slot = Int(id)
        if slot < channelSelection.count, channelSelection[slot] != 0 { return channelSelection[slot] == 1 }
        if !warnedChannels.contains(id) {
            warnedChannels.insert(id)
            warnings.append(.unknownChannel(id: id, offset: offset))
        }
        return !query.filtersTopics
    }

    @inline(__always)
    private func inTimeRange(_ t: UInt64) -> Bool {
        if let start = query.startTime, t < start { return false }
        if let end = query.endTime, t >= end { return false }
        return true
    }

    private func timeOverlaps(_ start: UInt64, _ end: UInt64) -> Bool {
        if let s = query.startTime, end < s { return false }
        if let e = query.endTime, start >= e { return false }
        return true
    }

    // MARK: Next message

    /// The next selected message, or nil at the end (see `warnings` for what was lost).
    public func next() -> MCAPMessageView? {
        switch query.order {
        case .file: return nextInFileOrder()
        case .logTime: return nextInLogTimeOrder()
        }
    }

    @inline(__always)
    private static func view(_ records: UnsafeRawBufferPointer, at offset: Int, length: Int)
        -> MCAPMessageView
    {
        let body = offset + 9
        return MCAPMessageView(
            channelID: UInt16(littleEndian: records.loadUnaligned(fromByteOffset: body, as: UInt16.self)),
            sequence: UInt32(littleEndian: records.loadUnaligned(fromByteOffset: body + 2, as: UInt32.self)),
            logTime: UInt64(littleEndian: records.loadUnaligned(fromByteOffset: body + 6, as: UInt64.self)),
            publishTime: UInt64(
                littleEndian: records.loadUnaligned(fromByteOffset: body + 14, as: UInt64.self)),
            payload: UnsafeRawBufferPointer(rebasing: records[(body + 22)..<(body + length)]))
    }

    // MARK: Streaming (file order)

    private func nextInFileOrder() -> MCAPMessageView? {
        while true {
            if chunkPosition < chunkRecords.count {
                if let message = nextInChunk() { return message }
                continue
            }
            if finished { return nil }
            if let message = nextTopLevel() { return message }
        }
    }

    /// The next selected message of the open chunk (nil when a non-message record was consumed
    /// or the chunk ended).
    @inline(__always)
    private func nextInChunk() -> MCAPMessageView? {
        let records = chunkRecords
        let offset = chunkPosition
        guard records.count - offset >= 9 else {
            warnings.append(
                .malformedRecord(
                    offset: chunkFileOffset, opcode: MCAPOpcode.chunk.rawValue,
                    reason: "records end inside a record header at inner offset \(offset)"))
            chunkPosition = records.count
            return nil
        }
        let opcode = records[offset]
        let length64 = UInt64(
            littleEndian: records.loadUnaligned(fromByteOffset: offset + 1, as: UInt64.self))
        guard length64 <= UInt64(records.count - offset - 9) else {
            warnings.append(
                .malformedRecord(
                    offset: chunkFileOffset, opcode: MCAPOpcode.chunk.rawValue,
                    reason: "record at inner offset \(offset) runs past the chunk's end"))
            chunkPosition = records.count
            return nil
        }
        let length = Int(length64)
        chunkPosition = offset + 9 + length
        if opcode == MCAPOpcode.message.rawValue {
            guard length >= 22 else {
                warnings.append(
                    .malformedRecord(
                        offset: chunkFileOffset, opcode: opcode, reason: "message shorter than 22 bytes"))
                return nil
            }
            if collectsDetails { chunksSeen[chunksSeen.count - 1].messageCount += 1 }
            let message = Self.view(records, at: offset, length: length)
            guard inTimeRange(message.logTime), selects(channelID: message.channelID, offset: chunkFileOffset)
            else { return nil }
            return message
        }
        innerRecord(opcode, UnsafeRawBufferPointer(rebasing: records[(offset + 9)..<(offset + 9 + length)]))
        return nil
    }

    /// Handles a schema or channel record found inside a chunk (others are skipped).
    private func innerRecord(_ opcode: UInt8, _ body: UnsafeRawBufferPointer) {
        var p = RecordParser(body, fileOffset: chunkFileOffset, opcode: opcode)
        do {
            switch MCAPOpcode(rawValue: opcode) {
            case .schema:
                let schema = try MCAPSchema(parsing: &p)
                schemaTable[schema.id] = schema
            case .channel: register(try MCAPChannel(parsing: &p))
            default: break
            }
        } catch {
            warnings.append(
                .malformedRecord(offset: chunkFileOffset, opcode: opcode, reason: error.description))
        }
    }

    /// Advances over one top-level record; returns a message when it is a selected one.
    private func nextTopLevel() -> MCAPMessageView? {
        let size = UInt64(file.size)
        let offset = position
        if offset == size {
            if !footerSeen { warnings.append(.noFooter(fileSize: size)) }
            finished = true
            return nil
        }
        guard size - offset >= 9, let prefix = file.slice(offset, 9) else {
            warnings.append(.truncated(offset: offset, opcode: nil, lostMessages: nil))
            warnings.append(.noFooter(fileSize: size))
            finished = true
            return nil
        }
        let opcode = prefix[0]
        let length = UInt64(littleEndian: prefix.loadUnaligned(fromByteOffset: 1, as: UInt64.self))
        guard length <= size - offset - 9, let body = file.slice(offset + 9, length) else {
            warnings.append(truncation(at: offset, opcode: opcode))
            warnings.append(.noFooter(fileSize: size))
            finished = true
            return nil
        }
        position = offset + 9 + length
        if verifyCRCs && !dataEndSeen && opcode != MCAPOpcode.dataEnd.rawValue
            && opcode != MCAPOpcode.footer.rawValue
        {
            if let span = file.slice(crcCovered, position - crcCovered) { crc.update(span) }
            crcCovered = position
        }
        switch MCAPOpcode(rawValue: opcode) {
        case .message:
            guard length >= 22 else {
                warnings.append(
                    .malformedRecord(offset: offset, opcode: opcode, reason: "message shorter than 22 bytes"))
                return nil
            }
            guard let whole = file.slice(offset, 9 + length) else { return nil }
            let message = Self.view(whole, at: 0, length: Int(length))
            guard inTimeRange(message.logTime), selects(channelID: message.channelID, offset: offset) else {
                return nil
            }
            return message
        case .chunk:
            openChunk(at: offset, body: body)
        case .dataEnd:
            dataEndSeen = true
            var p = RecordParser(body, fileOffset: offset + 9, opcode: opcode)
            if let recorded = try? p.read(UInt32.self, "data_section_crc"), verifyCRCs, recorded != 0,
                crcCovered == offset
            {
                if let span = file.slice(crcCovered, offset - crcCovered) { crc.update(span) }
                if crc.value != recorded {
                    warnings.append(.dataSectionCRCMismatch(expected: recorded, actual: crc.value))
                }
            }
        case .footer:
            footerSeen = true
            finished = true
            if let trailer = file.slice(position, 8), trailer.elementsEqual(mcapMagic),
                position + 8 == size
            {
            } else {
                warnings.append(.badTrailer(offset: position))
            }
        default:
            topLevelRecord(opcode, body, offset: offset)
        }
        return nil
    }

    /// Schema, channel, metadata and attachment records outside chunks.
    private func topLevelRecord(_ opcode: UInt8, _ body: UnsafeRawBufferPointer, offset: UInt64) {
        var p = RecordParser(body, fileOffset: offset + 9, opcode: opcode)
        do {
            switch MCAPOpcode(rawValue: opcode) {
            case .schema:
                let schema = try MCAPSchema(parsing: &p)
                schemaTable[schema.id] = schema
            case .channel:
                register(try MCAPChannel(parsing: &p))
            case .metadata:
                if collectsDetails { metadataSeen.append(try MCAPMetadata(parsing: &p)) }
            case .attachment:
                if collectsDetails || verifyCRCs {
                    let (attachment, crcOK) = try parseAttachment(body, fileOffset: offset + 9)
                    if verifyCRCs && !crcOK {
                        warnings.append(.attachmentCRCMismatch(offset: offset, name: attachment.name))
                    }
                    if collectsDetails { attachmentsSeen.append(attachment) }
                }
            default: break
            }
        } catch {
            warnings.append(.malformedRecord(offset: offset, opcode: opcode, reason: error.description))
        }
    }

    /// Decompresses and checks a chunk; on success its records become the open chunk.
    private func openChunk(at offset: UInt64, body: UnsafeRawBufferPointer) {
        var p = RecordParser(body, fileOffset: offset + 9, opcode: MCAPOpcode.chunk.rawValue)
        guard let header = try? ChunkHeader(parsing: &p) else {
            warnings.append(
                .corruptChunk(
                    offset: offset, reason: "unreadable chunk header",
                    lostMessages: indexedCount(after: position)))
            return
        }
        if collectsDetails {
            chunksSeen.append(
                MCAPChunkInfo(
                    offset: offset, compression: header.compression,
                    compressedSize: UInt64(header.records.count),
                    uncompressedSize: header.uncompressedSize, messageStartTime: header.messageStartTime,
                    messageEndTime: header.messageEndTime, messageCount: 0, readable: false))
        } else if !timeOverlaps(header.messageStartTime, header.messageEndTime) && definitionsComplete {
            return  // nothing selected in it; not even decompressed
        }
        switch loadChunk(header, decompressor: decompressor, offset: offset, end: position) {
        case .success(let records):
            chunkRecords = records
            chunkPosition = 0
            chunkFileOffset = offset
            if collectsDetails { chunksSeen[chunksSeen.count - 1].readable = true }
        case .failure:
            break
        }
    }

    /// Decompresses a chunk and checks its CRC; on failure records a warning (with the number of
    /// messages the following message indexes list, when readable).
    private func loadChunk(
        _ header: ChunkHeader, decompressor: ChunkDecompressor, offset: UInt64, end: UInt64,
        indexOffsets: [UInt16: UInt64]? = nil
    ) -> Result<UnsafeRawBufferPointer, DecompressionFailure> {
        guard ChunkDecompressor.supportedCompressions.contains(header.compression) else {
            warnings.append(
                .unsupportedCompression(
                    offset: offset, compression: header.compression,
                    lostMessages: indexedCount(after: end, offsets: indexOffsets)))
            return .failure(DecompressionFailure("unsupported compression \"\(header.compression)\""))
        }
        let result = decompressor.decompress(
            header.records, compression: header.compression, size: header.uncompressedSize)
        switch result {
        case .success(let records):
            if verifyCRCs && header.uncompressedCRC != 0 {
                let actual = CRC32.checksum(records)
                if actual != header.uncompressedCRC {
                    let reason =
                        "CRC mismatch (recorded \(hex(header.uncompressedCRC)), computed \(hex(actual)))"
                    warnings.append(
                        .corruptChunk(
                            offset: offset, reason: reason,
                            lostMessages: indexedCount(after: end, offsets: indexOffsets)
                                ?? countMessages(records)))
                    return .failure(DecompressionFailure(reason))
                }
            }
            return .success(records)
        case .failure(let failure):
            warnings.append(
                .corruptChunk(
                    offset: offset, reason: failure.reason,
                    lostMessages: indexedCount(after: end, offsets: indexOffsets)))
            return .failure(failure)
        }
    }

    /// The number of messages listed by the Message Index records that follow a chunk (at
    /// `offsets` when known, else consecutively from `end`); nil when there are none.
    private func indexedCount(after end: UInt64, offsets: [UInt16: UInt64]? = nil) -> Int? {
        var total = 0
        var found = false
        if let offsets, !offsets.isEmpty {
            for offset in offsets.values {
                guard let body = reader.recordBody(at: offset, opcode: .messageIndex), body.bytes.count >= 6
                else {
                    continue
                }
                total += (body.bytes.count - 6) / 16
                found = true
            }
            return found ? total : nil
        }
        var offset = end
        while let body = reader.recordBody(at: offset, opcode: .messageIndex), body.bytes.count >= 6 {
            total += (body.bytes.count - 6) / 16
            found = true
            offset = body.offset + UInt64(body.bytes.count)
        }
        return found ? total : nil
    }

    /// Complete message records in a run of records (stops at the first incomplete one).
    private func countMessages(_ records: UnsafeRawBufferPointer) -> Int {
        var count = 0
        var offset = 0
        while records.count - offset >= 9 {
            let length = UInt64(
                littleEndian: records.loadUnaligned(fromByteOffset: offset + 1, as: UInt64.self))
            guard length <= UInt64(records.count - offset - 9) else { break }
            if records[offset] == MCAPOpcode.message.rawValue { count += 1 }
            offset += 9 + Int(length)
        }
        return count
    }

    /// The warning for a record cut by the end of the file; for a chunk, counts the complete
    /// messages in the part present.
    private func truncation(at offset: UInt64, opcode: UInt8) -> MCAPWarning {
        guard opcode == MCAPOpcode.chunk.rawValue else {
            return .truncated(offset: offset, opcode: opcode, lostMessages: nil)
        }
        var lost: Int?
        if let present = file.slice(offset + 9, UInt64(file.size) - offset - 9) {
            var p = RecordParser(present, fileOffset: offset + 9, opcode: opcode)
            if let start = try? p.read(UInt64.self, ""), (try? p.read(UInt64.self, "")) != nil,
                let size = try? p.read(UInt64.self, ""), (try? p.read(UInt32.self, "")) != nil,
                let compression = try? p.readString(""), (try? p.read(UInt64.self, "")) != nil
            {
                _ = start
                let partial = p.readRest()
                lost = countMessages(
                    decompressor.decompressPrefix(partial, compression: compression, size: size))
            }
        }
        return .truncated(offset: offset, opcode: opcode, lostMessages: lost)
    }

    // MARK: Indexed (log-time order)

    private func nextInLogTimeOrder() -> MCAPMessageView? {
        if !planned { plan() }
        while entryPosition == entries.count {
            guard groupIndex < groups.count else { return nil }
            loadGroup(groups[groupIndex])
            groupIndex += 1
        }
        let entry = entries[entryPosition]
        entryPosition += 1
        let records = sources[Int(entry.source)]
        let length = Int(
            UInt64(littleEndian: records.loadUnaligned(fromByteOffset: entry.offset + 1, as: UInt64.self)))
        return Self.view(records, at: entry.offset, length: length)
    }

    /// Chooses the chunks to visit and groups those overlapping in time.
    ///
    /// The chunk list always comes from a walk of the data section's top-level records (chunk
    /// bodies are skipped by their length, never decompressed), because the summary may omit
    /// any of its parts: a summary without Statistics or Chunk Index records, or a file that
    /// mixes chunks and messages outside chunks, is still read completely. The summary adds
    /// what the walk cannot see cheaply: each chunk's Message Index offsets (to skip chunks
    /// without a selected topic) and any indexed chunk beyond a damaged stretch of the file.
    private func plan() {
        planned = true
        for warning in reader.summaryWarnings {
            switch warning {
            case .noFooter, .truncated: break  // the walk finds and reports these itself
            default: warnings.append(warning)
            }
        }
        if let summary = reader.summary {
            for schema in summary.schemas.values { schemaTable[schema.id] = schema }
            for channel in summary.channels.values { register(channel) }
        }
        let walk = scanForChunks()
        var chunks = walk.chunks
        if let summary = reader.summary, !summary.chunkIndexes.isEmpty {
            var positions: [UInt64: Int] = [:]
            for (i, chunk) in chunks.enumerated() { positions[chunk.offset] = i }
            for index in summary.chunkIndexes {
                if let i = positions[index.chunkStartOffset] {
                    chunks[i].messageIndexOffsets = index.messageIndexOffsets
                } else if index.chunkStartOffset >= walk.end {
                    allChunkOffsets.append(index.chunkStartOffset)
                    guard timeOverlaps(index.messageStartTime, index.messageEndTime) else { continue }
                    chunks.append(
                        PlannedChunk(
                            offset: index.chunkStartOffset, startTime: index.messageStartTime,
                            endTime: index.messageEndTime, messageIndexOffsets: index.messageIndexOffsets,
                            loose: false))
                }
            }
        }
        allChunkOffsets.sort()
        chunks.removeAll { !$0.loose && !chunkHasSelectedChannel($0.messageIndexOffsets) }
        chunks.sort { ($0.startTime, $0.offset) < ($1.startTime, $1.offset) }
        var group: [PlannedChunk] = []
        var groupEnd: UInt64 = 0
        for chunk in chunks {
            if !group.isEmpty && chunk.startTime > groupEnd {
                groups.append(group)
                group = []
            }
            groupEnd = group.isEmpty ? chunk.endTime : max(groupEnd, chunk.endTime)
            group.append(chunk)
        }
        if !group.isEmpty { groups.append(group) }
    }

    /// Whether a chunk's Message Index offsets (empty when unknown) list a selected channel.
    private func chunkHasSelectedChannel(_ messageIndexOffsets: [UInt16: UInt64]) -> Bool {
        guard query.filtersTopics, !messageIndexOffsets.isEmpty else { return true }
        return messageIndexOffsets.keys.contains { id in
            let slot = Int(id)
            // A channel not known yet (defined inside a chunk) may be selected.
            return slot >= channelSelection.count || channelSelection[slot] != 2
        }
    }

    /// Walks the top-level records (no decompression) to find chunks and loose messages.
    /// Reports truncation like the streaming read does. `end` is the offset where the walk
    /// stopped (the footer, the end of the file, or a record cut short).
    private func scanForChunks() -> (chunks: [PlannedChunk], end: UInt64) {
        var chunks: [PlannedChunk] = []
        let size = UInt64(file.size)
        guard size >= 8 else {
            warnings.append(contentsOf: reader.summaryWarnings)  // cut inside the leading magic
            return ([], 0)
        }
        var offset: UInt64 = 8
        var looseStart = UInt64.max
        var looseEnd: UInt64 = 0
        scan: while true {
            if offset == size {
                warnings.append(.noFooter(fileSize: size))
                break
            }
            guard size - offset >= 9, let prefix = file.slice(offset, 9) else {
                warnings.append(.truncated(offset: offset, opcode: nil, lostMessages: nil))
                warnings.append(.noFooter(fileSize: size))
                break
            }
            let opcode = prefix[0]
            let length = UInt64(littleEndian: prefix.loadUnaligned(fromByteOffset: 1, as: UInt64.self))
            guard length <= size - offset - 9, let body = file.slice(offset + 9, length) else {
                warnings.append(truncation(at: offset, opcode: opcode))
                warnings.append(.noFooter(fileSize: size))
                break
            }
            switch MCAPOpcode(rawValue: opcode) {
            case .chunk:
                allChunkOffsets.append(offset)
                var p = RecordParser(body, fileOffset: offset + 9, opcode: opcode)
                if let header = try? ChunkHeader(parsing: &p) {
                    if timeOverlaps(header.messageStartTime, header.messageEndTime) {
                        chunks.append(
                            PlannedChunk(
                                offset: offset, startTime: header.messageStartTime,
                                endTime: header.messageEndTime,
                                messageIndexOffsets: [:], loose: false))
                    }
                } else {
                    warnings.append(
                        .corruptChunk(
                            offset: offset, reason: "unreadable chunk header",
                            lostMessages: indexedCount(after: offset + 9 + length)))
                }
            case .message where length >= 22:
                let t = UInt64(littleEndian: body.loadUnaligned(fromByteOffset: 6, as: UInt64.self))
                if inTimeRange(t) {
                    looseMessages.append(Entry(logTime: t, source: 0, offset: Int(offset)))
                    looseStart = min(looseStart, t)
                    looseEnd = max(looseEnd, t)
                }
            case .footer:
                break scan
            default:
                topLevelRecord(opcode, body, offset: offset)
            }
            offset += 9 + length
        }
        if !looseMessages.isEmpty {
            chunks.append(
                PlannedChunk(
                    offset: 0, startTime: looseStart, endTime: looseEnd, messageIndexOffsets: [:], loose: true
                ))
        }
        return (chunks, offset)
    }

    /// Reads the Schema and Channel records of the chunks before `offset` that have not been
    /// read and are not about to be (`loading`): they define channels that later chunks use.
    private func readDefinitions(before offset: UInt64, loading: Set<UInt64>) {
        while nextUnread < allChunkOffsets.count && allChunkOffsets[nextUnread] < offset {
            let chunkOffset = allChunkOffsets[nextUnread]
            nextUnread += 1
            guard !loading.contains(chunkOffset), definitionsRead.insert(chunkOffset).inserted,
                let body = reader.recordBody(at: chunkOffset, opcode: .chunk)
            else { continue }
            var p = RecordParser(body.bytes, fileOffset: body.offset, opcode: MCAPOpcode.chunk.rawValue)
            guard let header = try? ChunkHeader(parsing: &p),
                case .success(let records) = decompressor.decompress(
                    header.records, compression: header.compression, size: header.uncompressedSize)
            else { continue }  // its problem is reported where its messages are read, if ever
            chunkFileOffset = chunkOffset
            var position = 0
            while records.count - position >= 9 {
                let opcode = records[position]
                let length = UInt64(
                    littleEndian: records.loadUnaligned(fromByteOffset: position + 1, as: UInt64.self))
                guard length <= UInt64(records.count - position - 9) else { break }
                if opcode == MCAPOpcode.schema.rawValue || opcode == MCAPOpcode.channel.rawValue {
                    innerRecord(
                        opcode,
                        UnsafeRawBufferPointer(
                            rebasing: records[(position + 9)..<(position + 9 + Int(length))]))
                }
                position += 9 + Int(length)
            }
        }
    }

    /// Decompresses a group of chunks and orders their selected messages by log time.
    private func loadGroup(_ group: [PlannedChunk]) {
        entries.removeAll(keepingCapacity: true)
        entryPosition = 0
        sources.removeAll(keepingCapacity: true)
        var sorted = true
        var last: UInt64 = 0
        let inFileOrder = group.sorted(by: { $0.offset < $1.offset })
        if !definitionsComplete, let last = inFileOrder.last(where: { !$0.loose }) {
            readDefinitions(before: last.offset, loading: Set(inFileOrder.map(\.offset)))
        }
        for chunk in inFileOrder {
            let sourceIndex = Int32(sources.count)
            if chunk.loose {
                sources.append(file.bytes)
                for var entry in looseMessages {
                    let records = file.bytes
                    let channelID = UInt16(
                        littleEndian: records.loadUnaligned(fromByteOffset: entry.offset + 9, as: UInt16.self)
                    )
                    guard selects(channelID: channelID, offset: UInt64(entry.offset)) else { continue }
                    entry.source = sourceIndex
                    if entry.logTime < last { sorted = false }
                    last = entry.logTime
                    entries.append(entry)
                }
                continue
            }
            guard let body = reader.recordBody(at: chunk.offset, opcode: .chunk) else {
                warnings.append(
                    .corruptChunk(
                        offset: chunk.offset, reason: "no complete chunk record at this offset",
                        lostMessages: nil))
                continue
            }
            var p = RecordParser(body.bytes, fileOffset: body.offset, opcode: MCAPOpcode.chunk.rawValue)
            guard let header = try? ChunkHeader(parsing: &p) else {
                warnings.append(
                    .corruptChunk(offset: chunk.offset, reason: "unreadable chunk header", lostMessages: nil))
                continue
            }
            if decompressors.count <= sources.count { decompressors.append(ChunkDecompressor()) }
            let end = body.offset + UInt64(body.bytes.count)
            guard
                case .success(let records) = loadChunk(
                    header, decompressor: decompressors[sources.count], offset: chunk.offset, end: end,
                    indexOffsets: chunk.messageIndexOffsets)
            else { continue }
            sources.append(records)
            definitionsRead.insert(chunk.offset)
            chunkFileOffset = chunk.offset
            var offset = 0
            while records.count - offset >= 9 {
                let opcode = records[offset]
                let length64 = UInt64(
                    littleEndian: records.loadUnaligned(fromByteOffset: offset + 1, as: UInt64.self))
                guard length64 <= UInt64(records.count - offset - 9) else {
                    warnings.append(
                        .malformedRecord(
                            offset: chunk.offset, opcode: MCAPOpcode.chunk.rawValue,
                            reason: "record at inner offset \(offset) runs past the chunk's end"))
                    break
                }
                let length = Int(length64)
                if opcode == MCAPOpcode.message.rawValue {
                    if length >= 22 {
                        let t = UInt64(
                            littleEndian: records.loadUnaligned(fromByteOffset: offset + 15, as: UInt64.self))
                        let channelID = UInt16(
                            littleEndian: records.loadUnaligned(fromByteOffset: offset + 9, as: UInt16.self))
                        if inTimeRange(t) && selects(channelID: channelID, offset: chunk.offset) {
                            if t < last { sorted = false }
                            last = t
                            entries.append(Entry(logTime: t, source: sourceIndex, offset: offset))
                        }
                    } else {
                        warnings.append(
                            .malformedRecord(
                                offset: chunk.offset, opcode: opcode, reason: "message shorter than 22 bytes")
                        )
                    }
                } else {
                    innerRecord(
                        opcode,
                        UnsafeRawBufferPointer(rebasing: records[(offset + 9)..<(offset + 9 + length)]))
                }
                offset += 9 + length
            }
        }
        if !sorted {
            entries.sort { a, b in
                if a.logTime != b.logTime { return a.logTime < b.logTime }
                if a.source != b.source { return a.source < b.source }
                return a.offset < b.offset
            }
        }
    }
}
