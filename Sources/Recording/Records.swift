/// MCAP record types (opcodes) of format version 0, as in the specification's record table.
public enum MCAPOpcode: UInt8, Sendable, CaseIterable {
    case header = 0x01
    case footer = 0x02
    case schema = 0x03
    case channel = 0x04
    case message = 0x05
    case chunk = 0x06
    case messageIndex = 0x07
    case chunkIndex = 0x08
    case attachment = 0x09
    case attachmentIndex = 0x0A
    case statistics = 0x0B
    case metadata = 0x0C
    case metadataIndex = 0x0D
    case summaryOffset = 0x0E
    case dataEnd = 0x0F
}

/// The magic bytes at both ends of an MCAP file: 0x89 "MCAP" '0' (major version 0) CR LF.
public let mcapMagic: [UInt8] = [0x89, 0x4D, 0x43, 0x41, 0x50, 0x30, 0x0D, 0x0A]

/// Chunk compression, as named in a Chunk record's `compression` field.
public enum MCAPCompression: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Stored as is (the empty string on disk).
    case none = ""
    /// Zstandard frame.
    case zstd
    /// LZ4 frame format (not the raw block format).
    case lz4

    /// `none`, `zstd` or `lz4`.
    public var description: String { self == .none ? "none" : rawValue }

    /// Parses `none`, `zstd`, `lz4` (the command-line spelling).
    public init?(name: String) {
        switch name.lowercased() {
        case "none", "": self = .none
        case "zstd": self = .zstd
        case "lz4": self = .lz4
        default: return nil
        }
    }
}

/// The Header record: first record of every file.
public struct MCAPHeader: Sendable, Equatable {
    /// Profile (e.g. `ros2`); empty for TestZone recordings.
    public var profile: String
    /// Free-form name and version of the writing library.
    public var library: String

    public init(profile: String, library: String) {
        self.profile = profile
        self.library = library
    }
}

/// The Schema record: describes how to interpret the messages of the channels that refer to it.
public struct MCAPSchema: Sendable, Equatable {
    /// Schema id (never 0, which means "no schema").
    public var id: UInt16
    public var name: String
    /// Schema encoding (e.g. `protobuf`, `jsonschema`).
    public var encoding: String
    public var data: [UInt8]

    public init(id: UInt16, name: String, encoding: String, data: [UInt8]) {
        self.id = id
        self.name = name
        self.encoding = encoding
        self.data = data
    }
}

/// The Channel record: one stream of messages on a topic.
public struct MCAPChannel: Sendable, Equatable {
    public var id: UInt16
    /// 0 when the channel has no schema.
    public var schemaID: UInt16
    public var topic: String
    public var messageEncoding: String
    public var metadata: [String: String]

    public init(
        id: UInt16, schemaID: UInt16, topic: String, messageEncoding: String,
        metadata: [String: String] = [:]
    ) {
        self.id = id
        self.schemaID = schemaID
        self.topic = topic
        self.messageEncoding = messageEncoding
        self.metadata = metadata
    }
}

/// A Message record with its payload copied out of the file.
public struct MCAPMessage: Sendable, Equatable {
    public var channelID: UInt16
    public var sequence: UInt32
    /// Time the message was recorded, ns since the Unix epoch.
    public var logTime: UInt64
    /// Time the message was published, ns since the Unix epoch.
    public var publishTime: UInt64
    public var data: [UInt8]

    public init(channelID: UInt16, sequence: UInt32, logTime: UInt64, publishTime: UInt64, data: [UInt8]) {
        self.channelID = channelID
        self.sequence = sequence
        self.logTime = logTime
        self.publishTime = publishTime
        self.data = data
    }
}

/// A message lent by a reader: the payload points into the file mapping or the reader's
/// decompression buffer and is valid only until the reader moves on (the end of the closure
/// call, or the next `next()` of a cursor). Call `copy()` to keep it.
public struct MCAPMessageView {
    public var channelID: UInt16
    public var sequence: UInt32
    public var logTime: UInt64
    public var publishTime: UInt64
    /// The payload bytes (borrowed).
    public var payload: UnsafeRawBufferPointer

    public init(
        channelID: UInt16, sequence: UInt32, logTime: UInt64, publishTime: UInt64,
        payload: UnsafeRawBufferPointer
    ) {
        self.channelID = channelID
        self.sequence = sequence
        self.logTime = logTime
        self.publishTime = publishTime
        self.payload = payload
    }

    /// An owned copy (allocates the payload array).
    public func copy() -> MCAPMessage {
        MCAPMessage(
            channelID: channelID, sequence: sequence, logTime: logTime, publishTime: publishTime,
            data: [UInt8](payload))
    }
}

/// The Chunk Index record (summary section): where a chunk is and what time range it covers.
public struct MCAPChunkIndex: Sendable, Equatable {
    public var messageStartTime: UInt64
    public var messageEndTime: UInt64
    /// File offset of the Chunk record's opcode byte.
    public var chunkStartOffset: UInt64
    /// Length of the whole Chunk record (opcode and length prefix included).
    public var chunkLength: UInt64
    /// File offset of each channel's Message Index record that follows the chunk.
    public var messageIndexOffsets: [UInt16: UInt64]
    /// Total length of the Message Index records that follow the chunk.
    public var messageIndexLength: UInt64
    public var compression: String
    public var compressedSize: UInt64
    public var uncompressedSize: UInt64

