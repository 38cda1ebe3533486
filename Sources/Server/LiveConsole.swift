import Foundation
import Metrics
import Pipeline
import Store
import Synchronization
import Zone

/// The console's view of a running ingest (`testzone ingest --http`): an ``IngestObserver`` fed
/// by the processor after each batch and commit, and the ``ConsoleSource`` the HTTP API reads.
///
/// Events are derived from the JT/T 808 observations in journal order as they are processed
/// (not after the metrics engine's 300 s reorder window), so they reach SSE clients within a
/// batch; every figure uses data time (terminal time for fixes and events, the journal's
/// receive time for staleness), so a replay of the journal serves the same answers.
/// The processor's work per batch is one lock and a pass over the batch's JT/T 808
/// observations (about one per vehicle and second) and the RSUs; per-commit figures (day and
/// month kilometres, reception, data health) are computed lazily when a reader asks.
public final class LiveConsole: IngestObserver, ConsoleSource {
    struct TrackPoint {
        var fix: VehicleFix
        var logTime: Microseconds
    }

    struct VehicleState {
        var identity: VehicleIdentity
        var lastFix: VehicleFix?
        var lastFixLogTime: Microseconds?
        var state: AutomationState?
        /// Fixes of the last `trackSeconds` (data time), oldest first.
        var track: [TrackPoint] = []
        /// A type 2 item arrived since the last 0xE1 state report.
        var disengagedSinceState = false
        /// Open takeover requests (event time).
        var openTakeovers: [Microseconds] = []
        var trackSilentAlarm = false
    }

    struct RSUState {
        var received: Int64 = 0
        /// Data time of its newest frame (shown as `lastFrame`).
        var lastSeen: Microseconds?
        /// Journal receive time of the batch that brought its newest frames: staleness and the
        /// silence alarm compare it with the newest receive time, never with data time (which a
        /// replay or a skewed RSU clock puts anywhere).
        var lastReceived: Microseconds?
        var sampleTime: Microseconds?
        var sampleReceived: Int64 = 0
        var rate: Double = 0
        var silentAlarm = false
    }

    struct State {
        var run: Int64 = 0
        var session = ""
        var startedAt: Microseconds?
        var vehicles: [VehicleState] = []
        var rsus: [RSUState]
        /// Topic -> counters of C-V2X sources not in the registry.
        var otherCV2X: [String: RSUState] = [:]
        var firstLogTime: Microseconds?
        var lastLogTime: Microseconds?
        /// Newest terminal time of a fix: the zone's calendar day and month.
        var newestDataTime: Microseconds?
        var messages: Int64 = 0
        var kindCounts: [Int64] = [0, 0, 0]
        var metrics: ZoneMetrics?
        var generation = 0
        var previousSources: [String: (received: Int64, rejected: Int64)] = [:]
        var rejectAlarms: Set<String> = []
        var cache:
            (generation: Int, day: Int32, vehicles: [String: (ConsoleModel.Period, ConsoleModel.Period)])?
    }

    /// The zone.
    public let zone: ConsoleZone
    /// The database the ingest writes (for `/api/v1/metrics`).
    public let store: ZoneStore
    /// The event register and SSE subscribers.
    public let hub: EventHub
    /// The Prometheus figures.
    public let prometheus = ConsolePrometheus()
    /// Seconds of track kept per vehicle.
    public let trackSeconds: Double
    private let state: Mutex<State>
    private let plates: [String: String]

    /// Creates the view of an ingest into `store`.
    public init(zone: ConsoleZone, store: ZoneStore, hub: EventHub = EventHub(), trackSeconds: Double = 600) {
        self.zone = zone
        self.store = store
        self.hub = hub
        self.trackSeconds = trackSeconds
        self.plates = zone.plates
        state = Mutex(State(rsus: Array(repeating: RSUState(), count: zone.configuration.rsus.count)))
    }

    // MARK: IngestObserver (processor thread)

    public func ingestStarted(run: Int64, session: String, startedAt: Microseconds) {
        state.withLock {
            $0.run = run
            $0.session = session
            $0.startedAt = startedAt
        }
    }

