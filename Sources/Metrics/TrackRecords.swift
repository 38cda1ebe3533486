/// What a notable automation event became in the metrics.
public enum EventKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Type 2 with level before 3 or 4 and cause other than 11 (DESIGN.md 5).
    case disengagement
    /// Engaged L3/L4 to off/available in 0xE1 with no type 2 item in between (initiator unknown).
    case inferredDisengagement = "inferred-disengagement"
    /// Type 2 with cause 11: counted, never a disengagement.
    case plannedDeactivation = "planned-deactivation"
    /// Type 2 with level before other than 3 or 4 (and cause other than 11): not an L3/L4 disengagement.
    case deactivation
    /// Type 1.
    case engagement
    /// Type 3.
    case takeoverRequest = "takeover-request"
    /// Type 4.
    case mrmStarted = "mrm-started"
    /// Type 5.
    case mrmEnded = "mrm-ended"
    /// Type 6.
    case collision
    /// Type 7.
    case severeFailure = "severe-failure"

    /// Whether this kind counts as a disengagement (explicit or inferred).
    public var isDisengagement: Bool { self == .disengagement || self == .inferredDisengagement }
}

/// One notable event of a vehicle, with time and place.
public struct EventRecord: Sendable, Hashable, Codable {
    /// Classification.
    public var kind: EventKind
    /// Event time.
    public var time: Microseconds
    /// Position (interpolated in time between the fixes around the event; the nearest fix when the
    /// event lies across a track gap or beyond the first/last fix). `nil` before any fix.
    public var latitude: Double?
    /// Longitude, see ``latitude``.
    public var longitude: Double?
    /// Speed at the event (interpolated like the position), m/s.
    public var speed: Double?
    /// Matched road link id, if the position matched one.
    public var link: String?
    /// Location category of the matched link (`street`, `highway`, `freeway`, `interstate`,
    /// `rural_road`, `parking_facility`: zone.toml `[[links]]`, else the zone default).
    public var roadClass: String?
    /// Name of the matched link (from the MAP message or zone.toml), if any.
    public var roadName: String?
    /// The 0xE1 flags in force at the event (bit 0 safety driver on board, bit 1 remote operator
    /// connected, bit 2 V2X enabled): those of the last state report before it; `nil` before any.
    public var flags: UInt16?
    /// Level before the event (from the item; from the previous 0xE1 for inferred disengagements).
    public var level: UInt8
    /// Initiator (``Initiator/unknown`` for inferred disengagements).
    public var initiator: Initiator
    /// Cause.
    public var cause: Cause
    /// For a type 2 or type 4 event, or an inferred disengagement, that closed takeover requests:
    /// the times of the requests it closed.
    public var closedRequests: [Microseconds]
    /// The event arrived after the reorder window had passed its time.
    public var late: Bool

    /// Creates a record.
    public init(
        kind: EventKind, time: Microseconds, latitude: Double? = nil, longitude: Double? = nil,
        speed: Double? = nil,
        link: String? = nil, roadClass: String? = nil, level: UInt8, initiator: Initiator, cause: Cause,
        closedRequests: [Microseconds] = [], late: Bool = false, roadName: String? = nil, flags: UInt16? = nil
    ) {
        self.kind = kind
        self.time = time
        self.latitude = latitude
        self.longitude = longitude
        self.speed = speed
        self.link = link
        self.roadClass = roadClass
        self.level = level
        self.initiator = initiator
        self.cause = cause
        self.closedRequests = closedRequests
        self.late = late
        self.roadName = roadName
        self.flags = flags
    }

    /// Time from the earliest request this event closed to the event (the takeover time of a
    /// disengagement; the time to a missed takeover for an MRM), or `nil`.
    public var takeoverTime: Microseconds? {
        closedRequests.min().map { time - $0 }
    }
}

/// A maximal interval of constant reported automation level and status (0xE1).
public struct ModeSegment: Sendable, Hashable, Codable {
    /// First fix time with this mode.
    public var start: Microseconds
    /// Time of the fix that reported the next mode (or of the last fix for the final segment).
    public var end: Microseconds
    /// Level.
    public var level: UInt8
    /// Status.
    public var status: AutomationStatus
    /// Distance integrated while in this mode, micrometres.
    public var distance: Int64
}

/// Daily accumulation key: Shanghai day number and level.
public struct DayLevel: Sendable, Hashable, Codable, Comparable {
    /// Shanghai day number (``ShanghaiCalendar/dayNumber(_:)``).
    public var day: Int32
    /// SAE level.
    public var level: UInt8
    /// Creates a key.
    public init(day: Int32, level: UInt8) {
        self.day = day
        self.level = level
    }
    public static func < (a: Self, b: Self) -> Bool { (a.day, a.level) < (b.day, b.level) }
}