    public init(
        messageStartTime: UInt64, messageEndTime: UInt64, chunkStartOffset: UInt64, chunkLength: UInt64,
        messageIndexOffsets: [UInt16: UInt64], messageIndexLength: UInt64, compression: String,
        compressedSize: UInt64, uncompressedSize: UInt64
    ) {
        self.messageStartTime = messageStartTime
        self.messageEndTime = messageEndTime
        self.chunkStartOffset = chunkStartOffset
        self.chunkLength = chunkLength
        self.messageIndexOffsets = messageIndexOffsets
        self.messageIndexLength = messageIndexLength
        self.compression = compression
        self.compressedSize = compressedSize
        self.uncompressedSize = uncompressedSize
    }
}

/// The Attachment record: an arbitrary file embedded in the recording.
public struct MCAPAttachment: Sendable, Equatable {
    public var logTime: UInt64
    public var createTime: UInt64
    public var name: String
    public var mediaType: String
    public var data: [UInt8]

    public init(logTime: UInt64, createTime: UInt64, name: String, mediaType: String, data: [UInt8]) {
        self.logTime = logTime
        self.createTime = createTime
        self.name = name
        self.mediaType = mediaType
        self.data = data
    }
}

/// The Attachment Index record (summary section).
public struct MCAPAttachmentIndex: Sendable, Equatable {
    /// File offset of the Attachment record.
    public var offset: UInt64
    /// Length of the whole Attachment record.
    public var length: UInt64
    public var logTime: UInt64
    public var createTime: UInt64
    public var dataSize: UInt64
    public var name: String
    public var mediaType: String

    public init(
        offset: UInt64, length: UInt64, logTime: UInt64, createTime: UInt64, dataSize: UInt64,
        name: String, mediaType: String
    ) {
        self.offset = offset
        self.length = length
        self.logTime = logTime
        self.createTime = createTime
        self.dataSize = dataSize
        self.name = name
        self.mediaType = mediaType
    }
}

/// The Metadata record: a named map of strings.
public struct MCAPMetadata: Sendable, Equatable {
    public var name: String
    public var entries: [String: String]

    public init(name: String, entries: [String: String]) {
        self.name = name
        self.entries = entries
    }
}

/// The Metadata Index record (summary section).
public struct MCAPMetadataIndex: Sendable, Equatable {
    public var offset: UInt64
    public var length: UInt64
    public var name: String

    public init(offset: UInt64, length: UInt64, name: String) {
        self.offset = offset
        self.length = length
        self.name = name
    }
}

/// The Statistics record (summary section).
public struct MCAPStatistics: Sendable, Equatable {
    public var messageCount: UInt64 = 0
    public var schemaCount: UInt16 = 0
    public var channelCount: UInt32 = 0
    public var attachmentCount: UInt32 = 0
    public var metadataCount: UInt32 = 0
    public var chunkCount: UInt32 = 0
    public var messageStartTime: UInt64 = 0
    public var messageEndTime: UInt64 = 0
    public var channelMessageCounts: [UInt16: UInt64] = [:]

    public init() {}
}

/// The Summary Offset record: where a group of same-opcode records lies in the summary.
public struct MCAPSummaryOffset: Sendable, Equatable {
    public var groupOpcode: UInt8
    public var groupStart: UInt64
    public var groupLength: UInt64

    public init(groupOpcode: UInt8, groupStart: UInt64, groupLength: UInt64) {
        self.groupOpcode = groupOpcode
        self.groupStart = groupStart
        self.groupLength = groupLength
    }
}

/// The Footer record: last record of a complete file.
public struct MCAPFooter: Sendable, Equatable {
    /// File offset of the summary section, 0 when there is none.
    public var summaryStart: UInt64
    /// File offset of the summary offset section, 0 when there is none.
    public var summaryOffsetStart: UInt64
    /// CRC of the summary and summary offset sections and the footer's first fields; 0 = not set.
    public var summaryCRC: UInt32

    public init(summaryStart: UInt64, summaryOffsetStart: UInt64, summaryCRC: UInt32) {
        self.summaryStart = summaryStart
        self.summaryOffsetStart = summaryOffsetStart
        self.summaryCRC = summaryCRC
    }
}

/// Everything a summary section holds, parsed.
public struct MCAPSummary: Sendable {
    public var schemas: [UInt16: MCAPSchema] = [:]
    public var channels: [UInt16: MCAPChannel] = [:]
    public var statistics: MCAPStatistics?
    public var chunkIndexes: [MCAPChunkIndex] = []
    public var attachmentIndexes: [MCAPAttachmentIndex] = []
    public var metadataIndexes: [MCAPMetadataIndex] = []
    public var summaryOffsets: [MCAPSummaryOffset] = []

    public init() {}
}
