import GRDB
import Metrics

/// Writes a run's ``ZoneMetrics`` into the result tables inside the caller's transaction, with
/// cached statements and direct binding.
struct ResultWriter {
    let db: Database
    let run: Int64
    let metrics: ZoneMetrics

    private var configuration: MetricsConfiguration { metrics.configuration }

    func write() throws {
        try ZoneStore.upsertVehicles(db, metrics.vehicles.values.map(\.identity).sorted { $0.vin < $1.vin })
        for vin in metrics.vehicles.keys.sorted() {
            guard let vehicle = metrics.vehicles[vin] else { continue }
            try write(vehicle)
        }
        try writeHealth()
    }

    private func write(_ vehicle: VehicleMetrics) throws {
        let vin = vehicle.identity.vin
        let summary = vehicle.summary
        let totals = summary.totals(configuration: configuration)
        let open = summary.openTakeoverRequests(configuration: configuration)

        let runRow = try InsertStatement(
            db,
            sql: """
                INSERT INTO vehicle_runs(run_id, vin, fixes, time_gaps, outlier_steps, distance_m, bsm_received,
                late, open_takeover_requests, first_time_us, last_time_us) VALUES (?,?,?,?,?,?,?,?,?,?,?)
                """)
        runRow.bind(1, run)
        runRow.bind(2, vin)
        runRow.bind(3, totals.fixes)
        runRow.bind(4, totals.timeGaps)
        runRow.bind(5, totals.outlierSteps)
        runRow.bind(6, Double(totals.distance) / 1e6)
        runRow.bind(7, totals.bsmReceived)
        runRow.bind(8, totals.late)
        runRow.bind(9, open.count)
        runRow.bind(10, summary.firstTime)
        runRow.bind(11, summary.lastTime)
        try runRow.step()

        let daily = try InsertStatement(
            db,
            sql: """
                INSERT INTO vehicle_daily(run_id, vin, day, month, level, distance_m, time_s, uplink_covered_m)
                VALUES (?,?,?,?,?,?,?,?)
                """)
        for (key, value) in totals.daily.sorted(by: { $0.key < $1.key }) {
            daily.bind(1, run)
            daily.bind(2, vin)
            daily.bind(3, ShanghaiCalendar.dateString(key.day))
            daily.bind(4, ShanghaiCalendar.monthString(key.day))
            daily.bind(5, Int(key.level))
            daily.bind(6, Double(value.distance) / 1e6)
            daily.bind(7, Double(value.time) / 1e6)
            daily.bind(8, Double(value.uplinkCovered) / 1e6)
            try daily.step()
        }

        let segment = try InsertStatement(
            db,
            sql: """
                INSERT INTO mode_segments(run_id, vin, start_us, end_us, level, status, status_name, distance_m)
                VALUES (?,?,?,?,?,?,?,?)
                """)
        for s in summary.segments(configuration: configuration) {
            segment.bind(1, run)
            segment.bind(2, vin)
            segment.bind(3, s.start)
            segment.bind(4, s.end)
            segment.bind(5, Int(s.level))
            segment.bind(6, Int(s.status.rawValue))
            segment.bind(7, "\(s.status)")
            segment.bind(8, Double(s.distance) / 1e6)
            try segment.step()
        }

        let event = try InsertStatement(
            db,
            sql: """
                INSERT INTO events(run_id, vin, kind, time_us, day, month, latitude, longitude, speed_mps, link_id,
                road_class, level, initiator, initiator_code, cause, cause_code, takeover_time_us,
                closed_requests, takeover_outcome, late, road_name, safety_driver, remote_operator)
                VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                """)
        let events = summary.events(configuration: configuration)
        // Outcome of each takeover request, from the event that closed it.
        var closers: [Microseconds: EventRecord] = [:]
        for e in events {
            for request in e.closedRequests where closers[request] == nil { closers[request] = e }
        }
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
            event.bind(1, run)
            event.bind(2, vin)
            event.bind(3, e.kind.rawValue)
            event.bind(4, e.time)
            event.bind(5, ShanghaiCalendar.dateString(day))
            event.bind(6, ShanghaiCalendar.monthString(day))
            event.bind(7, e.latitude)
            event.bind(8, e.longitude)
            event.bind(9, e.speed)
            event.bind(10, e.link)
            event.bind(11, e.roadClass)
            event.bind(12, Int(e.level))
            event.bind(13, e.initiator.name)
            event.bind(14, Int(e.initiator.rawValue))
            event.bind(15, e.cause.name)
            event.bind(16, Int(e.cause.rawValue))
            event.bind(17, takeoverTime)
            event.bind(18, e.closedRequests.count)
            event.bind(19, outcome)
            event.bind(20, e.late ? 1 : 0)
            event.bind(21, e.roadName)
            event.bind(22, e.flags.map { Int64($0 & 1) })
            event.bind(23, e.flags.map { Int64($0 >> 1 & 1) })
            try event.step()
        }

