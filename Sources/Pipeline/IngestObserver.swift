import Metrics

/// A JT/T 808 observation as the processor decoded it, in arrival (journal) order, for a live
/// view of the ingest (`testzone ingest --http`). The metrics engine sees the same observations
/// after its reorder buffer; a live view sees them at once.
public enum LiveObservation: Sendable {
    /// A position fix (with its 0xE1 state when the report carried one).
    case fix(VehicleFix, logTime: Microseconds)
    /// A 0xE2 event item (it precedes the fix of its report).
    case event(AutomationEvent, logTime: Microseconds)
}

/// Frame counters of one C-V2X source at the end of a batch (data time: journal log time).
public struct SourceActivity: Sendable, Hashable {
    /// Source (topic) name, `cv2x/<rsu id>`.
    public var topic: String
    /// Index of the RSU in the zone registry, `nil` for an RSU not listed there.
    public var rsu: Int?
    /// Frames received from the source so far.
    public var received: Int64
    /// Receive (log) time of its last frame.
    public var lastSeen: Microseconds?

    /// Creates counters.
    public init(topic: String, rsu: Int?, received: Int64, lastSeen: Microseconds?) {
        self.topic = topic
        self.rsu = rsu
        self.received = received
        self.lastSeen = lastSeen
    }
}

/// What the processor publishes after each batch it processed (several times a second): the
/// JT/T 808 observations of the batch and a few counters. Times are data times.
public struct IngestBatchUpdate: Sendable {
    /// Fixes and events of the batch in journal order.
    public var observations: [LiveObservation]
    /// Vehicle identities that appeared since the previous update (``VehicleRef`` = index).
    public var newIdentities: [VehicleIdentity]
    /// Index of the first of ``newIdentities``.
    public var firstNewIdentity: Int
    /// C-V2X sources (RSUs) with their counters.
    public var rsuActivity: [SourceActivity]
    /// Messages processed so far (the session's, recovery included).
    public var messages: Int64
    /// Messages processed by kind: cv2x, jt808, other.
    public var kindCounts: [Int64]
    /// Log time (ns since the epoch) of the last message processed.
    public var lastLogTime: UInt64
    /// Journal bytes written so far.
    public var journalBytes: Int64
    /// Batches waiting in the hand-over queue when this one was taken, and the queue's size.
    public var queued: Int
    /// Size of the hand-over queue (0 with one thread).
    public var queueDepth: Int
    /// Wall-clock nanoseconds the batch took to process (operational figure for /metrics).
    public var processingNanoseconds: UInt64
}

/// What the processor publishes after each commit to the database.
public struct IngestCommitUpdate: Sendable {
    /// The aggregate committed (held observations applied).
    public var metrics: ZoneMetrics
    /// Messages processed so far.
    public var messages: Int64
    /// Messages processed by kind: cv2x, jt808, other.
    public var kindCounts: [Int64]
    /// Journal files of the session so far.
    public var journalFiles: Int
    /// Journal bytes written so far.
    public var journalBytes: Int64
    /// Log time (ns since the epoch) of the last message processed.
    public var lastLogTime: UInt64
    /// Wall-clock nanoseconds the commit took (operational figure for /metrics).
    public var commitNanoseconds: UInt64
    /// Whether this was the final commit of a clean stop.
    public var final: Bool
}

/// Receives the live view of an ingest. Called on the processor thread: implementations must
/// return quickly and never block on a reader (the ingest waits for them).
public protocol IngestObserver: Sendable {
    /// The run the ingest writes (called once before any update).
    func ingestStarted(run: Int64, session: String, startedAt: Microseconds)
    /// After each processed batch.
    func ingestProcessed(_ update: IngestBatchUpdate)
    /// After each commit.
    func ingestCommitted(_ update: IngestCommitUpdate)
}
