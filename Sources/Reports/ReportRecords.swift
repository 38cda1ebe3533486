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
    /// Automation events (JT/T 808 item 0xE2), inferred disengagements and takeover requests with
    /// their outcome, in the period.
    public var events: [EventRecord]
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
    /// Sequence-number accounting per stream (BSM msgCnt per OBU, JT/T 808 serial per terminal).
    public var sequences: [SequenceRecord]
    /// Track gaps (steps not integrated, DESIGN.md section 5) per vehicle in the period.
    public var trackGaps: [TrackGapRecord]
    /// Observations that could not be attributed to a registered vehicle.
    public var unattributed: UnattributedRecord
    /// The runs whose recorded time overlaps the period (complete or not), with their journal
    /// files and the journal reader's warnings (data completeness).
    public var runs: [RunRecord] = []
    /// The zone: name, reporting entity, default location category (from zone.toml; empty when
    /// the report is made without it).
    public var zone = ZoneRecord()

    /// Records with the given rows; every table defaults to empty.
    public init(
        operators: [OperatorRecord] = [], vehicles: [VehicleRecord] = [], driving: [DrivingRecord] = [],
        events: [EventRecord] = [], links: [LinkRecord] = [], linkUsage: [LinkUsageRecord] = [],
        grid: GridRecord = GridRecord(), hours: [HourRecord] = [], rsus: [RSURecord] = [],
        reception: [ReceptionRecord] = [], sources: [SourceHealthRecord] = [], rejects: [RejectRecord] = [],
        sequences: [SequenceRecord] = [], trackGaps: [TrackGapRecord] = [],
        unattributed: UnattributedRecord = UnattributedRecord()
    ) {
        self.operators = operators
        self.vehicles = vehicles
        self.driving = driving
        self.events = events
        self.links = links
        self.linkUsage = linkUsage
        self.grid = grid
        self.hours = hours
        self.rsus = rsus
        self.reception = reception
        self.sources = sources
        self.rejects = rejects
        self.sequences = sequences
        self.trackGaps = trackGaps
        self.unattributed = unattributed
    }
}

/// A test-zone operator (the company running test vehicles).
public struct OperatorRecord: Sendable, Equatable {
    /// Stable identifier, e.g. `OP-SAIC`.
    public var id: String
    /// Display name.
    public var name: String
    /// Manufacturer as reported to regulators (zone.toml `manufacturer`, else empty).
    public var manufacturer: String = ""
    /// The operator's testing permit number (zone.toml `permit_number`, else empty).
    public var permitNumber: String = ""

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
    /// False for vehicles seen on the wire but not in the zone registry (`UNREGISTERED-<terminal>`).
    public var registered: Bool
    /// Whether it can operate without a driver (zone.toml; `nil` when unknown).
    public var driverlessCapable: Bool?

    public init(vin: String, plate: String, operatorID: String, permit: String, registered: Bool = true) {
        self.vin = vin
        self.plate = plate
        self.operatorID = operatorID
        self.permit = permit
        self.registered = registered
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
    /// Automated distance during which the vehicle's own BSMs reached the platform (V2X uplink), metres.
    public var uplinkMeters: Double

    public init(
        vin: String, day: String, level: Int, meters: Double, seconds: Double, uplinkMeters: Double = 0
    ) {
        self.vin = vin
        self.day = day
        self.level = level
        self.meters = meters
        self.seconds = seconds
        self.uplinkMeters = uplinkMeters
    }
}

/// Kinds of stored automation events (the Store's `events.kind`, DESIGN.md sections 4 and 5).
public enum EventKind: String, Sendable, Equatable, CaseIterable {
    /// Type 2 from L3/L4 with a cause other than 11.
    case disengagement = "disengagement"
    /// A drop active -> off seen in item 0xE1 with no event item (initiator unknown).
    case inferredDisengagement = "inferred-disengagement"
    /// Type 2 with cause 11: counted, never a disengagement.
    case plannedDeactivation = "planned-deactivation"
    /// Type 2 below L3.
    case deactivation = "deactivation"
    case engagement = "engagement"
    case takeoverRequest = "takeover-request"
    case mrmStarted = "mrm-started"
    case mrmEnded = "mrm-ended"
    case collision = "collision"
    case severeFailure = "severe-failure"

