/// The rows a monthly report is computed from, as read from the store for one period.
///
/// ``ReportBuilder`` turns these into a ``MonthlyReport``; nothing else enters the numbers, so
/// the ``digest`` of these rows identifies exactly what a report rests on (see ``canonicalText``).
public struct ReportRecords: Sendable, Equatable {
    /// Operators (test-zone licensees) known to the zone.
    public var operators: [OperatorRecord]
    /// Vehicles known to the zone, with their operator and permit.
    public var vehicles: [VehicleRecord]
    /// Automated driving per vehicle, local day and SAE level.
    public var driving: [DrivingRecord]
    /// Automation events (JT/T 808 item 0xE2) and inferred disengagements, in the period.
    public var events: [EventRecord]
    /// Takeover requests opened in the period, with their outcome.
    public var takeovers: [TakeoverRecord]
    /// The zone's road network: links with geometry.
    public var links: [LinkRecord]
    /// Automated driving per road link in the period.
    public var linkUsage: [LinkUsageRecord]
    /// The 100 m grid over the zone's bounding box and the cells visited in automated mode.
    public var grid: GridRecord
    /// Automated driving per local hour of day in the period.
    public var hours: [HourRecord]
    /// Roadside units and their availability in the period.
    public var rsus: [RSURecord]
    /// BSM reception per RSU and distance band in the period.
    public var reception: [ReceptionRecord]
    /// Frame accounting per source in the period.
    public var sources: [SourceHealthRecord]
    /// Rejected frames per source and reason in the period.
    public var rejects: [RejectRecord]
    /// Track gaps (steps not integrated, DESIGN.md section 5) per vehicle in the period.
    public var trackGaps: [TrackGapRecord]

    /// Records with the given rows; every table defaults to empty.
    public init(
        operators: [OperatorRecord] = [], vehicles: [VehicleRecord] = [], driving: [DrivingRecord] = [],
        events: [EventRecord] = [], takeovers: [TakeoverRecord] = [], links: [LinkRecord] = [],
        linkUsage: [LinkUsageRecord] = [], grid: GridRecord = GridRecord(), hours: [HourRecord] = [],
        rsus: [RSURecord] = [], reception: [ReceptionRecord] = [], sources: [SourceHealthRecord] = [],
        rejects: [RejectRecord] = [], trackGaps: [TrackGapRecord] = []
    ) {
        self.operators = operators
        self.vehicles = vehicles
        self.driving = driving
        self.events = events
        self.takeovers = takeovers
        self.links = links
        self.linkUsage = linkUsage
        self.grid = grid
        self.hours = hours
        self.rsus = rsus
        self.reception = reception
        self.sources = sources
        self.rejects = rejects
        self.trackGaps = trackGaps
    }
}

/// A test-zone operator (the company running test vehicles).
public struct OperatorRecord: Sendable, Equatable {
    /// Stable identifier, e.g. `OP-SAIC`.
    public var id: String
    /// Display name.
    public var name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}

/// A test vehicle.
public struct VehicleRecord: Sendable, Equatable {
    /// Vehicle identification number (17 characters).
    public var vin: String
    /// Registration plate (test plates in Shanghai read e.g. 沪A·1234试).
    public var plate: String
    /// The operator's ``OperatorRecord/id``.
    public var operatorID: String
    /// Road-test permit number.
    public var permit: String

    public init(vin: String, plate: String, operatorID: String, permit: String) {
        self.vin = vin
        self.plate = plate
        self.operatorID = operatorID
        self.permit = permit
    }
}

/// Automated distance and time of one vehicle at one SAE level on one local day.
public struct DrivingRecord: Sendable, Equatable {
    public var vin: String
    /// Local (Asia/Shanghai) date `YYYY-MM-DD`.
    public var day: String
    /// SAE level engaged while state = active (1...5; the zone tests 3 and 4).
    public var level: Int
    /// Distance integrated along the JT/T 808 track, metres.
    public var meters: Double
    /// Time in automated mode, seconds.
    public var seconds: Double

    public init(vin: String, day: String, level: Int, meters: Double, seconds: Double) {
        self.vin = vin
        self.day = day
        self.level = level
        self.meters = meters
        self.seconds = seconds
    }
}

/// Automation event types of JT/T 808 item 0xE2 (DESIGN.md section 4).
public enum EventType: Int, Sendable, Equatable, CaseIterable {
    case engaged = 1
    case disengaged = 2
    case takeoverRequested = 3
    case mrmStarted = 4
    case mrmEnded = 5
    case collision = 6
    case severeFailure = 7
}

