import Foundation
import Metrics
import Recording
import Store

/// The processing half of live ingest: journaled messages -> ``FrameProcessor`` (decode,
/// account, aggregate) -> periodic commits to the database. It processes exactly what the
/// journal holds, in journal order, so the result equals a replay of the journal.
struct IngestProcessor: Sendable {
    var frames: FrameProcessor
    let store: any IngestStore
    let run: Int64
    /// The part of the aggregate this node commits (`--shard K/N`; ``Shard/whole``: all of it).
    var shard: Shard = .whole
    /// Receiver topic id -> interned topic.
    private var topicRefs: [FrameProcessor.TopicRef] = []
    /// Receiver topic id -> 0 cv2x, 1 jt808, 2 other.
    private var topicKinds: [Int] = []
    /// Journal files of the session by position (absolute paths), with messages applied and
    /// whether the file was finished.
    private(set) var files: [(path: String, applied: Int64, complete: Bool, lastLogTime: UInt64)] = []
    private var fileSequences: [Int] = []
    /// The checkpoint state of each file that the database holds (messages applied, complete):
    /// a commit writes only the checkpoints that changed, so that its cost does not grow with
    /// the journal files of a months-long run.
    private var committedFiles: [(applied: Int64, complete: Bool)] = []
    /// Rejected frames not yet committed.
    private var pendingRejected: [RejectedFrame] = []
    /// Messages processed by kind (cv2x, jt808, other).
    private(set) var kindCounts: [Int64] = [0, 0, 0]
    /// Log time (ns) of the last message processed.
    private(set) var lastLogTime: UInt64 = 0
    /// Journal bytes reported by the receiver with the last batch.
    private(set) var journalBytes: Int64 = 0
    /// What the database holds of the run's rows (incremental commits).
    private var rowCache = LiveRowCache()
    /// The run's data-time span over the vehicles committed so far.
    private var span: (first: Microseconds?, last: Microseconds?) = (nil, nil)
    /// Duration (ns) and rows written of the last commit.
    private(set) var lastCommit: (nanoseconds: UInt64, rows: Int) = (0, 0)
    /// Segments and events committed and then released from memory since the process started.
    private(set) var released: (segments: Int, events: Int) = (0, 0)
    /// The live view (`ingest --http`), published to after each batch and commit.
    private(set) var observer: (any IngestObserver)?
    /// Batches waiting in the hand-over queue, and its size (set by the processor thread).
    var queuedBatches = 0
    var queueDepth = 0
    private var publishedIdentities = 0
    private var spareObservations: [LiveObservation] = []
    private var activity: [SourceActivity] = []

    init(configuration: MetricsConfiguration, store: any IngestStore, run: Int64, shard: Shard = .whole) {
        frames = FrameProcessor(configuration: configuration)
        self.store = store
        self.run = run
        self.shard = shard
    }

    /// Registry reloads already written to the zone tables.
    private var registeredVersion = 0

    /// Writes the registry of journaled zone reloads (vehicles, operators, RSUs) to the zone tables.
    private mutating func registerReloadedZone() throws {
        guard frames.registryVersion != registeredVersion else { return }
        try store.registerZone(frames.reloadedRegistry, operators: frames.operatorNames)
        registeredVersion = frames.registryVersion
    }

    /// Vehicles seen on the wire that are not in the zone registry.
    var unregisteredVehicles: Int {
        frames.aggregator.directory.identities.reduce(0) { $0 + ($1.registered ? 0 : 1) }
    }

    private static func kind(of topic: String) -> Int {
        topic.hasPrefix("cv2x/") ? 0 : topic.hasPrefix("jt808/") ? 1 : 2
    }

    private mutating func fileIndex(sequence: Int, path: @autoclosure () -> String) -> Int {
        if let last = fileSequences.last, last == sequence { return fileSequences.count - 1 }
        if let index = fileSequences.firstIndex(of: sequence) { return index }
        fileSequences.append(sequence)
        files.append((path: path(), applied: 0, complete: false, lastLogTime: 0))
        return files.count - 1
    }