    /// Whether the event counts as a disengagement (explicit or inferred).
    public var isDisengagement: Bool { self == .disengagement || self == .inferredDisengagement }
}

/// One automation event with where and when it happened (a row of the Store's `events`).
public struct EventRecord: Sendable, Equatable {
    /// Event time, microseconds since the Unix epoch.
    public var micros: Int64
    public var vin: String
    public var kind: EventKind
    /// SAE level engaged before the event.
    public var level: Int
    /// Initiator name: `n/a`, `ads`, `safety-driver`, `remote-operator`, `passenger`, `unknown`.
    public var initiator: String
    /// Cause name: `unspecified`, `perception`, ..., `planned-end` (DESIGN.md section 4).
    public var cause: String
    public var latitude: Double?
    public var longitude: Double?
    /// Matched road link, if the fix matched one.
    public var linkID: String?
    /// Road class of the matched link.
    public var roadClass: String?
    /// Speed at the event, m/s.
    public var speed: Double?
    /// On a takeover request: the takeover time (taken over) or time to the MRM (missed). On a
    /// closing event: the time since the earliest request it closed. Seconds.
    public var takeoverSeconds: Double?
    /// On a takeover request: `taken-over`, `missed`, `unresolved` or `open`.
    public var takeoverOutcome: String?
    /// Name of the matched link, if known.
    public var roadName: String?
    /// 0xE1 flag bit 0 at the event: safety driver on board (`nil`: not recorded).
    public var safetyDriver: Bool?
    /// 0xE1 flag bit 1 at the event: remote operator connected (`nil`: not recorded).
    public var remoteOperator: Bool?
    /// Evidence clip made for the event (`event_clips.file`), if any.
    public var clipFile: String?
    /// SHA-256 of the clip file.
    public var clipSHA256: String?

