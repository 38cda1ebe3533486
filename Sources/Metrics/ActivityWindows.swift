/// The 10 s windows of data time in which something arrived. Mergeable (a union); marking costs a
/// division and a compare per frame, and a bit set when the window changes.
///
/// Storage is per UTC day of 8,640 windows. The source's current and previous day are bitmaps
/// (135 words: O(1) marking for the traffic that arrives now); older days are *settled* into
/// runs of consecutive marked windows when the source's data time enters a new day, unless the
/// runs would take more room than the bitmap. A source that sends for a few hours a day then
/// keeps a few bytes per day instead of 1 KiB, so months of always-on ingest do not grow memory
/// (issue 16). Late marks into settled days still count exactly once.
public struct ActivityWindows: Sendable {
    /// Width of a window.
    public static let width: Microseconds = 10_000_000
    static let perDay: Int64 = 8_640
    static let wordsPerDay = Int((perDay + 63) / 64)

    /// Marks by day number (window / 8,640).
    var days: [Int64: DayMarks] = [:]
    /// Days before this one are settled when they are next touched (compact representation).
    private var settledBefore: Int64 = .min
    /// The window marked last (a cache: not part of the value).
    private var lastWindow: Int64 = .min
    /// Marked windows, and the lowest and highest of them (kept up to date by `set` and `add`,
    /// so that the silence over the whole span costs O(1) however long the run).
    private var marked: Int64 = 0
    private var lowest: Int64 = .max
    private var highest: Int64 = .min

    /// No window marked.
    public init() {}

    private static func window(_ time: Microseconds) -> Int64 {
        time >= 0 ? time / width : (time - width + 1) / width
    }

    private static func day(ofWindow window: Int64) -> Int64 {
        window >= 0 ? window / perDay : (window - perDay + 1) / perDay
    }

    /// Marks the window of `time`.
    public mutating func mark(_ time: Microseconds) {
        let window = Self.window(time)
        if window == lastWindow { return }
        lastWindow = window
        set(window)
    }

    private mutating func set(_ window: Int64) {
        let day = Self.day(ofWindow: window)
        let bit = Int(window - day * Self.perDay)
        if day - 1 > settledBefore { settle(before: day - 1) }
        let added: Bool
        if var marks = days.removeValue(forKey: day) {
            added = marks.insert(bit)
            days[day] = marks
        } else {
            days[day] = day < settledBefore ? DayMarks(runOf: bit) : DayMarks(bitmapWith: bit)
            added = true
        }
        guard added else { return }
        marked += 1
        lowest = min(lowest, window)
        highest = max(highest, window)
    }

    /// Turns the bitmaps of days before `day` into their compact form (once per day of data time).
    private mutating func settle(before day: Int64) {
        settledBefore = day
        for (key, marks) in days where key < day { days[key] = marks.settled() }
    }

    private func isMarked(_ window: Int64) -> Bool {
        let day = Self.day(ofWindow: window)
        return days[day]?.contains(Int(window - day * Self.perDay)) ?? false
    }

    /// Adds the windows of another shard.
    public mutating func add(_ other: Self) {
        for (day, theirs) in other.days {
            let union = days[day].map { $0.union(theirs) } ?? theirs
            days[day] = day < settledBefore ? union.settled() : union.unsettled()
        }
        if other.settledBefore > settledBefore { settle(before: other.settledBefore) }
        recount()
    }

    /// Recomputes `marked`, `lowest` and `highest` from the marks (after a merge or decoding).
    private mutating func recount() {
        marked = 0
        lowest = .max
        highest = .min
        for (day, marks) in days {
            guard let range = marks.markedRange else { continue }
            marked += Int64(marks.count)
            lowest = min(lowest, day * Self.perDay + Int64(range.lowerBound))
            highest = max(highest, day * Self.perDay + Int64(range.upperBound))
        }
    }

    /// Silent time from `start` to `end`: the windows strictly between theirs without a mark
    /// (counted a 64-window word or a run at a time: cheap also for a month-long span).
    public func silence(from start: Microseconds, to end: Microseconds) -> Microseconds {
        let first = Self.window(start) + 1
        let last = Self.window(end)  // exclusive
        guard last > first else { return 0 }
        if lowest >= first - 1, highest <= last {
            // Every mark lies in the span (the usual case: from the first to the last frame):
            // the marks strictly inside are all of them but those of the two end windows.
            let inside = self.marked - (isMarked(first - 1) ? 1 : 0) - (isMarked(last) ? 1 : 0)
            return (last - first - inside) * Self.width
        }
        var marked: Int64 = 0
        var window = first
        while window < last {
            let day = Self.day(ofWindow: window)
            let dayStart = day * Self.perDay
            let dayEnd = min(last, dayStart + Self.perDay)
            if let marks = days[day] {
                marked += Int64(marks.count(in: Int(window - dayStart)..<Int(dayEnd - dayStart)))
            }
            window = dayEnd
        }
        return (last - first - marked) * Self.width
    }

