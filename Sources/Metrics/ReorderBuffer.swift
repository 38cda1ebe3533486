/// A per-vehicle reorder buffer: holds observations and releases them in event-time order once
/// the newest event time seen is more than the window ahead of them. Observations that arrive in
/// order (the common case) go to a FIFO in O(1); the others to a binary min-heap over
/// (time, rank, arrival); release takes the smaller head. Storage is reused, so steady state
/// does not allocate.
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
    private var fifo: [Entry] = []
    private var fifoHead = 0
    private var arrivals: UInt64 = 0
    /// Newest event time seen.
    private(set) var newest: Microseconds = .min
    /// Event time of the last released entry: anything older arriving now is late.
    private(set) var released: Microseconds = .min

    var isEmpty: Bool { heap.isEmpty && fifoHead == fifo.count }
    var count: Int { heap.count + fifo.count - fifoHead }

    /// Whether an item with this time would be late (its slot in the order has been released).
    func isLate(_ time: Microseconds) -> Bool { time < released }

    mutating func push(_ item: TrackItem) {
        let entry = Entry(time: item.time, rank: item.rank, arrival: arrivals, item: item)
        arrivals &+= 1
        if entry.time > newest { newest = entry.time }
        if fifoHead == fifo.count || !entry.precedes(fifo[fifo.count - 1]) {
            if fifoHead == fifo.count {
                fifo.removeAll(keepingCapacity: true)
                fifoHead = 0
            } else if fifoHead >= 4096 && fifoHead * 2 >= fifo.count {
                fifo.removeSubrange(0..<fifoHead)
                fifoHead = 0
            }
            fifo.append(entry)
            return
        }
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
        if fifoHead < fifo.count, heap.isEmpty || fifo[fifoHead].precedes(heap[0]) {
            let first = fifo[fifoHead]
            guard first.time <= limit else { return nil }
            fifoHead += 1
            if first.time > released { released = first.time }
            return first.item
        }
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

extension ReorderBuffer {
    /// Calls `body` with every held item in release order (what popping everything would give),
    /// without changing the buffer: the FIFO part is already in order, the heap part (the
    /// out-of-order arrivals) is put in order through a sorted array of its keys (small values,
    /// not the entries), and the two are merged.
    func forEachHeldInOrder(_ body: (TrackItem) -> Void) {
        struct Key {
            var time: Microseconds
            var arrival: UInt64
            var rank: UInt8
            var index: Int32
        }
        var keys: [Key] = []
        keys.reserveCapacity(heap.count)
        for (index, entry) in heap.enumerated() {
            keys.append(Key(time: entry.time, arrival: entry.arrival, rank: entry.rank, index: Int32(index)))
        }
        // Arrivals are unique, so (time, rank, arrival) is a total order: any sort gives the same.
        keys.sort { a, b in
            if a.time != b.time { return a.time < b.time }
            if a.rank != b.rank { return a.rank < b.rank }
            return a.arrival < b.arrival
        }
        heap.withUnsafeBufferPointer { heap in
            fifo.withUnsafeBufferPointer { fifo in
                var i = fifoHead
                var j = 0
                while i < fifo.count || j < keys.count {
                    let takeFIFO: Bool
                    if i == fifo.count {
                        takeFIFO = false
                    } else if j == keys.count {
                        takeFIFO = true
                    } else {
                        takeFIFO = fifo[i].precedes(heap[Int(keys[j].index)])
                    }
                    if takeFIFO {
                        body(fifo[i].item)
                        i += 1
                    } else {
                        body(heap[Int(keys[j].index)].item)
                        j += 1
                    }
                }
            }
        }
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

    /// The summary as it would be after releasing everything held (``flush(upTo:configuration:)``
    /// with `.max`), leaving this accumulator as it is.
    func summaryReleasingHeld(configuration c: MetricsConfiguration) -> TrackSummary {
        var result = summary
        buffer.forEachHeldInOrder { result.ingest($0, configuration: c) }
        return result
    }

    /// Drops what the summary holds that is committed and final (``TrackSummary/dropSettled()``).
    mutating func dropSettled() -> SettledDrop? { summary.dropSettled() }

    /// Releases everything held up to `time` (a watermark), or everything with `.max`.
    mutating func flush(upTo time: Microseconds = .max, configuration c: MetricsConfiguration) {
        while let ready = buffer.pop(notAfter: time) { summary.ingest(ready, configuration: c) }
    }
}
