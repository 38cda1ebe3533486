import GRDB
import Metrics

/// Writes a run's ``ZoneMetrics`` into the result tables inside the caller's SQLite transaction,
/// with cached statements and direct binding.
///
/// Each row is produced once, as values, by ``ResultRowProducer`` and handed to a ``ResultRows``
/// sink: ``write()`` inserts every row (a replay, a full rewrite); ``write(changes:)`` writes
/// only the rows that differ from what a ``LiveRowCache`` says the database holds (live ingest's
/// incremental commits). The PostgreSQL back-end hands the same rows to its own sink
/// (``PostgresResultRows``).
struct ResultWriter {
    let db: Database
    let run: Int64
    let metrics: ZoneMetrics

    /// Inserts every row of `metrics` (the run's rows must have been deleted before).
    func write() throws {
        var sink = ResultRows(db: db, run: run, cache: nil)
        try ResultRowProducer(metrics: metrics).produce(into: &sink)
    }

    /// Writes only what changed against `cache` (and updates it): the rows of the vehicles in
    /// `metrics` (the others are left as they are) and the health tables.
    func write(changes cache: inout LiveRowCache) throws {
        var sink = ResultRows(db: db, run: run, cache: cache)
        try ResultRowProducer(metrics: metrics).produce(into: &sink)
        cache = sink.cache ?? cache
    }
}

/// Where the rows of a run's aggregate go: the SQLite writer (``ResultRows``) or the PostgreSQL
/// one (``PostgresResultRows``). Rows come per vehicle (`begin(vehicle:)` ... `end()`), then the
/// run-wide health tables (`begin(vehicle: nil)` ... `end()`).
protocol ResultRowSink {
    /// The registry rows of the vehicles in the aggregate (inserted or updated).
    mutating func vehicles(_ identities: [VehicleIdentity]) throws
    /// Starts the rows of a vehicle (`nil`: the run-wide health tables).
    mutating func begin(vehicle: String?)
    /// A data source seen in the run (`cv2x/<id>`, `jt808/<terminal>`): its `sources` row.
    mutating func source(_ name: String, kind: String) throws
    /// A row identified by `key` (within the vehicle).
    mutating func keyed(_ table: ResultTable, key: [DatabaseValue], _ values: [DatabaseValue]) throws
    /// The rows of a sequence table of the vehicle (segments, events), in order.
    mutating func ordered(_ table: ResultTable, _ rows: [[DatabaseValue]]) throws
    /// Ends a vehicle (or the health tables).
    mutating func end() throws
}

/// Produces the result rows of a run's aggregate, in a fixed order, into a ``ResultRowSink``.
struct ResultRowProducer {
    let metrics: ZoneMetrics

    private var configuration: MetricsConfiguration { metrics.configuration }

    func produce(into sink: inout some ResultRowSink) throws {
        try sink.vehicles(metrics.vehicles.values.map(\.identity).sorted { $0.vin < $1.vin })
        for vin in metrics.vehicles.keys.sorted() {
            guard let vehicle = metrics.vehicles[vin] else { continue }
            try produce(vehicle, into: &sink)
        }
        try produceHealth(into: &sink)
    }

