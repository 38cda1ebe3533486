import Zone

/// One vehicle's mergeable aggregate.
public struct VehicleMetrics: Sendable, Hashable {
    /// The vehicle.
    public var identity: VehicleIdentity
    /// Its track aggregate.
    public var summary: TrackSummary
}

/// The mergeable aggregate of a zone over a time window: per vehicle (by VIN), per source, per
/// sequence stream. Merging two aggregates of disjoint shards (by vehicle, or by time) gives
/// exactly the aggregate of the whole (``merged(with:)``).
public struct ZoneMetrics: Sendable {
    /// The configuration the aggregate was computed with.
    public let configuration: MetricsConfiguration
    /// Per vehicle, by VIN (or unregistered key).
    public var vehicles: [String: VehicleMetrics] = [:]
    /// Data health per source name.
    public var sources: [String: SourceHealth] = [:]
    /// Sequence gap accounting per stream.
    public var sequences: [SequenceStream: SequenceHealth] = [:]
    /// Observations attributed to no vehicle.
    public var unattributed = UnattributedCounts()

    /// Creates an empty aggregate.
    public init(configuration: MetricsConfiguration) { self.configuration = configuration }

    /// Merges two shards (commutative; exact for shards by vehicle or by non-overlapping time).
    public func merged(with other: ZoneMetrics) -> ZoneMetrics {
        var result = self
        for (vin, vehicle) in other.vehicles {
            if let existing = result.vehicles[vin] {
                result.vehicles[vin] = VehicleMetrics(
                    identity: existing.identity,
                    summary: existing.summary.merged(with: vehicle.summary, configuration: configuration))
            } else {
                result.vehicles[vin] = vehicle
            }
        }
        for (name, health) in other.sources { result.sources[name, default: SourceHealth()].add(health) }
        for (key, health) in other.sequences {
            result.sequences[key] =
                result.sequences[key].map { $0.merged(with: health, kind: key.kind) } ?? health
        }
        result.unattributed.add(other.unattributed)
        return result
    }

    /// Per-vehicle reports, sorted by VIN, optionally restricted to Shanghai days (e.g. a month).
    public func vehicleReports(days: Range<Int32>? = nil) -> [VehicleReport] {
        vehicles.keys.sorted().compactMap { vin in
            vehicles[vin].map { VehicleReport(metrics: $0, configuration: configuration, days: days) }
        }
    }

    /// Zone totals over the given vehicle reports.
    public func zoneReport(_ reports: [VehicleReport]) -> ZoneReport {
        ZoneReport(reports: reports, configuration: configuration)
    }
}

/// Takeover statistics: requests, takeovers (closed by a type 2), missed (closed by a type 4).
public struct TakeoverStatistics: Sendable, Hashable, Codable {
    /// Takeover requests (type 3).
    public var requests: Int = 0
    /// Takeover times of requests closed by a disengagement event (type 2), microseconds, sorted.
    public var times: [Microseconds] = []
    /// Requests closed by an MRM start (type 4): missed takeovers.
    public var missed: Int = 0
    /// Requests ended by an inferred disengagement (no event to time them).
    public var unresolved: Int = 0

    /// Creates statistics from request and closing records.
    public init(events: [EventRecord]) {
        var times: [Microseconds] = []
        for event in events {
            switch event.kind {
            case .takeoverRequest: requests += 1
            case .disengagement, .plannedDeactivation, .deactivation:
                for request in event.closedRequests { times.append(event.time - request) }
            case .mrmStarted: missed += event.closedRequests.count
            case .inferredDisengagement: unresolved += event.closedRequests.count
            default: break
            }
        }
        self.times = times.sorted()
    }

    /// Median takeover time (mean of the two middle values for an even count).
    public var median: Microseconds? {
        guard !times.isEmpty else { return nil }
        let n = times.count
        return n % 2 == 1 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2
    }

    /// 95th percentile (nearest rank).
    public var p95: Microseconds? {
        guard !times.isEmpty else { return nil }
        let rank = Int((0.95 * Double(times.count)).rounded(.up))
        return times[max(0, min(times.count - 1, rank - 1))]
    }

    /// Longest takeover time.
    public var maximum: Microseconds? { times.last }
}

