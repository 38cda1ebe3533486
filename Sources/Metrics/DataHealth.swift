internal import CMemoryHints

/// Frame accounting of one source (a `cv2x/<id>` or `jt808/<id>` topic).
public struct SourceHealth: Sendable, Hashable, Codable {
    /// Frames received.
    public var received: Int64 = 0
    /// Frames decoded into observations.
    public var decoded: Int64 = 0
    /// Frames that were duplicates (same source, sequence and content), counted once.
    public var duplicates: Int64 = 0
    /// Rejected frames by reason.
    public var rejected: [String: Int64] = [:]
    /// Clock offset samples (receive time minus source time), microseconds.
    public var clockOffset = ClockOffsetStatistics()
    /// First receive time (data time: the gateway's time frame when present).
    public var firstSeen: Microseconds?
    /// Last (latest) receive time.
    public var lastSeen: Microseconds?
    /// The 10 s windows of data time in which the source sent something (mergeable).
    public var activity = ActivityWindows()
    /// JT/T 808 additional items that did not parse or carried values DESIGN.md 4 does not
    /// define: kept raw (not used), the rest of their report used.
    public var malformedItems: Int64 = 0

    /// Time between `firstSeen` and `lastSeen` during which the source was silent: the 10 s
    /// windows of data time without a frame (an RSU broadcasts SPAT at 10 Hz and MAP at 1 Hz, so
    /// a silent window is an outage).
    public var outage: Microseconds {
        guard let firstSeen, let lastSeen else { return 0 }
        return activity.silence(from: firstSeen, to: lastSeen)
    }

    /// Creates empty accounting.
    public init() {}

    /// Total rejected frames.
    public var rejectedTotal: Int64 { rejected.values.reduce(0, +) }

    /// Adds another shard's accounting.
    public mutating func add(_ other: Self) {
        received += other.received
        decoded += other.decoded
        duplicates += other.duplicates
        rejected.merge(other.rejected, uniquingKeysWith: +)
        clockOffset.add(other.clockOffset)
        activity.add(other.activity)
        malformedItems += other.malformedItems
        firstSeen = [firstSeen, other.firstSeen].compactMap { $0 }.min()
        lastSeen = [lastSeen, other.lastSeen].compactMap { $0 }.max()
    }

    /// Counts a frame received at `time` (data time; `nil`: no usable time).
    public mutating func receive(at time: Microseconds?) {
        received += 1
        guard let time else { return }
        if firstSeen.map({ time < $0 }) ?? true { firstSeen = time }
        if lastSeen.map({ time > $0 }) ?? true { lastSeen = time }
        activity.mark(time)
    }
}

/// Count, sum, minimum and maximum of clock offsets (mergeable).
public struct ClockOffsetStatistics: Sendable, Hashable, Codable {
    /// Samples.
    public var count: Int64 = 0
    /// Sum of offsets, microseconds.
    public var sum: Int64 = 0
    /// Smallest offset.
    public var minimum: Int64 = .max
    /// Largest offset.
    public var maximum: Int64 = .min

    /// Creates empty statistics.
    public init() {}

    /// Mean offset, microseconds.
    public var mean: Double? { count > 0 ? Double(sum) / Double(count) : nil }

    /// Adds a sample.
    public mutating func add(_ offset: Int64) {
        count += 1
        sum &+= offset
        if offset < minimum { minimum = offset }
        if offset > maximum { maximum = offset }
    }

    /// Adds another shard's statistics.
    public mutating func add(_ other: Self) {
        count += other.count
        sum &+= other.sum
        minimum = min(minimum, other.minimum)
        maximum = max(maximum, other.maximum)
    }
}

/// Gap accounting of one sequence-numbered stream, in arrival order.
///
/// A step of `d = (new - last) mod M` counts `d - 1` missing numbers when `0 < d < M/2`; `d = 0`
/// is a repeat (e.g. the same BSM heard by two RSUs); `d >= M/2` is a reordered arrival (not a
/// gap, the last number is kept). When more time than half the wrap period at the nominal rate
/// has passed (6.4 s for BSM msgCnt at 10 Hz) the count is ambiguous: it is a *reset*, not a gap.
public struct SequenceHealth: Sendable, Hashable, Codable {
    /// Numbers seen.
    public var count: Int64 = 0
    /// Missing numbers.
    public var gaps: Int64 = 0
    /// Repeats of the last number.
    public var repeats: Int64 = 0
    /// Arrivals behind the last number.
    public var reordered: Int64 = 0
    /// Steps too long in time to count reliably.
    public var resets: Int64 = 0
    var first: Int?
    var firstTime: Microseconds = 0
    var last: Int = 0
    var lastTime: Microseconds = 0