    /// Days held as bitmaps and as runs (for tests and memory accounting).
    var representation: (bitmaps: Int, runs: Int) {
        days.values.reduce(into: (0, 0)) { counts, marks in
            if case .bitmap = marks { counts.bitmaps += 1 } else { counts.runs += 1 }
        }
    }

    /// The marked windows of each day as runs (the canonical form, whatever the storage).
    private var canonical: [Int64: [UInt16]] {
        days.compactMapValues { marks in
            let runs = marks.runs
            return runs.isEmpty ? nil : runs
        }
    }
}

/// The marked windows of one day: a bitmap of 135 words, or sorted, disjoint, non-adjacent runs
/// `[start, end)` of window offsets in the day, stored flat (`start0, end0, start1, end1, ...`).
enum DayMarks: Sendable {
    case bitmap([UInt64])
    case runs([UInt16])

    /// Runs take at most the room of a bitmap (135 words = 540 bounds of 2 bytes).
    static let maximumRunBounds = ActivityWindows.wordsPerDay * 4

    init(bitmapWith bit: Int) {
        var words = [UInt64](repeating: 0, count: ActivityWindows.wordsPerDay)
        words[bit >> 6] = 1 << UInt64(bit & 63)
        self = .bitmap(words)
    }

    init(runOf bit: Int) {
        self = .runs([UInt16(bit), UInt16(bit + 1)])
    }

    /// Whether window `bit` of the day is marked.
    func contains(_ bit: Int) -> Bool {
        switch self {
        case .bitmap(let words):
            return words[bit >> 6] & (1 << UInt64(bit & 63)) != 0
        case .runs(let bounds):
            // The number of bounds <= bit is odd exactly when bit lies inside a run.
            return Self.boundsAtOrBelow(bit, in: bounds) % 2 == 1
        }
    }

    /// Marks window `bit`; returns whether it was unmarked.
    mutating func insert(_ bit: Int) -> Bool {
        switch self {
        case .bitmap(var words):
            let mask: UInt64 = 1 << UInt64(bit & 63)
            guard words[bit >> 6] & mask == 0 else { return false }
            self = .runs([])  // releases the array so that the write below does not copy it
            words[bit >> 6] |= mask
            self = .bitmap(words)
            return true
        case .runs(var bounds):
            let index = Self.boundsAtOrBelow(bit, in: bounds)
            guard index % 2 == 0 else { return false }
            self = .bitmap([])
            let value = UInt16(bit)
            let joinsPrevious = index > 0 && bounds[index - 1] == value
            let joinsNext = index < bounds.count && bounds[index] == value + 1
            switch (joinsPrevious, joinsNext) {
            case (true, true): bounds.removeSubrange((index - 1)...index)
            case (true, false): bounds[index - 1] = value + 1
            case (false, true): bounds[index] = value
            case (false, false): bounds.insert(contentsOf: [value, value + 1], at: index)
            }
            self = bounds.count > Self.maximumRunBounds ? .bitmap(Self.words(from: bounds)) : .runs(bounds)
            return true
        }
    }

    /// The compact form of a settled day: runs, unless they take more room than the bitmap.
    func settled() -> Self {
        guard case .bitmap = self else { return self }
        let bounds = runs
        return bounds.count > Self.maximumRunBounds ? self : .runs(bounds)
    }

    /// The bitmap form (days that still receive traffic).
    func unsettled() -> Self { .bitmap(words) }

    /// Marked windows of either day.
    func union(_ other: Self) -> Self {
        var words = self.words
        for (index, word) in other.words.enumerated() { words[index] |= word }
        return .bitmap(words)
    }

    /// The bitmap of the day, whatever the storage.
    var words: [UInt64] {
        switch self {
        case .bitmap(let words): words
        case .runs(let bounds): Self.words(from: bounds)
        }
    }

    /// Marked windows.
    var count: Int { count(in: 0..<Int(ActivityWindows.perDay)) }

