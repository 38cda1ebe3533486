/// Computes a ``MonthlyReport`` from the rows of the month and of the previous month.
///
/// The rows are expected to be already restricted to the report's scope (one operator, or the
/// whole zone) and to the month; the builder only aggregates, with the definitions of DESIGN.md
/// section 5 and the Store's conventions: automated distance is L3 + L4 with status active, a
/// disengagement is an event of kind `disengagement` or `inferred-disengagement`, takeover times
/// are those of requests that were taken over. Every collection in the result is sorted by a
/// fixed key, so the same rows always give the same report.
public struct ReportBuilder: Sendable {
    public var month: ReportPeriod
    public var operatorFilter: String?
    public var generatedAtMicros: Int64
    public var softwareVersion: String

    /// The automated levels of the zone: rates and distances count these.
    public static let automatedLevels = [3, 4]

    public init(
        month: ReportPeriod, operatorFilter: String?, generatedAtMicros: Int64, softwareVersion: String
    ) {
        self.month = month
        self.operatorFilter = operatorFilter
        self.generatedAtMicros = generatedAtMicros
        self.softwareVersion = softwareVersion
    }

    /// Builds the report from the month's rows and the previous month's rows.
    public func build(records: ReportRecords, previous: ReportRecords) -> MonthlyReport {
        // The digest reads the same rows as the report: both are computed at the same time.
        let month = self.month
        var (report, digest) = Parallel.both(
            { self.build(records: records, previous: previous, digest: "") },
            {
                RecordDigest.digest(
                    month: month, records: records, previousMonth: month.previous, previous: previous)
            })
        report.digest = digest
        return report
    }