    /// Creates empty accounting.
    public init() {}

    /// Records the next number of the stream.
    public mutating func record(_ value: Int, at time: Microseconds, kind: SequenceStream.Kind) {
        count += 1
        guard first != nil else {
            first = value
            firstTime = time
            last = value
            lastTime = time
            return
        }
        step(to: value, at: time, kind: kind)
    }

    mutating func step(to value: Int, at time: Microseconds, kind: SequenceStream.Kind) {
        let m = kind.modulus
        let d = ((value - last) % m + m) % m
        let resetAfter: Microseconds = kind == .bsmMsgCnt ? 6_400_000 : 32_768_000_000
        if time - lastTime > resetAfter {
            resets += 1
        } else if d == 0 {
            repeats += 1
            return
        } else if d >= m / 2 {
            reordered += 1
            return
        } else {
            gaps += Int64(d - 1)
        }
        last = value
        lastTime = time
    }

    /// Appends a later shard of the same stream.
    mutating func append(_ later: Self, kind: SequenceStream.Kind) {
        guard let laterFirst = later.first else { return }
        guard first != nil else {
            self = later
            return
        }
        step(to: laterFirst, at: later.firstTime, kind: kind)
        count += later.count
        gaps += later.gaps
        repeats += later.repeats
        reordered += later.reordered
        resets += later.resets
        last = later.last
        lastTime = later.lastTime
    }

    /// Merges two shards; the one that began earlier comes first.
    public func merged(with other: Self, kind: SequenceStream.Kind) -> Self {
        guard other.first != nil else { return self }
        guard first != nil else { return other }
        let (a0, b) = firstTime <= other.firstTime ? (self, other) : (other, self)
        var a = a0
        a.append(b, kind: kind)
        return a
    }
}

/// Detects duplicate frames per source: the same sequence key and the same content hash among
/// the last `capacity` frames of that source, at most ``window`` apart. Fixed memory per source.
///
/// The two keys are mixed into one 64-bit fingerprint. The last `capacity` fingerprints, with
/// the receive time each was last seen at, live in a ring (oldest evicted first). An
/// open-addressing table of twice as many 4-byte slots (linear probing, backward-shift deletion:
/// no tombstones, never more than half full) maps a fingerprint to its ring position: a slot
/// holds the fingerprint's top bits (which also give its home slot) above the ring index, and a
/// tag match is confirmed against the full fingerprint in the ring. Kept this small because
/// the lookups are random: 32 KiB of table per source (for 4096 frames) stays in cache where a
/// dictionary did not. No allocation after `init`.
struct DuplicateFilter: Sendable {
    /// Two equal frames further apart than this are not duplicates (60 s).
    static let window: Microseconds = 60_000_000

    struct Remembered: Sendable {
        var fingerprint: UInt64
        var time: Microseconds
    }

    /// The last `capacity` fingerprints (fingerprint 0: empty), the oldest at `next`.
    private var ring: [Remembered]
    /// Fingerprint top bits << indexBits | ring index (0: empty slot).
    private var slots: [UInt32]
    /// Low bits of a slot that hold the ring index.
    private let indexBits: UInt32
    /// log2 of the slot count: the top `homeBits` bits of a fingerprint are its home slot.
    private let homeBits: UInt32
    private var next = 0

    /// Remembers the last `capacity` frames (1 ... 32768).
    init(capacity: Int = 4096) {
        let capacity = min(max(capacity, 1), 1 << 15)
        let indexBits = max(1, Int.bitWidth - (capacity - 1).leadingZeroBitCount)
        ring = Array(repeating: Remembered(fingerprint: 0, time: 0), count: capacity)
        slots = Array(repeating: 0, count: 1 << (indexBits + 1))
        self.indexBits = UInt32(indexBits)
        homeBits = UInt32(indexBits + 1)
    }

    /// The 64-bit fingerprint of a frame (splitmix64 finaliser on the combination of the two
    /// keys), with a nonzero tag so that a slot never reads 0 (empty).
    @inline(__always)
    private func fingerprint(sequenceKey: UInt64, contentHash: UInt64) -> UInt64 {
        var z = sequenceKey &* 0x9E37_79B9_7F4A_7C15 ^ contentHash
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        if z >> UInt64(32 + indexBits) == 0 { z |= 1 << 63 }
        return z
    }