    /// Processes a journal file from disk (recovery: rebuilding the state of an interrupted
    /// session). Returns the number of messages.
    mutating func replay(path: String, sequence: Int) throws -> Int64 {
        let reader = try MCAPReader(path: path)
        let cursor = reader.makeCursor(MCAPQuery(order: .logTime))
        let file = fileIndex(sequence: sequence, path: path)
        var cache: [UInt16: (ref: FrameProcessor.TopicRef, kind: Int)] = [:]
        frames.journalFile = path
        var index: Int64 = 0
        while let message = cursor.next() {
            let topic: (ref: FrameProcessor.TopicRef, kind: Int)
            if let cached = cache[message.channelID] {
                topic = cached
            } else {
                let name = cursor.channel(message.channelID)?.topic ?? "channel/\(message.channelID)"
                topic = (frames.topic(named: name), Self.kind(of: name))
                cache[message.channelID] = topic
            }
            frames.messageIndex = index
            frames.process(
                topic: topic.ref, payload: message.payload, logTime: message.logTime,
                publishTime: message.publishTime)
            kindCounts[topic.kind] += 1
            lastLogTime = message.logTime
            index += 1
            if frames.rejected.count >= 1024 { pendingRejected += frames.drainRejected() }
        }
        files[file].applied = index
        files[file].complete = true
        files[file].lastLogTime = lastLogTime
        return index
    }

    /// Starts publishing to a live view.
    mutating func attach(_ observer: (any IngestObserver)?) {
        self.observer = observer
        frames.liveObservations = observer == nil ? nil : []
    }

    /// Hands the observations and counters of the batch just processed to the observer.
    private mutating func publish(_ observer: any IngestObserver, started: UInt64) {
        let observations = frames.liveObservations ?? []
        frames.liveObservations = spareObservations
        let identities = frames.aggregator.directory.identities
        let first = publishedIdentities
        publishedIdentities = identities.count
        frames.cv2xActivity(into: &activity)
        observer.ingestProcessed(
            IngestBatchUpdate(
                observations: observations, newIdentities: Array(identities[first...]),
                firstNewIdentity: first,
                rsuActivity: activity, messages: frames.messages, kindCounts: kindCounts,
                lastLogTime: lastLogTime, journalBytes: journalBytes, queued: queuedBatches,
                queueDepth: queueDepth, processingNanoseconds: JournalFormat.now() &- started))
        spareObservations = observations
        spareObservations.removeAll(keepingCapacity: true)
    }

    /// Processes one batch from the receiver.
    mutating func consume(_ batch: FrameBatch, path: (Int) -> String) {
        let started = observer == nil ? 0 : JournalFormat.now()
        defer { if let observer { publish(observer, started: started) } }
        for (id, name) in batch.newTopics {
            while topicRefs.count <= id {
                topicRefs.append(0)
                topicKinds.append(2)
            }
            topicRefs[id] = frames.topic(named: name)
            topicKinds[id] = Self.kind(of: name)
        }
        let file = fileIndex(sequence: batch.fileSequence, path: path(batch.fileSequence))
        if frames.journalFile != files[file].path { frames.journalFile = files[file].path }
        var index = batch.firstIndex
        // Each record is prepared while the one before it is processed (its duplicate-filter
        // memory is on the way by the time it is checked).
        var current = batch.used > 0 ? batch.record(at: 0) : nil
        var currentHash = current.flatMap {
            frames.prepare(topic: topicRefs[$0.topic], payload: $0.payload, ahead: 0)
        }
        while let record = current {
            let next = record.next < batch.used ? batch.record(at: record.next) : nil
            var nextHash: UInt64?
            if let next {
                nextHash = frames.prepare(
                    topic: topicRefs[next.topic], payload: next.payload,
                    ahead: next.topic == record.topic ? 1 : 0)
            }
            frames.messageIndex = index
            frames.process(
                topic: topicRefs[record.topic], payload: record.payload, logTime: record.logTime,
                publishTime: record.publishTime, contentHash: currentHash)
            kindCounts[topicKinds[record.topic]] += 1
            index += 1
            lastLogTime = record.logTime
            current = next
            currentHash = nextHash
        }
        files[file].applied = index
        files[file].lastLogTime = lastLogTime
        if batch.endsFile { files[file].complete = true }
        journalBytes = batch.journalBytes
        if frames.rejected.count >= 1024 { pendingRejected += frames.drainRejected() }
    }

