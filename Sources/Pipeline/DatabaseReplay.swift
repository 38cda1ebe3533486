import Foundation
import Metrics
import Recording
import Store

/// Progress of a replay into the database.
public struct ReplayProgress: Sendable {
    /// Messages processed so far.
    public var messages: Int64
    /// Messages in all files (from the MCAP summaries; 0 when unknown).
    public var totalMessages: Int64
    /// Log time of the last message processed, ns.
    public var logTime: UInt64
}

/// What a replay into the database did.
public struct ReplayResult: Sendable {
    /// The run id in the database.
    public var runID: Int64
    /// The run key (SHA-256 over the files' SHA-256s, in order).
    public var runKey: String
    /// The files with their content hashes.
    public var files: [RunFile]
    /// Messages processed.
    public var messages: Int64
    /// Rejected frames stored.
    public var rejectedFrames: Int64
    /// Reader warnings (truncated files, corrupt chunks), per file.
    public var warnings: [String]
    /// The aggregate written.
    public var metrics: ZoneMetrics
    /// Stopped before the end (Ctrl-C): the run holds what was processed and is marked
    /// `interrupted` (reports skip it; processing the same files again replaces it).
    public var interrupted = false
}

/// Runs recorded journals (MCAP) through decoding and metrics at full speed into the database:
/// the `testzone replay FILE... --db --config` mode. Files are merged in log-time order.
/// Reprocessing the same files replaces their earlier run (runs are keyed by content hash).
public struct DatabaseReplay: Sendable {
    /// The database.
    public var store: ZoneStore
    /// The zone.
    public var configuration: MetricsConfiguration
    /// Recorded in the run.
    public var softwareVersion: String
    /// Recorded in the run (e.g. the configuration file path and hash).
    public var configurationDescription: String
    /// Operator names by id (stored with the registry).
    public var operatorNames: [String: String] = [:]
    /// Progress is reported every this many messages.
    public var progressInterval: Int64 = 100_000

    /// Creates a replay.
    public init(
        store: ZoneStore, configuration: MetricsConfiguration, softwareVersion: String = "",
        configurationDescription: String = ""
    ) {
        self.store = store
        self.configuration = configuration
        self.softwareVersion = softwareVersion
        self.configurationDescription = configurationDescription
    }

