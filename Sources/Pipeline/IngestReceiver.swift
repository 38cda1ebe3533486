import Recording
import Synchronization
import ZeroMQ

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The receiving half of live ingest: polls the sockets, stamps each message with a strictly
/// increasing receive time, journals it, and packs it into a ``FrameBatch`` for the processor.
/// When the processor is behind, the hand-over blocks, the receiver stops reading, the sockets'
/// high-water marks fill and PUSH senders block.
///
/// A non-copyable struct rather than a class: its state is mutated only through `self` inside
/// `mutating` methods, so exclusivity is checked at compile time (a class would pay a dynamic
/// check on every property access of the per-message path).
struct IngestReceiver: ~Copyable {
    private let sockets: [Socket]
    private let journal: IngestJournal
    private let counters: IngestCounters
    private let stop: IngestStop
    private let flushNanoseconds: UInt64
    private var message = MultipartMessage(capacity: 4)
    private var topics = TopicInterner()
    /// Receiver topic id -> journal channel in the open file (0: not added to that file yet).
    private var channels: [UInt16] = []
    private var lastLogTime: UInt64
    private var batch: FrameBatch
    private var received: Int64 = 0
    /// Store chunks uncompressed while the processor is behind (see
    /// `IngestOptions.adaptiveCompression`).
    private let adaptiveCompression: Bool
    /// Until when (ns) the processor counts as behind: a hand-over waited for a free batch.
    private var behindUntil: UInt64 = 0
    /// Zone reloads to journal (SIGHUP, zone.toml changed).
    var reload: ZoneReload?
    /// With CURVE: the check that each message's key may publish its topic, for the first
    /// ``securedSockets`` sockets (all of them when ingest runs with CURVE).
    var authorization: SourceAuthorization?
    /// How many of `sockets` (the first ones) are CURVE servers whose messages are checked.
    var securedSockets = 0

    init(
        sockets: [Socket], journal: IngestJournal, counters: IngestCounters, stop: IngestStop,
        flushNanoseconds: UInt64,
        firstLogTime: UInt64, batchCapacity: Int, adaptiveCompression: Bool = false
    ) {
        self.adaptiveCompression = adaptiveCompression
        self.sockets = sockets
        self.journal = journal
        self.counters = counters
        self.stop = stop
        self.flushNanoseconds = flushNanoseconds
        self.lastLogTime = firstLogTime &- 1
        batch = FrameBatch(capacity: batchCapacity)
        batch.reset(fileSequence: journal.sequence, firstIndex: 0)
    }

    /// Receives until stopped, then drains what the sockets hold, hands over the last batch and
    /// finishes the journal file. `handoff` takes a full batch and returns an empty one (`nil`
    /// when the processor failed); `idle` runs when nothing arrived for a while.
    mutating func run(handoff: (FrameBatch) -> FrameBatch?, idle: () -> Void) throws {
        let poller = Poller()
        for socket in sockets { _ = poller.add(socket) }
        var lastFlush = JournalFormat.now()
        var lastHandoff = lastFlush
        var draining = false
        var drainDeadline: UInt64 = 0
        receiving: while true {
            if !draining && stop.isRequested {
                draining = true
                drainDeadline = JournalFormat.now() + 2_000_000_000
            }
            var got = 0
            if sockets.isEmpty {
                if draining { break }
                idle()
                Self.usleepMilliseconds(100)
            } else if draining {
                // Take what the sockets already hold, without waiting for more.
                for (index, socket) in sockets.enumerated() {
                    while try socket.receive(into: &message, options: .dontWait) {
                        guard try makeRoom(handoff) else { break receiving }
                        try handle(secured: index < securedSockets)
                        got += 1
                        if got & 0xFFF == 0, !(try maintain(handoff: handoff)) { break receiving }
                    }
                }
                if got == 0 || JournalFormat.now() > drainDeadline { break }
            } else {
                let ready = try poller.poll(timeout: batch.count > 0 ? .milliseconds(5) : .milliseconds(100))
                if ready > 0 {
                    for (index, socket) in sockets.enumerated()
                    where poller.readyEvents(at: index).contains(.readable) {
                        var n = 0
                        let secured = index < securedSockets
                        while n < 4096, try socket.receive(into: &message, options: .dontWait) {
                            guard try makeRoom(handoff) else { break receiving }
                            try handle(secured: secured)
                            n += 1
                        }
                        got += n
                    }
                }
            }
            if let reload, let text = reload.takePayload() {
                try journalControl(topic: ZoneReload.topic, payload: text, handoff)
            }
            let now = got > 0 ? lastLogTime : JournalFormat.now()
            if batch.count > 0 && (got == 0 || now &- lastHandoff >= 20_000_000) {
                guard try handOver(handoff) else { break }
                lastHandoff = now
            }
            if got == 0 && !draining { idle() }
            if now &- lastFlush >= flushNanoseconds {
                lastFlush = now
                if journal.messageCount > 0 { try journal.flush() }
            }
            if journal.isDue(now: now) {
                batch.endsFile = true
                guard try handOver(handoff) else { break }
                try journal.rotate()
                for index in channels.indices { channels[index] = 0 }
                batch.reset(fileSequence: journal.sequence, firstIndex: 0)
            }
        }
        try journal.finish()
        counters.journalBytes.store(Int64(journal.totalBytes), ordering: .relaxed)
        batch.endsFile = true
        _ = try handOver(handoff)
    }

