import Foundation
import Logging
import Metrics
import Recording
import Store
import Synchronization
import ZeroMQ

/// Settings of a live ingest (`testzone ingest`).
public struct IngestOptions: Sendable {
    /// The zone (registry, RSUs, grid).
    public var configuration: MetricsConfiguration
    /// Operator names by id (stored with the zone registry).
    public var operatorNames: [String: String] = [:]
    /// Endpoints to bind PULL sockets at (gateways PUSH there; lossless).
    public var listen: [String] = []
    /// PUB endpoints to connect SUB sockets to (drops show up as sequence gaps).
    public var subscribe: [String] = []
    /// The database: an SQLite file or a `postgres://` URL (``StoreLocation``).
    public var databasePath: String
    /// This node's share of a sharded ingest (`--shard K/N`): it journals everything it
    /// receives and commits the vehicles and sources of its shard (see Sources/Store/README.md).
    public var shard: Shard = .whole
    /// The node id its runs and `nodes` row carry (default `shard-K-of-N`; `""` unsharded).
    public var node: String = ""
    /// The journal directory.
    public var journalDirectory: String
    /// Rotate the journal file after this many seconds.
    public var rotateSeconds: Double = 3600
    /// Rotate the journal file at this size in bytes.
    public var rotateBytes: UInt64 = 1 << 30
    /// Write the open journal chunk to the file at least this often (bounds what a kill loses).
    public var flushSeconds: Double = 1
    /// Commit the aggregate, rejected frames and checkpoints to the database this often.
    public var commitSeconds: Double = 2
    /// Print the status line this often (0: never).
    public var statusSeconds: Double = 5
    /// 2: a receiver thread (receive + journal) and a processor thread (decode, aggregate,
    /// store); 1: everything on one thread.
    public var threads: Int = 2
    /// Receive high-water mark of the sockets (messages).
    public var receiveHighWaterMark: Int = 10_000
    /// Batches in the hand-over ring (the receiver fills one more of its own).
    public var queueDepth: Int = 8
    /// Bytes per batch.
    public var batchBytes: Int = 1 << 20
    /// Zone name for the journal metadata.
    public var zoneName: String = ""
    /// Recorded in journals and in the run.
    public var softwareVersion: String = ""
    /// Recorded in the run (configuration path and hash).
    public var configurationDescription: String = ""
    /// Journal chunk compression. lz4 by default: on the receiver thread it costs about a
    /// third of what zstd (level 3) does per message, for files about 1.3 times larger
    /// (demo mix: ~55 bytes per message with lz4, ~42 with zstd, ~88 stored).
    public var compression: MCAPCompression = .lz4
    /// With two threads: while the processor is behind (the receiver had to wait for a free
    /// batch within the last second), journal chunks are stored uncompressed, so that the
    /// receiver's compression does not take CPU from the processor when the machine is
    /// saturated; at ordinary rates chunks get `compression`. Chunks name their compression.
    public var adaptiveCompression: Bool = true
    /// Zone reloads (SIGHUP; zone.toml changed, checked at each commit); `nil`: none.
    public var reload: ZoneReload?
    /// CURVE on every ingest socket (PULL and SUB, all CURVE servers): the server's key pair and
    /// the sources it admits (a ZAP handler refuses every other key; each message's topic is
    /// checked against its key).
    /// `nil`: plain (unauthenticated) sockets.
    public var curve: CurveSettings?
    /// Refuse to start, and log an alarm while running, when the journal directory's file
    /// system has less free space than this (bytes; 0: no check).
    public var minimumFreeBytes: UInt64 = 1_000_000_000
    /// A live view of the ingest (`--http`): receives the observations of each batch and the
    /// aggregate of each commit on the processor thread. `nil`: none.
    public var observer: (any IngestObserver)?

    /// Creates options.
    public init(configuration: MetricsConfiguration, databasePath: String, journalDirectory: String) {
        self.configuration = configuration
        self.databasePath = databasePath
        self.journalDirectory = journalDirectory
    }
}