    /// SHA-256 of a file's content.
    public static func fileHash(path: String) throws -> RunFile {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ReplayError.cannotOpen(path: path, detail: "cannot open for reading")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        var bytes: Int64 = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            bytes += Int64(chunk.count)
            chunk.withUnsafeBytes { hasher.update($0) }
        }
        return RunFile(path: path, sha256: hasher.finalizeHex(), bytes: bytes)
    }

    /// Replays the files into the database.
    public func run(
        files paths: [String], progress: ((ReplayProgress) -> Void)? = nil, shouldStop: () -> Bool = { false }
    ) throws -> ReplayResult {
        let files = try paths.map(Self.fileHash(path:))
        let key = SHA256.hex(Array(files.map(\.sha256).joined(separator: "\n").utf8))
        var readers: [MCAPReader] = []
        for path in paths {
            do {
                readers.append(try MCAPReader(path: path))
            } catch {
                throw ReplayError.cannotOpen(path: path, detail: "\(error)")
            }
        }
        let totalMessages = readers.reduce(Int64(0)) { sum, reader in
            sum + Int64(reader.summary?.statistics?.messageCount ?? 0)
        }
        let now = { Microseconds(Date().timeIntervalSince1970 * 1e6) }
        let run = try store.beginRun(
            key: key, files: files, kind: "replay", softwareVersion: softwareVersion,
            configuration: configurationDescription, startedAt: now())
        do {
            try store.registerZone(configuration, operators: operatorNames)
            var processor = FrameProcessor(configuration: configuration)
            var writer = RejectedFrameWriter(store: store, run: run)
            let cursors = readers.map { $0.makeCursor(MCAPQuery(order: .logTime)) }
            var heads = cursors.map { $0.next() }
            var perFile = [Int64](repeating: 0, count: cursors.count)
            var lastTime = [UInt64](repeating: 0, count: cursors.count)
            var topicCache: [UInt32: FrameProcessor.TopicRef] = [:]
            var messages: Int64 = 0
            var interrupted = false
            while true {
                var pick = -1
                for index in heads.indices {
                    guard let head = heads[index] else { continue }
                    if pick < 0 || head.logTime < (heads[pick]?.logTime ?? .max) { pick = index }
                }
                guard pick >= 0, let message = heads[pick] else { break }
                let cacheKey = UInt32(pick) << 16 | UInt32(message.channelID)
                let topic: FrameProcessor.TopicRef
                if let cached = topicCache[cacheKey] {
                    topic = cached
                } else {
                    let name =
                        cursors[pick].channel(message.channelID)?.topic ?? "channel/\(message.channelID)"
                    topic = processor.topic(named: name)
                    topicCache[cacheKey] = topic
                }
                processor.journalFile = paths[pick]
                processor.messageIndex = perFile[pick]
                processor.process(
                    topic: topic, payload: message.payload, logTime: message.logTime,
                    publishTime: message.publishTime)
                perFile[pick] += 1
                lastTime[pick] = message.logTime
                messages += 1
                if processor.rejected.count >= 1024 {
                    for frame in processor.drainRejected() { try writer.append(frame) }
                }
                if messages & 4095 == 0, shouldStop() {
                    interrupted = true
                    break
                }
                if messages % progressInterval == 0 {
                    progress?(
                        ReplayProgress(
                            messages: messages, totalMessages: totalMessages, logTime: message.logTime))
                }
                heads[pick] = cursors[pick].next()
            }
            for frame in processor.drainRejected() { try writer.append(frame) }
            try writer.flush()
            if processor.registryVersion > 0 {  // the journal holds zone reloads of a live ingest
                try store.registerZone(processor.reloadedRegistry, operators: processor.operatorNames)
            }
            let metrics = processor.finish()
            if interrupted {
                try store.writeSnapshot(run, metrics: metrics, frames: messages)
                try store.markRun(run, status: "interrupted", at: now())
                return ReplayResult(
                    runID: run, runKey: key, files: files, messages: messages, rejectedFrames: writer.written,
                    warnings: [], metrics: metrics, interrupted: true)
            }
            try store.finishRun(run, metrics: metrics, frames: messages, finishedAt: now())
            for (index, file) in files.enumerated() {
                try store.saveCheckpoint(
                    JournalCheckpoint(
                        journalFile: file.path, runID: run, byteOffset: file.bytes,
                        messageIndex: perFile[index],
                        logTime: Microseconds(lastTime[index] / 1000), complete: true), at: now())
            }
            progress?(
                ReplayProgress(messages: messages, totalMessages: totalMessages, logTime: lastTime.max() ?? 0)
            )
            let warnings = zip(paths, cursors).flatMap { path, cursor in
                cursor.warnings.map { "\(path): \($0)" }
            }
            // Issue 18: stored so that reports flag runs whose recordings had corrupt or lost parts.
            try store.recordRunWarnings(
                run,
                warnings: zip(paths, cursors).flatMap { path, cursor in
                    cursor.warnings.map { (journalFile: path, warning: "\($0)") }
                })
            return ReplayResult(
                runID: run, runKey: key, files: files, messages: messages, rejectedFrames: writer.written,
                warnings: warnings, metrics: metrics)
        } catch {
            try? store.deleteRun(run)
            throw error
        }
    }
}

/// Errors of a replay.
public enum ReplayError: Error, CustomStringConvertible, Sendable {
    /// A journal file cannot be opened or read.
    case cannotOpen(path: String, detail: String)

    /// A human-readable description.
    public var description: String {
        switch self {
        case .cannotOpen(let path, let detail): "cannot read journal \(path): \(detail)"
        }
    }
}
