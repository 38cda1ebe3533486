import Foundation
import Recording

/// The journal of one ingest session: MCAP files `<session>-<NNNNNN>.mcap` in a directory,
/// rotated by time and size, each finished with its summary when rotated or at a clean stop.
final class IngestJournal {
    /// Journal directory (absolute).
    let directory: String
    /// Session name (file name prefix; the run key is `live:<session>`).
    let session: String
    let rotateNanoseconds: UInt64
    let rotateBytes: UInt64
    let zone: String
    let softwareVersion: String
    let options: MCAPWriter.Options
    /// The open file.
    private(set) var writer: JournalWriter
    /// Sequence number of the open file.
    private(set) var sequence: Int
    /// Receive time (ns) of the open file's first message (0 before it).
    private var openedAt: UInt64 = 0
    /// Bytes of the files finished in this process.
    private(set) var finishedBytes: UInt64 = 0
    /// Newest data time (ns) in the open file, and the Asia/Shanghai midnight that ends its data
    /// day (0 before its first message).
    private var newestDataTime: UInt64 = 0
    private var dayEnd: UInt64 = 0
    /// The last midnight a rotation passed.
    private var lastMidnight: UInt64 = 0

    init(
        directory: String, session: String, sequence: Int, rotateSeconds: Double, rotateBytes: UInt64,
        zone: String, softwareVersion: String, options: MCAPWriter.Options
    ) throws {
        self.directory = directory
        self.session = session
        self.rotateNanoseconds = UInt64(max(1, rotateSeconds) * 1e9)
        self.rotateBytes = rotateBytes
        self.zone = zone
        self.softwareVersion = softwareVersion
        self.options = options
        self.sequence = sequence
        writer = try Self.open(
            path: Self.path(directory: directory, session: session, sequence: sequence), zone: zone,
            softwareVersion: softwareVersion, options: options, session: session)
    }

    private static func open(
        path: String, zone: String, softwareVersion: String, options: MCAPWriter.Options, session: String
    ) throws -> JournalWriter {
        try JournalWriter(
            path: path, zone: zone, softwareVersion: softwareVersion, options: options,
            extraMetadata: ["session": session, "writer": "testzone ingest"])
    }

    /// The path of a session's file.
    static func path(directory: String, session: String, sequence: Int) -> String {
        let digits = String(sequence)
        return
            "\(directory)/\(session)-\(String(repeating: "0", count: max(0, 6 - digits.count)))\(digits).mcap"
    }

    /// The files of a session in a directory, by sequence number.
    static func files(directory: String, session: String) -> [(sequence: Int, path: String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name -> (Int, String)? in
            guard name.hasPrefix(session + "-"), name.hasSuffix(".mcap") else { return nil }
            let middle = name.dropFirst(session.count + 1).dropLast(5)
            guard middle.count == 6 || middle.count > 6, let number = Int(middle) else { return nil }
            return (number, "\(directory)/\(name)")
        }.sorted { $0.0 < $1.0 }.map { (sequence: $0.0, path: $0.1) }
    }

    /// Path of the open file.
    var path: String { writer.writer.path }
    /// Messages in the open file.
    var messageCount: Int64 { Int64(writer.messageCount) }
    /// Bytes of the open file so far plus the files finished in this process.
    var totalBytes: UInt64 { finishedBytes + writer.writer.bytesWritten }

    /// The channel of a topic in the open file (added on first sight; ids start again with
    /// each file, so callers that cache them drop the cache at ``rotate()``).
    func channel(forTopic topic: UnsafeRawBufferPointer) throws -> UInt16 {
        try writer.channel(forTopic: topic)
    }

    /// Appends a message to a channel of the open file (see
    /// `JournalWriter.append(channel:payload:publishTime:receiveTime:)`).
    @inline(__always)
    func append(
        channel: UInt16, payload: UnsafeRawBufferPointer, publishTime: UInt64, receiveTime: UInt64,
        isData: Bool = true
    ) throws {
        if openedAt == 0 { openedAt = receiveTime }
        // Data time (the gateway's time when it sent a plausible one) for the midnight rotation.
        let dataTime = publishTime > 0 && publishTime < Self.latestDataTime ? publishTime : receiveTime
        if isData && dataTime > newestDataTime {
            newestDataTime = dataTime
            if dayEnd == 0 { dayEnd = Self.shanghaiMidnight(after: max(dataTime, lastMidnight)) }
        }
        try writer.append(
            channel: channel, payload: payload, publishTime: publishTime, receiveTime: receiveTime)
    }

    /// The compression of the open file's chunks closed from now on (a new file starts with
    /// `options.compression`).
    var chunkCompression: MCAPCompression {
        get { writer.writer.chunkCompression }
        set { writer.writer.chunkCompression = newValue }
    }

    /// Whether the open file is due for rotation at `now`: by size, by time since its first
    /// message, or because its data time passed Asia/Shanghai midnight (one file per data day).
    func isDue(now: UInt64) -> Bool {
        guard writer.messageCount > 0 else { return false }
        return writer.writer.bytesWritten + UInt64(writer.writer.openChunkBytes) >= rotateBytes
            || now &- openedAt >= rotateNanoseconds || (dayEnd > 0 && newestDataTime >= dayEnd)
    }