    public init(
        micros: Int64, vin: String, kind: EventKind, level: Int, initiator: String = "n/a",
        cause: String = "unspecified", latitude: Double? = nil, longitude: Double? = nil,
        linkID: String? = nil,
        roadClass: String? = nil, speed: Double? = nil, takeoverSeconds: Double? = nil,
        takeoverOutcome: String? = nil
    ) {
        self.micros = micros
        self.vin = vin
        self.kind = kind
        self.level = level
        self.initiator = initiator
        self.cause = cause
        self.latitude = latitude
        self.longitude = longitude
        self.linkID = linkID
        self.roadClass = roadClass
        self.speed = speed
        self.takeoverSeconds = takeoverSeconds
        self.takeoverOutcome = takeoverOutcome
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

/// Automated (L3/L4) driving on one link in the period, over all vehicles of the report's scope.
public struct LinkUsageRecord: Sendable, Equatable {
    public var linkID: String
    /// Distinct (vehicle, day) pairs that drove the link in automated mode; > 0 means covered.
    public var vehicleDays: Int
    /// Automated distance driven on the link, metres, when the store records it.
    public var automatedMeters: Double?

    public init(linkID: String, vehicleDays: Int, automatedMeters: Double? = nil) {
        self.linkID = linkID
        self.vehicleDays = vehicleDays
        self.automatedMeters = automatedMeters
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

    public init(
        id: String, name: String, position: GeoPoint?, availableSeconds: Double, expectedSeconds: Double
    ) {
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
    /// Packets a vehicle sending at 10 Hz would have produced while in the band (exposure x 10 Hz).
    public var expected: Double

    public init(rsuID: String, bandLower: Int, bandUpper: Int, received: Int, expected: Double) {
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
    /// Mean clock offset (receive time minus source time), milliseconds.
    public var clockOffsetMillis: Double?

    public init(
        source: String, kind: String, received: Int, decoded: Int, rejected: Int, duplicates: Int,
        clockOffsetMillis: Double?
    ) {
        self.source = source
        self.kind = kind
        self.received = received
        self.decoded = decoded
        self.rejected = rejected
        self.duplicates = duplicates
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

/// Sequence-number accounting of one stream.
public struct SequenceRecord: Sendable, Equatable {
    /// `bsm-msgcnt` (per OBU) or `jt808-serial` (per terminal).
    public var streamKind: String
    public var streamID: String
    public var count: Int
    /// Missing sequence numbers.
    public var gaps: Int
    public var repeats: Int
    public var reordered: Int
    public var resets: Int

    public init(
        streamKind: String, streamID: String, count: Int, gaps: Int, repeats: Int, reordered: Int, resets: Int
    ) {
        self.streamKind = streamKind
        self.streamID = streamID
        self.count = count
        self.gaps = gaps
        self.repeats = repeats
        self.reordered = reordered
        self.resets = resets
    }
}

/// Steps of a vehicle's track not integrated (DESIGN.md section 5).
public struct TrackGapRecord: Sendable, Equatable {
    public var vin: String
    /// Consecutive fixes more than 10 s apart.
    public var timeGaps: Int
    /// Steps implying more than 70 m/s (GNSS outliers).
    public var outlierSteps: Int

    public init(vin: String, timeGaps: Int, outlierSteps: Int) {
        self.vin = vin
        self.timeGaps = timeGaps
        self.outlierSteps = outlierSteps
    }
}

/// Observations not attributable to a registered vehicle.
public struct UnattributedRecord: Sendable, Equatable {
    /// BSMs from OBU ids not in the registry.
    public var bsmFromUnregisteredOBU: Int
    /// Other observations of unknown vehicles.
    public var unknownVehicleObservations: Int

    public init(bsmFromUnregisteredOBU: Int = 0, unknownVehicleObservations: Int = 0) {
        self.bsmFromUnregisteredOBU = bsmFromUnregisteredOBU
        self.unknownVehicleObservations = unknownVehicleObservations
    }
}

/// A run (one processing of journal files) behind a period's figures.
public struct RunRecord: Sendable, Equatable {
    public var id: Int64
    /// `replay` or `live`.
    public var kind: String
    /// `complete` (counted) or `running` (not counted).
    public var status: String
    /// Data time of the first and last observation, microseconds since the epoch.
    public var firstMicros: Int64?
    public var lastMicros: Int64?
    public var frames: Int64
    /// The journal files (path, SHA-256, bytes), by path.
    public var files: [RunFileRecord]
    /// What the journal reader reported (truncation, corrupt chunks skipped): the run is incomplete.
    /// Each is `<journal file>: <warning>`.
    public var warnings: [String]

    /// A warning without its leading `<journal file>: ` (the digest keeps only the content).
    static func withoutPath(_ warning: String) -> String {
        guard let range = warning.firstRange(of: ": ") else { return warning }
        return String(warning[range.upperBound...])
    }

    public init(
        id: Int64, kind: String, status: String, firstMicros: Int64?, lastMicros: Int64?, frames: Int64,
        files: [RunFileRecord] = [], warnings: [String] = []
    ) {
        self.id = id
        self.kind = kind
        self.status = status
        self.firstMicros = firstMicros
        self.lastMicros = lastMicros
        self.frames = frames
        self.files = files
        self.warnings = warnings
    }
}

/// A journal file of a run.
public struct RunFileRecord: Sendable, Equatable {
    public var path: String
    public var sha256: String
    public var bytes: Int64

    public init(path: String, sha256: String, bytes: Int64) {
        self.path = path
        self.sha256 = sha256
        self.bytes = bytes
    }
}

/// The zone a report is about (from zone.toml).
public struct ZoneRecord: Sendable, Equatable {
    /// Zone name.
    public var name: String
    /// The organisation that reports (zone.toml `reporting_entity`).
    public var reportingEntity: String
    /// Location category of places not on a listed link (zone.toml `link_category`), raw value.
    public var defaultCategory: String

    public init(name: String = "", reportingEntity: String = "", defaultCategory: String = "street") {
        self.name = name
        self.reportingEntity = reportingEntity
        self.defaultCategory = defaultCategory
    }
}