        if let roads = configuration.roads {
            let link = try InsertStatement(
                db, sql: "INSERT INTO link_coverage(run_id, vin, day, month, link_id) VALUES (?,?,?,?,?)")
            for key in totals.links.sorted() where Int(key.index) < roads.links.count {
                link.bind(1, run)
                link.bind(2, vin)
                link.bind(3, ShanghaiCalendar.dateString(key.day))
                link.bind(4, ShanghaiCalendar.monthString(key.day))
                link.bind(5, roads.links[Int(key.index)].id)
                try link.step()
            }
        }
        let cell = try InsertStatement(
            db, sql: "INSERT INTO grid_coverage(run_id, vin, day, month, cell) VALUES (?,?,?,?,?)")
        for key in totals.cells.sorted() {
            cell.bind(1, run)
            cell.bind(2, vin)
            cell.bind(3, ShanghaiCalendar.dateString(key.day))
            cell.bind(4, ShanghaiCalendar.monthString(key.day))
            cell.bind(5, Int(key.index))
            try cell.step()
        }

        let labels = configuration.bandLabels
        let reception = try InsertStatement(
            db,
            sql: """
                INSERT INTO v2x_reception(run_id, vin, day, month, rsu_id, band, band_index, exposure_s, expected,
                received) VALUES (?,?,?,?,?,?,?,?,?,?)
                """)
        for (key, value) in totals.reception.sorted(by: { $0.key < $1.key })
        where Int(key.rsu) < configuration.rsus.count && Int(key.band) < labels.count {
            reception.bind(1, run)
            reception.bind(2, vin)
            reception.bind(3, ShanghaiCalendar.dateString(key.day))
            reception.bind(4, ShanghaiCalendar.monthString(key.day))
            reception.bind(5, configuration.rsus[Int(key.rsu)].id)
            reception.bind(6, labels[Int(key.band)])
            reception.bind(7, Int(key.band))
            reception.bind(8, Double(value.exposure) / 1e6)
            reception.bind(9, value.expected(rate: vehicle.identity.nominalBSMRate ?? configuration.nominalBSMRate))
            reception.bind(10, value.received)
            try reception.step()
        }
    }

    private func writeHealth() throws {
        let health = try InsertStatement(
            db,
            sql: """
                INSERT INTO data_health(run_id, source_id, received, decoded, rejected, duplicates,
                clock_offset_samples, clock_offset_mean_us, clock_offset_min_us, clock_offset_max_us,
                first_seen_us, last_seen_us) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
                """)
        let reasons = try InsertStatement(
            db, sql: "INSERT INTO rejected_reasons(run_id, source_id, reason, count) VALUES (?,?,?,?)")
        let source = try InsertStatement(
            db, sql: "INSERT OR IGNORE INTO sources(id, kind) VALUES (?, ?)")
        for name in metrics.sources.keys.sorted() {
            guard let h = metrics.sources[name] else { continue }
            source.bind(1, name)
            source.bind(2, String(name.prefix { $0 != "/" }))
            try source.step()
            health.bind(1, run)
            health.bind(2, name)
            health.bind(3, h.received)
            health.bind(4, h.decoded)
            health.bind(5, h.rejectedTotal)
            health.bind(6, h.duplicates)
            health.bind(7, h.clockOffset.count)
            health.bind(8, h.clockOffset.mean)
            health.bind(9, h.clockOffset.count > 0 ? h.clockOffset.minimum : nil)
            health.bind(10, h.clockOffset.count > 0 ? h.clockOffset.maximum : nil)
            health.bind(11, h.firstSeen)
            health.bind(12, h.lastSeen)
            try health.step()
            for (reason, count) in h.rejected.sorted(by: { $0.key < $1.key }) {
                reasons.bind(1, run)
                reasons.bind(2, name)
                reasons.bind(3, reason)
                reasons.bind(4, count)
                try reasons.step()
            }
        }
        let sequence = try InsertStatement(
            db,
            sql: """
                INSERT INTO sequence_health(run_id, stream_kind, stream_id, count, gaps, repeats, reordered, resets)
                VALUES (?,?,?,?,?,?,?,?)
                """)
        for key in metrics.sequences.keys.sorted() {
            guard let s = metrics.sequences[key] else { continue }
            sequence.bind(1, run)
            sequence.bind(2, key.kind.name)
            sequence.bind(3, key.id)
            sequence.bind(4, s.count)
            sequence.bind(5, s.gaps)
            sequence.bind(6, s.repeats)
            sequence.bind(7, s.reordered)
            sequence.bind(8, s.resets)
            try sequence.step()
        }
        try db.execute(
            sql:
                "INSERT INTO unattributed(run_id, bsm_from_unregistered_obu, unknown_vehicle_observations) VALUES (?,?,?)",
            arguments: [
                run, metrics.unattributed.bsmFromUnregisteredOBU,
                metrics.unattributed.unknownVehicleObservations,
            ])
    }
}
