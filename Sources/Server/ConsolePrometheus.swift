import Foundation
import Metrics
import Prometheus
import Synchronization

/// The Prometheus figures of `GET /metrics` (swift-prometheus registry, text format 0.0.4):
/// frames by kind, result and reject reason, journal bytes and files, hand-over queue depth,
/// batch and commit latency, vehicles by automation state, RSUs up, SSE clients.
///
/// Frame counters follow the committed accounting (`data_health`): they move at each commit,
/// by the difference to the previous one, so they always equal the ingest's own figures.
public final class ConsolePrometheus: Sendable {
    /// The registry (emit it with `emitToString()`).
    public let registry = PrometheusCollectorRegistry()
    private let counted = Mutex<[String: Int64]>([:])
    private let queueDepth: Gauge
    private let queueSize: Gauge
    private let journalBytes: Gauge
    private let journalFiles: Gauge
    private let messages: Gauge
    private let batchLatency: DurationHistogram
    private let commitLatency: DurationHistogram
    private let sseClients: Gauge
    private let sseDropped: Gauge

    /// Creates the figures.
    public init() {
        queueDepth = registry.makeGauge(
            descriptor: Self.descriptor(
                "testzone_ingest_queue_batches", "Batches waiting in the receiver-to-processor queue"))
        queueSize = registry.makeGauge(
            descriptor: Self.descriptor(
                "testzone_ingest_queue_capacity_batches", "Size of the receiver-to-processor queue"))
        journalBytes = registry.makeGauge(
            descriptor: Self.descriptor("testzone_journal_bytes", "Journal bytes written"))
        journalFiles = registry.makeGauge(
            descriptor: Self.descriptor("testzone_journal_files", "Journal files of the session"))
        messages = registry.makeGauge(
            descriptor: Self.descriptor(
                "testzone_ingest_messages_processed", "Messages processed (journal order)"))
        let latencyBuckets: [Duration] = [
            .microseconds(100), .microseconds(500), .milliseconds(1), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .seconds(5),
        ]
        batchLatency = registry.makeDurationHistogram(
            descriptor: Self.descriptor("testzone_ingest_batch_seconds", "Processing time per batch"),
            buckets: latencyBuckets)
        commitLatency = registry.makeDurationHistogram(
            descriptor: Self.descriptor("testzone_ingest_commit_seconds", "Database commit time"),
            buckets: latencyBuckets)
        sseClients = registry.makeGauge(
            descriptor: Self.descriptor("testzone_sse_clients", "Connected event-stream clients"))
        sseDropped = registry.makeGauge(
            descriptor: Self.descriptor(
                "testzone_sse_dropped_clients", "Event-stream clients dropped for a full queue"))
    }

    static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    static var rsus: MetricNameDescriptor {
        descriptor("testzone_rsus", "Registry RSUs by status (up: a frame within the silence threshold)")
    }

    static let help = [
        "testzone_frames_received_total": "Frames received by source kind (committed accounting)",
        "testzone_frames_total": "Frames by source kind and result: decoded, rejected, duplicate",
        "testzone_frames_rejected_total": "Rejected frames by source kind and reason",
    ]

    static func kind(ofSource source: String) -> String {
        source.hasPrefix("cv2x/") ? "cv2x" : source.hasPrefix("jt808/") ? "jt808" : "other"
    }

    /// After a batch.
    func batch(queued: Int, depth: Int, journalBytes bytes: Int64, messages count: Int64, nanoseconds: UInt64)
    {
        queueDepth.set(Int64(queued))
        queueSize.set(Int64(depth))
        journalBytes.set(bytes)
        messages.set(count)
        batchLatency.recordNanoseconds(Int64(clamping: nanoseconds))
    }

    /// After a commit: frame counters move to the committed accounting.
    func commit(
        sources: [String: Metrics.SourceHealth], journalFiles files: Int, journalBytes bytes: Int64,
        nanoseconds: UInt64?
    ) {
        var totals: [String: (labels: [(String, String)], name: String, value: Int64)] = [:]
        func add(_ name: String, _ labels: [(String, String)], _ value: Int64) {
            let key = name + labels.map { "|\($0.0)=\($0.1)" }.joined()
            totals[key, default: (labels: labels, name: name, value: 0)].value += value
        }
        for (source, health) in sources {
            let kind = Self.kind(ofSource: source)
            add("testzone_frames_received_total", [("kind", kind)], health.received)
            add("testzone_frames_total", [("kind", kind), ("result", "decoded")], health.decoded)
            add("testzone_frames_total", [("kind", kind), ("result", "rejected")], health.rejectedTotal)
            add("testzone_frames_total", [("kind", kind), ("result", "duplicate")], health.duplicates)
            for (reason, count) in health.rejected {
                add("testzone_frames_rejected_total", [("kind", kind), ("reason", reason)], count)
            }
        }
        let steps = counted.withLock { counted -> [(String, [(String, String)], Int64)] in
            var steps: [(String, [(String, String)], Int64)] = []
            for (key, total) in totals {
                let delta = total.value - counted[key, default: 0]
                if delta != 0 || counted[key] == nil { steps.append((total.name, total.labels, delta)) }
                counted[key] = total.value
            }
            return steps
        }
        for (name, labels, delta) in steps {
            let counter = registry.makeCounter(
                descriptor: Self.descriptor(name, Self.help[name] ?? ""), labels: labels)
            if delta > 0 { counter.increment(by: delta) }
        }
        journalFiles.set(Int64(files))
        journalBytes.set(bytes)
        if let nanoseconds { commitLatency.recordNanoseconds(Int64(clamping: nanoseconds)) }
    }

    /// Vehicles by automation state and RSUs up (set at each batch from the live view).
    func states(vehicles: [String: Int], rsusUp: Int, rsusSilent: Int) {
        for state in ["off", "available", "active", "takeover-requested", "mrm", "unknown"] {
            registry.makeGauge(
                descriptor: Self.descriptor("testzone_vehicles", "Vehicles by automation state"),
                labels: [("state", state)]
            ).set(Int64(vehicles[state] ?? 0))
        }
        registry.makeGauge(descriptor: Self.rsus, labels: [("status", "up")]).set(Int64(rsusUp))
        registry.makeGauge(descriptor: Self.rsus, labels: [("status", "silent")]).set(Int64(rsusSilent))
    }

    /// SSE client figures.
    func clients(connected: Int, dropped: Int64) {
        sseClients.set(Int64(connected))
        sseDropped.set(dropped)
    }

    /// The text format.
    public func text() -> String { registry.emitToString() }
}
