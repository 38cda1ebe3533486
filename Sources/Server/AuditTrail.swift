import Foundation
import Logging
import Store
import Synchronization

/// Writes the console's audit log (`audit_log`) off the request path: requests append to a
/// queue, a background task commits it once a second (and at ``close()``). A database that
/// cannot be written is logged, never fails a request; the queue is bounded (oldest entries are
/// counted as lost beyond 100,000 pending).
public final class AuditTrail: Sendable {
    private struct State {
        var pending: [AuditEntry] = []
        var lost: Int = 0
        var closed = false
    }

    private let store: ZoneStore
    private let logger: Logger
    private let state = Mutex(State())
    private let writes = Mutex(())
    private let flusher = Mutex<Task<Void, Never>?>(nil)
    static let capacity = 100_000

    /// Starts the writer over `store`.
    public init(store: ZoneStore, logger: Logger, interval: Duration = .seconds(1)) {
        self.store = store
        self.logger = logger
        let task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                self?.flush()
            }
        }
        flusher.withLock { $0 = task }
    }

    /// Queues an entry.
    func record(_ entry: AuditEntry) {
        state.withLock { state in
            guard !state.closed else { return }
            if state.pending.count >= Self.capacity {
                state.pending.removeFirst()
                state.lost += 1
            }
            state.pending.append(entry)
        }
    }

    /// Commits what is queued (one transaction); safe from any thread.
    public func flush() {
        writes.withLock { _ in
            let (batch, lost) = state.withLock { state in
                defer {
                    state.pending.removeAll(keepingCapacity: true)
                    state.lost = 0
                }
                return (state.pending, state.lost)
            }
            if lost > 0 {
                logger.error("audit log queue full: entries lost", metadata: ["lost": "\(lost)"])
            }
            do {
                try store.appendAudit(batch)
            } catch {
                logger.error(
                    "audit log write failed", metadata: ["entries": "\(batch.count)", "error": "\(error)"])
            }
        }
    }

    /// Stops the writer after a last commit.
    public func close() {
        flusher.withLock { $0?.cancel() }
        flush()
        state.withLock { $0.closed = true }
    }
}