/// The report figures of one vehicle over a period.
public struct VehicleReport: Sendable, Hashable {
    /// The vehicle.
    public var identity: VehicleIdentity
    /// Automated (status active) distance by level, metres.
    public var automatedDistance: [UInt8: Double] = [:]
    /// Automated time by level, seconds.
    public var automatedTime: [UInt8: Double] = [:]
    /// Automated L3/L4 distance with the vehicle's own BSM received by an RSU within 1 s, metres.
    public var uplinkCoveredDistance: Double = 0
    /// Notable events in the period, in time order.
    public var events: [EventRecord]
    /// Takeover statistics.
    public var takeovers: TakeoverStatistics
    /// Mode segments overlapping the period.
    public var segments: [ModeSegment]
    /// Link indices covered in L3/L4 automated mode.
    public var coveredLinks: Set<Int32>
    /// Grid cells covered in L3/L4 automated mode.
    public var coveredCells: Set<Int32>
    /// Reception per RSU index and band.
    public var reception: [ReceptionKey: ReceptionTotals]
    /// Track quality counters (over the whole window, not restricted to the period).
    public var totals: TrackTotals
    /// Takeover requests still open at the end of the data.
    public var openTakeoverRequests: [Microseconds]

    /// Computes the report of a vehicle, restricted to the given Shanghai days if any.
    public init(metrics: VehicleMetrics, configuration c: MetricsConfiguration, days: Range<Int32>? = nil) {
        identity = metrics.identity
        totals = metrics.summary.totals(configuration: c)
        let inPeriod: (Microseconds) -> Bool = { time in
            guard let days else { return true }
            return days.contains(ShanghaiCalendar.dayNumber(time))
        }
        for (key, value) in totals.daily where days?.contains(key.day) ?? true {
            automatedDistance[key.level, default: 0] += Double(value.distance) / 1e6
            automatedTime[key.level, default: 0] += Double(value.time) / 1e6
            uplinkCoveredDistance += Double(value.uplinkCovered) / 1e6
        }
        events = metrics.summary.events(configuration: c).filter { inPeriod($0.time) }
        takeovers = TakeoverStatistics(events: events)
        segments = metrics.summary.segments(configuration: c).filter {
            guard let days else { return true }
            let first = ShanghaiCalendar.start(ofDay: days.lowerBound)
            let end = ShanghaiCalendar.start(ofDay: days.upperBound)
            return $0.end >= first && $0.start < end
        }
        coveredLinks = Set(totals.links.filter { days?.contains($0.day) ?? true }.map(\.index))
        coveredCells = Set(totals.cells.filter { days?.contains($0.day) ?? true }.map(\.index))
        var reception: [ReceptionKey: ReceptionTotals] = [:]
        for (key, value) in totals.reception where days?.contains(key.day) ?? true {
            reception[ReceptionKey(day: 0, rsu: key.rsu, band: key.band), default: ReceptionTotals()] =
                reception[ReceptionKey(day: 0, rsu: key.rsu, band: key.band), default: ReceptionTotals()]
                + value
        }
        self.reception = reception
        openTakeoverRequests = metrics.summary.openTakeoverRequests(configuration: c)
    }

    /// Automated L3 + L4 distance in kilometres: the denominator of every rate.
    public var automatedKilometres: Double {
        ((automatedDistance[3] ?? 0) + (automatedDistance[4] ?? 0)) / 1000
    }

    /// Disengagements (explicit and inferred).
    public var disengagements: [EventRecord] { events.filter { $0.kind.isDisengagement } }
    /// Disengagement count by initiator (inferred ones under ``Initiator/unknown``).
    public var disengagementsByInitiator: [Initiator: Int] {
        disengagements.reduce(into: [:]) { $0[$1.initiator, default: 0] += 1 }
    }
    /// Disengagement count by cause.
    public var disengagementsByCause: [Cause: Int] {
        disengagements.reduce(into: [:]) { $0[$1.cause, default: 0] += 1 }
    }
    /// Disengagement count by level before.
    public var disengagementsByLevel: [UInt8: Int] {
        disengagements.reduce(into: [:]) { $0[$1.level, default: 0] += 1 }
    }
    /// Events of a kind.
    public func count(_ kind: EventKind) -> Int { events.reduce(0) { $0 + ($1.kind == kind ? 1 : 0) } }