/// One automation event with where and when it happened.
public struct EventRecord: Sendable, Equatable {
    /// Event time, microseconds since the Unix epoch.
    public var micros: Int64
    public var vin: String
    public var type: EventType
    /// 0 n/a, 1 ADS, 2 safety driver, 3 remote operator, 4 passenger; -1 unknown (inferred).
    public var initiator: Int
    /// 0...11 as in DESIGN.md section 4; -1 unknown (inferred).
    public var cause: Int
    /// SAE level engaged before the event.
    public var levelBefore: Int
    /// True for a disengagement inferred from a drop active -> off in item 0xE1 with no 0xE2 item.
    public var inferred: Bool
    public var latitude: Double?
    public var longitude: Double?
    /// Matched road link, if the fix matched one.
    public var linkID: String?
    /// Road class of the matched link.
    public var roadClass: String?
    /// Speed at the event, m/s.
    public var speed: Double?
    /// For a disengagement or MRM that answered a takeover request: seconds since the request.
    public var takeoverSeconds: Double?

    public init(
        micros: Int64, vin: String, type: EventType, initiator: Int, cause: Int, levelBefore: Int,
        inferred: Bool = false, latitude: Double? = nil, longitude: Double? = nil, linkID: String? = nil,
        roadClass: String? = nil, speed: Double? = nil, takeoverSeconds: Double? = nil
    ) {
        self.micros = micros
        self.vin = vin
        self.type = type
        self.initiator = initiator
        self.cause = cause
        self.levelBefore = levelBefore
        self.inferred = inferred
        self.latitude = latitude
        self.longitude = longitude
        self.linkID = linkID
        self.roadClass = roadClass
        self.speed = speed
        self.takeoverSeconds = takeoverSeconds
    }

    /// A disengagement in the sense of DESIGN.md section 5: type 2, level before 3 or 4, cause
    /// not 11 (planned end); inferred drops count too (with initiator unknown).
    public var isDisengagement: Bool {
        type == .disengaged && (levelBefore == 3 || levelBefore == 4) && cause != 11
    }

    /// A planned deactivation (type 2, cause 11): counted, never a disengagement.
    public var isPlannedDeactivation: Bool { type == .disengaged && cause == 11 }
}

/// How a takeover request ended.
public enum TakeoverOutcome: String, Sendable, Equatable {
    /// The driver took over: the next event was a disengagement (type 2).
    case takenOver = "taken-over"
    /// The next event was an MRM (type 4): a missed takeover.
    case missed = "missed"
    /// No following event in the data (still open at the end of the recording).
    case open = "open"
}

/// A takeover request (event type 3) and its outcome.
public struct TakeoverRecord: Sendable, Equatable {
    /// Request time, microseconds since the epoch.
    public var micros: Int64
    public var vin: String
    public var outcome: TakeoverOutcome
    /// Seconds from the request to the next type 2 or type 4 event; nil when open.
    public var seconds: Double?

    public init(micros: Int64, vin: String, outcome: TakeoverOutcome, seconds: Double?) {
        self.micros = micros
        self.vin = vin
        self.outcome = outcome
        self.seconds = seconds
    }
}

/// A geographic point (WGS-84 degrees).
public struct GeoPoint: Sendable, Equatable {
    public var latitude: Double
    public var longitude: Double

    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }
}

/// A road link of the zone's network (from the RSUs' MAP messages).
public struct LinkRecord: Sendable, Equatable {
    public var id: String
    /// Display name, e.g. the road's name; may be empty.
    public var name: String
    /// Road class, e.g. `urban-arterial`, `expressway`, `test-track`.
    public var roadClass: String
    public var lengthMeters: Double
    /// Geometry from the upstream node to the downstream node.
    public var points: [GeoPoint]

    public init(id: String, name: String = "", roadClass: String, lengthMeters: Double, points: [GeoPoint]) {
        self.id = id
        self.name = name
        self.roadClass = roadClass
        self.lengthMeters = lengthMeters
        self.points = points
    }
}

/// Automated driving on one link in the period, over all vehicles of the report's scope.
public struct LinkUsageRecord: Sendable, Equatable {
    public var linkID: String
    /// Automated distance driven on the link, metres (counting every pass).
    public var automatedMeters: Double
    /// Length of the link driven at least once in automated mode, metres (0...link length).
    public var coveredMeters: Double

