/// A vehicle's aggregate over one contiguous window of event time, built so that the aggregates
/// of consecutive windows merge into exactly the aggregate of the whole (DESIGN.md 1.4).
///
/// How: the first observations of a window (its *head*: everything up to and including the first
/// fix that carries an automation state and lies at least the uplink window after the first
/// observation) depend on what came before the window, so they are kept verbatim. Merging an
/// earlier window `A` with a later `B` feeds `B`'s head into `A`'s live state machine, so the
/// step across the boundary, the mode, pending takeover requests and the BSM coverage carried
/// over the boundary come out as if the data had never been split. After its head, `B`'s machine
/// is in the same state as the merged one except for three things that are patched: takeover
/// requests still open from `A` (closed by `B`'s first closing event), the start and distance of
/// the open mode segment, and output offsets.
public struct TrackSummary: Sendable, Hashable {
    var head: [TrackItem] = []
    var headComplete = false
    var headTotals = TrackTotals()
    var headEvents: [EventRecord] = []
    var headSegments: [ModeSegment] = []
    /// Segment distance the body's open segment had accumulated in the head (patched on merge).
    var bodySegmentDistanceAtStart: Int64 = 0
    var machine = TrackMachine()
    /// Event time of the first and last observation (in order).
    public private(set) var firstTime: Microseconds?
    /// Event time of the last observation.
    public private(set) var lastTime: Microseconds?
    /// Observations that arrived late (after the reorder window).
    var late: Int64 = 0
    /// Merges of windows that overlapped in time (precondition of exact merging violated).
    public private(set) var overlappingMerges: Int64 = 0
    /// Disengagements (reported and inferred) dropped from memory after live ingest committed
    /// them, per Shanghai month, keyed by the month's first day number (``dropSettled()``): what a
    /// live view adds to ``events(configuration:)`` for a month.
    public private(set) var droppedDisengagements: [Int32: Int] = [:]
    /// Automated distance and time per level dropped from memory after live ingest committed the
    /// days they belong to, per Shanghai month, keyed by the month's first day number
    /// (``dropSettled()``): what a live view adds to a month's per-day totals.
    public private(set) var droppedAutomated: [DayLevel: DayTotals] = [:]

    /// Creates an empty summary.
    public init() {}

    /// Feeds the next observation in event-time order.
    mutating func ingest(_ item: TrackItem, configuration c: MetricsConfiguration) {
        let time = item.time
        if firstTime == nil { firstTime = time }
        lastTime = max(lastTime ?? time, time)
        if headComplete {
            machine.process(item, configuration: c)
            return
        }
        head.append(item)
        if case .fix(let fix) = item, fix.automation != nil, let first = firstTime,
            fix.time >= first + c.uplinkWindow
        {
            completeHead(configuration: c)
        }
    }

    /// Feeds an observation that arrived after its time had been released (late).
    mutating func ingestLate(_ item: TrackItem, configuration c: MetricsConfiguration) {
        late += 1
        guard case .event(let event) = item else { return }
        if headComplete {
            machine.process(event: event, late: true, configuration: c)
        } else {
            // Still in the head: the head is replayed in order anyway, so it is not late there.
            ingest(item, configuration: c)
            late -= 1
        }
    }

    private mutating func completeHead(configuration c: MetricsConfiguration) {
        var scratch = TrackMachine()
        for item in head { scratch.process(item, configuration: c) }
        headTotals = scratch.totals
        headEvents = scratch.events
        headSegments = scratch.segments
        bodySegmentDistanceAtStart = scratch.segmentDistance
        scratch.resetOutputs()
        machine = scratch
        headComplete = true
    }

    /// The head evaluated on its own (for a window whose head never completed).
    private func evaluatedHead(configuration c: MetricsConfiguration) -> TrackMachine {
        var scratch = TrackMachine()
        for item in head { scratch.process(item, configuration: c) }
        return scratch
    }

    // MARK: Results

    /// Totals of the whole window.
    public func totals(configuration c: MetricsConfiguration) -> TrackTotals {
        var result: TrackTotals
        if headComplete {
            result = headTotals
            result.add(machine.totals)
        } else {
            result = evaluatedHead(configuration: c).totals
        }
        result.late += late
        return result
    }

    /// Notable events of the window, in order.
    public func events(configuration c: MetricsConfiguration) -> [EventRecord] {
        if headComplete { return headEvents + machine.finalizedEvents(configuration: c) }
        return evaluatedHead(configuration: c).finalizedEvents(configuration: c)
    }

    /// Mode segments of the window; the last one ends at the last fix.
    public func segments(configuration c: MetricsConfiguration) -> [ModeSegment] {
        if headComplete { return headSegments + machine.finalizedSegments }
        return evaluatedHead(configuration: c).finalizedSegments
    }

    /// Takeover requests still open at the end of the window.
    public func openTakeoverRequests(configuration c: MetricsConfiguration) -> [Microseconds] {
        headComplete ? machine.openRequests : evaluatedHead(configuration: c).openRequests
    }

    // MARK: Dropping what is committed

    /// L3 + L4 automated kilometres of the month that starts on day `firstDay` which live ingest
    /// dropped from memory (``droppedAutomated``).
    public func droppedAutomatedKilometres(month firstDay: Int32) -> Double {
        let metres = [UInt8(3), 4].reduce(0.0) {
            $0 + Double(droppedAutomated[DayLevel(day: firstDay, level: $1)]?.distance ?? 0) / 1e6
        }
        return metres / 1000
    }