    /// Starts loading the cache lines the check of a coming frame will touch (assuming `ahead`
    /// frames of this source are remembered before it): its home slot, the home slot of the
    /// fingerprint it will evict, and ring entries further on. Changes nothing; called a frame
    /// or two early, the check then finds its lines in cache (the table is read at random, so
    /// otherwise every check waits for memory). `mutating` only so the arrays are not copied.
    mutating func prefetch(sequenceKey: UInt64, contentHash: UInt64, ahead: Int) {
        let z = fingerprint(sequenceKey: sequenceKey, contentHash: contentHash)
        let homeShift = 64 - UInt64(homeBits)
        let count = ring.count
        let position = next + ahead < count ? next + ahead : (next + ahead) % count
        let later = position + 8 < count ? position + 8 : (position + 8) % count
        slots.withUnsafeBufferPointer { slots in
            ring.withUnsafeBufferPointer { ring in
                guard let table = slots.baseAddress, let entries = ring.baseAddress else { return }
                tz_prefetch(table + Int(truncatingIfNeeded: z >> homeShift))
                tz_prefetch_for_write(entries + later)
                let old = ring[position].fingerprint
                if old != 0 { tz_prefetch(table + Int(truncatingIfNeeded: old >> homeShift)) }
            }
        }
    }

    /// Returns `true` when the frame was seen already (within the window); otherwise remembers it.
    mutating func isDuplicate(sequenceKey: UInt64, contentHash: UInt64, at time: Microseconds) -> Bool {
        let z = fingerprint(sequenceKey: sequenceKey, contentHash: contentHash)
        let indexBits = self.indexBits
        let homeShift = 64 - UInt64(homeBits)
        let tagShift = UInt64(32 + indexBits)
        let tag = UInt32(truncatingIfNeeded: z >> tagShift) << indexBits
        let indexMask: UInt32 = (1 << indexBits) - 1
        let position = next
        let result: Bool? = slots.withUnsafeMutableBufferPointer { slots in
            ring.withUnsafeMutableBufferPointer { ring in
                let mask = slots.count - 1
                var slot = Int(truncatingIfNeeded: z >> homeShift)
                while slots[slot] != 0 {
                    let entry = slots[slot]
                    if entry & ~indexMask == tag {
                        let index = Int(entry & indexMask)
                        if ring[index].fingerprint == z {
                            if abs(time - ring[index].time) <= Self.window { return true }
                            ring[index].time = time
                            return false
                        }
                    }
                    slot = (slot + 1) & mask
                }
                // Not seen: evict the oldest fingerprint, then take a free slot for this one
                // (searched again: the eviction may have shifted the probe run).
                let old = ring[position].fingerprint
                if old != 0 {
                    let oldTag = UInt32(truncatingIfNeeded: old >> tagShift) << indexBits
                    Self.remove(
                        oldTag | UInt32(position), home: Int(truncatingIfNeeded: old >> homeShift),
                        slots: slots,
                        homeShift: UInt32(32) - homeBits)
                }
                ring[position] = Remembered(fingerprint: z, time: time)
                slot = Int(truncatingIfNeeded: z >> homeShift)
                while slots[slot] != 0 { slot = (slot + 1) & mask }
                slots[slot] = tag | UInt32(position)
                return nil
            }
        }
        if let result { return result }
        next = position + 1 == ring.count ? 0 : position + 1
        return false
    }

    /// Removes a slot value that is in the table, shifting the rest of its probe run back.
    private static func remove(
        _ value: UInt32, home: Int, slots: UnsafeMutableBufferPointer<UInt32>, homeShift: UInt32
    ) {
        let mask = slots.count - 1
        var hole = home
        while slots[hole] != value {
            if slots[hole] == 0 { return }
            hole = (hole + 1) & mask
        }
        var probe = hole
        while true {
            probe = (probe + 1) & mask
            let entry = slots[probe]
            if entry == 0 { break }
            // A slot keeps the fingerprint's top bits, so its home slot is its own top bits.
            let entryHome = Int(entry >> homeShift)
            // Move the entry into the hole unless its home lies cyclically in (hole, probe].
            if (probe &- entryHome) & mask >= (probe &- hole) & mask {
                slots[hole] = entry
                hole = probe
            }
        }
        slots[hole] = 0
    }
}
