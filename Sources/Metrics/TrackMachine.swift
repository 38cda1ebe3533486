import Zone

/// One time-ordered observation of a vehicle's track.
public enum TrackItem: Sendable, Hashable {
    /// A position fix, possibly with the automation state.
    case fix(VehicleFix)
    /// An automation event.
    case event(AutomationEvent)
    /// A BSM of the vehicle received by an RSU.
    case bsm(BSMReception)

    /// Event time of the item.
    @inlinable
    public var time: Microseconds {
        switch self {
        case .fix(let f): f.time
        case .event(let e): e.time
        case .bsm(let b): b.receiveTime
        }
    }

    /// Order among items of equal time: BSMs, then events, then fixes. An event stamped exactly
    /// at a report's time belongs to the interval that report closes (0xE2 items report the events
    /// since the previous report), so it must be seen before the fix that carries the new 0xE1 state.
    @inlinable
    public var rank: UInt8 {
        switch self {
        case .bsm: 0
        case .event: 1
        case .fix: 2
        }
    }
}

/// The per-vehicle state machine: integrates distance between consecutive fixes, tracks the mode,
/// classifies events, pairs takeover requests, accumulates coverage. It consumes items in event-time
/// order (the reorder buffer in front of it guarantees that for all but late arrivals).
struct TrackMachine: Sendable, Hashable {
    struct Fix: Sendable, Hashable {
        var time: Microseconds
        var latitude: Double
        var longitude: Double
        var speed: Double
        var heading: Double
    }

    // Outputs since the last reset (see TrackSummary).
    var totals = TrackTotals()
    var events: [EventRecord] = []
    var segments: [ModeSegment] = []

    // Live state.
    var lastFix: Fix?
    var mode: AutomationState?
    var segmentStart: Microseconds = 0
    var segmentDistance: Int64 = 0
    var disengagedSinceState = false
    var coveredEnd: Microseconds = .min
    var coveredSinceFix: Microseconds = 0
    var openRequests: [Microseconds] = []
    /// Index in `events` of the first event that closed takeover requests (or would have).
    var firstCloser: Int?
    /// Events from this index on still wait for the next fix to get their position.
    var awaitingPosition = 0
    /// Time of the first mode-changing event (types 1-5) since the last fix: where a step whose
    /// end reports a new mode is split.
    var transitionSinceFix: Microseconds?
    /// Where the current mode began, when that was inside the last step (set by a split step).
    var pendingSegmentStart: Microseconds?
    /// Distance of the last step after its split point (belongs to the new mode's segment).
    var pendingSegmentDistance: Int64 = 0

    init() {}

    /// Events before this time are final: the start of the Asia/Shanghai day before the last
    /// fix's day (a function of the data alone, so live ingest and replay agree). A late
    /// disengagement replaces only an inferred one at or after it.
    var sealTime: Microseconds {
        guard let lastFix else { return .min }
        return ShanghaiCalendar.start(ofDay: ShanghaiCalendar.dayNumber(lastFix.time) - 1)
    }

    /// Clears the outputs, keeping the live state (used when a shard's head is complete).
    mutating func resetOutputs() {
        totals = TrackTotals()
        events = []
        segments = []
        firstCloser = nil
        awaitingPosition = 0
    }

    mutating func process(_ item: TrackItem, configuration c: MetricsConfiguration) {
        switch item {
        case .fix(let fix): process(fix: fix, configuration: c)
        case .event(let event): process(event: event, late: false, configuration: c)
        case .bsm(let bsm): process(bsm: bsm, configuration: c)
        }
    }

    // MARK: BSM receptions

