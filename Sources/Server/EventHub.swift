import Synchronization

/// What a new SSE client gets: the events it missed (after `Last-Event-ID`), whether some were
/// no longer retained (a `gap`), and the stream of the events that follow.
public struct EventSubscription: Sendable {
    /// Retained events after the client's last id, oldest first.
    public var backlog: [ConsoleModel.Event]
    /// The client's last id is older than the oldest retained event: events were lost to it.
    public var gap: (lastEventID: Int64, firstRetained: Int64)?
    /// Events appended after the subscription, in order. Ends when the client is dropped
    /// (its queue overflowed) or the hub closes.
    public var stream: AsyncStream<ConsoleModel.Event>
}

/// The event register: a bounded in-memory log of events with increasing ids, and the SSE
/// subscribers, each with a bounded queue. Appending never waits for a subscriber: a client
/// whose queue is full is dropped (its stream ends; it may reconnect with `Last-Event-ID`).
public final class EventHub: Sendable {
    private struct State {
        var events: [ConsoleModel.Event] = []
        /// Index in `events` of the oldest retained event (a ring once `capacity` is reached).
        var head = 0
        var nextID: Int64 = 1
        var subscribers: [Int: AsyncStream<ConsoleModel.Event>.Continuation] = [:]
        var nextSubscriber = 0
        var dropped: Int64 = 0
        var closed = false
    }

    /// Events retained for `GET /api/v1/events` and `Last-Event-ID` resumption.
    public let capacity: Int
    /// Events a client may have queued before it is dropped.
    public let clientQueue: Int
    private let state = Mutex(State())
    /// Held while events are handed to subscribers (see ``append(_:)`` for the lock order).
    private let delivery = Mutex(())

    /// Creates a hub.
    public init(capacity: Int = 10_000, clientQueue: Int = 512) {
        self.capacity = max(1, capacity)
        self.clientQueue = max(1, clientQueue)
    }

    /// Appends events (their `id` is assigned here) and hands them to every subscriber.
    ///
    /// Lock order: `delivery`, then `state`. Events are yielded with only `delivery` held,
    /// never `state`: yielding resumes the subscriber's task (taking the runtime's task
    /// status lock), while cancelling that task (a client that goes away) holds the task
    /// status lock and runs the stream's termination handler, which takes `state` to
    /// unregister. Holding `state` while yielding deadlocks against that path. `delivery`
    /// keeps concurrent appends in id order for every subscriber.
    public func append(_ new: [ConsoleModel.Event]) {
        guard !new.isEmpty else { return }
        delivery.withLock { _ in
            let (numbered, subscribers) = state.withLock {
                s -> ([ConsoleModel.Event], [(Int, AsyncStream<ConsoleModel.Event>.Continuation)]) in
                var numbered: [ConsoleModel.Event] = []
                numbered.reserveCapacity(new.count)
                for var event in new {
                    event.id = s.nextID
                    s.nextID += 1
                    if s.events.count < capacity {
                        s.events.append(event)
                    } else {
                        s.events[s.head] = event
                        s.head = (s.head + 1) % capacity
                    }
                    numbered.append(event)
                }
                return (numbered, s.subscribers.map { ($0.key, $0.value) })
            }
            var full: [Int] = []
            for (key, continuation) in subscribers {
                for event in numbered {
                    if case .dropped = continuation.yield(event) {
                        full.append(key)
                        break
                    }
                }
            }
            guard !full.isEmpty else { return }
            let gone = state.withLock { s in
                full.compactMap { key -> AsyncStream<ConsoleModel.Event>.Continuation? in
                    guard let continuation = s.subscribers.removeValue(forKey: key) else { return nil }
                    s.dropped += 1
                    return continuation
                }
            }
            // Finished outside `state`: `finish()` runs the termination handler, which takes it.
            for continuation in gone { continuation.finish() }
        }
    }

    /// Retained events in id order.
    private static func ordered(_ s: State) -> [ConsoleModel.Event] {
        Array(s.events[s.head...] + s.events[..<s.head])
    }

    /// Events with an id greater than `since`, oldest first, at most `limit`.
    public func events(since: Int64, limit: Int) -> [ConsoleModel.Event] {
        state.withLock { s in
            Array(Self.ordered(s).lazy.filter { $0.id > since }.prefix(max(0, limit)))
        }
    }

    /// Retained events matching a predicate, oldest first.
    public func events(where include: (ConsoleModel.Event) -> Bool) -> [ConsoleModel.Event] {
        state.withLock { s in Self.ordered(s).filter(include) }
    }

    /// The id the next event will get.
    public var nextID: Int64 { state.withLock { $0.nextID } }

    /// Clients dropped because their queue overflowed.
    public var droppedClients: Int64 { state.withLock { $0.dropped } }

    /// Connected SSE clients.
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// Subscribes a client that has seen events up to `lastEventID` (`nil`: a new client, no
    /// backlog). Backlog and stream join without a hole or a repeat.
    public func subscribe(lastEventID: Int64?) -> EventSubscription {
        let (stream, continuation) = AsyncStream<ConsoleModel.Event>.makeStream(
            bufferingPolicy: .bufferingOldest(clientQueue))
        let (backlog, gap, key) = state.withLock { s -> ([ConsoleModel.Event], (Int64, Int64)?, Int?) in
            var backlog: [ConsoleModel.Event] = []
            var gap: (Int64, Int64)?
            if let last = lastEventID {
                let retained = Self.ordered(s)
                backlog = retained.filter { $0.id > last }
                if let first = retained.first?.id, last + 1 < first { gap = (last, first) }
                if retained.isEmpty, last + 1 < s.nextID { gap = (last, s.nextID) }
            }
            if s.closed { return (backlog, gap, nil) }
            let key = s.nextSubscriber
            s.nextSubscriber += 1
            s.subscribers[key] = continuation
            return (backlog, gap, key)
        }
        if let key {
            continuation.onTermination = { [weak self] _ in
                _ = self?.state.withLock { $0.subscribers.removeValue(forKey: key) }
            }
        } else {
            continuation.finish()
        }
        return EventSubscription(backlog: backlog, gap: gap, stream: stream)
    }

    /// Ends every subscriber's stream (server shutdown); later subscriptions end at once.
    public func close() {
        let subscribers = state.withLock { s in
            s.closed = true
            defer { s.subscribers.removeAll() }
            return Array(s.subscribers.values)
        }
        for continuation in subscribers { continuation.finish() }
    }
}
