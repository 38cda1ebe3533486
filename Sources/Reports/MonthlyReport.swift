/// The monthly safety summary: a pure value that every renderer (HTML, CSV, JSON, Markdown)
/// draws from, so that all outputs show the same numbers.
public struct MonthlyReport: Sendable, Equatable {
    /// The reported month (Asia/Shanghai).
    public var month: ReportPeriod
    /// The operator the report is restricted to, or nil for the whole zone.
    public var operatorFilter: String?
    /// When the report was generated, microseconds since the epoch.
    public var generatedAtMicros: Int64
    /// The `testzone` version that produced it.
    public var softwareVersion: String
    /// SHA-256 of the canonical serialisation of the input rows (``RecordDigest``).
    public var digest: String
    /// The zone and the reporting entity (from zone.toml).
    public var zone: ZoneRecord
    /// The period had not ended when the report was generated: its figures are provisional.
    public var provisional: Bool
    /// Every occurrence of the period (the event register), in time order.
    public var register: [RegisterRow]
    /// Month by month within the period.
    public var months: [MonthRow]
    /// The runs behind the figures (and runs not counted), with journal files and reader warnings.
    public var runs: [RunRecord]
    /// Rejected frames by reason over all sources in scope, most frequent first (`source` empty).
    public var rejectsByReason: [RejectRecord]
    /// Headline figures of the month.
    public var summary: PeriodSummary
    /// The same figures for the previous month.
    public var previous: PeriodSummary
    /// One row per operator in scope.
    public var operators: [OperatorRow]
    /// One row per vehicle in scope (registered vehicles, active or not).
    public var vehicles: [VehicleRow]
    /// Automated distance per vehicle and local day (days with driving only).
    public var dailyDistance: [DailyDistanceRow]
    /// Every disengagement of the month, in time order.
    public var disengagements: [DisengagementRow]
    /// Road-network and grid coverage, time of day.
    public var coverage: CoverageSection
    /// Roadside-unit availability and BSM reception.
    public var v2x: V2XSection
    /// Frame accounting and data-quality findings.
    public var dataHealth: DataHealthSection

    /// True when the month has any automated driving or automation event in scope.
    public var hasData: Bool { summary.hasData }

    /// The previous month.
    public var previousMonth: ReportPeriod { month.previous }

    /// Whether the previous period has data (otherwise comparisons say "no data").
    public var previousHasData: Bool { previous.hasData }

    /// Runs counted whose recording had corrupt or lost parts.
    public var incompleteRuns: [RunRecord] { runs.filter { $0.status == "complete" && !$0.warnings.isEmpty } }
}

/// One calendar month of a period.
public struct MonthRow: Sendable, Equatable {
    public var month: String
    public var meters: Double
    public var seconds: Double
    public var disengagements = 0
    public var plannedDeactivations = 0
    public var takeoverRequests = 0
    public var mrms = 0
    public var collisions = 0
    public var severeFailures = 0
}

/// Distance and time at one SAE level.
public struct LevelDistance: Sendable, Equatable {
    public var level: Int
    public var meters: Double
    public var seconds: Double
    public var disengagements: Int

    public init(level: Int, meters: Double, seconds: Double, disengagements: Int) {
        self.level = level
        self.meters = meters
        self.seconds = seconds
        self.disengagements = disengagements
    }

    /// Kilometres.
    public var kilometers: Double { meters / 1000 }
    /// Hours.
    public var hours: Double { seconds / 3600 }
}

/// A count in one category (an initiator or a cause).
public struct CategoryCount: Sendable, Equatable {
    /// The stored name, e.g. `safety-driver` (DESIGN.md section 4, Store README).
    public var key: String
    /// Human label, e.g. "Safety driver".
    public var label: String
    public var count: Int

    public init(key: String, label: String, count: Int) {
        self.key = key
        self.label = label
        self.count = count
    }
}