/// Asks a running ingest to stop (from a signal handler or another thread).
public final class IngestStop: Sendable {
    private let flag = Atomic<Bool>(false)
    /// Creates a flag.
    public init() {}
    /// Requests the stop.
    public func request() { flag.store(true, ordering: .releasing) }
    /// Whether a stop was requested.
    public var isRequested: Bool { flag.load(ordering: .acquiring) }
}

/// Counters shared between the receiver and the status line.
final class IngestCounters: Sendable {
    let received = Atomic<Int64>(0)
    let journalBytes = Atomic<Int64>(0)
    let lastReceiveTime = Atomic<UInt64>(0)
}

/// What a finished ingest did.
public struct IngestSummary: Sendable {
    /// The run id in the database.
    public var runID: Int64
    /// The session name (journal file prefix; run key `live:<session>`).
    public var session: String
    /// Journal files of the session.
    public var files: [String]
    /// Messages processed (journal order) over the whole session, recovery included.
    public var messages: Int64
    /// Messages re-applied from the journal at start (recovery of an interrupted session).
    public var recovered: Int64
    /// The final aggregate.
    public var metrics: ZoneMetrics
}

/// Live ingest: sockets -> journal -> decode -> aggregate -> store (DESIGN.md 1 and 3).
///
/// The journal is the source of truth: a message is journaled before anything else happens to
/// it, the processor sees exactly the journaled messages in journal order, and the database
/// holds a deterministic function of the journal. See the README section "Live ingest".
public final class LiveIngest {
    /// The settings.
    public let options: IngestOptions
    private let logger: Logger
    private let stop: IngestStop

    /// Creates an ingest; `stop` ends it cleanly.
    public init(options: IngestOptions, logger: Logger, stop: IngestStop) {
        self.options = options
        self.logger = logger
        self.stop = stop
    }

    /// `ingest-<UTC time>`, or `ingest-<node>-<UTC time>` for a node of a sharded ingest (the
    /// run key `live:<session>` is then unique across the nodes of a shared store).
    private static func session(at now: Date, node: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss.SSS'Z'"
        return "ingest-" + (node.isEmpty ? "" : node + "-") + formatter.string(from: now)
    }

    /// Locks the journal directory (`DIR/.ingest.lock`) and, for an SQLite database, the
    /// database (`<db>.ingest.lock`); a PostgreSQL store is shared by the nodes.
    static func takeLocks(directory: String, database: String) throws -> [OwnerLock] {
        let journal = try OwnerLock(path: directory + "/.ingest.lock", what: "journal directory \(directory)")
        if case .postgres = try? StoreLocation(database) { return [journal] }
        let databasePath = URL(fileURLWithPath: database).standardizedFileURL.path
        let store = try OwnerLock(path: databasePath + ".ingest.lock", what: "database \(databasePath)")
        return [journal, store]
    }

    private func bindSockets(_ context: Context) throws -> [Socket] {
        var sockets: [Socket] = []
        for endpoint in options.listen {
            do {
                let socket = try Socket(context, .pull)
                try socket.setReceiveHighWaterMark(options.receiveHighWaterMark)
                try socket.setLinger(.zero)
                if let curve = options.curve {
                    try socket.setCurveServer(true)
                    try socket.setCurveSecretKey(curve.serverKeys.secretKey)
                }
                try socket.bind(endpoint)
                sockets.append(socket)
            } catch {
                throw IngestError.socket(endpoint: endpoint, detail: "\(error)")
            }
        }
        for endpoint in options.subscribe {
            do {
                let socket = try Socket(context, .sub)
                try socket.setReceiveHighWaterMark(max(options.receiveHighWaterMark, 1_000_000))
                try socket.setLinger(.zero)
                if let curve = options.curve {
                    // CURVE roles are independent of bind/connect: the feed is the client.
                    try socket.setCurveServer(true)
                    try socket.setCurveSecretKey(curve.serverKeys.secretKey)
                }
                try socket.subscribe("")
                try socket.connect(endpoint)
                sockets.append(socket)
            } catch {
                throw IngestError.socket(endpoint: endpoint, detail: "\(error)")
            }
        }
        return sockets
    }