    private static func usleepMilliseconds(_ ms: Int) {
        var request = timespec(tv_sec: 0, tv_nsec: ms * 1_000_000)
        _ = nanosleep(&request, nil)
    }

    /// Hands the batch over when the message just received does not fit; `false` when the
    /// processor failed.
    @inline(__always)
    private mutating func makeRoom(_ handoff: (FrameBatch) -> FrameBatch?) throws -> Bool {
        if batch.fits(payloadBytes: message.byteCount(ofPart: 1)) { return true }
        return try handOver(handoff)
    }

    /// Periodic duties inside a long drain; `false` when the processor failed.
    private mutating func maintain(handoff: (FrameBatch) -> FrameBatch?) throws -> Bool {
        try handOver(handoff)
    }

    /// Hands the current batch over and starts the next one in the same file.
    @discardableResult
    private mutating func handOver(_ handoff: (FrameBatch) -> FrameBatch?) throws -> Bool {
        batch.journalBytes = Int64(journal.totalBytes)
        counters.journalBytes.store(batch.journalBytes, ordering: .relaxed)
        counters.received.store(received, ordering: .relaxed)
        counters.lastReceiveTime.store(lastLogTime, ordering: .relaxed)
        let sequence = journal.sequence
        let next = journal.messageCount
        let started = adaptiveCompression ? JournalFormat.now() : 0
        guard let fresh = handoff(batch) else { return false }
        batch = fresh
        if adaptiveCompression {
            // A hand-over returns at once while a batch is free; waiting means the processor is
            // behind, and compressing would only take CPU from it.
            let now = JournalFormat.now()
            if now &- started > 1_000_000 { behindUntil = now + 1_000_000_000 }
            let wanted = now < behindUntil ? MCAPCompression.none : journal.options.compression
            if journal.chunkCompression != wanted { journal.chunkCompression = wanted }
        }
        batch.reset(fileSequence: sequence, firstIndex: next)
        return true
    }

    /// Journals a message of the ingest itself (a zone reload) like a received one, so that the
    /// processor and every replay of the journal meet it at the same place.
    private mutating func journalControl(
        topic name: String, payload: [UInt8], _ handoff: (FrameBatch) -> FrameBatch?
    ) throws {
        if !batch.fits(payloadBytes: payload.count) { try handOver(handoff) }
        var now = JournalFormat.now()
        if now <= lastLogTime { now = lastLogTime + 1 }
        lastLogTime = now
        // Copies that outlive no call (no closures over `self`, a non-copyable value).
        let topicBytes = Array(name.utf8)
        let topicBuffer = UnsafeMutableRawBufferPointer.allocate(
            byteCount: max(1, topicBytes.count), alignment: 1)
        defer { topicBuffer.deallocate() }
        topicBuffer.copyBytes(from: topicBytes)
        let payloadBuffer = UnsafeMutableRawBufferPointer.allocate(
            byteCount: max(1, payload.count), alignment: 1)
        defer { payloadBuffer.deallocate() }
        payloadBuffer.copyBytes(from: payload)
        let topic = UnsafeRawBufferPointer(rebasing: topicBuffer[0..<topicBytes.count])
        let body = UnsafeRawBufferPointer(rebasing: payloadBuffer[0..<payload.count])
        let id: Int
        if let known = topics.find(topic) {
            id = known
        } else {
            id = topics.insert(topic)
            channels.append(0)
            batch.newTopics.append((id, name))
        }
        var channel = channels[id]
        if channel == 0 {
            channel = try journal.channel(forTopic: topic)
            channels[id] = channel
        }
        try journal.append(channel: channel, payload: body, publishTime: now, receiveTime: now, isData: false)
        _ = batch.append(topic: id, payload: body, logTime: now, publishTime: now)
    }

