import GRDB
import Metrics
import Store
import Zone

/// The console over a database, without ingesting (`testzone serve`): the same API, read-only,
/// from the stored runs (all runs of the database, as `testzone metrics` counts them). The
/// event register is the `events` table (ids are its row ids); the SSE stream sends what a
/// client missed and then stays open (nothing new arrives). The database keeps no positions
/// between events, so vehicles carry their last state, time and figures but no last fix.
public final class DatabaseConsole: ConsoleSource {
    /// The zone.
    public let zone: ConsoleZone
    /// The database.
    public let store: ZoneStore
    private let hub = EventHub(capacity: 1, clientQueue: 1)
    /// The Prometheus figures.
    public let prometheus = ConsolePrometheus()
    private let plates: [String: String]

    /// Opens the console over a database.
    public init(zone: ConsoleZone, store: ZoneStore) {
        self.zone = zone
        self.store = store
        self.plates = zone.plates
    }

    /// Ends open event streams.
    public func close() { hub.close() }

    public var mode: String { "database" }

    /// The newest data time of the database (last fix or last frame of any run).
    private func dataTime(_ db: Database) throws -> Int64? {
        try Int64.fetchOne(
            db,
            sql: """
                SELECT MAX(t) FROM (SELECT MAX(last_time_us) AS t FROM vehicle_runs
                UNION ALL SELECT MAX(last_seen_us) FROM data_health)
                """)
    }