/// Automated distance and time of one day and level.
public struct DayTotals: Sendable, Hashable, Codable {
    /// Automated (status active) distance, micrometres.
    public var distance: Int64 = 0
    /// Automated time, microseconds.
    public var time: Int64 = 0
    /// Automated distance with the vehicle's own BSM received by some RSU within the last 1 s, micrometres.
    public var uplinkCovered: Int64 = 0

    static func + (a: Self, b: Self) -> Self {
        Self(
            distance: a.distance + b.distance, time: a.time + b.time,
            uplinkCovered: a.uplinkCovered + b.uplinkCovered)
    }
}

/// BSM reception key: day, RSU index and distance band.
public struct ReceptionKey: Sendable, Hashable, Codable, Comparable {
    /// Shanghai day number.
    public var day: Int32
    /// RSU index in the configuration.
    public var rsu: Int32
    /// Distance band index.
    public var band: Int32
    /// Creates a key.
    public init(day: Int32, rsu: Int32, band: Int32) {
        self.day = day
        self.rsu = rsu
        self.band = band
    }
    public static func < (a: Self, b: Self) -> Bool { (a.day, a.rsu, a.band) < (b.day, b.rsu, b.band) }
}

/// BSM reception counters for a key.
public struct ReceptionTotals: Sendable, Hashable, Codable {
    /// Time the vehicle's track spent in the band (non-gap steps, by step midpoint), microseconds.
    public var exposure: Int64 = 0
    /// BSMs received (by the distance of the position they carry).
    public var received: Int64 = 0

    /// Expected BSMs at a nominal rate.
    public func expected(rate: Double) -> Double { Double(exposure) / 1e6 * rate }

    static func + (a: Self, b: Self) -> Self {
        Self(exposure: a.exposure + b.exposure, received: a.received + b.received)
    }
}

/// A (day, index) coverage key: road link or grid cell visited in L3/L4 automated mode on a day.
public struct DayIndex: Sendable, Hashable, Codable, Comparable {
    /// Shanghai day number.
    public var day: Int32
    /// Link or cell index.
    public var index: Int32
    /// Creates a key.
    public init(day: Int32, index: Int32) {
        self.day = day
        self.index = index
    }
    public static func < (a: Self, b: Self) -> Bool { (a.day, a.index) < (b.day, b.index) }
}

/// Additive per-vehicle counters. All quantities are integers (micrometres, microseconds) so
/// that merging shards is exact, independent of the order of additions.
public struct TrackTotals: Sendable, Hashable, Codable {
    /// Fixes integrated (in order, not late).
    public var fixes: Int64 = 0
    /// Steps not integrated because the fixes were more than the maximum interval apart.
    public var timeGaps: Int64 = 0
    /// Steps not integrated because they implied more than the maximum speed (GNSS outliers).
    public var outlierSteps: Int64 = 0
    /// Total distance integrated in any mode, micrometres.
    public var distance: Int64 = 0
    /// BSMs of this vehicle received by some RSU.
    public var bsmReceived: Int64 = 0
    /// Observations that arrived after the reorder window had passed their time (fixes and BSMs
    /// are then not integrated; events still count).
    public var late: Int64 = 0
    /// Automated distance/time per day and level.
    public var daily: [DayLevel: DayTotals] = [:]
    /// BSM reception per day, RSU and distance band.
    public var reception: [ReceptionKey: ReceptionTotals] = [:]
    /// Road links visited in L3/L4 automated mode, per day.
    public var links: Set<DayIndex> = []
    /// Grid cells visited in L3/L4 automated mode, per day.
    public var cells: Set<DayIndex> = []

    /// Creates empty totals.
    public init() {}

    /// Removes and returns the per-day automated totals of days before `day`.
    mutating func removeDaily(before day: Int32) -> [DayLevel: DayTotals] {
        let removed = daily.filter { $0.key.day < day }
        if !removed.isEmpty { daily = daily.filter { $0.key.day >= day } }
        return removed
    }

    /// Removes the link, cell and reception entries of days before `day`.
    mutating func dropDays(before day: Int32) {
        reception = reception.filter { $0.key.day >= day }
        links = links.filter { $0.day >= day }
        cells = cells.filter { $0.day >= day }
    }

    /// Adds another shard's totals.
    public mutating func add(_ other: Self) {
        fixes += other.fixes
        timeGaps += other.timeGaps
        outlierSteps += other.outlierSteps
        distance += other.distance
        bsmReceived += other.bsmReceived
        late += other.late
        daily.merge(other.daily, uniquingKeysWith: +)
        reception.merge(other.reception, uniquingKeysWith: +)
        links.formUnion(other.links)
        cells.formUnion(other.cells)
    }
}