    mutating func process(bsm: BSMReception, configuration c: MetricsConfiguration) {
        totals.bsmReceived += 1
        let r = bsm.receiveTime
        let end = r &+ c.uplinkWindow
        let start = max(r, coveredEnd)
        if end > start { coveredSinceFix += end - start }
        if end > coveredEnd { coveredEnd = end }
        if let rsu = bsm.rsu, rsu >= 0, rsu < c.rsus.count {
            let site = c.rsus[rsu]
            let d = Geodesy.distance(
                latitude1: site.latitude, longitude1: site.longitude, latitude2: bsm.latitude,
                longitude2: bsm.longitude)
            if let band = c.band(ofDistance: d), d < site.range ?? .infinity {
                let key = ReceptionKey(day: ShanghaiCalendar.dayNumber(r), rsu: Int32(rsu), band: Int32(band))
                totals.reception[key, default: ReceptionTotals()].received += 1
            }
        }
    }

    // MARK: Fixes

    mutating func process(fix: VehicleFix, configuration c: MetricsConfiguration) {
        let t = fix.time
        totals.fixes += 1
        var stepIntegrated = false
        if let previous = lastFix {
            let dt = t - previous.time
            let d = Geodesy.distance(
                latitude1: previous.latitude, longitude1: previous.longitude, latitude2: fix.latitude,
                longitude2: fix.longitude)
            if dt > c.maximumStepInterval {
                totals.timeGaps += 1
            } else if dt <= 0 ? d > 0 : d / (Double(dt) / 1e6) > c.maximumStepSpeed {
                totals.outlierSteps += 1
            } else if dt >= 0 {
                stepIntegrated = true
                // A step whose end reports a new mode is split at the first mode-changing event
                // inside it (engaged, disengaged, takeover request, MRM start/end), if any;
                // otherwise the mode reported at its start holds for the whole step.
                var split: (time: Microseconds, state: AutomationState)?
                if let next = fix.automation, let mode,
                    next.level != mode.level || next.status != mode.status,
                    let time = transitionSinceFix, time > previous.time, time < t
                {
                    split = (time, next)
                }
                integrate(from: previous, to: fix, dt: dt, metres: d, split: split, configuration: c)
            }
            placeAwaitingEvents(
                previous: previous, next: fix, stepIntegrated: stepIntegrated, configuration: c)
        } else {
            placeAwaitingEvents(previous: nil, next: fix, stepIntegrated: false, configuration: c)
        }
        coveredSinceFix = coveredEnd > t ? min(coveredEnd - t, c.uplinkWindow) : 0
        transitionSinceFix = nil
        lastFix = Fix(
            time: t, latitude: fix.latitude, longitude: fix.longitude, speed: fix.speed, heading: fix.heading)

        if let state = fix.automation { apply(state: state, at: fix, configuration: c) }
        if let mode, mode.isActiveL3L4 { cover(fix: fix, configuration: c) }
    }