    public func ingestProcessed(_ update: IngestBatchUpdate) {
        let (events, counts) = state.withLock {
            s -> ([ConsoleModel.Event], (vehicles: [String: Int], up: Int, silent: Int)) in
            var events: [ConsoleModel.Event] = []
            for (offset, identity) in update.newIdentities.enumerated() {
                let index = update.firstNewIdentity + offset
                while s.vehicles.count <= index { s.vehicles.append(VehicleState(identity: identity)) }
                s.vehicles[index].identity = identity
            }
            for observation in update.observations {
                switch observation {
                case .fix(let fix, let logTime):
                    apply(fix, logTime: logTime, to: &s, events: &events)
                    s.newestDataTime = max(s.newestDataTime ?? fix.time, fix.time)
                case .event(let event, let logTime): apply(event, logTime: logTime, to: &s, events: &events)
                }
            }
            let now = Microseconds(update.lastLogTime / 1000)
            if update.lastLogTime > 0 {
                s.lastLogTime = now
                if s.firstLogTime == nil { s.firstLogTime = now }
            }
            s.messages = update.messages
            s.kindCounts = update.kindCounts
            for activity in update.rsuActivity {
                if let rsu = activity.rsu, rsu < s.rsus.count {
                    track(
                        activity, &s.rsus[rsu], now: now, id: zone.configuration.rsus[rsu].id, events: &events
                    )
                } else {
                    var other = s.otherCV2X[activity.topic] ?? RSUState()
                    track(activity, &other, now: now, id: nil, events: &events)
                    s.otherCV2X[activity.topic] = other
                }
            }
            alarms(&s, now: now, events: &events)
            return (events, Self.counts(s, alarms: zone.alarms))
        }
        hub.append(events)
        prometheus.batch(
            queued: update.queued, depth: update.queueDepth, journalBytes: update.journalBytes,
            messages: update.messages, nanoseconds: update.processingNanoseconds)
        prometheus.states(vehicles: counts.vehicles, rsusUp: counts.up, rsusSilent: counts.silent)
        prometheus.clients(connected: hub.subscriberCount, dropped: hub.droppedClients)
    }

    public func ingestCommitted(_ update: IngestCommitUpdate) {
        let events = state.withLock { s -> [ConsoleModel.Event] in
            s.metrics = update.metrics
            s.generation += 1
            s.messages = update.messages
            s.kindCounts = update.kindCounts
            return rejectRateAlarms(&s, sources: update.metrics.sources)
        }
        hub.append(events)
        prometheus.commit(
            sources: update.metrics.sources, journalFiles: update.journalFiles,
            journalBytes: update.journalBytes,
            nanoseconds: update.commitNanoseconds)
    }

    // MARK: Derivation

    private func event(
        _ kind: String, time: Microseconds, logTime: Microseconds?, vehicle: VehicleState?,
        level: UInt8? = nil,
        initiator: Initiator? = nil, cause: Cause? = nil
    ) -> ConsoleModel.Event {
        let fix = vehicle?.lastFix
        return ConsoleModel.Event(
            id: 0, kind: kind, alarm: false, time: ConsoleText.iso(time), timeMicros: time,
            receivedMicros: logTime,
            vin: vehicle?.identity.vin, level: level.map(Int.init), initiator: initiator?.name,
            cause: cause?.name,
            latitude: fix?.latitude, longitude: fix?.longitude,
            link: fix.flatMap {
                zone.link(latitude: $0.latitude, longitude: $0.longitude, heading: $0.heading)
            })
    }

    private func alarm(
        _ kind: String, time: Microseconds, source: String, vin: String? = nil, message: String
    ) -> ConsoleModel.Event {
        ConsoleModel.Event(
            id: 0, kind: kind, alarm: true, time: ConsoleText.iso(time), timeMicros: time,
            receivedMicros: time,
            vin: vin, source: source, message: message)
    }

    private func closeTakeovers(
        _ vehicle: inout VehicleState, outcome: String, at time: Microseconds, logTime: Microseconds,
        events: inout [ConsoleModel.Event]
    ) {
        for requested in vehicle.openTakeovers {
            var e = event(
                "takeover", time: time, logTime: logTime, vehicle: vehicle, level: vehicle.state?.level)
            e.outcome = outcome
            e.takeoverSeconds = Double(time - requested) / 1e6
            events.append(e)
        }
        vehicle.openTakeovers.removeAll()
    }