    /// Runs until stopped; returns after the journal is finished and the database committed.
    public func run() throws -> IngestSummary {
        let directory = URL(fileURLWithPath: options.journalDirectory).standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // One owner per journal directory and database, before anything is touched.
        let locks = try Self.takeLocks(directory: directory, database: options.databasePath)
        defer { for lock in locks { lock.release() } }
        try DiskSpace.check(directory: directory, minimum: options.minimumFreeBytes)
        // Sockets are bound before recovery: a busy port fails the start before the journal or
        // the database is changed (gateways that connect meanwhile wait at the high-water mark).
        let context = try Context(ioThreads: 1)
        defer { context.shutdown() }
        // With CURVE, the ZAP handler serves the context before any socket accepts a peer.
        let zap = try options.curve.map { curve in
            do {
                return try ZAPHandler(context: context, decide: curve.keyring.decide)
            } catch {
                throw IngestError.socket(endpoint: ZAPHandler.endpoint, detail: "\(error)")
            }
        }
        defer { zap?.stop() }
        let sockets = try bindSockets(context)

        let store: any IngestStore
        switch try StoreLocation(options.databasePath) {
        case .sqlite(let path): store = try ZoneStore(path: path)
        case .postgres(let location): store = try PostgresIngestStore.open(location, node: options.node)
        }
        defer { (store as? PostgresIngestStore)?.close() }
        try store.registerZone(options.configuration, operators: options.operatorNames)

        // Recovery: an unfinished live run whose session has files in this directory.
        var session: String?
        var run: Int64 = 0
        var existing: [(sequence: Int, path: String)] = []
        for candidate in try store.unfinishedLiveRuns() where candidate.key.hasPrefix("live:") {
            let name = String(candidate.key.dropFirst(5))
            let files = IngestJournal.files(directory: directory, session: name)
            if !files.isEmpty {
                session = name
                run = candidate.id
                existing = files
                break
            }
        }
        let now = { Microseconds(Date().timeIntervalSince1970 * 1e6) }
        var processor: IngestProcessor
        var recovered: Int64 = 0
        if let session {
            logger.notice(
                "resuming interrupted session",
                metadata: ["session": "\(session)", "files": "\(existing.count)"])
            let checkpoints = Dictionary(
                try store.checkpoints(run: run).map { ($0.journalFile, $0) }, uniquingKeysWith: { a, _ in a })
            processor = IngestProcessor(
                configuration: options.configuration, store: store, run: run, shard: options.shard)
            for file in existing {
                if !JournalRecovery.isFinished(path: file.path) {
                    let outcome: JournalRecovery.Outcome
                    do {
                        outcome = try JournalRecovery.recover(path: file.path)
                    } catch {
                        // Not even a header (killed before the first flush): nothing was journaled.
                        let aside = file.path + ".unreadable"
                        _ = Foundation.rename(file.path, aside)
                        logger.error(
                            "unreadable journal file set aside",
                            metadata: ["file": "\(file.path)", "moved to": "\(aside)", "error": "\(error)"])
                        continue
                    }
                    logger.warning(
                        "recovered unfinished journal file",
                        metadata: [
                            "file": "\(file.path)", "messages": "\(outcome.messages)",
                            "warnings": "\(outcome.warnings.joined(separator: "; "))",
                        ])
                }
                let count = try processor.replay(path: file.path, sequence: file.sequence)
                let committed = checkpoints[file.path]?.messageIndex ?? 0
                recovered += max(0, count - committed)
            }
            // Rejected-frame evidence is re-derived from the journal: drop what the database had
            // (it may cover messages the journal lost at the kill), insert it all once.
            try store.deleteRejectedFrames(run: run)
            try processor.commit(final: false)
            logger.notice(
                "applied the journal the database had not committed",
                metadata: ["messages": "\(recovered)", "total": "\(processor.frames.messages)"])
        } else {
            let name = Self.session(at: Date(), node: options.node)
            session = name
            run = try store.beginRun(
                key: "live:\(name)", files: [], kind: "live", softwareVersion: options.softwareVersion,
                configuration: options.configurationDescription, startedAt: now())
            processor = IngestProcessor(
                configuration: options.configuration, store: store, run: run, shard: options.shard)
        }
        if !options.node.isEmpty, let shared = store as? PostgresIngestStore {
            try shared.registerNode(
                NodeRecord(
                    id: options.node, shard: options.shard.index, shards: options.shard.count, runID: run,
                    session: session ?? "", host: ProcessInfo.processInfo.hostName, startedAt: now(),
                    frames: processor.frames.messages))
        }
        let sessionName = session ?? ""
        processor.attach(options.observer)
        options.observer?.ingestStarted(run: run, session: sessionName, startedAt: now())
        let journal = try IngestJournal(
            directory: directory, session: sessionName, sequence: (existing.last?.sequence ?? 0) + 1,
            rotateSeconds: options.rotateSeconds, rotateBytes: options.rotateBytes, zone: options.zoneName,
            softwareVersion: options.softwareVersion,
            options: MCAPWriter.Options(compression: options.compression, dataSectionCRC: false))
        logger.info(
            "ingest started",
            metadata: [
                "session": "\(sessionName)", "journal": "\(journal.path)", "run": "\(run)",
                "threads": "\(options.threads)", "listen": "\(options.listen)",
                "subscribe": "\(options.subscribe)",
            ])

        let counters = IngestCounters()
        counters.journalBytes.store(Int64(journal.totalBytes), ordering: .relaxed)
        let status = StatusLine(
            interval: options.statusSeconds, logger: logger, counters: counters, started: JournalFormat.now(),
            baseCounts: processor.kindCounts,
            disk: DiskAlarm(directory: directory, minimum: options.minimumFreeBytes))
        let pathOf: @Sendable (Int) -> String = { sequence in
            IngestJournal.path(directory: directory, session: sessionName, sequence: sequence)
        }
        var receiver = IngestReceiver(
            sockets: sockets, journal: journal, counters: counters, stop: stop,
            flushNanoseconds: UInt64(options.flushSeconds * 1e9),
            firstLogTime: processor.lastLogTime + 1, batchCapacity: options.batchBytes,
            adaptiveCompression: options.adaptiveCompression && options.threads > 1)
        receiver.reload = options.reload
        if let curve = options.curve {
            receiver.authorization = SourceAuthorization(keyring: curve.keyring)
            receiver.securedSockets = sockets.count
        }
        let commitNanoseconds = UInt64(options.commitSeconds * 1e9)

        if options.threads <= 1 {
            var lastCommit = JournalFormat.now()
            var failure: (any Error)?
            let tick: (inout IngestProcessor, Int) -> Void = { processor, queued in
                let now = JournalFormat.now()
                guard now &- lastCommit >= commitNanoseconds else { return }
                lastCommit = now
                do {
                    let metrics = try processor.commit(final: false)
                    self.options.reload?.checkModified()
                    status.maybePrint(
                        processor: processor, metrics: metrics, queued: queued, depth: 0, now: now)
                } catch {
                    failure = error
                    self.stop.request()
                }
            }
            try receiver.run { batch in
                processor.consume(batch, path: pathOf)
                tick(&processor, 0)
                return batch
            } idle: {
                tick(&processor, 0)
            }
            if let failure { throw failure }
        } else {
            let queue = BatchQueue(depth: options.queueDepth, batchCapacity: options.batchBytes)
            let worker = ProcessorThread(
                processor: processor, queue: queue, commitNanoseconds: commitNanoseconds, status: status,
                reload: options.reload, path: pathOf)
            worker.start()
            var receiveError: (any Error)?
            do {
                try receiver.run { batch in
                    queue.pushFull(batch)
                    return queue.takeFree()
                } idle: {
                }
            } catch {
                receiveError = error
            }
            queue.close()
            processor = try worker.join()
            if let receiveError { throw receiveError }
        }
        for socket in sockets { socket.close() }
        let metrics = try processor.commit(final: true)
        if !options.node.isEmpty, let shared = store as? PostgresIngestStore {
            try shared.markNode(options.node, status: "stopped")
        }
        status.printFinal(processor: processor, metrics: metrics)
        logger.info(
            "ingest stopped",
            metadata: ["messages": "\(processor.frames.messages)", "files": "\(processor.files.count)"])
        return IngestSummary(
            runID: run, session: sessionName, files: processor.files.map(\.path),
            messages: processor.frames.messages,
            recovered: recovered, metrics: metrics)
    }
}

