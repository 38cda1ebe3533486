import Foundation
import Metrics

/// What live ingest needs of a store, with either back-end (issue 20): ``ZoneStore`` (SQLite, one
/// node) or ``PostgresIngestStore`` (PostgreSQL, shared by several nodes). Synchronous: ingest
/// calls it from its own threads.
public protocol IngestStore: Sendable {
    /// The node this store writes as (`""`: a single, unsharded ingest).
    var node: String { get }
    /// Whether rows of earlier commits stay as they are when later commits no longer carry them
    /// (incremental writes). Only then may live ingest release committed, final rows from memory
    /// (``TrackSummary/dropSettled()``); a store whose commit restates a vehicle's rows needs them.
    var retainsCommittedRows: Bool { get }
    /// Records the zone registry.
    func registerZone(_ configuration: MetricsConfiguration, operators: [String: String]) throws
    /// Starts a run (replacing runs with the same key or files); returns its id.
    func beginRun(
        key: String, files: [RunFile], kind: String, softwareVersion: String, configuration: String,
        startedAt: Microseconds
    ) throws -> Int64
    /// Commits a live run's progress in one transaction (see
    /// ``ZoneStore/commitLiveRun(_:metrics:cache:span:frames:rejected:checkpoints:complete:files:at:)``);
    /// an empty `cache` makes the commit rewrite the run's rows.
    func commitLiveRun(
        _ run: Int64, metrics: ZoneMetrics, cache: inout LiveRowCache,
        span: (first: Microseconds?, last: Microseconds?),
        frames: Int64, rejected: [RejectedFrame], checkpoints: [JournalCheckpoint], complete: Bool,
        files: [RunFile], at now: Microseconds
    ) throws
    /// Sets a run's status and finish time.
    func markRun(_ run: Int64, status: String, at now: Microseconds) throws
    /// This node's live runs that were not finished.
    func unfinishedLiveRuns() throws -> [(id: Int64, key: String)]
    /// The checkpoints recorded for a run.
    func checkpoints(run: Int64) throws -> [JournalCheckpoint]
    /// Deletes a run's rejected-frame evidence.
    func deleteRejectedFrames(run: Int64) throws
}

extension ZoneStore: IngestStore {
    /// SQLite holds one node: `""`.
    public var node: String { "" }
    /// Incremental: a commit writes only the rows that differ from its ``LiveRowCache``.
    public var retainsCommittedRows: Bool { true }
}

/// ``PostgresStore`` as an ``IngestStore`` for one node: each call waits for the database.
public struct PostgresIngestStore: IngestStore {
    /// The shared store.
    public let store: PostgresStore
    /// This node's id (its runs carry it in `runs.node`).
    public let node: String
    /// A commit replaces each carried vehicle's rows with what memory holds: nothing may be
    /// released from memory.
    public var retainsCommittedRows: Bool { false }

    /// Wraps `store` for `node`.
    public init(store: PostgresStore, node: String) {
        self.store = store
        self.node = node
    }

    /// Connects to the database at `location` and migrates it (``PostgresStore/open(_:connectTimeout:maximumConnections:logger:)``).
    public static func open(_ location: PostgresLocation, node: String) throws -> PostgresIngestStore {
        PostgresIngestStore(
            store: try BlockingCall.run { try await PostgresStore.open(location) }, node: node)
    }

    /// Closes the connections.
    public func close() {
        let store = store
        try? BlockingCall.run { await store.close() }
    }

    /// Registers the node (its shard, session and run) in the `nodes` table.
    public func registerNode(_ record: NodeRecord) throws {
        let store = store
        try BlockingCall.run { try await store.registerNode(record) }
    }

    /// Sets a node's status (`stopped` after a clean stop).
    public func markNode(_ id: String, status: String) throws {
        let store = store
        try BlockingCall.run { try await store.markNode(id, status: status) }
    }

    public func registerZone(_ configuration: MetricsConfiguration, operators: [String: String]) throws {
        let store = store
        try BlockingCall.run { try await store.registerZone(configuration, operators: operators) }
    }

    public func beginRun(
        key: String, files: [RunFile], kind: String, softwareVersion: String, configuration: String,
        startedAt: Microseconds
    ) throws -> Int64 {
        let (store, node) = (store, node)
        return try BlockingCall.run {
            try await store.beginRun(
                key: key, node: node, files: files, kind: kind, softwareVersion: softwareVersion,
                configuration: configuration, startedAt: startedAt)
        }
    }

    public func commitLiveRun(
        _ run: Int64, metrics: ZoneMetrics, cache: inout LiveRowCache,
        span: (first: Microseconds?, last: Microseconds?),
        frames: Int64, rejected: [RejectedFrame], checkpoints: [JournalCheckpoint], complete: Bool,
        files: [RunFile], at now: Microseconds
    ) throws {
        let rewrite = !cache.committedRemotely
        cache = LiveRowCache()
        let (store, node) = (store, node.isEmpty ? nil : node)
        let (first, last) = span
        let written = try BlockingCall.run {
            try await store.commitLiveRun(
                run, node: node, metrics: metrics, rewrite: rewrite, span: (first, last), frames: frames,
                rejected: rejected, checkpoints: checkpoints, complete: complete, files: files, at: now)
        }
        cache.committedRemotely = true
        cache.rowsWritten = written
    }

    public func markRun(_ run: Int64, status: String, at now: Microseconds) throws {
        let store = store
        try BlockingCall.run { try await store.markRun(run, status: status, at: now) }
    }

    public func unfinishedLiveRuns() throws -> [(id: Int64, key: String)] {
        let (store, node) = (store, node)
        return try BlockingCall.run { try await store.unfinishedLiveRuns(node: node) }
    }

    public func checkpoints(run: Int64) throws -> [JournalCheckpoint] {
        let store = store
        return try BlockingCall.run { try await store.checkpoints(run: run) }
    }

    public func deleteRejectedFrames(run: Int64) throws {
        let store = store
        try BlockingCall.run { try await store.deleteRejectedFrames(run: run) }
    }
}