/// The headline figures of one month.
public struct PeriodSummary: Sendable, Equatable {
    public var month: ReportPeriod
    public var vehiclesActive: Int
    public var operatorsActive: Int
    /// Levels 3 and 4 (the automated levels of the zone), ascending.
    public var levels: [LevelDistance]
    /// Automated L3/L4 distance during which the vehicle's BSMs reached the platform, metres.
    public var uplinkMeters: Double
    public var disengagements: Int
    /// All initiators in code order (ADS, safety driver, remote operator, passenger, unknown).
    public var byInitiator: [CategoryCount]
    /// All causes in code order (0...10, unknown).
    public var byCause: [CategoryCount]
    public var plannedDeactivations: Int
    public var inferredDisengagements: Int
    public var takeoverRequests: Int
    public var takeoversMissed: Int
    public var takeoverMedianSeconds: Double?
    public var takeoverP95Seconds: Double?
    public var takeoverMaxSeconds: Double?
    public var mrms: Int
    public var collisions: Int
    public var severeFailures: Int
    /// Share of the network's link length covered in automated mode, 0...1; nil without a network.
    public var linkCoverage: Double?
    /// Share of the grid's cells visited in automated mode, 0...1; nil without a grid.
    public var gridCoverage: Double?

    /// Share of automated distance with V2X uplink coverage, 0...1; nil without automated distance.
    public var uplinkCoverage: Double? { meters > 0 ? uplinkMeters / meters : nil }
    /// Automated (L3 + L4) distance, metres: the denominator of every rate.
    public var meters: Double { levels.reduce(0) { $0 + $1.meters } }
    /// Automated (L3 + L4) time, seconds.
    public var seconds: Double { levels.reduce(0) { $0 + $1.seconds } }
    /// Kilometres per disengagement; nil when there was none.
    public var kilometersPerDisengagement: Double? {
        Rates.kilometersPer(meters: meters, count: disengagements)
    }
    /// Disengagements per 1,000 km; nil without automated distance.
    public var disengagementsPerThousandKilometers: Double? {
        Rates.perThousandKilometers(count: disengagements, meters: meters)
    }
    /// Whether anything was recorded in the month.
    public var hasData: Bool {
        vehiclesActive > 0 || meters > 0 || disengagements > 0 || takeoverRequests > 0 || mrms > 0
            || collisions > 0 || severeFailures > 0 || plannedDeactivations > 0
    }
}

/// Rate definitions of DESIGN.md section 5 (as the California DMV reports them).
public enum Rates {
    /// Automated km / count; nil when count is 0.
    public static func kilometersPer(meters: Double, count: Int) -> Double? {
        count > 0 ? meters / 1000 / Double(count) : nil
    }

    /// count per 1,000 automated km; nil when there was no automated distance.
    public static func perThousandKilometers(count: Int, meters: Double) -> Double? {
        meters > 0 ? Double(count) / (meters / 1000) * 1000 : nil
    }
}

/// One operator's month.
public struct OperatorRow: Sendable, Equatable {
    public var id: String
    public var name: String
    public var vehicles: Int
    public var vehiclesActive: Int
    public var metersL3: Double
    public var metersL4: Double
    public var meters: Double
    public var seconds: Double
    public var disengagements: Int
    public var takeoverRequests: Int
    public var mrms: Int
    public var collisions: Int
    public var severeFailures: Int
}

/// One vehicle's month.
public struct VehicleRow: Sendable, Equatable {
    public var vin: String
    public var plate: String
    public var operatorID: String
    public var permit: String
    public var metersL3: Double
    public var metersL4: Double
    public var meters: Double
    public var seconds: Double
    public var disengagements: Int
    public var takeoverRequests: Int
    public var mrms: Int
    public var collisions: Int
    public var severeFailures: Int
    public var activeDays: Int
    /// False for vehicles seen on the wire but not in the zone registry.
    public var registered: Bool
}

/// Automated distance of one vehicle on one local day.
public struct DailyDistanceRow: Sendable, Equatable {
    public var day: String
    public var vin: String
    public var operatorID: String
    public var metersL3: Double
    public var metersL4: Double
    public var meters: Double
    public var seconds: Double
}

/// One disengagement, with where and when (the DMV disengagement report's row).
public struct DisengagementRow: Sendable, Equatable {
    public var micros: Int64
    public var vin: String
    public var operatorID: String
    public var permit: String
    public var level: Int
    public var initiator: CategoryCount
    public var cause: CategoryCount
    public var inferred: Bool
    public var latitude: Double?
    public var longitude: Double?
    public var linkID: String?
    public var roadClass: String?
    /// Speed at the event, km/h.
    public var speedKmh: Double?
    public var takeoverSeconds: Double?
    /// Name of the matched link, if known.
    public var roadName: String? = nil
}