/// The processor thread of the two-thread layout.
final class ProcessorThread: Sendable {
    private let state: Mutex<IngestProcessor>
    private let outcome = Mutex<(any Error)?>(nil)
    private let done = DispatchSemaphore(value: 0)
    private let queue: BatchQueue
    private let commitNanoseconds: UInt64
    private let status: StatusLine
    private let reload: ZoneReload?
    private let path: @Sendable (Int) -> String

    init(
        processor: consuming sending IngestProcessor, queue: BatchQueue, commitNanoseconds: UInt64,
        status: StatusLine, reload: ZoneReload?,
        path: @escaping @Sendable (Int) -> String
    ) {
        state = Mutex(processor)
        self.reload = reload
        self.queue = queue
        self.commitNanoseconds = commitNanoseconds
        self.status = status
        self.path = path
    }

    func start() {
        let thread = Thread { [self] in
            loop()
            done.signal()
        }
        thread.name = "testzone.ingest.processor"
        thread.start()
    }

    private func loop() {
        state.withLock { processor in
            var lastCommit = JournalFormat.now()
            while true {
                let next = queue.popFull(timeoutMilliseconds: 100)
                if case .batch(let batch) = next {
                    processor.queuedBatches = queue.queued
                    processor.queueDepth = queue.depth + 1
                    processor.consume(batch, path: path)
                    queue.release(batch)
                }
                let now = JournalFormat.now()
                if now &- lastCommit >= commitNanoseconds {
                    lastCommit = now
                    do {
                        let metrics = try processor.commit(final: false)
                        reload?.checkModified()
                        status.maybePrint(
                            processor: processor, metrics: metrics, queued: queue.queued,
                            depth: queue.depth + 1,
                            now: now)
                    } catch {
                        outcome.withLock { $0 = error }
                        queue.abort()
                        return
                    }
                }
                if case .closed = next { return }
            }
        }
    }