    public func zoneInfo() throws -> ConsoleModel.Zone {
        let (start, now, frames) = try store.pool.read { db in
            (
                try Int64.fetchOne(db, sql: "SELECT MIN(started_at_us) FROM runs"), try dataTime(db),
                try Int64.fetchOne(db, sql: "SELECT COALESCE(SUM(frames), 0) FROM runs") ?? 0
            )
        }
        let kinds = try store.pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT CASE WHEN source_id LIKE 'cv2x/%' THEN 'cv2x' WHEN source_id LIKE 'jt808/%' THEN 'jt808'
                    ELSE 'other' END AS kind, SUM(received) AS n FROM data_health GROUP BY kind
                    """)
        }
        var byKind: [String: Int64] = ["cv2x": 0, "jt808": 0, "other": 0]
        for row in kinds { byKind[row["kind"]] = row["n"] }
        return ConsoleModel.Zone(
            name: zone.zone.name, timeZone: zone.zone.timeZone, mode: mode,
            runStart: start.map(ConsoleText.iso),
            dataTime: now.map(ConsoleText.iso), frames: frames, framesByKind: byKind, rsus: zone.rsuSites,
            roadLinks: zone.roadLinks)
    }

    private func vehicleViews(_ db: Database, vin: String?) throws -> [ConsoleModel.Vehicle] {
        let now = try dataTime(db)
        let day = now.map(ShanghaiCalendar.dayNumber)
        let dayText = day.map(ShanghaiCalendar.dateString) ?? ""
        let monthText = day.map(ShanghaiCalendar.monthString) ?? ""
        var arguments: StatementArguments = [dayText, monthText, dayText, monthText]
        var condition = "1"
        if let vin {
            condition = "v.vin = ?"
            arguments += [vin]
        }
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT v.vin, v.operator_id, v.registered,
                  (SELECT MAX(last_time_us) FROM vehicle_runs r WHERE r.vin = v.vin) AS last_time,
                  (SELECT level FROM mode_segments m WHERE m.vin = v.vin ORDER BY end_us DESC LIMIT 1) AS level,
                  (SELECT status FROM mode_segments m WHERE m.vin = v.vin ORDER BY end_us DESC LIMIT 1) AS status,
                  (SELECT COALESCE(SUM(distance_m), 0) FROM vehicle_daily d
                     WHERE d.vin = v.vin AND d.day = ? AND d.level IN (3, 4)) AS day_m,
                  (SELECT COALESCE(SUM(distance_m), 0) FROM vehicle_daily d
                     WHERE d.vin = v.vin AND d.month = ? AND d.level IN (3, 4)) AS month_m,
                  (SELECT COUNT(*) FROM events e WHERE e.vin = v.vin AND e.day = ?
                     AND e.kind IN ('disengagement', 'inferred-disengagement')) AS day_d,
                  (SELECT COUNT(*) FROM events e WHERE e.vin = v.vin AND e.month = ?
                     AND e.kind IN ('disengagement', 'inferred-disengagement')) AS month_d
                FROM vehicles v WHERE \(condition) ORDER BY v.vin
                """, arguments: arguments)
        return rows.map { row in
            let vin: String = row["vin"]
            let last: Int64? = row["last_time"]
            let status: Int? = row["status"]
            let level: Int? = row["level"]
            return ConsoleModel.Vehicle(
                vin: vin, plate: plates[vin] ?? "", operatorID: row["operator_id"],
                registered: row["registered"],
                lastFix: nil, level: level, state: status.map(ConsoleText.status(code:)), flags: nil,
                secondsSinceLastFix: last.flatMap { l in now.map { max(0, Double($0 - l) / 1e6) } },
                today: day == nil
                    ? nil
                    : ConsoleModel.Period(
                        period: dayText, automatedKilometres: (row["day_m"] as Double) / 1000,
                        disengagements: row["day_d"]),
                month: day == nil
                    ? nil
                    : ConsoleModel.Period(
                        period: monthText, automatedKilometres: (row["month_m"] as Double) / 1000,
                        disengagements: row["month_d"]))
        }
    }

    public func vehicles() throws -> [ConsoleModel.Vehicle] {
        try store.pool.read { try vehicleViews($0, vin: nil) }
    }

    public func vehicle(vin: String) throws -> ConsoleModel.VehicleDetail? {
        try store.pool.read { db in
            guard let view = try vehicleViews(db, vin: vin).first else { return nil }
            let day =
                try dataTime(db).map { ShanghaiCalendar.dateString(ShanghaiCalendar.dayNumber($0)) } ?? ""
            let events = try Self.events(
                db, condition: "vin = ? AND day = ?", arguments: [vin, day], limit: 10_000)
            return ConsoleModel.VehicleDetail(vehicle: view, track: [], events: events)
        }
    }

    static func events(
        _ db: Database, condition: String, arguments: StatementArguments, limit: Int
    ) throws -> [ConsoleModel.Event] {
        var arguments = arguments
        arguments += [limit]
        return try Row.fetchAll(
            db,
            sql: """
                SELECT id, kind, time_us, vin, level, initiator, cause, latitude, longitude, link_id,
                  takeover_outcome, takeover_time_us FROM events WHERE \(condition) ORDER BY id LIMIT ?
                """, arguments: arguments
        ).map { row in
            let time: Int64 = row["time_us"]
            let takeover: Int64? = row["takeover_time_us"]
            return ConsoleModel.Event(
                id: row["id"], kind: row["kind"], alarm: false, time: ConsoleText.iso(time), timeMicros: time,
                receivedMicros: nil, vin: row["vin"], level: row["level"], initiator: row["initiator"],
                cause: row["cause"], latitude: row["latitude"], longitude: row["longitude"],
                link: row["link_id"],
                outcome: row["takeover_outcome"], takeoverSeconds: takeover.map { Double($0) / 1e6 })
        }
    }

    public func events(since: Int64, limit: Int) throws -> [ConsoleModel.Event] {
        try store.pool.read { try Self.events($0, condition: "id > ?", arguments: [since], limit: limit) }
    }

    public func subscribe(lastEventID: Int64?) -> EventSubscription {
        var subscription = hub.subscribe(lastEventID: nil)
        if let lastEventID {
            subscription.backlog = (try? events(since: lastEventID, limit: 100_000)) ?? []
        }
        return subscription
    }

    /// Accounting of all runs as one aggregate (data health and sequence gaps).
    private func accounting() throws -> ZoneMetrics {
        var metrics = ZoneMetrics(configuration: zone.configuration)
        try store.pool.read { db in
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT source_id, SUM(received) AS received, SUM(decoded) AS decoded,
                      SUM(duplicates) AS duplicates, SUM(clock_offset_samples) AS samples,
                      SUM(clock_offset_mean_us * clock_offset_samples) AS offset_sum,
                      MIN(clock_offset_min_us) AS offset_min, MAX(clock_offset_max_us) AS offset_max,
                      MIN(first_seen_us) AS first_seen, MAX(last_seen_us) AS last_seen
                    FROM data_health GROUP BY source_id
                    """)
            {
                var health = Metrics.SourceHealth()
                health.received = row["received"]
                health.decoded = row["decoded"]
                health.duplicates = row["duplicates"]
                health.clockOffset.count = row["samples"]
                health.clockOffset.sum = Int64(((row["offset_sum"] as Double?) ?? 0).rounded())
                health.clockOffset.minimum = row["offset_min"] ?? .max
                health.clockOffset.maximum = row["offset_max"] ?? .min
                health.firstSeen = row["first_seen"]
                health.lastSeen = row["last_seen"]
                metrics.sources[row["source_id"]] = health
            }
            for row in try Row.fetchAll(
                db,
                sql:
                    "SELECT source_id, reason, SUM(count) AS n FROM rejected_reasons GROUP BY source_id, reason"
            ) {
                metrics.sources[row["source_id"], default: Metrics.SourceHealth()].rejected[row["reason"]] =
                    row["n"]
            }
            for row in try Row.fetchAll(
                db,
                sql:
                    "SELECT stream_id, SUM(gaps) AS gaps FROM sequence_health WHERE stream_kind = 'jt808-serial' GROUP BY stream_id"
            ) {
                var health = SequenceHealth()
                health.gaps = row["gaps"]
                metrics.sequences[SequenceStream(kind: .jt808Serial, id: row["stream_id"])] = health
            }
            metrics.unattributed.bsmFromUnregisteredOBU =
                try Int64.fetchOne(
                    db, sql: "SELECT COALESCE(SUM(bsm_from_unregistered_obu), 0) FROM unattributed") ?? 0
        }
        return metrics
    }

    public func rsus() throws -> [ConsoleModel.RSU] {
        let metrics = try accounting()
        let now = try store.pool.read { try dataTime($0) }
        let reception = try store.pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT rsu_id, band, band_index, SUM(received) AS received, SUM(expected) AS expected
                    FROM v2x_reception GROUP BY rsu_id, band_index ORDER BY rsu_id, band_index
                    """)
        }
        var bands: [String: [ConsoleModel.Reception]] = [:]
        for row in reception {
            let expected: Double = row["expected"]
            let received: Int64 = row["received"]
            bands[row["rsu_id"], default: []].append(
                ConsoleModel.Reception(
                    band: row["band"], received: received, expected: expected,
                    ratio: expected > 0 ? Double(received) / expected : nil))
        }
        let limit = zone.alarms.rsuSilentSeconds
        return zone.configuration.rsus.map { site in
            let health = metrics.sources["cv2x/" + site.id]
            let seconds = health?.lastSeen.flatMap { last in now.map { max(0, Double($0 - last) / 1e6) } }
            var rate = 0.0
            if let h = health, let first = h.firstSeen, let last = h.lastSeen, last > first {
                rate = Double(h.received) / (Double(last - first) / 1e6)
            }
            return ConsoleModel.RSU(
                id: site.id, latitude: site.latitude, longitude: site.longitude,
                status: health?.lastSeen == nil ? "never-seen" : (seconds ?? 0) > limit ? "silent" : "up",
                lastFrame: health?.lastSeen.map(ConsoleText.iso), secondsSinceLastFrame: seconds,
                frames: health?.received ?? 0, framesPerSecond: rate, reception: bands[site.id] ?? [])
        }
    }

    public func health() throws -> ConsoleModel.Health {
        let frames = try store.pool.read {
            try Int64.fetchOne($0, sql: "SELECT COALESCE(SUM(frames), 0) FROM runs") ?? 0
        }
        return LiveConsole.health(try accounting(), frames: frames, mode: mode)
    }

    public func prometheusText() -> String {
        if let metrics = try? accounting() {
            let files =
                (try? store.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM run_files") ?? 0 })
                ?? 0
            prometheus.commit(
                sources: metrics.sources, journalFiles: files, journalBytes: 0, nanoseconds: nil)
        }
        if let vehicles = try? vehicles(), let rsus = try? rsus() {
            var states: [String: Int] = [:]
            for v in vehicles where v.secondsSinceLastFix != nil {
                states[v.state ?? "unknown", default: 0] += 1
            }
            let up = rsus.filter { $0.status == "up" }.count
            prometheus.states(vehicles: states, rsusUp: up, rsusSilent: rsus.count - up)
        }
        return prometheus.text()
    }
}