    private func apply(
        _ item: AutomationEvent, logTime: Microseconds, to s: inout State, events: inout [ConsoleModel.Event]
    ) {
        guard item.vehicle >= 0, item.vehicle < s.vehicles.count else { return }
        var v = s.vehicles[item.vehicle]
        let kind: String
        switch item.type {
        case .engaged: kind = EventKind.engagement.rawValue
        case .disengaged:
            kind =
                item.cause == .plannedEnd
                ? EventKind.plannedDeactivation.rawValue
                : (item.levelBefore == 3 || item.levelBefore == 4)
                    ? EventKind.disengagement.rawValue : EventKind.deactivation.rawValue
        case .takeoverRequest: kind = EventKind.takeoverRequest.rawValue
        case .mrmStarted: kind = EventKind.mrmStarted.rawValue
        case .mrmEnded: kind = EventKind.mrmEnded.rawValue
        case .collision: kind = EventKind.collision.rawValue
        case .severeFailure: kind = EventKind.severeFailure.rawValue
        }
        events.append(
            event(
                kind, time: item.time, logTime: logTime, vehicle: v, level: item.levelBefore,
                initiator: item.initiator,
                cause: item.cause))
        switch item.type {
        case .disengaged:
            v.disengagedSinceState = true
            closeTakeovers(&v, outcome: "taken-over", at: item.time, logTime: logTime, events: &events)
        case .takeoverRequest:
            v.openTakeovers.append(item.time)
        case .mrmStarted:
            closeTakeovers(&v, outcome: "missed", at: item.time, logTime: logTime, events: &events)
        default:
            break
        }
        s.vehicles[item.vehicle] = v
    }

    private func apply(
        _ fix: VehicleFix, logTime: Microseconds, to s: inout State, events: inout [ConsoleModel.Event]
    ) {
        guard fix.vehicle >= 0, fix.vehicle < s.vehicles.count else { return }
        var v = s.vehicles[fix.vehicle]
        if let new = fix.automation {
            if let old = v.state, old.level == 3 || old.level == 4,
                old.status == .active || old.status == .takeoverRequested,
                new.status == .off || new.status == .available, !v.disengagedSinceState
            {
                v.lastFix = fix
                events.append(
                    event(
                        EventKind.inferredDisengagement.rawValue, time: fix.time, logTime: logTime,
                        vehicle: v,
                        level: old.level, initiator: .unknown, cause: .unspecified))
                closeTakeovers(&v, outcome: "unresolved", at: fix.time, logTime: logTime, events: &events)
            }
            v.state = new
            v.disengagedSinceState = false
        }
        v.lastFix = fix
        v.lastFixLogTime = logTime
        v.trackSilentAlarm = false
        v.track.append(TrackPoint(fix: fix, logTime: logTime))
        let horizon = fix.time - Microseconds(trackSeconds * 1e6)
        if v.track.count > 64, v.track[v.track.count / 2].fix.time < horizon {
            v.track.removeFirst(v.track.count / 2)
        }
        s.vehicles[fix.vehicle] = v
    }

    private func track(
        _ activity: SourceActivity, _ rsu: inout RSUState, now: Microseconds, id: String?,
        events: inout [ConsoleModel.Event]
    ) {
        if activity.received > rsu.received, rsu.silentAlarm, let id {
            rsu.silentAlarm = false
            events.append(
                alarm(
                    "rsu-resumed", time: activity.lastSeen ?? now, source: id,
                    message: "RSU \(id) sends frames again"))
        }
        if activity.received > rsu.received { rsu.lastReceived = now }
        rsu.received = activity.received
        rsu.lastSeen = activity.lastSeen
        guard let sample = rsu.sampleTime else {
            rsu.sampleTime = now
            rsu.sampleReceived = activity.received
            return
        }
        if now - sample >= 5_000_000 {
            rsu.rate = Double(activity.received - rsu.sampleReceived) / (Double(now - sample) / 1e6)
            rsu.sampleTime = now
            rsu.sampleReceived = activity.received
        }
    }

