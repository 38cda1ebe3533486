/// Computes a ``MonthlyReport`` from the rows of the month and of the previous month.
///
/// The rows are expected to be already restricted to the report's scope (one operator, or the
/// whole zone); the builder only aggregates. Every collection in the result is sorted by a fixed
/// key, so the same rows always give the same report.
public struct ReportBuilder: Sendable {
    public var month: ReportMonth
    public var operatorFilter: String?
    public var generatedAtMicros: Int64
    public var softwareVersion: String

    public init(month: ReportMonth, operatorFilter: String?, generatedAtMicros: Int64, softwareVersion: String) {
        self.month = month
        self.operatorFilter = operatorFilter
        self.generatedAtMicros = generatedAtMicros
        self.softwareVersion = softwareVersion
    }

    /// Builds the report from the month's rows and the previous month's rows.
    public func build(records: ReportRecords, previous: ReportRecords) -> MonthlyReport {
        let digest = RecordDigest.digest(
            month: month, records: records, previousMonth: month.previous, previous: previous)
        let operatorsByID = Dictionary(records.operators.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let vehiclesByVIN = Dictionary(records.vehicles.map { ($0.vin, $0) }, uniquingKeysWith: { a, _ in a })
        let monthEvents = records.events.filter { month.contains(micros: $0.micros) }
            .sorted { ($0.micros, $0.vin, $0.type.rawValue) < ($1.micros, $1.vin, $1.type.rawValue) }

        // Per-vehicle aggregates.
        var vehicleTotals: [String: VehicleRow] = [:]
        func row(_ vin: String) -> VehicleRow {
            if let existing = vehicleTotals[vin] { return existing }
            let vehicle = vehiclesByVIN[vin]
            return VehicleRow(
                vin: vin, plate: vehicle?.plate ?? "", operatorID: vehicle?.operatorID ?? "",
                permit: vehicle?.permit ?? "", metersL3: 0, metersL4: 0, meters: 0, seconds: 0, disengagements: 0,
                takeoverRequests: 0, mrms: 0, collisions: 0, severeFailures: 0, activeDays: 0)
        }
        for vehicle in records.vehicles { vehicleTotals[vehicle.vin] = row(vehicle.vin) }
        var activeDays: [String: Set<String>] = [:]
        var daily: [String: DailyDistanceRow] = [:]
        for record in records.driving {
            var total = row(record.vin)
            if record.level == 3 { total.metersL3 += record.meters }
            if record.level == 4 { total.metersL4 += record.meters }
            total.meters += record.meters
            total.seconds += record.seconds
            vehicleTotals[record.vin] = total
            if record.meters > 0 || record.seconds > 0 { activeDays[record.vin, default: []].insert(record.day) }
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
        for event in monthEvents {
            var total = row(event.vin)
            switch event.type {
            case .disengaged where event.isDisengagement: total.disengagements += 1
            case .takeoverRequested: total.takeoverRequests += 1
            case .mrmStarted: total.mrms += 1
            case .collision: total.collisions += 1
            case .severeFailure: total.severeFailures += 1
            default: break
            }
            vehicleTotals[event.vin] = total
        }
        for (vin, days) in activeDays { vehicleTotals[vin]?.activeDays = days.count }
        let vehicles = vehicleTotals.values.sorted { ($0.operatorID, $0.vin) < ($1.operatorID, $1.vin) }

        // Per-operator aggregates.
        var operatorRows: [String: OperatorRow] = [:]
        for record in records.operators {
            operatorRows[record.id] = OperatorRow(
                id: record.id, name: record.name, vehicles: 0, vehiclesActive: 0, metersL3: 0, metersL4: 0,
                meters: 0, seconds: 0, disengagements: 0, takeoverRequests: 0, mrms: 0, collisions: 0,
                severeFailures: 0)
        }
        let summary = Self.summarize(month: month, records: records, vehicles: vehicles)
        let activeVINs = Self.activeVehicles(month: month, records: records)
        for vehicle in vehicles {
            let id = vehicle.operatorID
            var op =
                operatorRows[id]
                ?? OperatorRow(
                    id: id, name: operatorsByID[id]?.name ?? "", vehicles: 0, vehiclesActive: 0, metersL3: 0,
                    metersL4: 0, meters: 0, seconds: 0, disengagements: 0, takeoverRequests: 0, mrms: 0,
                    collisions: 0, severeFailures: 0)
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
        let disengagements = monthEvents.filter(\.isDisengagement).map { event in
            DisengagementRow(
                micros: event.micros, vin: event.vin, operatorID: vehiclesByVIN[event.vin]?.operatorID ?? "",
                permit: vehiclesByVIN[event.vin]?.permit ?? "", level: event.levelBefore,
                initiator: Categories.initiator(event.inferred ? -1 : event.initiator),
                cause: Categories.cause(event.inferred ? -1 : event.cause), inferred: event.inferred,
                latitude: event.latitude, longitude: event.longitude, linkID: event.linkID,
                roadClass: event.roadClass, speedKmh: event.speed.map { $0 * 3.6 },
                takeoverSeconds: event.takeoverSeconds)
        }

        return MonthlyReport(
            month: month, operatorFilter: operatorFilter, generatedAtMicros: generatedAtMicros,
            softwareVersion: softwareVersion, digest: digest, summary: summary,
            previous: Self.summarize(month: month.previous, records: previous, vehicles: nil),
            operators: operators, vehicles: vehicles,
            dailyDistance: daily.values.sorted { ($0.day, $0.vin) < ($1.day, $1.vin) },
            disengagements: disengagements, coverage: Self.coverage(records: records),
            v2x: Self.v2x(records: records),
            dataHealth: Self.dataHealth(
                month: month, records: records, events: monthEvents, vehiclesByVIN: vehiclesByVIN))
    }

    /// VINs with automated driving or any automation event in the month.
    static func activeVehicles(month: ReportMonth, records: ReportRecords) -> Set<String> {
        var active = Set(records.driving.filter { $0.meters > 0 || $0.seconds > 0 }.map(\.vin))
        for event in records.events where month.contains(micros: event.micros) { active.insert(event.vin) }
        return active
    }

    /// The headline figures of one month's rows.
    static func summarize(month: ReportMonth, records: ReportRecords, vehicles: [VehicleRow]?) -> PeriodSummary {
        let events = records.events.filter { month.contains(micros: $0.micros) }
        let active = activeVehicles(month: month, records: records)
        let operatorOf = Dictionary(records.vehicles.map { ($0.vin, $0.operatorID) }, uniquingKeysWith: { a, _ in a })
        let activeOperators = Set(active.compactMap { operatorOf[$0] })

        var levels: [Int: LevelDistance] = [:]
        for level in [3, 4] { levels[level] = LevelDistance(level: level, meters: 0, seconds: 0, disengagements: 0) }
        for record in records.driving {
            var entry =
                levels[record.level] ?? LevelDistance(level: record.level, meters: 0, seconds: 0, disengagements: 0)
            entry.meters += record.meters
            entry.seconds += record.seconds
            levels[record.level] = entry
        }
        var initiators = [Int: Int]()
        var causes = [Int: Int]()
        var disengagements = 0
        var planned = 0
        var inferred = 0
        var mrms = 0
        var collisions = 0
        var severe = 0
        for event in events {
            if event.isDisengagement {
                disengagements += 1
                if event.inferred { inferred += 1 }
                initiators[event.inferred ? -1 : event.initiator, default: 0] += 1
                causes[event.inferred ? -1 : event.cause, default: 0] += 1
                levels[event.levelBefore]?.disengagements += 1
            } else if event.isPlannedDeactivation {
                planned += 1
            }
            switch event.type {
            case .mrmStarted: mrms += 1
            case .collision: collisions += 1
            case .severeFailure: severe += 1
            default: break
            }
        }
        let takeovers = records.takeovers.filter { month.contains(micros: $0.micros) }
        let times = takeovers.compactMap(\.seconds).sorted()

        let networkMeters = records.links.reduce(0) { $0 + $1.lengthMeters }
        let lengths = Dictionary(records.links.map { ($0.id, $0.lengthMeters) }, uniquingKeysWith: { a, _ in a })
        let covered = records.linkUsage.reduce(0.0) { $0 + min($1.coveredMeters, lengths[$1.linkID] ?? 0) }

        return PeriodSummary(
            month: month, vehiclesActive: active.count, operatorsActive: activeOperators.count,
            levels: levels.values.sorted { $0.level < $1.level }, disengagements: disengagements,
            byInitiator: (Categories.initiatorCodes + initiators.keys.filter { !Categories.initiatorCodes.contains($0) }
                .sorted()).map { Categories.initiator($0, count: initiators[$0, default: 0]) },
            byCause: (Categories.causeCodes + causes.keys.filter { !Categories.causeCodes.contains($0) }.sorted())
                .map { Categories.cause($0, count: causes[$0, default: 0]) },
            plannedDeactivations: planned, inferredDisengagements: inferred, takeoverRequests: takeovers.count,
            takeoversMissed: takeovers.filter { $0.outcome == .missed }.count,
            takeoverMedianSeconds: Percentile.median(times), takeoverP95Seconds: Percentile.nearestRank(times, 0.95),
            takeoverMaxSeconds: times.last, mrms: mrms, collisions: collisions, severeFailures: severe,
            linkCoverage: networkMeters > 0 ? min(1, covered / networkMeters) : nil,
            gridCoverage: records.grid.totalCells > 0
                ? Double(Set(records.grid.visitedCells).count) / Double(records.grid.totalCells) : nil)
    }

    static func coverage(records: ReportRecords) -> CoverageSection {
        var usage: [String: (automated: Double, covered: Double)] = [:]
        for record in records.linkUsage {
            let current = usage[record.linkID] ?? (0, 0)
            usage[record.linkID] = (current.automated + record.automatedMeters, current.covered + record.coveredMeters)
        }
        let links = records.links.map { link in
            LinkCoverageRow(
                id: link.id, name: link.name, roadClass: link.roadClass, lengthMeters: link.lengthMeters,
                automatedMeters: usage[link.id]?.automated ?? 0,
                coveredMeters: min(link.lengthMeters, usage[link.id]?.covered ?? 0), points: link.points)
        }.sorted { $0.id < $1.id }
        var hours = (0..<24).map { HourOfDay(hour: $0, seconds: 0, meters: 0) }
        for record in records.hours where (0..<24).contains(record.hour) {
            hours[record.hour].seconds += record.seconds
            hours[record.hour].meters += record.meters
        }
        return CoverageSection(
            links: links, networkMeters: links.reduce(0) { $0 + $1.lengthMeters },
            coveredMeters: links.reduce(0) { $0 + $1.coveredMeters },
            linksDriven: links.filter { $0.automatedMeters > 0 }.count, gridCellMeters: records.grid.cellMeters,
            gridCells: records.grid.totalCells, gridCellsVisited: Set(records.grid.visitedCells).count, hours: hours)
    }

    static func v2x(records: ReportRecords) -> V2XSection {
        let rsus = records.rsus.sorted { $0.id < $1.id }.map { rsu in
            RSURow(
                id: rsu.id, name: rsu.name, position: rsu.position, availableSeconds: rsu.availableSeconds,
                expectedSeconds: rsu.expectedSeconds,
                bands: V2XSection.bands.map { band in
                    let rows = records.reception.filter {
                        $0.rsuID == rsu.id && $0.bandLower == band.0 && $0.bandUpper == band.1
                    }
                    return BandReception(
                        lower: band.0, upper: band.1, received: rows.reduce(0) { $0 + $1.received },
                        expected: rows.reduce(0) { $0 + $1.expected })
                })
        }
        return V2XSection(rsus: rsus)
    }

    static func dataHealth(
        month: ReportMonth, records: ReportRecords, events: [EventRecord], vehiclesByVIN: [String: VehicleRecord]
    ) -> DataHealthSection {
        var reasons: [String: [RejectRecord]] = [:]
        for reject in records.rejects { reasons[reject.source, default: []].append(reject) }
        let sources = records.sources.sorted { ($0.kind, $0.source) < ($1.kind, $1.source) }.map { source in
            SourceRow(
                source: source.source, kind: source.kind, received: source.received, decoded: source.decoded,
                rejected: source.rejected, duplicates: source.duplicates, sequenceGaps: source.sequenceGaps,
                clockOffsetMillis: source.clockOffsetMillis,
                rejectReasons: (reasons[source.source] ?? []).sorted { ($1.count, $0.reason) < ($0.count, $1.reason) })
        }
        let drivingDays = Set(records.driving.filter { $0.meters > 0 }.map(\.day))
        let seen = Set(records.driving.map(\.vin)).union(events.map(\.vin))
        return DataHealthSection(
            sources: sources,
            inferredDisengagements: events.filter { $0.inferred && $0.isDisengagement }.count,
            trackGaps: records.trackGaps.reduce(0) { $0 + $1.count },
            trackGapSeconds: records.trackGaps.reduce(0) { $0 + $1.seconds },
            daysWithoutDriving: month.days.filter { !drivingDays.contains($0) }.count,
            unregisteredVehicles: seen.filter { vehiclesByVIN[$0] == nil }.sorted())
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

/// Codes and labels of initiators and causes (DESIGN.md section 4).
public enum Categories {
    /// Initiators reported, in order; -1 is "unknown" (inferred disengagements), 0 "not given".
    public static let initiatorCodes = [1, 2, 3, 4, 0, -1]
    /// Causes reported, in order; -1 is "unknown" (inferred disengagements). 11 (planned end) is
    /// never a disengagement.
    public static let causeCodes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, -1]

    public static func initiator(_ code: Int, count: Int = 0) -> CategoryCount {
        let (key, label): (String, String) =
            switch code {
            case 1: ("ads", "ADS")
            case 2: ("safety-driver", "Safety driver")
            case 3: ("remote-operator", "Remote operator")
            case 4: ("passenger", "Passenger")
            case 0: ("not-given", "Not given")
            case -1: ("unknown", "Unknown (inferred)")
            default: ("code-\(code)", "Code \(code)")
            }
        return CategoryCount(code: code, key: key, label: label, count: count)
    }

    public static func cause(_ code: Int, count: Int = 0) -> CategoryCount {
        let (key, label): (String, String) =
            switch code {
            case 0: ("unspecified", "Unspecified")
            case 1: ("perception", "Perception")
            case 2: ("localization", "Localization")
            case 3: ("planning", "Planning / decision")
            case 4: ("control", "Control / actuation")
            case 5: ("hardware", "Hardware / compute")
            case 6: ("v2x", "V2X / communication")
            case 7: ("left-odd", "Left ODD (road, weather, light)")
            case 8: ("other-road-user", "Other road user")
            case 9: ("road-works", "Road works / obstruction")
            case 10: ("driver-precaution", "Precaution by driver")
            case 11: ("planned-end", "Planned end of automated run")
            case -1: ("unknown", "Unknown (inferred)")
            default: ("code-\(code)", "Code \(code)")
            }
        return CategoryCount(code: code, key: key, label: label, count: count)
    }
}
