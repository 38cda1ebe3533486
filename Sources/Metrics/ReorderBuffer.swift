/// A per-vehicle reorder buffer: holds observations and releases them in event-time order once
/// the newest event time seen is more than the window ahead of them. A binary min-heap over
/// (time, rank, arrival); its storage is reused, so steady state does not allocate.
struct ReorderBuffer: Sendable, Hashable {
    struct Entry: Sendable, Hashable {
        var time: Microseconds
        var rank: UInt8
        var arrival: UInt64
        var item: TrackItem

        @inline(__always)
        func precedes(_ other: Entry) -> Bool {
            if time != other.time { return time < other.time }
            if rank != other.rank { return rank < other.rank }
            return arrival < other.arrival
        }
    }

    private var heap: [Entry] = []
    private var arrivals: UInt64 = 0
    /// Newest event time seen.
    private(set) var newest: Microseconds = .min
    /// Event time of the last released entry: anything older arriving now is late.
    private(set) var released: Microseconds = .min

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    /// Whether an item with this time would be late (its slot in the order has been released).
    func isLate(_ time: Microseconds) -> Bool { time < released }

    mutating func push(_ item: TrackItem) {
        let entry = Entry(time: item.time, rank: item.rank, arrival: arrivals, item: item)
        arrivals &+= 1
        if entry.time > newest { newest = entry.time }
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest entry if its time is at or before `limit`.
    mutating func pop(notAfter limit: Microseconds) -> TrackItem? {
        guard let first = heap.first, first.time <= limit else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            let count = heap.count
            while true {
                let left = 2 * parent + 1
                guard left < count else { break }
                var child = left
                if left + 1 < count, heap[left + 1].precedes(heap[left]) { child = left + 1 }
                guard heap[child].precedes(heap[parent]) else { break }
                heap.swapAt(child, parent)
                parent = child
            }
        }
        if first.time > released { released = first.time }
        return first.item
    }
}

/// A vehicle's reorder buffer in front of its summary.
struct VehicleAccumulator: Sendable {
    var buffer = ReorderBuffer()
    var summary = TrackSummary()

    mutating func observe(_ item: TrackItem, configuration c: MetricsConfiguration) {
        if buffer.isLate(item.time) {
            summary.ingestLate(item, configuration: c)
            return
        }
        buffer.push(item)
        let limit = buffer.newest &- c.reorderWindow
        while let ready = buffer.pop(notAfter: limit) { summary.ingest(ready, configuration: c) }
    }

    /// Releases everything held up to `time` (a watermark), or everything with `.max`.
    mutating func flush(upTo time: Microseconds = .max, configuration c: MetricsConfiguration) {
        while let ready = buffer.pop(notAfter: time) { summary.ingest(ready, configuration: c) }
    }
}