    private func build(records: ReportRecords, previous: ReportRecords, digest: String) -> MonthlyReport {
        let operatorsByID = Dictionary(records.operators.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let vehiclesByVIN = Dictionary(records.vehicles.map { ($0.vin, $0) }, uniquingKeysWith: { a, _ in a })
        let driving = records.driving.filter { Self.automatedLevels.contains($0.level) }
        let events = Self.sortedEvents(records.events, in: month)

        // Per-vehicle aggregates.
        var vehicleTotals: [String: VehicleRow] = [:]
        func row(_ vin: String) -> VehicleRow {
            if let existing = vehicleTotals[vin] { return existing }
            let vehicle = vehiclesByVIN[vin]
            return VehicleRow(
                vin: vin, plate: vehicle?.plate ?? "", operatorID: vehicle?.operatorID ?? "",
                permit: vehicle?.permit ?? "", metersL3: 0, metersL4: 0, meters: 0, seconds: 0,
                disengagements: 0,
                takeoverRequests: 0, mrms: 0, collisions: 0, severeFailures: 0, activeDays: 0,
                registered: vehicle?.registered ?? false)
        }
        for vehicle in records.vehicles where vehicle.registered {
            vehicleTotals[vehicle.vin] = row(vehicle.vin)
        }
        var activeDays: [String: Set<String>] = [:]
        var daily: [String: DailyDistanceRow] = [:]
        for record in driving {
            var total = row(record.vin)
            if record.level == 3 { total.metersL3 += record.meters }
            if record.level == 4 { total.metersL4 += record.meters }
            total.meters += record.meters
            total.seconds += record.seconds
            vehicleTotals[record.vin] = total
            if record.meters > 0 || record.seconds > 0 {
                activeDays[record.vin, default: []].insert(record.day)
            }
            let key = record.day + "\t" + record.vin
            var day =
                daily[key]
                ?? DailyDistanceRow(
                    day: record.day, vin: record.vin, operatorID: vehiclesByVIN[record.vin]?.operatorID ?? "",
                    metersL3: 0, metersL4: 0, meters: 0, seconds: 0)
            if record.level == 3 { day.metersL3 += record.meters }
            if record.level == 4 { day.metersL4 += record.meters }
            day.meters += record.meters
            day.seconds += record.seconds
            daily[key] = day
        }
        for event in events {
            var total = row(event.vin)
            switch event.kind {
            case .disengagement, .inferredDisengagement: total.disengagements += 1
            case .takeoverRequest: total.takeoverRequests += 1
            case .mrmStarted: total.mrms += 1
            case .collision: total.collisions += 1
            case .severeFailure: total.severeFailures += 1
            default: break
            }
            vehicleTotals[event.vin] = total
        }
        for (vin, days) in activeDays { vehicleTotals[vin]?.activeDays = days.count }
        // By operator, vehicles without one (not in the registry) last.
        let vehicles = vehicleTotals.values.sorted {
            ($0.operatorID.isEmpty ? 1 : 0, $0.operatorID, $0.vin) < (
                $1.operatorID.isEmpty ? 1 : 0, $1.operatorID, $1.vin
            )
        }

        // Per-operator aggregates.
        var operatorRows: [String: OperatorRow] = [:]
        func emptyOperator(_ id: String) -> OperatorRow {
            OperatorRow(
                id: id, name: operatorsByID[id]?.name ?? "", vehicles: 0, vehiclesActive: 0, metersL3: 0,
                metersL4: 0, meters: 0, seconds: 0, disengagements: 0, takeoverRequests: 0, mrms: 0,
                collisions: 0,
                severeFailures: 0)
        }
        for record in records.operators { operatorRows[record.id] = emptyOperator(record.id) }
        let activeVINs = Self.activeVehicles(month: month, records: records)
        for vehicle in vehicles {
            let id = vehicle.operatorID
            var op = operatorRows[id] ?? emptyOperator(id)
            op.vehicles += 1
            if activeVINs.contains(vehicle.vin) { op.vehiclesActive += 1 }
            op.metersL3 += vehicle.metersL3
            op.metersL4 += vehicle.metersL4
            op.meters += vehicle.meters
            op.seconds += vehicle.seconds
            op.disengagements += vehicle.disengagements
            op.takeoverRequests += vehicle.takeoverRequests
            op.mrms += vehicle.mrms
            op.collisions += vehicle.collisions
            op.severeFailures += vehicle.severeFailures
            operatorRows[id] = op
        }
        var operators = operatorRows.values.sorted { $0.id < $1.id }
        if let filter = operatorFilter { operators = operators.filter { $0.id == filter } }

        // Disengagement listing.
        let disengagements = events.filter { $0.kind.isDisengagement }.map { event in
            DisengagementRow(
                micros: event.micros, vin: event.vin, operatorID: vehiclesByVIN[event.vin]?.operatorID ?? "",
                permit: vehiclesByVIN[event.vin]?.permit ?? "", level: event.level,
                initiator: Categories.initiator(event.initiator),
                cause: Categories.cause(Self.causeName(event)),
                inferred: event.kind == .inferredDisengagement, latitude: event.latitude,
                longitude: event.longitude, linkID: event.linkID, roadClass: event.roadClass,
                speedKmh: event.speed.map { $0 * 3.6 }, takeoverSeconds: event.takeoverSeconds,
                roadName: event.roadName)
        }

        var reasons: [String: Int] = [:]
        for reject in records.rejects { reasons[reject.reason, default: 0] += reject.count }
        return MonthlyReport(
            month: month, operatorFilter: operatorFilter, generatedAtMicros: generatedAtMicros,
            softwareVersion: softwareVersion, digest: digest,
            zone: records.zone, provisional: month.isUnfinished(at: generatedAtMicros),
            register: Self.register(
                events: events, vehiclesByVIN: vehiclesByVIN, defaultCategory: records.zone.defaultCategory),
            months: Self.months(period: month, driving: driving, events: events),
            runs: records.runs.sorted { $0.id < $1.id },
            rejectsByReason: reasons.map { RejectRecord(source: "", reason: $0.key, count: $0.value) }
                .sorted { ($1.count, $0.reason) < ($0.count, $1.reason) },
            summary: Self.summarize(month: month, records: records),
            previous: Self.summarize(month: month.previous, records: previous),
            operators: operators, vehicles: vehicles,
            dailyDistance: daily.values.sorted { ($0.day, $0.vin) < ($1.day, $1.vin) },
            disengagements: disengagements, coverage: Self.coverage(records: records),
            v2x: Self.v2x(records: records),
            dataHealth: Self.dataHealth(
                month: month, records: records, events: events, vehiclesByVIN: vehiclesByVIN))
    }

    /// Month by month within the period (automated L3/L4 driving and events of each month).
    static func months(period: ReportPeriod, driving: [DrivingRecord], events: [EventRecord]) -> [MonthRow] {
        var rows = Dictionary(
            uniqueKeysWithValues: period.months.map {
                ($0.description, MonthRow(month: $0.description, meters: 0, seconds: 0))
            })
        for record in driving {
            let key = String(record.day.prefix(7))
            rows[key]?.meters += record.meters
            rows[key]?.seconds += record.seconds
        }
        for event in events {
            let key = String(ShanghaiTime.day(micros: event.micros).prefix(7))
            switch event.kind {
            case .disengagement, .inferredDisengagement: rows[key]?.disengagements += 1
            case .plannedDeactivation: rows[key]?.plannedDeactivations += 1
            case .takeoverRequest: rows[key]?.takeoverRequests += 1
            case .mrmStarted: rows[key]?.mrms += 1
            case .collision: rows[key]?.collisions += 1
            case .severeFailure: rows[key]?.severeFailures += 1
            default: break
            }
        }
        return rows.values.sorted { $0.month < $1.month }
    }

    /// The month's events in a fixed order: time, VIN, kind.
    static func sortedEvents(_ events: [EventRecord], in month: ReportPeriod) -> [EventRecord] {
        events.filter { month.contains(micros: $0.micros) }.sorted {
            ($0.micros, $0.vin, $0.kind.rawValue) < ($1.micros, $1.vin, $1.kind.rawValue)
        }
    }

    /// VINs with automated driving or any automation event in the month.
    static func activeVehicles(month: ReportPeriod, records: ReportRecords) -> Set<String> {
        var active = Set(
            records.driving.filter { automatedLevels.contains($0.level) && ($0.meters > 0 || $0.seconds > 0) }
                .map(\.vin))
        for event in records.events where month.contains(micros: event.micros) { active.insert(event.vin) }
        return active
    }

    /// The headline figures of one month's rows.
    static func summarize(month: ReportPeriod, records: ReportRecords) -> PeriodSummary {
        let events = sortedEvents(records.events, in: month)
        let active = activeVehicles(month: month, records: records)
        let operatorOf = Dictionary(
            records.vehicles.map { ($0.vin, $0.operatorID) }, uniquingKeysWith: { a, _ in a })
        let activeOperators = Set(active.compactMap { operatorOf[$0] }.filter { !$0.isEmpty })

        var levels: [Int: LevelDistance] = [:]
        for level in automatedLevels {
            levels[level] = LevelDistance(level: level, meters: 0, seconds: 0, disengagements: 0)
        }
        var uplink = 0.0
        for record in records.driving where automatedLevels.contains(record.level) {
            levels[record.level]?.meters += record.meters
            levels[record.level]?.seconds += record.seconds
            uplink += record.uplinkMeters
        }
        var initiators = [String: Int]()
        var causes = [String: Int]()
        var disengagements = 0
        var planned = 0
        var inferred = 0
        var mrms = 0
        var collisions = 0
        var severe = 0
        var requests = 0
        var missed = 0
        var takeoverTimes: [Double] = []
        for event in events {
            switch event.kind {
            case .disengagement, .inferredDisengagement:
                disengagements += 1
                if event.kind == .inferredDisengagement { inferred += 1 }
                initiators[event.initiator, default: 0] += 1
                causes[causeName(event), default: 0] += 1
                levels[event.level]?.disengagements += 1
            case .plannedDeactivation: planned += 1
            case .mrmStarted: mrms += 1
            case .collision: collisions += 1
            case .severeFailure: severe += 1
            case .takeoverRequest:
                requests += 1
                if event.takeoverOutcome == "missed" { missed += 1 }
                if event.takeoverOutcome == "taken-over", let seconds = event.takeoverSeconds {
                    takeoverTimes.append(seconds)
                }
            case .deactivation, .engagement, .mrmEnded: break
            }
        }
        takeoverTimes.sort()

        let lengths = Dictionary(
            records.links.map { ($0.id, $0.lengthMeters) }, uniquingKeysWith: { a, _ in a })
        let networkMeters = records.links.reduce(0) { $0 + $1.lengthMeters }
        let coveredIDs = Set(records.linkUsage.filter { $0.vehicleDays > 0 }.map(\.linkID))
        // Summed in a fixed order: the same rows give the same bits.
        let covered = coveredIDs.sorted().reduce(0.0) { $0 + (lengths[$1] ?? 0) }

        return PeriodSummary(
            month: month, vehiclesActive: active.count, operatorsActive: activeOperators.count,
            levels: levels.values.sorted { $0.level < $1.level }, uplinkMeters: uplink,
            disengagements: disengagements,
            byInitiator: Categories.counts(
                initiators, order: Categories.initiatorOrder, label: Categories.initiator),
            byCause: Categories.counts(causes, order: Categories.causeOrder, label: Categories.cause),
            plannedDeactivations: planned, inferredDisengagements: inferred, takeoverRequests: requests,
            takeoversMissed: missed, takeoverMedianSeconds: Percentile.median(takeoverTimes),
            takeoverP95Seconds: Percentile.nearestRank(takeoverTimes, 0.95),
            takeoverMaxSeconds: takeoverTimes.last,
            mrms: mrms, collisions: collisions, severeFailures: severe,
            linkCoverage: networkMeters > 0 ? min(1, covered / networkMeters) : nil,
            gridCoverage: records.grid.totalCells > 0
                ? Double(Set(records.grid.visitedCells).count) / Double(records.grid.totalCells) : nil)
    }

    static func coverage(records: ReportRecords) -> CoverageSection {
        var usage: [String: (days: Int, meters: Double?)] = [:]
        for record in records.linkUsage {
            let current = usage[record.linkID] ?? (0, nil)
            let meters: Double? =
                switch (current.meters, record.automatedMeters) {
                case (nil, nil): nil
                case (let a, let b): (a ?? 0) + (b ?? 0)
                }
            usage[record.linkID] = (current.days + record.vehicleDays, meters)
        }
        let hasDistance = records.linkUsage.contains { $0.automatedMeters != nil }
        let links = records.links.map { link in
            LinkCoverageRow(
                id: link.id, name: link.name, roadClass: link.roadClass, lengthMeters: link.lengthMeters,
                vehicleDays: usage[link.id]?.days ?? 0,
                automatedMeters: hasDistance ? (usage[link.id]?.meters ?? 0) : nil, points: link.points)
        }.sorted { NaturalOrder.less($0.id, $1.id) }
        var hours = (0..<24).map { HourOfDay(hour: $0, seconds: 0, meters: 0) }
        for record in records.hours where (0..<24).contains(record.hour) {
            hours[record.hour].seconds += record.seconds
            hours[record.hour].meters += record.meters
        }
        let driven = links.filter(\.covered)
        return CoverageSection(
            links: links, networkMeters: links.reduce(0) { $0 + $1.lengthMeters },
            coveredMeters: driven.reduce(0) { $0 + $1.lengthMeters }, linksDriven: driven.count,
            hasLinkDistance: hasDistance, gridCellMeters: records.grid.cellMeters,
            gridCells: records.grid.totalCells,
            gridCellsVisited: Set(records.grid.visitedCells).count, hours: hours)
    }

    static func v2x(records: ReportRecords) -> V2XSection {
        var reception: [String: [Int: (received: Int, expected: Double)]] = [:]
        for row in records.reception {
            guard
                let band = V2XSection.bands.firstIndex(where: {
                    $0.0 == row.bandLower && $0.1 == row.bandUpper
                })
            else { continue }
            let current = reception[row.rsuID]?[band] ?? (0, 0)
            reception[row.rsuID, default: [:]][band] = (
                current.received + row.received, current.expected + row.expected
            )
        }
        var rsus = records.rsus
        // RSUs that received BSMs but are not registered still get a row.
        for id in reception.keys where !rsus.contains(where: { $0.id == id }) {
            rsus.append(RSURecord(id: id, name: "", position: nil, availableSeconds: 0, expectedSeconds: 0))
        }
        return V2XSection(
            rsus: rsus.sorted { NaturalOrder.less($0.id, $1.id) }.map { rsu in
                RSURow(
                    id: rsu.id, name: rsu.name, position: rsu.position,
                    availableSeconds: rsu.availableSeconds,
                    expectedSeconds: rsu.expectedSeconds,
                    bands: V2XSection.bands.enumerated().map { index, band in
                        let value = reception[rsu.id]?[index] ?? (0, 0)
                        return BandReception(
                            lower: band.0, upper: band.1, received: value.received, expected: value.expected)
                    })
            })
    }

    static func dataHealth(
        month: ReportPeriod, records: ReportRecords, events: [EventRecord],
        vehiclesByVIN: [String: VehicleRecord]
    ) -> DataHealthSection {
        var reasons: [String: [RejectRecord]] = [:]
        for reject in records.rejects { reasons[reject.source, default: []].append(reject) }
        let sources = records.sources.sorted { ($0.kind, $0.source) < ($1.kind, $1.source) }.map { source in
            SourceRow(
                source: source.source, kind: source.kind, received: source.received, decoded: source.decoded,
                rejected: source.rejected, duplicates: source.duplicates,
                clockOffsetMillis: source.clockOffsetMillis,
                rejectReasons: (reasons[source.source] ?? []).sorted {
                    ($1.count, $0.reason) < ($0.count, $1.reason)
                })
        }
        let drivingDays = Set(
            records.driving.filter { automatedLevels.contains($0.level) && $0.meters > 0 }.map(\.day))
        let seen = Set(records.driving.map(\.vin)).union(events.map(\.vin))
        let sequences = records.sequences.sorted {
            let a = $0.gaps + $0.repeats + $0.reordered + $0.resets > 0
            let b = $1.gaps + $1.repeats + $1.reordered + $1.resets > 0
            return (a ? 0 : 1, $0.streamKind, $0.streamID) < (b ? 0 : 1, $1.streamKind, $1.streamID)
        }
        return DataHealthSection(
            sources: sources, sequences: sequences,
            inferredDisengagements: events.filter { $0.kind == .inferredDisengagement }.count,
            trackTimeGaps: records.trackGaps.reduce(0) { $0 + $1.timeGaps },
            trackOutlierSteps: records.trackGaps.reduce(0) { $0 + $1.outlierSteps },
            unattributed: records.unattributed,
            daysWithoutDriving: month.days.filter { !drivingDays.contains($0) }.count,
            unregisteredVehicles: seen.filter { vehiclesByVIN[$0]?.registered != true }.sorted())
    }
}

/// Percentiles of sorted samples.
public enum Percentile {
    /// The median: the middle sample, or the mean of the two middle samples; nil when empty.
    public static func median(_ sorted: [Double]) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Nearest-rank percentile: the smallest sample with at least `fraction` of the samples at
    /// or below it (sorted[ceil(fraction * n) - 1]); nil when empty.
    public static func nearestRank(_ sorted: [Double], _ fraction: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count, max(1, rank)) - 1]
    }
}