/// One link's automated driving.
public struct LinkCoverageRow: Sendable, Equatable {
    public var id: String
    public var name: String
    public var roadClass: String
    public var lengthMeters: Double
    /// Distinct (vehicle, day) pairs that drove the link in automated L3/L4 mode.
    public var vehicleDays: Int
    /// Automated distance on the link, metres, when the store records it.
    public var automatedMeters: Double?
    public var points: [GeoPoint]

    /// Driven at least once in automated mode (the whole link length counts as covered).
    public var covered: Bool { vehicleDays > 0 }
}

/// Automated driving in one hour of the day.
public struct HourOfDay: Sendable, Equatable {
    public var hour: Int
    public var seconds: Double
    public var meters: Double
}

/// Coverage of the road network and grid.
public struct CoverageSection: Sendable, Equatable {
    public var links: [LinkCoverageRow]
    public var networkMeters: Double
    public var coveredMeters: Double
    public var linksDriven: Int
    /// Whether per-link automated distance is known (else the map is coloured by vehicle-days).
    public var hasLinkDistance: Bool
    public var gridCellMeters: Double
    public var gridCells: Int
    public var gridCellsVisited: Int
    /// 24 entries, hour 0...23.
    public var hours: [HourOfDay]

    /// Share of link length covered, 0...1; nil without a network.
    public var linkShare: Double? { networkMeters > 0 ? min(1, coveredMeters / networkMeters) : nil }
    /// Share of grid cells visited, 0...1; nil without a grid.
    public var gridShare: Double? { gridCells > 0 ? Double(gridCellsVisited) / Double(gridCells) : nil }
}

/// One RSU's availability and reception.
public struct RSURow: Sendable, Equatable {
    public var id: String
    public var name: String
    public var position: GeoPoint?
    public var availableSeconds: Double
    public var expectedSeconds: Double
    /// Reception per band, in ``V2XSection/bands`` order.
    public var bands: [BandReception]

    /// Availability, 0...1; nil when it was not expected on air.
    public var availability: Double? {
        expectedSeconds > 0 ? min(1, availableSeconds / expectedSeconds) : nil
    }
}

/// Reception in one distance band.
public struct BandReception: Sendable, Equatable {
    public var lower: Int
    public var upper: Int
    public var received: Int
    /// Expected packets: time in the band x 10 Hz.
    public var expected: Double

    /// Packet reception ratio, 0...1 (not clamped); nil without expectation.
    public var ratio: Double? { expected > 0 ? Double(received) / expected : nil }
}

/// V2X figures.
public struct V2XSection: Sendable, Equatable {
    /// The distance bands of DESIGN.md section 5.
    public static let bands: [(Int, Int)] = [(0, 100), (100, 200), (200, 300), (300, 500)]
    public var rsus: [RSURow]
}

/// One source's frame accounting.
public struct SourceRow: Sendable, Equatable {
    public var source: String
    public var kind: String
    public var received: Int
    public var decoded: Int
    public var rejected: Int
    public var duplicates: Int
    public var clockOffsetMillis: Double?
    /// `reason=count` pairs, most frequent first.
    public var rejectReasons: [RejectRecord]

    /// Decoded share of received frames, 0...1; nil when nothing was received.
    public var completeness: Double? { received > 0 ? Double(decoded) / Double(received) : nil }
}

/// Data-quality findings.
public struct DataHealthSection: Sendable, Equatable {
    public var sources: [SourceRow]
    /// Sequence accounting per stream, streams with gaps, repeats, reordering or resets first.
    public var sequences: [SequenceRecord]
    public var inferredDisengagements: Int
    /// Steps not integrated because the fixes were more than 10 s apart.
    public var trackTimeGaps: Int
    /// Steps not integrated because they implied more than 70 m/s.
    public var trackOutlierSteps: Int
    public var unattributed: UnattributedRecord
    /// Days of the month with no automated driving in scope.
    public var daysWithoutDriving: Int
    /// Vehicles with data that are not in the zone registry.
    public var unregisteredVehicles: [String]
}