    private mutating func integrate(
        from previous: Fix, to fix: VehicleFix, dt: Microseconds, metres: Double,
        split: (time: Microseconds, state: AutomationState)?, configuration c: MetricsConfiguration
    ) {
        let micrometres = Int64((metres * 1e6).rounded())
        totals.distance += micrometres
        let t0 = previous.time
        // Link coverage: the link matched at the earlier fix of an automated L3/L4 step (at the
        // later fix for the part after a split); the fix's own heading picks the direction where
        // both directions of a road share a centre line.
        if let roads = c.roads {
            if let mode, mode.isActiveL3L4,
                let link = roads.matchAligned(
                    latitude: previous.latitude, longitude: previous.longitude, heading: previous.heading)
            {
                totals.links.insert(DayIndex(day: ShanghaiCalendar.dayNumber(t0), index: Int32(link)))
            }
            if let split, split.state.isActiveL3L4,
                let link = roads.matchAligned(
                    latitude: fix.latitude, longitude: fix.longitude, heading: fix.heading)
            {
                totals.links.insert(DayIndex(day: ShanghaiCalendar.dayNumber(split.time), index: Int32(link)))
            }
        }
        // Share of the step's time with uplink coverage: everything added since the previous fix,
        // minus the part of the covered union beyond t (which is the single interval [t, coveredEnd]).
        var coveredShare = 0.0
        if dt > 0 {
            let beyond = coveredEnd > fix.time ? coveredEnd - fix.time : 0
            coveredShare = Double(min(max(coveredSinceFix - beyond, 0), dt)) / Double(dt)
        }
        if let split {
            let first = Int64((Double(micrometres) * Double(split.time - t0) / Double(dt)).rounded())
            segmentDistance += first
            pendingSegmentStart = split.time
            pendingSegmentDistance = micrometres - first
            if let mode {
                addAutomated(mode, from: t0, to: split.time, distance: first, coveredShare: coveredShare)
            }
            addAutomated(
                split.state, from: split.time, to: fix.time, distance: micrometres - first,
                coveredShare: coveredShare)
        } else {
            segmentDistance += micrometres
            if let mode {
                addAutomated(mode, from: t0, to: fix.time, distance: micrometres, coveredShare: coveredShare)
            }
        }
        if !c.rsus.isEmpty {
            let midLatitude = (previous.latitude + fix.latitude) / 2
            let midLongitude = (previous.longitude + fix.longitude) / 2
            let day = ShanghaiCalendar.dayNumber(t0 + dt / 2)
            for (index, site) in c.rsus.enumerated() {
                let d = Geodesy.distance(
                    latitude1: site.latitude, longitude1: site.longitude, latitude2: midLatitude,
                    longitude2: midLongitude)
                if let band = c.band(ofDistance: d), d < site.range ?? .infinity {
                    let key = ReceptionKey(day: day, rsu: Int32(index), band: Int32(band))
                    totals.reception[key, default: ReceptionTotals()].exposure += dt
                }
            }
        }
    }

    /// Adds a (part of a) step in a mode: automated distance/time if active, uplink-covered
    /// distance if active at L3/L4.
    private mutating func addAutomated(
        _ mode: AutomationState, from t0: Microseconds, to t1: Microseconds, distance: Int64,
        coveredShare: Double
    ) {
        guard mode.isActive else { return }
        let uplink = mode.isActiveL3L4 ? Int64((Double(distance) * coveredShare).rounded()) : 0
        addDaily(level: mode.level, from: t0, to: t1, distance: distance, uplink: uplink)
    }

    /// Adds automated distance/time, split across Shanghai midnights in proportion to time.
    private mutating func addDaily(
        level: UInt8, from t0: Microseconds, to t1: Microseconds, distance: Int64, uplink: Int64
    ) {
        let firstDay = ShanghaiCalendar.dayNumber(t0)
        let lastDay = ShanghaiCalendar.dayNumber(t1)
        if firstDay == lastDay || t1 <= t0 {
            totals.daily[DayLevel(day: firstDay, level: level), default: DayTotals()].add(
                distance: distance, time: t1 - t0, uplink: uplink)
            return
        }
        let dt = Double(t1 - t0)
        var remainingDistance = distance
        var remainingUplink = uplink
        var start = t0
        var day = firstDay
        while day < lastDay {
            let end = ShanghaiCalendar.start(ofDay: day + 1)
            let share = Double(end - start) / dt
            let dd = Int64((Double(distance) * share).rounded())
            let du = Int64((Double(uplink) * share).rounded())
            totals.daily[DayLevel(day: day, level: level), default: DayTotals()].add(
                distance: dd, time: end - start, uplink: du)
            remainingDistance -= dd
            remainingUplink -= du
            start = end
            day += 1
        }
        totals.daily[DayLevel(day: lastDay, level: level), default: DayTotals()].add(
            distance: remainingDistance, time: t1 - start, uplink: remainingUplink)
    }

    /// Grid coverage: the cell of a fix that is active at L3/L4 (after applying its own state).
    private mutating func cover(fix: VehicleFix, configuration c: MetricsConfiguration) {
        if let grid = c.grid,
            let cell = grid.cell(of: GeoPoint(latitude: fix.latitude, longitude: fix.longitude))
        {
            totals.cells.insert(DayIndex(day: ShanghaiCalendar.dayNumber(fix.time), index: Int32(cell)))
        }
    }