    /// Removes from memory what can no longer change and has been written (live ingest, right
    /// after a successful commit of this vehicle): closed mode segments that ended before the seal
    /// time, the leading events before it (placed, and not a takeover request still open), and
    /// the link, cell, reception and per-day automated entries of days before the last fix's day
    /// (those days' disengagements and automated totals are kept per month, for live views). The
    /// run totals stay. Returns what went, so that the writer's cache forgets the same rows; `nil`
    /// while the head is incomplete (nothing is dropped).
    ///
    /// A summary that dropped something is no longer mergeable (``merged(with:)`` needs whole
    /// windows); live ingest never merges.
    public mutating func dropSettled() -> SettledDrop? {
        guard headComplete, let lastFix = machine.lastFix else { return nil }
        let seal = machine.sealTime
        let today = ShanghaiCalendar.dayNumber(lastFix.time)

        let headSegmentCount = headSegments.prefix { $0.end < seal }.count
        var bodySegmentCount = 0
        if headSegmentCount == headSegments.count {
            bodySegmentCount = machine.segments.prefix { $0.end < seal }.count
        }
        headSegments.removeFirst(headSegmentCount)
        machine.segments.removeFirst(bodySegmentCount)

        let open = Set(machine.openRequests)
        let settled = { (event: EventRecord) in
            event.time < seal && !(event.kind == .takeoverRequest && open.contains(event.time))
        }
        let headEventCount = headEvents.prefix(while: settled).count
        var bodyEventCount = 0
        if headEventCount == headEvents.count {
            bodyEventCount = machine.events.prefix(machine.awaitingPosition).prefix(while: settled).count
        }
        for event in headEvents.prefix(headEventCount) + machine.events.prefix(bodyEventCount)
        where event.kind.isDisengagement {
            let month = ShanghaiCalendar.firstDayOfMonth(ShanghaiCalendar.dayNumber(event.time))
            droppedDisengagements[month, default: 0] += 1
        }
        let settledDays =
            Array(headTotals.removeDaily(before: today)) + Array(machine.totals.removeDaily(before: today))
        for (key, value) in settledDays {
            let month = DayLevel(day: ShanghaiCalendar.firstDayOfMonth(key.day), level: key.level)
            droppedAutomated[month, default: DayTotals()] =
                droppedAutomated[month, default: DayTotals()] + value
        }
        headEvents.removeFirst(headEventCount)
        machine.events.removeFirst(bodyEventCount)
        machine.awaitingPosition -= bodyEventCount
        machine.firstCloser = machine.firstCloser.flatMap { $0 >= bodyEventCount ? $0 - bodyEventCount : nil }

        headTotals.dropDays(before: today)
        machine.totals.dropDays(before: today)
        return SettledDrop(
            segments: headSegmentCount + bodySegmentCount, events: headEventCount + bodyEventCount,
            beforeDay: today)
    }

    // MARK: Merging

    /// Merges two windows of the same vehicle. Exact when the windows do not overlap in event
    /// time (shards by time); the order of the arguments does not matter.
    public func merged(with other: TrackSummary, configuration c: MetricsConfiguration) -> TrackSummary {
        guard let otherFirst = other.firstTime else { return self }
        guard let selfFirst = firstTime else { return other }
        let (earlier, later) = selfFirst <= otherFirst ? (self, other) : (other, self)
        return earlier.appending(later, configuration: c)
    }

    private func appending(_ later: TrackSummary, configuration c: MetricsConfiguration) -> TrackSummary {
        var result = self
        if let lastTime, let laterFirst = later.firstTime, laterFirst < lastTime {
            result.overlappingMerges += 1
        }
        result.overlappingMerges += later.overlappingMerges
        result.late += later.late
        for item in later.head { result.ingest(item, configuration: c) }
        guard later.headComplete, let laterFirst = later.firstTime else { return result }
        // `result` completed its head at the latest on the last item of `later.head`.
        var body = later.machine
        let current = result.machine

        // Takeover requests open from before `later` began: closed by its first closing event.
        let carried = current.openRequests.filter { $0 < laterFirst }
        if !carried.isEmpty {
            if let closer = body.firstCloser {
                body.events[closer].closedRequests = carried + body.events[closer].closedRequests
            } else {
                body.openRequests = carried + body.openRequests
            }
        }
        // The open mode segment at the boundary started in `result`.
        let distanceBefore = current.segmentDistance - later.bodySegmentDistanceAtStart
        if body.segments.isEmpty {
            body.segmentStart = current.segmentStart
            body.segmentDistance += distanceBefore
        } else {
            body.segments[0].start = current.segmentStart
            body.segments[0].distance += distanceBefore
        }
        // Outputs: `result`'s body so far, then `later`'s body.
        let offset = current.events.count
        var totals = current.totals
        totals.add(body.totals)
        body.totals = totals
        body.events = current.events + body.events
        body.segments = current.segments + body.segments
        body.firstCloser = current.firstCloser ?? body.firstCloser.map { $0 + offset }
        body.awaitingPosition += offset
        result.machine = body
        result.lastTime = max(result.lastTime ?? laterFirst, later.lastTime ?? laterFirst)
        return result
    }
}

/// What ``TrackSummary/dropSettled()`` removed from a vehicle's summary: the first `segments`
/// mode segments and the first `events` events, and the link, cell and reception entries of days
/// before `beforeDay`. They were committed; the writer's cache forgets the same rows.
public struct SettledDrop: Sendable, Hashable {
    /// Leading mode segments removed.
    public var segments: Int
    /// Leading events removed.
    public var events: Int
    /// Shanghai day number: day-keyed coverage and reception entries before it were removed.
    public var beforeDay: Int32
}
