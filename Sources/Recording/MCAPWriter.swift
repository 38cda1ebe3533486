/// Writes an MCAP file: chunked (zstd, lz4 or stored), with message indexes after each chunk
/// and a full summary (schemas, channels, statistics, chunk/attachment/metadata indexes, summary
/// offsets) when finished. All CRCs are written (chunk, attachment, data section, summary),
/// unless `Options.dataSectionCRC` turns off the one over the whole data section. For tests and
/// benchmarks of readers, `Options.chunked` and `Options.parts` write the other shapes the
/// specification allows (messages outside chunks; any optional index or summary part left out).
///
/// Crash tolerance: messages accumulate in an open chunk in memory; `flush()` closes that chunk
/// and hands every byte to the kernel, so a crash loses at most what was written since the last
/// flush. A reader recovers every closed chunk of a file that was never finished.
///
/// Not thread-safe: use from one task or thread at a time (it is not `Sendable`).
public final class MCAPWriter {
    /// Writer settings.
    public struct Options: Sendable {
        /// Chunk compression (default zstd).
        public var compression: MCAPCompression = .zstd
        /// A chunk is closed once its uncompressed records reach this many bytes (default 1 MiB).
        public var chunkSize: Int = 1 << 20
        /// zstd compression level (1 fastest ... 19; default 3, zstd's own default).
        public var zstdLevel: Int = 3
        /// Header profile (empty: no profile).
        public var profile: String = ""
        /// Header library string.
        public var library: String = "testzone-recording"
        /// When true, `flush()` also asks the kernel to put the bytes on disk (fsync).
        public var syncOnFlush: Bool = false
        /// Whether DataEnd carries the CRC of the whole data section (default true). Every chunk
        /// keeps its own CRC either way; without this one (written as 0, "not computed" in the
        /// MCAP spec) the writer hashes the compressed bytes a second time for nothing else, so
        /// high-rate journals turn it off.
        public var dataSectionCRC: Bool = true
        /// Whether messages go into chunks (default) or are written as top-level records
        /// (unchunked: no compression, no message or chunk indexes; each message reaches the
        /// file at the next flush).
        public var chunked: Bool = true
        /// The optional indexes and summary parts to write (default: all). Readers must cope
        /// with any subset (the MCAP specification makes them optional); TestZone's own files
        /// always have them all, other shapes are for tests and benchmarks of readers.
        public var parts: OptionalParts = .all

        public init(
            compression: MCAPCompression = .zstd, chunkSize: Int = 1 << 20, zstdLevel: Int = 3,
            profile: String = "", library: String = "testzone-recording", syncOnFlush: Bool = false,
            dataSectionCRC: Bool = true, chunked: Bool = true, parts: OptionalParts = .all
        ) {
            self.compression = compression
            self.chunkSize = chunkSize
            self.zstdLevel = zstdLevel
            self.profile = profile
            self.library = library
            self.syncOnFlush = syncOnFlush
            self.dataSectionCRC = dataSectionCRC
            self.chunked = chunked
            self.parts = parts
        }
    }

    /// The parts of a file the MCAP specification makes optional.
    public struct OptionalParts: OptionSet, Sendable {
        public var rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }

        /// Message Index records after each chunk.
        public static let messageIndexes = Self(rawValue: 1 << 0)
        /// Chunk Index records in the summary.
        public static let chunkIndexes = Self(rawValue: 1 << 1)
        /// Attachment Index records in the summary.
        public static let attachmentIndexes = Self(rawValue: 1 << 2)
        /// Metadata Index records in the summary.
        public static let metadataIndexes = Self(rawValue: 1 << 3)
        /// The Statistics record in the summary.
        public static let statistics = Self(rawValue: 1 << 4)
        /// Schema records repeated in the summary.
        public static let repeatedSchemas = Self(rawValue: 1 << 5)
        /// Channel records repeated in the summary.
        public static let repeatedChannels = Self(rawValue: 1 << 6)
        /// The summary offset section.
        public static let summaryOffsets = Self(rawValue: 1 << 7)