    private mutating func apply(
        state: AutomationState, at fix: VehicleFix, configuration c: MetricsConfiguration
    ) {
        let t = fix.time
        guard let current = mode else {
            mode = state
            segmentStart = t
            segmentDistance = 0
            disengagedSinceState = false
            return
        }
        if current.level != state.level || current.status != state.status {
            // DESIGN.md 5 "a drop from active to off": from engaged (active or takeover requested)
            // at L3/L4 to not engaged (off or available) with no type 2 item since the previous
            // state report.
            let wasEngagedL3L4 =
                (current.status == .active || current.status == .takeoverRequested)
                && (current.level == 3 || current.level == 4)
            let nowDisengaged = state.status == .off || state.status == .available
            if wasEngagedL3L4 && nowDisengaged && !disengagedSinceState {
                var record = makeRecord(
                    kind: .inferredDisengagement, time: t, level: current.level, initiator: .unknown,
                    cause: .unspecified, late: false)
                record.latitude = fix.latitude
                record.longitude = fix.longitude
                record.speed = fix.speed
                record.flags = current.flags
                locate(&record, configuration: c)
                closeRequests(into: &record)
                events.append(record)
                if awaitingPosition == events.count - 1 { awaitingPosition = events.count }
            }
            let boundary = pendingSegmentStart ?? t
            segments.append(
                ModeSegment(
                    start: segmentStart, end: boundary, level: current.level, status: current.status,
                    distance: segmentDistance))
            segmentStart = boundary
            segmentDistance = pendingSegmentDistance
        }
        pendingSegmentStart = nil
        pendingSegmentDistance = 0
        mode = state
        disengagedSinceState = false
    }

    // MARK: Events

    mutating func process(event: AutomationEvent, late: Bool, configuration c: MetricsConfiguration) {
        let kind: EventKind
        switch event.type {
        case .engaged: kind = .engagement
        case .disengaged:
            if event.cause == .plannedEnd {
                kind = .plannedDeactivation
            } else if event.levelBefore == 3 || event.levelBefore == 4 {
                kind = .disengagement
            } else {
                kind = .deactivation
            }
        case .takeoverRequest: kind = .takeoverRequest
        case .mrmStarted: kind = .mrmStarted
        case .mrmEnded: kind = .mrmEnded
        case .collision: kind = .collision
        case .severeFailure: kind = .severeFailure
        }
        var record = makeRecord(
            kind: kind, time: event.time, level: event.levelBefore, initiator: event.initiator,
            cause: event.cause,
            late: late)
        record.flags = mode?.flags
        if let lastFix {
            record.latitude = lastFix.latitude
            record.longitude = lastFix.longitude
            record.speed = lastFix.speed
        }
        if !late, transitionSinceFix == nil, event.type != .collision, event.type != .severeFailure {
            transitionSinceFix = event.time
        }
        switch event.type {
        case .disengaged:
            disengagedSinceState = true
            closeRequests(into: &record)
        case .mrmStarted:
            closeRequests(into: &record)
        case .takeoverRequest:
            openRequests.append(event.time)
        default: break
        }
        if late {
            // A late disengagement explains the inferred one recorded for the same drop (the first
            // inferred disengagement at or after it, within the step limit): it replaces it.
            // Events before the seal time are final (live ingest may have dropped them after
            // committing them, see TrackSummary.dropSettled()): every path applies the same rule.
            let sealed = sealTime
            if event.type == .disengaged,
                let index = events.firstIndex(where: {
                    $0.kind == .inferredDisengagement && $0.time >= event.time && $0.time >= sealed
                        && $0.time - event.time <= c.maximumStepInterval
                })
            {
                let inferred = events[index]
                record.latitude = inferred.latitude
                record.longitude = inferred.longitude
                record.speed = inferred.speed
                record.link = inferred.link
                record.roadClass = inferred.roadClass
                record.roadName = inferred.roadName
                record.closedRequests = inferred.closedRequests + record.closedRequests
                events[index] = record
                return
            }
            // Otherwise it is placed at the last fix now: the fixes around it have passed.
            locate(&record, configuration: c)
            events.append(record)
            if awaitingPosition == events.count - 1 { awaitingPosition = events.count }
        } else {
            events.append(record)
        }
    }