    private func alarms(_ s: inout State, now: Microseconds, events: inout [ConsoleModel.Event]) {
        guard let first = s.firstLogTime else { return }
        let rsuLimit = Microseconds(zone.alarms.rsuSilentSeconds * 1e6)
        for index in s.rsus.indices where !s.rsus[index].silentAlarm {
            let since = s.rsus[index].lastReceived ?? first
            guard now - since > rsuLimit else { continue }
            s.rsus[index].silentAlarm = true
            let id = zone.configuration.rsus[index].id
            let seconds = Double(now - since) / 1e6
            events.append(
                alarm(
                    "rsu-silent", time: now, source: id,
                    message: s.rsus[index].lastReceived == nil
                        ? "RSU \(id) has sent no frame in \(Int(seconds)) s"
                        : "RSU \(id) silent for \(Int(seconds)) s"))
        }
        let trackLimit = Microseconds(zone.alarms.trackSilentSeconds * 1e6)
        for index in s.vehicles.indices where !s.vehicles[index].trackSilentAlarm {
            guard let state = s.vehicles[index].state, state.status.isEngaged,
                let last = s.vehicles[index].lastFixLogTime, now - last > trackLimit
            else { continue }
            s.vehicles[index].trackSilentAlarm = true
            let vin = s.vehicles[index].identity.vin
            events.append(
                alarm(
                    "track-silent", time: now, source: "jt808/\(s.vehicles[index].identity.terminalNumber)",
                    vin: vin,
                    message:
                        "JT/T 808 track of \(vin) silent for \(Int(Double(now - last) / 1e6)) s while automated"
                ))
        }
    }

    private func rejectRateAlarms(_ s: inout State, sources: [String: Metrics.SourceHealth]) -> [ConsoleModel
        .Event]
    {
        var events: [ConsoleModel.Event] = []
        let now = s.lastLogTime ?? 0
        for (name, health) in sources.sorted(by: { $0.key < $1.key }) {
            let rejected = health.rejectedTotal
            let previous = s.previousSources[name] ?? (0, 0)
            s.previousSources[name] = (health.received, rejected)
            let received = health.received - previous.received
            guard received >= Int64(zone.alarms.rejectRateMinimumFrames) else { continue }
            let share = Double(rejected - previous.rejected) / Double(received)
            if share > zone.alarms.rejectRate {
                if s.rejectAlarms.insert(name).inserted {
                    events.append(
                        alarm(
                            "reject-rate", time: now, source: name,
                            message: String(
                                format: "%@ rejected %.1f %% of %lld frames (threshold %.1f %%)", name,
                                share * 100,
                                received, zone.alarms.rejectRate * 100)))
                }
            } else {
                s.rejectAlarms.remove(name)
            }
        }
        return events
    }

    private static func counts(_ s: State, alarms: ZoneAlarms) -> (
        vehicles: [String: Int], up: Int, silent: Int
    ) {
        var vehicles: [String: Int] = [:]
        for v in s.vehicles where v.lastFix != nil {
            vehicles[v.state.map { ConsoleText.status($0.status) } ?? "unknown", default: 0] += 1
        }
        let up = s.rsus.filter { $0.lastSeen != nil && !$0.silentAlarm }.count
        return (vehicles, up, s.rsus.count - up)
    }

    // MARK: ConsoleSource (readers)

    public var mode: String { "live" }

    public func zoneInfo() -> ConsoleModel.Zone {
        let s = state.withLock {
            ($0.startedAt, $0.newestDataTime ?? $0.lastLogTime, $0.messages, $0.kindCounts)
        }
        return ConsoleModel.Zone(
            name: zone.zone.name, timeZone: zone.zone.timeZone, mode: mode,
            runStart: s.0.map(ConsoleText.iso),
            dataTime: s.1.map(ConsoleText.iso), frames: s.2,
            framesByKind: ["cv2x": s.3[0], "jt808": s.3[1], "other": s.3[2]], rsus: zone.rsuSites,
            roadLinks: zone.roadLinks)
    }