    /// Rejected frames of everything processed so far are to be (re)inserted at the next commit.
    mutating func takeRejected() -> [RejectedFrame] {
        pendingRejected += frames.drainRejected().filter { shard.owns($0.topic) }  // a topic is its source name
        defer { pendingRejected.removeAll(keepingCapacity: true) }
        return pendingRejected
    }

    /// Commits what changed in the aggregate since the last commit (the vehicles that observed
    /// something, the accounting), the rejected frames and the checkpoints in one transaction.
    /// `final` finishes the aggregate (releasing held observations) and marks the run complete
    /// with its journal files. Returns the metrics written (only the changed vehicles unless
    /// `final`).
    @discardableResult
    mutating func commit(final: Bool) throws -> ZoneMetrics {
        let started = JournalFormat.now()
        try registerReloadedZone()
        let metrics: ZoneMetrics
        if final {
            metrics = frames.finish()
            span = (nil, nil)
        } else {
            metrics = frames.aggregator.takeChangesReleasingHeld()
        }
        for vehicle in metrics.vehicles.values {
            if let first = vehicle.summary.firstTime { span.first = min(span.first ?? first, first) }
            if let last = vehicle.summary.lastTime { span.last = max(span.last ?? last, last) }
        }
        let rejected = takeRejected()
        let fileStates = files.map { (applied: $0.applied, complete: $0.complete || final) }
        let checkpoints = files.indices.compactMap { index -> JournalCheckpoint? in
            let file = files[index]
            if index < committedFiles.count, committedFiles[index] == fileStates[index] { return nil }
            return JournalCheckpoint(
                journalFile: file.path, runID: run, byteOffset: 0, messageIndex: file.applied,
                logTime: Microseconds(file.lastLogTime / 1000), complete: fileStates[index].complete)
        }
        var runFiles: [RunFile] = []
        if final { runFiles = try files.map { try DatabaseReplay.fileHash(path: $0.path) } }
        do {
            try store.commitLiveRun(
                run, metrics: metrics.restricted(to: shard), cache: &rowCache, span: span,
                frames: frames.messages,
                rejected: rejected,
                checkpoints: checkpoints, complete: final, files: runFiles,
                at: Microseconds(Date().timeIntervalSince1970 * 1e6))
        } catch {
            pendingRejected = rejected + pendingRejected
            // Rolled back: the next commit writes every vehicle's differences again.
            frames.aggregator.markAllChanged()
            throw error
        }
        committedFiles = fileStates
        if !final, store.retainsCommittedRows {
            // What is committed and can no longer change leaves memory (bounded however long the
            // run); the cache forgets the same rows, which stay in the database.
            for (vin, drop) in frames.aggregator.dropSettled(vins: metrics.vehicles.keys) {
                rowCache.forget(vin: vin, drop)
                released.segments += drop.segments
                released.events += drop.events
            }
        }
        lastCommit = (JournalFormat.now() &- started, rowCache.rowsWritten)
        observer?.ingestCommitted(
            IngestCommitUpdate(
                metrics: metrics, messages: frames.messages, kindCounts: kindCounts,
                journalFiles: files.count,
                journalBytes: journalBytes, lastLogTime: lastLogTime,
                commitNanoseconds: lastCommit.nanoseconds, final: final))
        return metrics
    }
}