    /// Waits for the thread and hands back the processor.
    func join() throws -> IngestProcessor {
        done.wait()
        if let error = outcome.withLock({ $0 }) { throw IngestError.processor(detail: "\(error)") }
        return state.withLock { $0 }
    }
}

/// The periodic status line on stderr (through the logger at notice level).
final class StatusLine: Sendable {
    let interval: UInt64
    let logger: Logger
    let counters: IngestCounters
    let started: UInt64
    private let last = Mutex<(time: UInt64, counts: [Int64])>((0, []))

    let disk: DiskAlarm?

    init(
        interval: Double, logger: Logger, counters: IngestCounters, started: UInt64, baseCounts: [Int64],
        disk: DiskAlarm? = nil
    ) {
        self.interval = interval > 0 ? UInt64(interval * 1e9) : .max
        self.disk = disk
        self.logger = logger
        self.counters = counters
        self.started = started
        last.withLock { $0 = (started, baseCounts) }
    }

    static func format(_ value: Int64) -> String {
        let digits = String(value)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0, c != "-" { out.append(",") }
            out.append(c)
        }
        return out
    }

    static func bytes(_ value: Int64) -> String {
        let v = Double(value)
        if v >= 1e9 { return String(format: "%.2f GB", v / 1e9) }
        if v >= 1e6 { return String(format: "%.1f MB", v / 1e6) }
        return String(format: "%.0f kB", v / 1e3)
    }

    static func totals(_ metrics: ZoneMetrics) -> (
        received: Int64, decoded: Int64, rejected: Int64, duplicates: Int64, gaps: Int64, unregistered: Int
    ) {
        var t: (Int64, Int64, Int64, Int64, Int64, Int) = (0, 0, 0, 0, 0, 0)
        for source in metrics.sources.values {
            t.0 += source.received
            t.1 += source.decoded
            t.2 += source.rejectedTotal
            t.3 += source.duplicates
        }
        for sequence in metrics.sequences.values { t.4 += sequence.gaps }
        return t
    }

    func maybePrint(processor: IngestProcessor, metrics: ZoneMetrics, queued: Int, depth: Int, now: UInt64) {
        disk?.check(now: now, logger: logger)
        logger.debug(
            "commit",
            metadata: [
                "ms": "\(String(format: "%.3f", Double(processor.lastCommit.nanoseconds) / 1e6))",
                "rows": "\(processor.lastCommit.rows)", "frames": "\(processor.frames.messages)",
                "released": "\(processor.released.segments)/\(processor.released.events)",
            ])
        let previous = last.withLock { $0 }
        guard now &- previous.time >= interval else { return }
        last.withLock { $0 = (now, processor.kindCounts) }
        let seconds = Double(now &- previous.time) / 1e9
        let rates = zip(processor.kindCounts, previous.counts + [0, 0, 0]).map {
            Double($0 - $1) / max(seconds, 1e-9)
        }
        var t = Self.totals(metrics)
        t.unregistered = processor.unregisteredVehicles
        // Lag: how far processing is behind receiving (receive time of the newest message handed
        // over minus that of the newest message processed).
        let newest = counters.lastReceiveTime.load(ordering: .relaxed)
        let lagMs = newest > processor.lastLogTime ? Double(newest - processor.lastLogTime) / 1e6 : 0
        var line = String(
            format: "ingest %.0fs | cv2x %.0f/s jt808 %.0f/s other %.0f/s", Double(now &- started) / 1e9,
            rates[0], rates[1], rates[2])
        line +=
            " | received \(Self.format(counters.received.load(ordering: .relaxed))) processed \(Self.format(t.received))"
        line +=
            " decoded \(Self.format(t.decoded)) rejected \(Self.format(t.rejected)) duplicates \(Self.format(t.duplicates))"
        line += " | gaps \(Self.format(t.gaps)) | unregistered vehicles \(t.unregistered)"
        line += " | journal \(Self.bytes(counters.journalBytes.load(ordering: .relaxed)))"
        line += String(format: " | lag %.0f ms", max(0, lagMs))
        if depth > 0 { line += ", queue \(queued)/\(depth)" }
        line += String(
            format: " | commit %.1f ms, %d rows", Double(processor.lastCommit.nanoseconds) / 1e6,
            processor.lastCommit.rows)
        if let free = disk?.lowFreeBytes { line += " | DISK LOW: \(Self.bytes(Int64(free))) free" }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    func printFinal(processor: IngestProcessor, metrics: ZoneMetrics) {
        var t = Self.totals(metrics)
        t.unregistered = processor.unregisteredVehicles
        let elapsed = Double(JournalFormat.now() &- started) / 1e9
        var line = String(format: "ingest done in %.1fs:", elapsed)
        line +=
            " frames \(Self.format(processor.frames.messages)) (cv2x \(Self.format(processor.kindCounts[0])), jt808 \(Self.format(processor.kindCounts[1])), other \(Self.format(processor.kindCounts[2])))"
        line +=
            " = decoded \(Self.format(t.decoded)) + rejected \(Self.format(t.rejected)) + duplicates \(Self.format(t.duplicates))"
        line +=
            "; gaps \(Self.format(t.gaps)); unregistered vehicles \(t.unregistered); journal \(processor.files.count) file(s)"
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