    public init(linkID: String, automatedMeters: Double, coveredMeters: Double) {
        self.linkID = linkID
        self.automatedMeters = automatedMeters
        self.coveredMeters = coveredMeters
    }
}

/// The coverage grid: 100 m cells over the zone's bounding box.
public struct GridRecord: Sendable, Equatable {
    /// Cell edge, metres.
    public var cellMeters: Double
    /// Number of cells in the bounding box.
    public var totalCells: Int
    /// Cells visited in automated mode, as (column, row) indexes; each cell once.
    public var visitedCells: [GridCell]

    public init(cellMeters: Double = 100, totalCells: Int = 0, visitedCells: [GridCell] = []) {
        self.cellMeters = cellMeters
        self.totalCells = totalCells
        self.visitedCells = visitedCells
    }
}

/// A grid cell index.
public struct GridCell: Sendable, Equatable, Hashable {
    public var column: Int
    public var row: Int

    public init(column: Int, row: Int) {
        self.column = column
        self.row = row
    }
}

/// Automated driving in one local hour of the day (summed over the month's days).
public struct HourRecord: Sendable, Equatable {
    public var vin: String
    /// 0...23, Asia/Shanghai.
    public var hour: Int
    public var seconds: Double
    public var meters: Double

    public init(vin: String, hour: Int, seconds: Double, meters: Double) {
        self.vin = vin
        self.hour = hour
        self.seconds = seconds
        self.meters = meters
    }
}

/// A roadside unit and its availability in the period.
public struct RSURecord: Sendable, Equatable {
    public var id: String
    public var name: String
    public var position: GeoPoint?
    /// Seconds in the period during which the RSU was heard (its own messages reached the platform).
    public var availableSeconds: Double
    /// Seconds in the period it was expected to be on air.
    public var expectedSeconds: Double

    public init(id: String, name: String, position: GeoPoint?, availableSeconds: Double, expectedSeconds: Double) {
        self.id = id
        self.name = name
        self.position = position
        self.availableSeconds = availableSeconds
        self.expectedSeconds = expectedSeconds
    }
}

/// BSM packets received by one RSU from vehicles in one distance band, against the 10 Hz nominal.
public struct ReceptionRecord: Sendable, Equatable {
    public var rsuID: String
    /// Lower edge of the distance band, metres (0, 100, 200, 300).
    public var bandLower: Int
    /// Upper edge (100, 200, 300, 500).
    public var bandUpper: Int
    public var received: Int
    /// Packets a vehicle sending at 10 Hz would have produced while in the band.
    public var expected: Int

    public init(rsuID: String, bandLower: Int, bandUpper: Int, received: Int, expected: Int) {
        self.rsuID = rsuID
        self.bandLower = bandLower
        self.bandUpper = bandUpper
        self.received = received
        self.expected = expected
    }
}

/// Frame accounting of one source (RSU, OBU gateway or JT/T 808 terminal) in the period.
public struct SourceHealthRecord: Sendable, Equatable {
    /// Source id as in the topic (`cv2x/<id>`, `jt808/<id>`).
    public var source: String
    /// `cv2x` or `jt808`.
    public var kind: String
    public var received: Int
    public var decoded: Int
    public var rejected: Int
    public var duplicates: Int
    /// Sequence gaps (missing BSM msgCnt / JT/T 808 serial numbers).
    public var sequenceGaps: Int
    /// Median clock offset of the source against receive time, milliseconds.
    public var clockOffsetMillis: Double?

    public init(
        source: String, kind: String, received: Int, decoded: Int, rejected: Int, duplicates: Int,
        sequenceGaps: Int, clockOffsetMillis: Double?
    ) {
        self.source = source
        self.kind = kind
        self.received = received
        self.decoded = decoded
        self.rejected = rejected
        self.duplicates = duplicates
        self.sequenceGaps = sequenceGaps
        self.clockOffsetMillis = clockOffsetMillis
    }
}

/// Rejected frames of one source for one reason.
public struct RejectRecord: Sendable, Equatable {
    public var source: String
    public var reason: String
    public var count: Int

    public init(source: String, reason: String, count: Int) {
        self.source = source
        self.reason = reason
        self.count = count
    }
}

/// Steps of a vehicle's track not integrated (gap over 10 s or implied speed over 70 m/s).
public struct TrackGapRecord: Sendable, Equatable {
    public var vin: String
    public var count: Int
    /// Total time spanned by the gaps, seconds.
    public var seconds: Double

    public init(vin: String, count: Int, seconds: Double) {
        self.vin = vin
        self.count = count
        self.seconds = seconds
    }
}