/// Names and labels of initiators and causes (DESIGN.md section 4; the Store's names).
public enum Categories {
    /// Initiators in report order.
    public static let initiatorOrder = [
        "ads", "safety-driver", "remote-operator", "passenger", "n/a", "unknown",
    ]
    /// Causes in report order (`planned-end` is never a disengagement).
    public static let causeOrder = [
        "perception", "localization", "planning", "control", "hardware", "communication", "left-odd",
        "other-road-user", "road-works", "precaution", "unspecified", "unknown",
    ]

    /// Counts for every name of `order`, then any other names seen, sorted.
    static func counts(
        _ counts: [String: Int], order: [String], label: (String, Int) -> CategoryCount
    ) -> [CategoryCount] {
        let extra = counts.keys.filter { !order.contains($0) }.sorted()
        return (order + extra).map { label($0, counts[$0, default: 0]) }
    }

    public static func initiator(_ name: String, count: Int = 0) -> CategoryCount {
        let label =
            switch name {
            case "ads": "ADS"
            case "safety-driver": "Safety driver"
            case "remote-operator": "Remote operator"
            case "passenger": "Passenger"
            case "n/a": "Not given"
            case "unknown": "Unknown (inferred)"
            default: name
            }
        return CategoryCount(key: name, label: label, count: count)
    }