    /// Day and month figures per VIN from the last committed aggregate (cached per commit).
    private func periods(
        metrics: ZoneMetrics?, generation: Int, now: Microseconds?
    ) -> [String: (ConsoleModel.Period, ConsoleModel.Period)] {
        guard let metrics, let now else { return [:] }
        let day = ShanghaiCalendar.dayNumber(now)
        if let cache = state.withLock({ $0.cache }), cache.generation == generation, cache.day == day {
            return cache.vehicles
        }
        let monthText = ShanghaiCalendar.monthString(day)
        let monthRange = ShanghaiCalendar.dayRange(month: monthText) ?? day..<(day + 1)
        let daily = Dictionary(
            metrics.vehicleReports(days: day..<(day + 1)).map { ($0.identity.vin, $0) },
            uniquingKeysWith: { a, _ in a })
        var result: [String: (ConsoleModel.Period, ConsoleModel.Period)] = [:]
        for report in metrics.vehicleReports(days: monthRange) {
            let today = daily[report.identity.vin]
            // Disengagements and automated distance of older days, which live ingest committed
            // and dropped from memory (kept per month).
            let summary = metrics.vehicles[report.identity.vin]?.summary
            let dropped = summary?.droppedDisengagements[monthRange.lowerBound] ?? 0
            let droppedKilometres = summary?.droppedAutomatedKilometres(month: monthRange.lowerBound) ?? 0
            result[report.identity.vin] = (
                ConsoleModel.Period(
                    period: ShanghaiCalendar.dateString(day),
                    automatedKilometres: today?.automatedKilometres ?? 0,
                    disengagements: today?.disengagements.count ?? 0),
                ConsoleModel.Period(
                    period: monthText, automatedKilometres: report.automatedKilometres + droppedKilometres,
                    disengagements: report.disengagements.count + dropped)
            )
        }
        state.withLock { $0.cache = (generation, day, result) }
        return result
    }

    private func view(
        _ v: VehicleState, now: Microseconds?, periods: [String: (ConsoleModel.Period, ConsoleModel.Period)]
    ) -> ConsoleModel.Vehicle {
        let fix = v.lastFix.map(Self.fix)
        var seconds: Double?
        if let now, let last = v.lastFixLogTime { seconds = max(0, Double(now - last) / 1e6) }
        let period = periods[v.identity.vin]
        return ConsoleModel.Vehicle(
            vin: v.identity.vin, plate: plates[v.identity.vin] ?? "", operatorID: v.identity.operatorID,
            registered: v.identity.registered, lastFix: fix, level: v.state.map { Int($0.level) },
            state: v.state.map { ConsoleText.status($0.status) },
            flags: v.state.map { ConsoleModel.Flags($0.flags) },
            secondsSinceLastFix: seconds, today: period?.0, month: period?.1)
    }

    static func fix(_ f: VehicleFix) -> ConsoleModel.Fix {
        ConsoleModel.Fix(
            latitude: f.latitude, longitude: f.longitude, speed: f.speed, heading: f.heading,
            time: ConsoleText.iso(f.time), timeMicros: f.time)
    }

    private func snapshot() -> (
        vehicles: [VehicleState], now: Microseconds?, day: Microseconds?, metrics: ZoneMetrics?,
        generation: Int
    ) {
        state.withLock { s in
            // Registered vehicles are listed before any data; others once seen.
            var vehicles = s.vehicles
            if vehicles.isEmpty || vehicles.count < zone.configuration.vehicles.count {
                for identity in zone.configuration.vehicles.dropFirst(vehicles.count) {
                    vehicles.append(VehicleState(identity: identity))
                }
            }
            return (vehicles, s.lastLogTime, s.newestDataTime, s.metrics, s.generation)
        }
    }

    public func vehicles() -> [ConsoleModel.Vehicle] {
        let s = snapshot()
        let periods = periods(metrics: s.metrics, generation: s.generation, now: s.day)
        return s.vehicles.map { view($0, now: s.now, periods: periods) }
    }

    public func vehicle(vin: String) -> ConsoleModel.VehicleDetail? {
        let s = snapshot()
        guard let v = s.vehicles.first(where: { $0.identity.vin == vin }) else { return nil }
        let periods = periods(metrics: s.metrics, generation: s.generation, now: s.day)
        let newest = v.lastFix?.time ?? 0
        let horizon = newest - Microseconds(trackSeconds * 1e6)
        let track = v.track.filter { $0.fix.time >= horizon }.map { Self.fix($0.fix) }
        let day = s.day.map(ShanghaiCalendar.dayNumber)
        let events = hub.events { e in
            e.vin == vin && !e.alarm && day.map { ShanghaiCalendar.dayNumber(e.timeMicros) == $0 } ?? true
        }
        return ConsoleModel.VehicleDetail(
            vehicle: view(v, now: s.now, periods: periods), track: track, events: events)
    }