        public static let all: Self = [
            .messageIndexes, .chunkIndexes, .attachmentIndexes, .metadataIndexes, .statistics,
            .repeatedSchemas,
            .repeatedChannels, .summaryOffsets,
        ]
    }

    /// Per-channel state: the message index of the open chunk and the running count.
    private final class ChannelState {
        let channel: MCAPChannel
        /// (log time, offset in the chunk's records) pairs, 16 bytes each.
        let index = ByteBuffer(capacity: 1024)
        var indexSorted = true
        var lastIndexedTime: UInt64 = 0
        var messageCount: UInt64 = 0

        init(channel: MCAPChannel) { self.channel = channel }
    }

    public let options: Options
    /// The path written to.
    public var path: String { output.path }

    private var output: FileOutput
    /// Records waiting to be written to the file.
    private let pending = ByteBuffer(capacity: 1 << 18)
    /// File offset of `pending`'s first byte.
    private var pendingOffset: UInt64 = 0
    private var dataCRC = CRC32()

    private let chunk: ByteBuffer
    private var chunkMessageCount = 0
    private var chunkStartTime: UInt64 = .max
    private var chunkEndTime: UInt64 = 0
    private var chunkChannels: [UInt16] = []
    private let compressor: ChunkCompressor

    private var schemas: [MCAPSchema] = []
    /// Indexed by channel id (ids are assigned densely from 1; slot 0 is unused).
    private var channelStates: [ChannelState?] = [nil]
    private var statistics = MCAPStatistics()
    private var chunkIndexes: [MCAPChunkIndex] = []
    private var attachmentIndexes: [MCAPAttachmentIndex] = []
    private var metadataIndexes: [MCAPMetadataIndex] = []
    private var finished = false

    /// Creates (or truncates) the file at `path` and writes the magic and Header record.
    public init(path: String, options: Options = Options()) throws(MCAPError) {
        self.options = options
        output = try FileOutput(path: path)
        chunk = ByteBuffer(capacity: max(options.chunkSize, 1024) + 64 * 1024)
        compressor = ChunkCompressor(compression: options.compression, zstdLevel: Int32(options.zstdLevel))
        chunkCompression = options.compression
        mcapMagic.withUnsafeBytes { emit($0) }
        let body = ByteBuffer(capacity: 64)
        body.appendString(options.profile)
        body.appendString(options.library)
        emitRecord(.header, body)
        try drainPending()
    }

    deinit {
        // A writer dropped without `finish()` leaves a file like a crash would, minus nothing:
        // the open chunk is closed and written (best effort, errors cannot be reported here).
        if !finished && output.isOpen { try? flush() }
    }

    // MARK: Counters

    /// Messages written so far (including those in the open chunk).
    public var messageCount: UInt64 { statistics.messageCount }

    /// Bytes of the file so far, counting buffered records but not the open chunk.
    public var bytesWritten: UInt64 { pendingOffset + UInt64(pending.count) }

    /// The compression of the chunks closed from now on (initially `options.compression`).
    /// Every Chunk record names its own compression, so a file may mix them: a live journal
    /// stores chunks uncompressed while the machine is short of CPU (see `testzone ingest`).
    public var chunkCompression: MCAPCompression

    /// Uncompressed bytes in the open chunk (lost if the process dies before the next flush).
    public var openChunkBytes: Int { chunk.count }

    /// The channels added so far.
    public var channels: [MCAPChannel] { channelStates.compactMap { $0?.channel } }

    // MARK: Schemas, channels, metadata, attachments

    /// Adds a schema (written to the data section at once) and returns its id (from 1).
    @discardableResult
    public func addSchema(name: String, encoding: String, data: [UInt8]) throws(MCAPError) -> UInt16 {
        guard !finished else { throw .writerFinished }
        guard schemas.count < Int(UInt16.max) else { throw .tooManyIDs("schemas") }
        let schema = MCAPSchema(id: UInt16(schemas.count + 1), name: name, encoding: encoding, data: data)
        schemas.append(schema)
        statistics.schemaCount += 1
        emitRecord(.schema, schemaBody(schema))
        return schema.id
    }

    /// Adds a channel (written to the data section at once, before any of its messages) and
    /// returns its id (from 1). `schemaID` 0 means no schema.
    @discardableResult
    public func addChannel(
        topic: String, messageEncoding: String, schemaID: UInt16 = 0, metadata: [String: String] = [:]
    ) throws(MCAPError) -> UInt16 {
        guard !finished else { throw .writerFinished }
        guard schemaID == 0 || Int(schemaID) <= schemas.count else { throw .unknownSchema(schemaID) }
        guard channelStates.count < Int(UInt16.max) else { throw .tooManyIDs("channels") }
        let channel = MCAPChannel(
            id: UInt16(channelStates.count), schemaID: schemaID, topic: topic,
            messageEncoding: messageEncoding, metadata: metadata)
        channelStates.append(ChannelState(channel: channel))
        statistics.channelCount += 1
        emitRecord(.channel, channelBody(channel))
        return channel.id
    }

    /// Writes a Metadata record (data section) and indexes it in the summary.
    public func addMetadata(_ metadata: MCAPMetadata) throws(MCAPError) {
        guard !finished else { throw .writerFinished }
        let body = ByteBuffer(capacity: 256)
        body.appendString(metadata.name)
        body.appendStringMap(metadata.entries)
        let offset = bytesWritten
        emitRecord(.metadata, body)
        metadataIndexes.append(
            MCAPMetadataIndex(offset: offset, length: bytesWritten - offset, name: metadata.name))
        statistics.metadataCount += 1
    }

    /// Writes an Attachment record with its CRC (data section) and indexes it in the summary.
    public func addAttachment(_ attachment: MCAPAttachment) throws(MCAPError) {
        guard !finished else { throw .writerFinished }
        let body = ByteBuffer(capacity: attachment.data.count + 128)
        body.append(attachment.logTime)
        body.append(attachment.createTime)
        body.appendString(attachment.name)
        body.appendString(attachment.mediaType)
        body.append(UInt64(attachment.data.count))
        body.append(attachment.data)
        body.append(CRC32.checksum(body.bytes))
        let offset = bytesWritten
        emitRecord(.attachment, body)
        attachmentIndexes.append(
            MCAPAttachmentIndex(
                offset: offset, length: bytesWritten - offset, logTime: attachment.logTime,
                createTime: attachment.createTime, dataSize: UInt64(attachment.data.count),
                name: attachment.name, mediaType: attachment.mediaType))
        statistics.attachmentCount += 1
    }

    // MARK: Messages

    /// Appends a message to the open chunk (closing the chunk when it reaches the chunk size).
    /// The payload is copied; no allocation happens once the buffers have grown.
    public func write(
        channelID: UInt16, sequence: UInt32 = 0, logTime: UInt64, publishTime: UInt64,
        payload: UnsafeRawBufferPointer
    ) throws(MCAPError) {
        guard !finished else { throw .writerFinished }
        let slot = Int(channelID)
        guard slot > 0, slot < channelStates.count, let state = channelStates[slot] else {
            throw .unknownChannel(channelID)
        }
        let offset = chunk.count
        let length = 22 + payload.count
        chunk.reserve(9 + length)
        let p = chunk.base + offset
        p.storeBytes(of: MCAPOpcode.message.rawValue, as: UInt8.self)
        p.storeBytes(of: UInt64(length).littleEndian, toByteOffset: 1, as: UInt64.self)
        p.storeBytes(of: channelID.littleEndian, toByteOffset: 9, as: UInt16.self)
        p.storeBytes(of: sequence.littleEndian, toByteOffset: 11, as: UInt32.self)
        p.storeBytes(of: logTime.littleEndian, toByteOffset: 15, as: UInt64.self)
        p.storeBytes(of: publishTime.littleEndian, toByteOffset: 23, as: UInt64.self)
        if let source = payload.baseAddress, payload.count > 0 {
            (p + 31).copyMemory(from: source, byteCount: payload.count)
        }
        chunk.count = offset + 9 + length
        state.messageCount += 1
        if statistics.messageCount == 0 || logTime < statistics.messageStartTime {
            statistics.messageStartTime = logTime
        }
        if logTime > statistics.messageEndTime { statistics.messageEndTime = logTime }
        statistics.messageCount += 1

        if !options.chunked {
            emit(UnsafeRawBufferPointer(rebasing: chunk.bytes[offset...]))
            chunk.removeAll()
            if pending.count >= 1 << 18 { try drainPending() }
            return
        }
        if state.index.count == 0 {
            chunkChannels.append(channelID)
            state.indexSorted = true
        } else if logTime < state.lastIndexedTime {
            state.indexSorted = false
        }
        state.lastIndexedTime = logTime
        state.index.append(logTime, UInt64(offset))

        chunkMessageCount += 1
        if logTime < chunkStartTime { chunkStartTime = logTime }
        if logTime > chunkEndTime { chunkEndTime = logTime }

        if chunk.count >= options.chunkSize { try closeChunk() }
    }

    /// Appends a message to the open chunk (see the pointer variant).
    public func write(
        channelID: UInt16, sequence: UInt32 = 0, logTime: UInt64, publishTime: UInt64, payload: [UInt8]
    ) throws(MCAPError) {
        let result = payload.withUnsafeBytes { bytes in
            Result { () throws(MCAPError) in
                try write(
                    channelID: channelID, sequence: sequence, logTime: logTime, publishTime: publishTime,
                    payload: bytes)
            }
        }
        try result.get()
    }

    // MARK: Flushing and finishing

    /// Closes the open chunk (if it holds messages) and writes everything buffered to the file
    /// (and fsyncs when `options.syncOnFlush`). After it returns, a crash loses nothing written
    /// so far. Each flush ends a chunk, so flushing very often costs compression ratio.
    public func flush() throws(MCAPError) {
        guard !finished else { throw .writerFinished }
        try closeChunk()
        try drainPending()
        if options.syncOnFlush { try output.sync() }
    }

    /// Closes the open chunk and writes the DataEnd record, the summary, the summary offsets,
    /// the footer and the closing magic; then closes the file.
    public func finish() throws(MCAPError) {
        guard !finished else { throw .writerFinished }
        try closeChunk()
        let dataEnd = ByteBuffer(capacity: 8)
        dataEnd.append(dataCRC.value)
        emitRecord(.dataEnd, dataEnd)

        let summaryStart = bytesWritten
        let summary = ByteBuffer(capacity: 4096 + chunkIndexes.count * 100)
        var offsets: [MCAPSummaryOffset] = []
        func group(_ opcode: MCAPOpcode, _ bodies: [ByteBuffer]) {
            guard !bodies.isEmpty else { return }
            let start = summary.count
            for body in bodies { appendRecord(opcode, body, to: summary) }
            offsets.append(
                MCAPSummaryOffset(
                    groupOpcode: opcode.rawValue, groupStart: summaryStart + UInt64(start),
                    groupLength: UInt64(summary.count - start)))
        }
        let parts = options.parts
        if parts.contains(.repeatedSchemas) { group(.schema, schemas.map(schemaBody)) }
        if parts.contains(.repeatedChannels) {
            group(.channel, channelStates.compactMap { $0.map { channelBody($0.channel) } })
        }
        statistics.chunkCount = UInt32(clamping: chunkIndexes.count)
        statistics.channelMessageCounts = [:]
        for case let state? in channelStates where state.messageCount > 0 {
            statistics.channelMessageCounts[state.channel.id] = state.messageCount
        }
        if parts.contains(.statistics) { group(.statistics, [statisticsBody(statistics)]) }
        if parts.contains(.chunkIndexes) { group(.chunkIndex, chunkIndexes.map(chunkIndexBody)) }
        if parts.contains(.attachmentIndexes) {
            group(.attachmentIndex, attachmentIndexes.map(attachmentIndexBody))
        }
        if parts.contains(.metadataIndexes) { group(.metadataIndex, metadataIndexes.map(metadataIndexBody)) }
        if !parts.contains(.summaryOffsets) { offsets = [] }
        // An empty summary section is written as none (footer offsets 0), as the specification says.
        let footerSummaryStart = summary.count > 0 ? summaryStart : 0
        let summaryOffsetStart = offsets.isEmpty ? 0 : summaryStart + UInt64(summary.count)
        for offset in offsets {
            let body = ByteBuffer(capacity: 17)
            body.append(offset.groupOpcode)
            body.append(offset.groupStart)
            body.append(offset.groupLength)
            appendRecord(.summaryOffset, body, to: summary)
        }
        // Footer: its CRC covers the summary, the summary offsets and the footer up to the CRC.
        summary.append(MCAPOpcode.footer.rawValue)
        summary.append(UInt64(20))
        summary.append(footerSummaryStart)
        summary.append(summaryOffsetStart)
        summary.append(CRC32.checksum(summary.bytes))
        summary.append(mcapMagic)
        emit(summary.bytes)
        try drainPending()
        finished = true
        try output.close()
    }

    // MARK: Internals

    private func closeChunk() throws(MCAPError) {
        guard chunkMessageCount > 0 else { return }
        let records = chunk.bytes
        let crc = CRC32.checksum(records)
        let compressed = try compressor.compress(records, as: chunkCompression)
        let compressionName = chunkCompression.rawValue

        let chunkStart = bytesWritten
        let header = ByteBuffer(capacity: 64)
        header.append(chunkStartTime)
        header.append(chunkEndTime)
        header.append(UInt64(records.count))
        header.append(crc)
        header.appendString(compressionName)
        header.append(UInt64(compressed.count))
        var recordHeader = ByteBuffer(capacity: 9)
        recordHeader.append(MCAPOpcode.chunk.rawValue)
        recordHeader.append(UInt64(header.count + compressed.count))
        emit(recordHeader.bytes)
        emit(header.bytes)
        emit(compressed)
        let chunkLength = bytesWritten - chunkStart

        let indexStart = bytesWritten
        var indexOffsets: [UInt16: UInt64] = [:]
        for id in chunkChannels.sorted() {
            guard let state = channelStates[Int(id)] else { continue }
            guard options.parts.contains(.messageIndexes) else {
                state.index.removeAll()
                continue
            }
            if !state.indexSorted { sortIndex(state.index) }
            indexOffsets[id] = bytesWritten
            recordHeader = ByteBuffer(capacity: 16)
            recordHeader.append(MCAPOpcode.messageIndex.rawValue)
            recordHeader.append(UInt64(2 + 4 + state.index.count))
            recordHeader.append(id)
            recordHeader.append(UInt32(state.index.count))
            emit(recordHeader.bytes)
            emit(state.index.bytes)
            state.index.removeAll()
        }
        chunkIndexes.append(
            MCAPChunkIndex(
                messageStartTime: chunkStartTime, messageEndTime: chunkEndTime, chunkStartOffset: chunkStart,
                chunkLength: chunkLength, messageIndexOffsets: indexOffsets,
                messageIndexLength: bytesWritten - indexStart, compression: compressionName,
                compressedSize: UInt64(compressed.count), uncompressedSize: UInt64(records.count)))

        chunk.removeAll()
        chunkChannels.removeAll(keepingCapacity: true)
        chunkMessageCount = 0
        chunkStartTime = .max
        chunkEndTime = 0
        if pending.count >= 1 << 18 { try drainPending() }
    }

    /// Stable sort of (time, offset) pairs by time (offsets ascend within equal times).
    private func sortIndex(_ index: ByteBuffer) {
        let n = index.count / 16
        var pairs: [(UInt64, UInt64)] = []
        pairs.reserveCapacity(n)
        for i in 0..<n {
            pairs.append(
                (
                    UInt64(littleEndian: index.base.loadUnaligned(fromByteOffset: i * 16, as: UInt64.self)),
                    UInt64(
                        littleEndian: index.base.loadUnaligned(fromByteOffset: i * 16 + 8, as: UInt64.self))
                ))
        }
        pairs.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        for (i, pair) in pairs.enumerated() {
            index.store(pair.0, at: i * 16)
            index.store(pair.1, at: i * 16 + 8)
        }
    }

    /// Queues bytes of the data section (CRC updated); large blocks go straight to the file.
    private func emit(_ bytes: UnsafeRawBufferPointer) {
        if options.dataSectionCRC { dataCRC.update(bytes) }
        pending.append(bytes)
    }

    private func emitRecord(_ opcode: MCAPOpcode, _ body: ByteBuffer) {
        let header = ByteBuffer(capacity: 9)
        header.append(opcode.rawValue)
        header.append(UInt64(body.count))
        emit(header.bytes)
        emit(body.bytes)
    }

    private func appendRecord(_ opcode: MCAPOpcode, _ body: ByteBuffer, to buffer: ByteBuffer) {
        buffer.append(opcode.rawValue)
        buffer.append(UInt64(body.count))
        buffer.append(body.bytes)
    }

    private func drainPending() throws(MCAPError) {
        guard pending.count > 0 else { return }
        try output.write(pending.bytes)
        pendingOffset += UInt64(pending.count)
        pending.removeAll()
    }

    private func schemaBody(_ schema: MCAPSchema) -> ByteBuffer {
        let body = ByteBuffer(capacity: 64 + schema.data.count)
        body.append(schema.id)
        body.appendString(schema.name)
        body.appendString(schema.encoding)
        body.append(UInt32(schema.data.count))
        body.append(schema.data)
        return body
    }

    private func channelBody(_ channel: MCAPChannel) -> ByteBuffer {
        let body = ByteBuffer(capacity: 128)
        body.append(channel.id)
        body.append(channel.schemaID)
        body.appendString(channel.topic)
        body.appendString(channel.messageEncoding)
        body.appendStringMap(channel.metadata)
        return body
    }

    private func statisticsBody(_ s: MCAPStatistics) -> ByteBuffer {
        let body = ByteBuffer(capacity: 64 + s.channelMessageCounts.count * 10)
        body.append(s.messageCount)
        body.append(s.schemaCount)
        body.append(s.channelCount)
        body.append(s.attachmentCount)
        body.append(s.metadataCount)
        body.append(s.chunkCount)
        body.append(s.messageStartTime)
        body.append(s.messageEndTime)
        appendIDMap(s.channelMessageCounts, to: body)
        return body
    }

    private func chunkIndexBody(_ c: MCAPChunkIndex) -> ByteBuffer {
        let body = ByteBuffer(capacity: 96 + c.messageIndexOffsets.count * 10)
        body.append(c.messageStartTime)
        body.append(c.messageEndTime)
        body.append(c.chunkStartOffset)
        body.append(c.chunkLength)
        appendIDMap(c.messageIndexOffsets, to: body)
        body.append(c.messageIndexLength)
        body.appendString(c.compression)
        body.append(c.compressedSize)
        body.append(c.uncompressedSize)
        return body
    }

    private func attachmentIndexBody(_ a: MCAPAttachmentIndex) -> ByteBuffer {
        let body = ByteBuffer(capacity: 64)
        body.append(a.offset)
        body.append(a.length)
        body.append(a.logTime)
        body.append(a.createTime)
        body.append(a.dataSize)
        body.appendString(a.name)
        body.appendString(a.mediaType)
        return body
    }

    private func metadataIndexBody(_ m: MCAPMetadataIndex) -> ByteBuffer {
        let body = ByteBuffer(capacity: 32)
        body.append(m.offset)
        body.append(m.length)
        body.appendString(m.name)
        return body
    }

    private func appendIDMap(_ map: [UInt16: UInt64], to body: ByteBuffer) {
        body.append(UInt32(map.count * 10))
        for key in map.keys.sorted() {
            body.append(key)
            body.append(map[key]!)
        }
    }
}
