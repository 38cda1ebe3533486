#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A run of journaled messages handed from the receiver to the processor: records packed in one
/// reusable buffer (`[u32 topic][u32 length][u64 log time][u64 publish time][payload]`, padded
/// to 8 bytes), all from one journal file.
final class FrameBatch: @unchecked Sendable {
    // @unchecked Sendable: a batch is owned by one thread at a time. Ownership passes only
    // through `BatchQueue`, whose mutex orders the writes of the sender before the reads of the
    // receiver; no thread touches a batch it has handed over.
    static let headerSize = 24
    private(set) var storage: UnsafeMutableRawPointer
    private(set) var capacity: Int
    /// Bytes used in `storage`.
    private(set) var used = 0
    /// Records in the batch.
    private(set) var count = 0
    /// Sequence number of the journal file the records are in.
    var fileSequence = 0
    /// Message index (within the file) of the first record.
    var firstIndex: Int64 = 0
    /// Whether the journal file ends after this batch (the processor marks it complete).
    var endsFile = false
    /// Journal bytes written (all files) when the batch was handed over.
    var journalBytes: Int64 = 0
    /// Topics first seen in this batch: receiver topic id and name.
    var newTopics: [(id: Int, name: String)] = []

    init(capacity: Int) {
        self.capacity = capacity
        storage = .allocate(byteCount: capacity, alignment: 8)
    }

    deinit { storage.deallocate() }

    /// Empties the batch (storage is kept).
    func reset(fileSequence: Int, firstIndex: Int64) {
        used = 0
        count = 0
        endsFile = false
        newTopics.removeAll(keepingCapacity: true)
        self.fileSequence = fileSequence
        self.firstIndex = firstIndex
    }

    /// Whether a record with this payload fits (an empty batch takes any record, growing).
    @inline(__always)
    func fits(payloadBytes: Int) -> Bool {
        count == 0 || used + ((Self.headerSize + payloadBytes + 7) & ~7) <= capacity
    }

    /// Appends a record; `false` when it does not fit (hand the batch over first). A record
    /// larger than an empty batch grows the storage.
    func append(topic: Int, payload: UnsafeRawBufferPointer, logTime: UInt64, publishTime: UInt64) -> Bool {
        let size = (Self.headerSize + payload.count + 7) & ~7
        if used + size > capacity {
            guard count == 0 else { return false }
            storage.deallocate()
            capacity = size
            storage = .allocate(byteCount: size, alignment: 8)
        }
        let p = storage + used
        p.storeBytes(of: UInt32(truncatingIfNeeded: topic), as: UInt32.self)
        p.storeBytes(of: UInt32(truncatingIfNeeded: payload.count), toByteOffset: 4, as: UInt32.self)
        p.storeBytes(of: logTime, toByteOffset: 8, as: UInt64.self)
        p.storeBytes(of: publishTime, toByteOffset: 16, as: UInt64.self)
        if let base = payload.baseAddress, payload.count > 0 {
            (p + Self.headerSize).copyMemory(from: base, byteCount: payload.count)
        }
        used += size
        count += 1
        return true
    }

    /// One record of the batch, read in place (valid until the batch is reset).
    struct Record {
        var topic: Int
        var payload: UnsafeRawBufferPointer
        var logTime: UInt64
        var publishTime: UInt64
        /// Offset of the next record (`used` after the last).
        var next: Int
    }

    /// The record at `offset`: 0 for the first, then the previous record's `next` while that
    /// is below `used`.
    @inline(__always)
    func record(at offset: Int) -> Record {
        let p = storage + offset
        let length = Int(p.load(fromByteOffset: 4, as: UInt32.self))
        return Record(
            topic: Int(p.load(as: UInt32.self)),
            payload: UnsafeRawBufferPointer(start: p + Self.headerSize, count: length),
            logTime: p.load(fromByteOffset: 8, as: UInt64.self),
            publishTime: p.load(fromByteOffset: 16, as: UInt64.self),
            next: offset + ((Self.headerSize + length + 7) & ~7))
    }
}

/// A bounded single-producer single-consumer hand-over of ``FrameBatch``es: a fixed pool of
/// batches cycles between a free list and a full queue. The receiver blocks when no batch is
/// free, so a slow processor stops the receiver, the socket's high-water mark fills and PUSH
/// senders block: backpressure without loss.
final class BatchQueue: @unchecked Sendable {
    // @unchecked Sendable: `free`, `full`, `closed` and `aborted` are read and written only with
    // `mutex` held; the pthread objects are allocated once and freed in deinit.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var free: [FrameBatch]
    private var full: [FrameBatch] = []
    private var closed = false
    private var aborted = false
    /// Number of batches in the pool.
    let depth: Int

    init(depth: Int, batchCapacity: Int) {
        self.depth = depth
        free = (0..<depth).map { _ in FrameBatch(capacity: batchCapacity) }
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    private func locked<R>(_ body: () -> R) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }

    /// Batches waiting for the processor.
    var queued: Int { locked { full.count } }

    /// A free batch, waiting for one; `nil` when the consumer aborted.
    func takeFree() -> FrameBatch? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while free.isEmpty && !aborted { pthread_cond_wait(condition, mutex) }
        return aborted ? nil : free.removeLast()
    }

    /// Queues a full batch for the processor.
    func pushFull(_ batch: FrameBatch) {
        locked {
            full.append(batch)
            pthread_cond_broadcast(condition)
        }
    }

    /// Returns a processed batch to the pool.
    func release(_ batch: FrameBatch) {
        locked {
            free.append(batch)
            pthread_cond_broadcast(condition)
        }
    }

    /// What ``popFull(timeoutMilliseconds:)`` found.
    enum Next {
        case batch(FrameBatch)
        case timeout
        case closed
    }

    /// The next full batch, waiting up to the timeout; `.closed` once the producer closed the
    /// queue and every batch has been taken.
    func popFull(timeoutMilliseconds: Int) -> Next {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if full.isEmpty && !closed {
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            var deadline = now
            let nanos = Int(now.tv_nsec) + timeoutMilliseconds * 1_000_000
            deadline.tv_sec += nanos / 1_000_000_000
            deadline.tv_nsec = nanos % 1_000_000_000
            while full.isEmpty && !closed {
                if pthread_cond_timedwait(condition, mutex, &deadline) == ETIMEDOUT { break }
            }
        }
        if !full.isEmpty { return .batch(full.removeFirst()) }
        return closed ? .closed : .timeout
    }

    /// The producer is done: the consumer drains what is queued and then sees `.closed`.
    func close() {
        locked {
            closed = true
            pthread_cond_broadcast(condition)
        }
    }

    /// The consumer failed: a producer waiting for a free batch gets `nil`.
    func abort() {
        locked {
            aborted = true
            pthread_cond_broadcast(condition)
        }
    }
}