    public func rsus() -> [ConsoleModel.RSU] {
        let (rsus, now, metrics) = state.withLock { ($0.rsus, $0.lastLogTime, $0.metrics) }
        let reception = Self.reception(metrics)
        let limit = zone.alarms.rsuSilentSeconds
        return zone.configuration.rsus.enumerated().map { index, site in
            let r = rsus[index]
            let seconds = r.lastReceived.flatMap { last in now.map { max(0, Double($0 - last) / 1e6) } }
            return ConsoleModel.RSU(
                id: site.id, latitude: site.latitude, longitude: site.longitude,
                status: r.lastSeen == nil ? "never-seen" : (seconds ?? 0) > limit ? "silent" : "up",
                lastFrame: r.lastSeen.map(ConsoleText.iso), secondsSinceLastFrame: seconds,
                frames: r.received,
                framesPerSecond: r.rate, reception: reception[index] ?? [])
        }
    }

    /// BSM reception per RSU index and band over the whole run.
    static func reception(_ metrics: ZoneMetrics?) -> [Int: [ConsoleModel.Reception]] {
        guard let metrics else { return [:] }
        let c = metrics.configuration
        var totals: [Int: [Int: (received: Int64, exposure: Int64)]] = [:]
        for vehicle in metrics.vehicles.values {
            for (key, value) in VehicleReport(metrics: vehicle, configuration: c).reception {
                var entry = totals[Int(key.rsu), default: [:]][Int(key.band), default: (0, 0)]
                entry.received += value.received
                entry.exposure += value.exposure
                totals[Int(key.rsu), default: [:]][Int(key.band)] = entry
            }
        }
        let labels = c.bandLabels
        return totals.mapValues { bands in
            bands.keys.sorted().map { band in
                let t = bands[band]!
                let expected = Double(t.exposure) / 1e6 * c.nominalBSMRate
                return ConsoleModel.Reception(
                    band: band < labels.count ? labels[band] : "band \(band)", received: t.received,
                    expected: expected, ratio: expected > 0 ? Double(t.received) / expected : nil)
            }
        }
    }

    public func health() -> ConsoleModel.Health {
        let (metrics, messages) = state.withLock { ($0.metrics, $0.messages) }
        return Self.health(metrics, frames: messages, mode: mode)
    }

    static func health(_ metrics: ZoneMetrics?, frames: Int64, mode: String) -> ConsoleModel.Health {
        var result = ConsoleModel.Health(
            mode: mode, frames: frames, received: 0, decoded: 0, rejected: 0, duplicates: 0,
            unattributedBSMs: metrics?.unattributed.bsmFromUnregisteredOBU ?? 0, sources: [])
        guard let metrics else { return result }
        var gapsBySource: [String: Int64] = [:]
        for (stream, health) in metrics.sequences where stream.kind == .jt808Serial {
            gapsBySource["jt808/" + stream.id, default: 0] += health.gaps
        }
        for (name, h) in metrics.sources.sorted(by: { $0.key < $1.key }) {
            result.received += h.received
            result.decoded += h.decoded
            result.rejected += h.rejectedTotal
            result.duplicates += h.duplicates
            let offset = h.clockOffset
            result.sources.append(
                ConsoleModel.SourceHealth(
                    source: name, received: h.received, decoded: h.decoded, rejected: h.rejectedTotal,
                    rejectedByReason: h.rejected, duplicates: h.duplicates,
                    sequenceGaps: gapsBySource[name] ?? gapsBySource["jt808/" + Self.trimmed(name)] ?? 0,
                    clockOffsetMeanMilliseconds: offset.mean.map { $0 / 1000 },
                    clockOffsetMinMilliseconds: offset.count > 0 ? Double(offset.minimum) / 1000 : nil,
                    clockOffsetMaxMilliseconds: offset.count > 0 ? Double(offset.maximum) / 1000 : nil,
                    lastSeen: h.lastSeen.map(ConsoleText.iso)))
        }
        return result
    }

    /// `jt808/000123` -> `123` (terminal numbers compare without leading zeros).
    static func trimmed(_ source: String) -> String {
        let id = source.hasPrefix("jt808/") ? source.dropFirst(6) : Substring(source)
        let digits = id.drop { $0 == "0" }
        return digits.isEmpty ? "0" : String(digits)
    }

    public func events(since: Int64, limit: Int) -> [ConsoleModel.Event] {
        hub.events(since: since, limit: limit)
    }

    public func subscribe(lastEventID: Int64?) -> EventSubscription {
        hub.subscribe(lastEventID: lastEventID)
    }

    public func prometheusText() -> String {
        prometheus.clients(connected: hub.subscriberCount, dropped: hub.droppedClients)
        return prometheus.text()
    }
}