    private func makeRecord(
        kind: EventKind, time: Microseconds, level: UInt8, initiator: Initiator, cause: Cause, late: Bool
    ) -> EventRecord {
        EventRecord(
            kind: kind, time: time, latitude: nil, longitude: nil, speed: nil, link: nil, roadClass: nil,
            level: level, initiator: initiator, cause: cause, closedRequests: [], late: late)
    }

    private mutating func closeRequests(into record: inout EventRecord) {
        if firstCloser == nil { firstCloser = events.count }
        guard !openRequests.isEmpty else { return }
        record.closedRequests = openRequests
        openRequests.removeAll(keepingCapacity: true)
    }

    private func locate(
        _ record: inout EventRecord, heading: Double? = nil, configuration c: MetricsConfiguration
    ) {
        guard let roads = c.roads, let latitude = record.latitude, let longitude = record.longitude,
            let index = roads.match(
                latitude: latitude, longitude: longitude, heading: heading ?? lastFix?.heading)
        else { return }
        let link = roads.links[index]
        record.link = link.id
        record.roadClass = link.roadClass
        record.roadName = link.name.isEmpty ? nil : link.name
    }

    /// Gives the events since the previous fix their position: interpolated in time across an
    /// integrated step, otherwise the nearer of the two fixes.
    private mutating func placeAwaitingEvents(
        previous: Fix?, next: VehicleFix, stepIntegrated: Bool, configuration c: MetricsConfiguration
    ) {
        guard awaitingPosition < events.count else { return }
        var heading = next.heading
        if let previous,
            Geodesy.distance(
                latitude1: previous.latitude, longitude1: previous.longitude, latitude2: next.latitude,
                longitude2: next.longitude) > 1
        {
            heading = Zone.Geodesy.initialBearing(
                from: GeoPoint(latitude: previous.latitude, longitude: previous.longitude),
                to: GeoPoint(latitude: next.latitude, longitude: next.longitude))
        }
        for index in awaitingPosition..<events.count {
            var record = events[index]
            if let previous, stepIntegrated, next.time > previous.time {
                let f = min(
                    max(Double(record.time - previous.time) / Double(next.time - previous.time), 0), 1)
                record.latitude = previous.latitude + (next.latitude - previous.latitude) * f
                record.longitude = previous.longitude + (next.longitude - previous.longitude) * f
                record.speed = previous.speed + (next.speed - previous.speed) * f
            } else if let previous, record.time - previous.time < next.time - record.time {
                record.latitude = previous.latitude
                record.longitude = previous.longitude
                record.speed = previous.speed
            } else {
                record.latitude = next.latitude
                record.longitude = next.longitude
                record.speed = next.speed
            }
            locate(&record, heading: heading, configuration: c)
            events[index] = record
        }
        awaitingPosition = events.count
    }

    /// Places events still waiting for a following fix at the last fix (end of data).
    func finalizedEvents(configuration c: MetricsConfiguration) -> [EventRecord] {
        guard awaitingPosition < events.count else { return events }
        var result = events
        for index in awaitingPosition..<result.count { locate(&result[index], configuration: c) }
        return result
    }

    /// The closed segments plus the open one, closed at the last fix.
    var finalizedSegments: [ModeSegment] {
        var result = segments
        if let mode, let lastFix {
            result.append(
                ModeSegment(
                    start: segmentStart, end: lastFix.time, level: mode.level, status: mode.status,
                    distance: segmentDistance))
        }
        return result
    }
}

extension DayTotals {
    mutating func add(distance d: Int64, time t: Int64, uplink u: Int64) {
        distance += d
        time += t
        uplinkCovered += u
    }
}