    private func produce(_ vehicle: VehicleMetrics, into sink: inout some ResultRowSink) throws {
        let vin = vehicle.identity.vin
        let summary = vehicle.summary
        let totals = summary.totals(configuration: configuration)
        let open = summary.openTakeoverRequests(configuration: configuration)

        sink.begin(vehicle: vin)
        try sink.keyed(
            .vehicleRuns, key: [],
            [
                v(vin), v(totals.fixes), v(totals.timeGaps), v(totals.outlierSteps),
                v(Double(totals.distance) / 1e6), v(totals.bsmReceived), v(totals.late), v(Int64(open.count)),
                v(summary.firstTime), v(summary.lastTime),
            ])

        for (key, value) in totals.daily.sorted(by: { $0.key < $1.key }) {
            let day = ShanghaiCalendar.dateString(key.day)
            try sink.keyed(
                .vehicleDaily, key: [v(day), v(Int64(key.level))],
                [
                    v(vin), v(day), v(ShanghaiCalendar.monthString(key.day)), v(Int64(key.level)),
                    v(Double(value.distance) / 1e6), v(Double(value.time) / 1e6),
                    v(Double(value.uplinkCovered) / 1e6),
                ])
        }

        var segments: [[DatabaseValue]] = []
        for s in summary.segments(configuration: configuration) {
            segments.append([
                v(vin), v(s.start), v(s.end), v(Int64(s.level)), v(Int64(s.status.rawValue)),
                v("\(s.status)"),
                v(Double(s.distance) / 1e6),
            ])
        }
        try sink.ordered(.modeSegments, segments)

        let events = summary.events(configuration: configuration)
        // Outcome of each takeover request, from the event that closed it.
        var closers: [Microseconds: EventRecord] = [:]
        for e in events {
            for request in e.closedRequests where closers[request] == nil { closers[request] = e }
        }
        var eventRows: [[DatabaseValue]] = []
        eventRows.reserveCapacity(events.count)
        for e in events {
            var takeoverTime = e.takeoverTime
            var outcome: String?
            if e.kind == .takeoverRequest {
                if let closer = closers[e.time] {
                    switch closer.kind {
                    case .mrmStarted: outcome = "missed"
                    case .inferredDisengagement: outcome = "unresolved"
                    default: outcome = "taken-over"
                    }
                    takeoverTime = outcome == "unresolved" ? nil : closer.time - e.time
                } else {
                    outcome = "open"
                }
            }
            let day = ShanghaiCalendar.dayNumber(e.time)
            eventRows.append([
                v(vin), v(e.kind.rawValue), v(e.time), v(ShanghaiCalendar.dateString(day)),
                v(ShanghaiCalendar.monthString(day)), v(e.latitude), v(e.longitude), v(e.speed), v(e.link),
                v(e.roadClass), v(Int64(e.level)), v(e.initiator.name), v(Int64(e.initiator.rawValue)),
                v(e.cause.name), v(Int64(e.cause.rawValue)), v(takeoverTime),
                v(Int64(e.closedRequests.count)),
                v(outcome), v(Int64(e.late ? 1 : 0)), v(e.roadName), v(e.flags.map { Int64($0 & 1) }),
                v(e.flags.map { Int64($0 >> 1 & 1) }),
            ])
        }
        try sink.ordered(.events, eventRows)

        if let roads = configuration.roads {
            for key in totals.links.sorted() where Int(key.index) < roads.links.count {
                let day = ShanghaiCalendar.dateString(key.day)
                let link = roads.links[Int(key.index)].id
                try sink.keyed(
                    .linkCoverage, key: [v(day), v(link)],
                    [v(vin), v(day), v(ShanghaiCalendar.monthString(key.day)), v(link)])
            }
        }
        for key in totals.cells.sorted() {
            let day = ShanghaiCalendar.dateString(key.day)
            try sink.keyed(
                .gridCoverage, key: [v(day), v(Int64(key.index))],
                [v(vin), v(day), v(ShanghaiCalendar.monthString(key.day)), v(Int64(key.index))])
        }

        let labels = configuration.bandLabels
        for (key, value) in totals.reception.sorted(by: { $0.key < $1.key })
        where Int(key.rsu) < configuration.rsus.count && Int(key.band) < labels.count {
            let day = ShanghaiCalendar.dateString(key.day)
            let rsu = configuration.rsus[Int(key.rsu)].id
            try sink.keyed(
                .v2xReception, key: [v(day), v(rsu), v(Int64(key.band))],
                [
                    v(vin), v(day), v(ShanghaiCalendar.monthString(key.day)), v(rsu),
                    v(labels[Int(key.band)]),
                    v(Int64(key.band)), v(Double(value.exposure) / 1e6),
                    v(value.expected(rate: vehicle.identity.nominalBSMRate ?? configuration.nominalBSMRate)),
                    v(value.received),
                ])
        }
        try sink.end()
    }

    private func produceHealth(into sink: inout some ResultRowSink) throws {
        sink.begin(vehicle: nil)
        for name in metrics.sources.keys.sorted() {
            guard let h = metrics.sources[name] else { continue }
            try sink.source(name, kind: String(name.prefix { $0 != "/" }))
            try sink.keyed(
                .dataHealth, key: [v(name)],
                [
                    v(name), v(h.received), v(h.decoded), v(h.rejectedTotal), v(h.duplicates),
                    v(h.clockOffset.count), v(h.clockOffset.mean),
                    v(h.clockOffset.count > 0 ? h.clockOffset.minimum : nil),
                    v(h.clockOffset.count > 0 ? h.clockOffset.maximum : nil), v(h.firstSeen), v(h.lastSeen),
                    v(h.outage), v(h.malformedItems),
                ])
            for (reason, count) in h.rejected.sorted(by: { $0.key < $1.key }) {
                try sink.keyed(.rejectedReasons, key: [v(name), v(reason)], [v(name), v(reason), v(count)])
            }
        }
        for key in metrics.sequences.keys.sorted() {
            guard let s = metrics.sequences[key] else { continue }
            try sink.keyed(
                .sequenceHealth, key: [v(key.kind.name), v(key.id)],
                [
                    v(key.kind.name), v(key.id), v(s.count), v(s.gaps), v(s.repeats), v(s.reordered),
                    v(s.resets),
                ])
        }
        try sink.keyed(
            .unattributed, key: [],
            [
                v(metrics.unattributed.bsmFromUnregisteredOBU),
                v(metrics.unattributed.unknownVehicleObservations),
            ])
        try sink.end()
    }
}

/// A row value: an optional integer, real or text (NULL for `nil`).
private func v(_ value: Int64?) -> DatabaseValue { value.map { $0.databaseValue } ?? .null }
private func v(_ value: Int?) -> DatabaseValue { value.map { Int64($0).databaseValue } ?? .null }
private func v(_ value: Double?) -> DatabaseValue { value.map { $0.databaseValue } ?? .null }
private func v(_ value: String?) -> DatabaseValue { value.map { $0.databaseValue } ?? .null }