    /// Journals the message just received and adds it to the batch. A message from a CURVE
    /// socket (`secured`) whose key may not publish its topic is journaled with the
    /// ``JournalEnvelope/unauthorizedSource`` mark, which the processor rejects.
    @inline(__always)
    private mutating func handle(secured: Bool) throws {
        var now = JournalFormat.now()
        if now <= lastLogTime { now = lastLogTime + 1 }
        lastLogTime = now
        received += 1
        let frameCount = message.count
        // The bytes stay valid until the next receive into `message` (MultipartMessage).
        let topic = message.withUnsafeBytes(ofPart: 0) { $0 }
        let payload = message.withUnsafeBytes(ofPart: 1) { $0 }
        var publishTime = message.withUnsafeBytes(ofPart: 2) { timeFrame in
            JournalEnvelope.publishTime(frameCount: frameCount, timeFrame: timeFrame, receiveTime: now)
        }
        let id: Int
        if let known = topics.find(topic) {
            id = known
        } else {
            id = topics.insert(topic)
            channels.append(0)
            batch.newTopics.append((id, String(decoding: topic, as: UTF8.self)))
        }
        if secured, authorization?.allows(message, topicID: id, topic: topic) == false {
            publishTime = JournalEnvelope.unauthorizedSource
        }
        var channel = channels[id]
        if channel == 0 {
            channel = try journal.channel(forTopic: topic)
            channels[id] = channel
        }
        // The journaled publish time is the resolved one (gateway time, receive time when the
        // frame is absent, or the reserved defect marks of `JournalEnvelope`).
        try journal.append(channel: channel, payload: payload, publishTime: publishTime, receiveTime: now)
        // Always fits: the caller handed the batch over when it did not (`makeRoom`).
        _ = batch.append(topic: id, payload: payload, logTime: now, publishTime: publishTime)
    }
}

/// Topic bytes -> dense id (open addressing); lookups do not allocate. The hash reads eight
/// bytes per step (a topic is 10-30 bytes), the comparison is a `memcmp`.
struct TopicInterner {
    private var keys: [[UInt8]] = []
    private var slots = [Int32](repeating: 0, count: 64)

    private static func hash(_ bytes: UnsafeRawBufferPointer) -> Int {
        var h = UInt64(truncatingIfNeeded: bytes.count) &* 0x9E37_79B9_7F4A_7C15
        guard var p = bytes.baseAddress else { return Int(truncatingIfNeeded: h) }
        var n = bytes.count
        while n >= 8 {
            h = (h ^ UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            p += 8
            n -= 8
        }
        var last: UInt64 = 0
        for i in 0..<n { last |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) << (8 * UInt64(i)) }
        h = (h ^ last) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 29
        return Int(truncatingIfNeeded: h)
    }

    func find(_ topic: UnsafeRawBufferPointer) -> Int? {
        let mask = slots.count - 1
        var i = Self.hash(topic) & mask
        while slots[i] != 0 {
            let k = Int(slots[i]) - 1
            let equal = keys[k].withUnsafeBytes { key in
                key.count == topic.count
                    && (key.count == 0 || memcmp(key.baseAddress!, topic.baseAddress!, key.count) == 0)
            }
            if equal { return k }
            i = (i + 1) & mask
        }
        return nil
    }

    mutating func insert(_ topic: UnsafeRawBufferPointer) -> Int {
        keys.append(Array(topic))
        if keys.count * 2 > slots.count {
            slots = [Int32](repeating: 0, count: slots.count * 2)
            for k in keys.indices { place(k) }
        } else {
            place(keys.count - 1)
        }
        return keys.count - 1
    }

    private mutating func place(_ k: Int) {
        let mask = slots.count - 1
        var i = keys[k].withUnsafeBytes { Self.hash($0) } & mask
        while slots[i] != 0 { i = (i + 1) & mask }
        slots[i] = Int32(k + 1)
    }
}