    /// Marked windows within `range` of the day.
    func count(in range: Range<Int>) -> Int {
        guard !range.isEmpty else { return 0 }
        switch self {
        case .bitmap(let words):
            var total = 0
            var bit = range.lowerBound
            while bit < range.upperBound {
                let word = bit >> 6
                let from = bit & 63
                let to = min(64, range.upperBound - (word << 6))
                let width = to - from
                let mask: UInt64 = width == 64 ? .max : ((1 << UInt64(width)) - 1) << UInt64(from)
                total += (words[word] & mask).nonzeroBitCount
                bit += width
            }
            return total
        case .runs(let bounds):
            var total = 0
            for pair in stride(from: 0, to: bounds.count, by: 2) {
                let start = max(Int(bounds[pair]), range.lowerBound)
                let end = min(Int(bounds[pair + 1]), range.upperBound)
                if end > start { total += end - start }
            }
            return total
        }
    }

    /// The lowest and highest marked window offset (`nil`: none).
    var markedRange: ClosedRange<Int>? {
        switch self {
        case .bitmap(let words):
            guard let first = words.firstIndex(where: { $0 != 0 }),
                let last = words.lastIndex(where: { $0 != 0 })
            else { return nil }
            let lowest = (first << 6) + words[first].trailingZeroBitCount
            return lowest...((last << 6) + 63 - words[last].leadingZeroBitCount)
        case .runs(let bounds):
            guard let first = bounds.first, let last = bounds.last else { return nil }
            return Int(first)...(Int(last) - 1)
        }
    }

    /// The marked windows as flat runs.
    var runs: [UInt16] {
        if case .runs(let bounds) = self { return bounds }
        let words = self.words
        var bounds: [UInt16] = []
        var inside = false
        for bit in 0..<Int(ActivityWindows.perDay) {
            let set = words[bit >> 6] & (1 << UInt64(bit & 63)) != 0
            if set != inside {
                bounds.append(UInt16(bit))
                inside = set
            }
        }
        if inside { bounds.append(UInt16(ActivityWindows.perDay)) }
        return bounds
    }

    private static func words(from bounds: [UInt16]) -> [UInt64] {
        var words = [UInt64](repeating: 0, count: ActivityWindows.wordsPerDay)
        for pair in stride(from: 0, to: bounds.count, by: 2) {
            for bit in Int(bounds[pair])..<Int(bounds[pair + 1]) { words[bit >> 6] |= 1 << UInt64(bit & 63) }
        }
        return words
    }

    /// The number of bounds `<= bit` (binary search).
    private static func boundsAtOrBelow(_ bit: Int, in bounds: [UInt16]) -> Int {
        var low = 0
        var high = bounds.count
        while low < high {
            let middle = (low + high) / 2
            if Int(bounds[middle]) <= bit { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

extension ActivityWindows: Codable {
    private enum CodingKeys: String, CodingKey { case days, runs, settledBefore, lastWindow }

    /// Decodes the bitmaps (`days`, as written before runs existed) and the runs of settled days.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        for (day, words) in try container.decode([Int64: [UInt64]].self, forKey: .days) {
            guard words.count == Self.wordsPerDay else {
                throw DecodingError.dataCorruptedError(
                    forKey: .days, in: container,
                    debugDescription: "day \(day) has \(words.count) words, expected \(Self.wordsPerDay)")
            }
            days[day] = .bitmap(words)
        }
        for (day, bounds) in try container.decodeIfPresent([Int64: [UInt16]].self, forKey: .runs) ?? [:] {
            let ordered = zip(bounds, bounds.dropFirst()).allSatisfy { $0 < $1 }
            guard bounds.count % 2 == 0, ordered, (bounds.last ?? 0) <= Self.perDay else {
                throw DecodingError.dataCorruptedError(
                    forKey: .runs, in: container, debugDescription: "day \(day) has malformed runs")
            }
            days[day] = .runs(bounds)
        }
        settledBefore = try container.decodeIfPresent(Int64.self, forKey: .settledBefore) ?? .min
        lastWindow = try container.decode(Int64.self, forKey: .lastWindow)
        recount()
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        var bitmaps: [Int64: [UInt64]] = [:]
        var runs: [Int64: [UInt16]] = [:]
        for (day, marks) in days {
            switch marks {
            case .bitmap(let words): bitmaps[day] = words
            case .runs(let bounds): runs[day] = bounds
            }
        }
        try container.encode(bitmaps, forKey: .days)
        if !runs.isEmpty { try container.encode(runs, forKey: .runs) }
        if settledBefore != .min { try container.encode(settledBefore, forKey: .settledBefore) }
        try container.encode(lastWindow, forKey: .lastWindow)
    }
}

extension ActivityWindows: Hashable {
    /// Equal when the same windows are marked, however they are stored.
    public static func == (a: Self, b: Self) -> Bool {
        a.marked == b.marked && a.canonical == b.canonical
    }

    public func hash(into hasher: inout Hasher) {
        let canonical = self.canonical
        for day in canonical.keys.sorted() {
            hasher.combine(day)
            hasher.combine(canonical[day])
        }
    }
}