    public static func cause(_ name: String, count: Int = 0) -> CategoryCount {
        let label =
            switch name {
            case "unspecified": "Unspecified"
            case "perception": "Perception"
            case "localization": "Localization"
            case "planning": "Planning / decision"
            case "control": "Control / actuation"
            case "hardware": "Hardware / compute"
            case "communication": "V2X / communication"
            case "left-odd": "Left ODD (road, weather, light)"
            case "other-road-user": "Other road user"
            case "road-works": "Road works / obstruction"
            case "precaution": "Precaution by driver"
            case "planned-end": "Planned end of automated run"
            case "unknown": "Unknown (inferred)"
            default: name
            }
        return CategoryCount(key: name, label: label, count: count)
    }

    /// A metric-name-safe form of a category name (`n/a` -> `n_a`, `safety-driver` -> `safety_driver`).
    public static func metricKey(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }
}

/// Orders identifiers the way people read them: digit runs compare as numbers (`L2` < `L10`),
/// the rest by Unicode scalar; ties broken by plain comparison so the order is total.
public enum NaturalOrder {
    public static func less(_ a: String, _ b: String) -> Bool {
        let x = Array(a.unicodeScalars)
        let y = Array(b.unicodeScalars)
        var i = 0
        var j = 0
        func isDigit(_ s: Unicode.Scalar) -> Bool { ("0"..."9").contains(s) }
        while i < x.count, j < y.count {
            if isDigit(x[i]), isDigit(y[j]) {
                var i2 = i
                var j2 = j
                while i2 < x.count, isDigit(x[i2]) { i2 += 1 }
                while j2 < y.count, isDigit(y[j2]) { j2 += 1 }
                // Compare digit runs by value: strip leading zeros, then length, then digits.
                let u = x[i..<i2].drop { $0 == "0" }
                let v = y[j..<j2].drop { $0 == "0" }
                if u.count != v.count { return u.count < v.count }
                for (p, q) in zip(u, v) where p != q { return p.value < q.value }
                i = i2
                j = j2
            } else {
                if x[i] != y[j] { return x[i].value < y[j].value }
                i += 1
                j += 1
            }
        }
        if (x.count - i) != (y.count - j) { return (x.count - i) < (y.count - j) }
        return a < b
    }
}