    /// The first Asia/Shanghai (UTC+8, no daylight saving) midnight after `time` (ns since the
    /// Unix epoch), in ns.
    static func shanghaiMidnight(after time: UInt64) -> UInt64 {
        let day: UInt64 = 86_400_000_000_000
        let offset: UInt64 = 8 * 3_600_000_000_000
        return ((time + offset) / day + 1) * day - offset
    }

    /// Gateway times beyond this (the year 2500, ns) are not data times (e.g. the reserved
    /// envelope-defect marks of ``JournalEnvelope``).
    static let latestDataTime: UInt64 = 16_725_225_600 * 1_000_000_000

    /// Writes the open chunk to the file (a kill loses nothing journaled before).
    func flush() throws { try writer.flush() }

    /// Finishes the open file (summary, footer) and opens the next.
    func rotate() throws {
        try writer.finish()
        finishedBytes += writer.writer.bytesWritten
        sequence += 1
        openedAt = 0
        // A midnight is passed once: sources a little behind do not open yet another file.
        if dayEnd > 0 && newestDataTime >= dayEnd { lastMidnight = dayEnd }
        dayEnd = 0
        newestDataTime = 0
        writer = try Self.open(
            path: Self.path(directory: directory, session: session, sequence: sequence), zone: zone,
            softwareVersion: softwareVersion, options: options, session: session)
    }

    /// Finishes the open file (clean stop).
    func finish() throws { try writer.finish() }
}

/// Recovery of a journal file a killed process left without its summary and footer.
enum JournalRecovery {
    /// What recovering a file found.
    struct Outcome {
        var path: String
        var messages: Int64
        var warnings: [String]
    }

    /// Whether a file ends with its footer (was finished).
    static func isFinished(path: String) -> Bool {
        guard let reader = try? MCAPReader(path: path) else { return false }
        return reader.footer != nil && reader.summary != nil
    }

    /// Rewrites an unfinished file as a finished one: every complete message before the cut, in
    /// file order, with its channels and metadata; the new file replaces the old atomically.
    static func recover(path: String) throws -> Outcome {
        let reader = try MCAPReader(path: path)
        let cursor = reader.makeCursor(MCAPQuery(order: .file))
        let temporary = path + ".recovering"
        let writer = try MCAPWriter(path: temporary)
        for metadata in reader.metadata() {
            var entries = metadata.entries
            if metadata.name == JournalFormat.metadataName { entries["recovered"] = "true" }
            try writer.addMetadata(MCAPMetadata(name: metadata.name, entries: entries))
        }
        var channelMap: [UInt16: UInt16] = [:]
        var messages: Int64 = 0
        while let message = cursor.next() {
            let id: UInt16
            if let known = channelMap[message.channelID] {
                id = known
            } else {
                let channel = cursor.channel(message.channelID)
                let topic = channel?.topic ?? "channel/\(message.channelID)"
                id = try writer.addChannel(
                    topic: topic,
                    messageEncoding: channel?.messageEncoding
                        ?? JournalFormat.messageEncoding(forTopic: topic))
                channelMap[message.channelID] = id
            }
            try writer.write(
                channelID: id, sequence: message.sequence, logTime: message.logTime,
                publishTime: message.publishTime, payload: message.payload)
            messages += 1
        }
        try writer.finish()
        if rename(temporary, path) != 0 {
            throw IngestError.journal(
                path: path, detail: "cannot replace with the recovered file: errno \(errno)")
        }
        return Outcome(path: path, messages: messages, warnings: cursor.warnings.map { "\($0)" })
    }
}

/// Errors of live ingest.
public enum IngestError: Error, CustomStringConvertible, Sendable {
    /// A journal file could not be written or recovered.
    case journal(path: String, detail: String)
    /// A socket could not be set up.
    case socket(endpoint: String, detail: String)
    /// The processor stopped with an error (the receiver then stops too).
    case processor(detail: String)
    /// Another process holds the lock of a journal directory or database (`holder`: its pid).
    case locked(what: String, path: String, holder: String)
    /// A lock file could not be opened or locked.
    case lock(path: String, detail: String)
    /// Free disk space in the journal directory is below the threshold.
    case lowDiskSpace(path: String, free: UInt64, minimum: UInt64)

    /// A human-readable description.
    public var description: String {
        switch self {
        case .journal(let path, let detail): "journal \(path): \(detail)"
        case .socket(let endpoint, let detail): "socket \(endpoint): \(detail)"
        case .processor(let detail): "processor: \(detail)"
        case .locked(let what, let path, let holder):
            "\(what) is in use (\(path)): held by testzone ingest pid \(holder.isEmpty ? "unknown" : holder)"
        case .lock(let path, let detail): "lock file (\(path)): \(detail)"
        case .lowDiskSpace(let path, let free, let minimum):
            "free disk space too low (\(path)): \(free / 1_000_000) MB free, minimum \(minimum / 1_000_000) MB"
        }
    }
}