    /// Kilometres per disengagement (`nil` without disengagements).
    public var kilometresPerDisengagement: Double? {
        let n = disengagements.count
        return n > 0 ? automatedKilometres / Double(n) : nil
    }
    /// Disengagements per 1,000 automated km (`nil` without automated distance).
    public var disengagementsPerThousandKilometres: Double? {
        automatedKilometres > 0 ? Double(disengagements.count) / automatedKilometres * 1000 : nil
    }
    /// Share of automated L3/L4 distance with uplink coverage (`nil` without automated distance).
    public var uplinkCoverage: Double? {
        let d = automatedKilometres * 1000
        return d > 0 ? uplinkCoveredDistance / d : nil
    }
    /// Share of the network's link length covered (`nil` without a road network).
    public func linkCoverage(configuration c: MetricsConfiguration) -> Double? {
        RoadCoverage.share(of: coveredLinks, configuration: c)
    }
    /// Share of grid cells covered (`nil` without a grid).
    public func gridCoverage(configuration c: MetricsConfiguration) -> Double? {
        guard let grid = c.grid, grid.cellCount > 0 else { return nil }
        return Double(coveredCells.count) / Double(grid.cellCount)
    }
}

/// Coverage arithmetic over the configured road network.
public enum RoadCoverage {
    /// Share of total link length in a set of link indices.
    public static func share(of links: Set<Int32>, configuration c: MetricsConfiguration) -> Double? {
        guard let roads = c.roads else { return nil }
        let all = roads.links
        let total = all.reduce(0) { $0 + $1.length }
        guard total > 0 else { return nil }
        let covered = links.reduce(0.0) { sum, index in
            Int(index) < all.count && index >= 0 ? sum + all[Int(index)].length : sum
        }
        return covered / total
    }
}

/// Zone totals over a set of vehicle reports.
public struct ZoneReport: Sendable, Hashable {
    /// Automated distance by level, metres.
    public var automatedDistance: [UInt8: Double] = [:]
    /// Automated L3/L4 kilometres.
    public var automatedKilometres: Double = 0
    /// Disengagements.
    public var disengagements = 0
    /// Disengagements by initiator.
    public var disengagementsByInitiator: [Initiator: Int] = [:]
    /// Planned deactivations.
    public var plannedDeactivations = 0
    /// Takeover statistics over all vehicles.
    public var takeovers: TakeoverStatistics
    /// MRMs started.
    public var mrms = 0
    /// Collisions.
    public var collisions = 0
    /// Severe failures.
    public var severeFailures = 0
    /// Zone-wide link coverage (union over vehicles).
    public var linkCoverage: Double?
    /// Zone-wide grid coverage.
    public var gridCoverage: Double?
    /// Zone-wide uplink coverage.
    public var uplinkCoverage: Double?

    init(reports: [VehicleReport], configuration c: MetricsConfiguration) {
        var events: [EventRecord] = []
        var links: Set<Int32> = []
        var cells: Set<Int32> = []
        var uplink = 0.0
        for report in reports {
            for (level, d) in report.automatedDistance { automatedDistance[level, default: 0] += d }
            automatedKilometres += report.automatedKilometres
            disengagements += report.disengagements.count
            for (initiator, n) in report.disengagementsByInitiator {
                disengagementsByInitiator[initiator, default: 0] += n
            }
            plannedDeactivations += report.count(.plannedDeactivation)
            mrms += report.count(.mrmStarted)
            collisions += report.count(.collision)
            severeFailures += report.count(.severeFailure)
            events += report.events
            links.formUnion(report.coveredLinks)
            cells.formUnion(report.coveredCells)
            uplink += report.uplinkCoveredDistance
        }
        takeovers = TakeoverStatistics(events: events)
        linkCoverage = RoadCoverage.share(of: links, configuration: c)
        if let grid = c.grid, grid.cellCount > 0 {
            gridCoverage = Double(cells.count) / Double(grid.cellCount)
        }
        uplinkCoverage = automatedKilometres > 0 ? uplink / (automatedKilometres * 1000) : nil
    }

    /// Kilometres per disengagement.
    public var kilometresPerDisengagement: Double? {
        disengagements > 0 ? automatedKilometres / Double(disengagements) : nil
    }
    /// Disengagements per 1,000 km.
    public var disengagementsPerThousandKilometres: Double? {
        automatedKilometres > 0 ? Double(disengagements) / automatedKilometres * 1000 : nil
    }
}
