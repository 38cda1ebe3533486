/// Decoded observations: what the metrics engine consumes. They carry no wire-format detail;
/// the pipeline decodes C-V2X and JT/T 808 frames into these value types.
///
/// Times are `Int64` microseconds since the Unix epoch (UTC) throughout the module.
public typealias Microseconds = Int64

/// A dense vehicle index handed out by ``VehicleDirectory`` (position in its identity table).
public typealias VehicleRef = Int

/// Engagement status of the automated driving system, as carried in JT/T 808 item 0xE1.
public enum AutomationStatus: UInt8, Sendable, Hashable, CaseIterable, Codable {
    /// The ADS is off (manual driving).
    case off = 0
    /// The ADS is available but not engaged.
    case available = 1
    /// The ADS is engaged and driving.
    case active = 2
    /// The ADS is driving and has asked the fallback-ready user to take over.
    case takeoverRequested = 3
    /// The ADS is performing a minimal-risk manoeuvre.
    case minimalRiskManoeuvre = 4

    /// Whether the ADS is in control of the vehicle in this status (active, takeover requested, MRM).
    public var isEngaged: Bool {
        self == .active || self == .takeoverRequested || self == .minimalRiskManoeuvre
    }
}

/// The automation state reported with a fix (JT/T 808 item 0xE1).
public struct AutomationState: Sendable, Hashable, Codable {
    /// SAE level engaged (0 none/manual, 1-5).
    public var level: UInt8
    /// Engagement status.
    public var status: AutomationStatus
    /// Flags: bit 0 safety driver on board, bit 1 remote operator connected, bit 2 V2X enabled.
    public var flags: UInt16

    /// Creates an automation state.
    public init(level: UInt8, status: AutomationStatus, flags: UInt16 = 0) {
        self.level = level
        self.status = status
        self.flags = flags
    }

    /// Whether this state counts as automated driving for distance (status active, DESIGN.md 5).
    public var isActive: Bool { status == .active }
    /// Whether this is automated driving at L3 or L4 (the levels the zone's rates are about).
    public var isActiveL3L4: Bool { status == .active && (level == 3 || level == 4) }
}

/// A position fix of a test vehicle from its supervision terminal (JT/T 808 location report),
/// optionally with the automation state reported in the same report.
public struct VehicleFix: Sendable, Hashable {
    /// The vehicle (see ``VehicleDirectory``).
    public var vehicle: VehicleRef
    /// Fix time (terminal time converted to UTC).
    public var time: Microseconds
    /// WGS-84 latitude in degrees.
    public var latitude: Double
    /// WGS-84 longitude in degrees.
    public var longitude: Double
    /// Speed over ground in m/s.
    public var speed: Double
    /// Heading in degrees clockwise from north.
    public var heading: Double
    /// The automation state of the same report (0xE1), if present.
    public var automation: AutomationState?

    /// Creates a fix.
    public init(
        vehicle: VehicleRef, time: Microseconds, latitude: Double, longitude: Double, speed: Double = 0,
        heading: Double = 0, automation: AutomationState? = nil
    ) {
        self.vehicle = vehicle
        self.time = time
        self.latitude = latitude
        self.longitude = longitude
        self.speed = speed
        self.heading = heading
        self.automation = automation
    }
}

/// Automation event types (JT/T 808 item 0xE2, byte 0).
public enum AutomationEventType: UInt8, Sendable, Hashable, CaseIterable, Codable {
    /// ADS engaged.
    case engaged = 1
    /// ADS disengaged.
    case disengaged = 2
    /// Takeover request issued.
    case takeoverRequest = 3
    /// Minimal-risk manoeuvre started.
    case mrmStarted = 4
    /// Minimal-risk manoeuvre ended.
    case mrmEnded = 5
    /// Collision detected.
    case collision = 6
    /// Severe system failure.
    case severeFailure = 7
}

/// Who initiated an event (0xE2 byte 1). `unknown` is not on the wire: it marks inferred events.
public enum Initiator: UInt8, Sendable, Hashable, CaseIterable, Codable {
    /// Not applicable.
    case notApplicable = 0
    /// The automated driving system.
    case ads = 1
    /// The safety driver.
    case safetyDriver = 2
    /// The remote operator.
    case remoteOperator = 3
    /// A passenger.
    case passenger = 4
    /// Unknown (inferred disengagements, which carry no event item).
    case unknown = 255

    /// A short stable name for tables and JSON.
    public var name: String {
        switch self {
        case .notApplicable: "n/a"
        case .ads: "ads"
        case .safetyDriver: "safety-driver"
        case .remoteOperator: "remote-operator"
        case .passenger: "passenger"
        case .unknown: "unknown"
        }
    }
}

/// Event cause (0xE2 byte 2).
public enum Cause: UInt8, Sendable, Hashable, CaseIterable, Codable {
    /// Unspecified.
    case unspecified = 0
    /// Perception.
    case perception = 1
    /// Localization.
    case localization = 2
    /// Planning / decision.
    case planning = 3
    /// Control / actuation.
    case control = 4
    /// Hardware / compute.
    case hardware = 5
    /// V2X / communication.
    case communication = 6
    /// Left the operational design domain (road, weather, light).
    case leftODD = 7
    /// Other road user.
    case otherRoadUser = 8
    /// Road works / obstruction.
    case roadWorks = 9
    /// Precaution by the driver.
    case precaution = 10
    /// Planned end of the automated run (a planned deactivation, never a disengagement).
    case plannedEnd = 11

    /// A short stable name for tables and JSON.
    public var name: String {
        switch self {
        case .unspecified: "unspecified"
        case .perception: "perception"
        case .localization: "localization"
        case .planning: "planning"
        case .control: "control"
        case .hardware: "hardware"
        case .communication: "communication"
        case .leftODD: "left-odd"
        case .otherRoadUser: "other-road-user"
        case .roadWorks: "road-works"
        case .precaution: "precaution"
        case .plannedEnd: "planned-end"
        }
    }
}

/// An automation event reported by a vehicle (JT/T 808 item 0xE2).
public struct AutomationEvent: Sendable, Hashable {
    /// The vehicle.
    public var vehicle: VehicleRef
    /// Event time (the item's own BCD time plus milliseconds, converted to UTC).
    public var time: Microseconds
    /// Event type.
    public var type: AutomationEventType
    /// Initiator.
    public var initiator: Initiator
    /// Cause.
    public var cause: Cause
    /// SAE level engaged before the event.
    public var levelBefore: UInt8

    /// Creates an event.
    public init(
        vehicle: VehicleRef, time: Microseconds, type: AutomationEventType,
        initiator: Initiator = .notApplicable,
        cause: Cause = .unspecified, levelBefore: UInt8 = 0
    ) {
        self.vehicle = vehicle
        self.time = time
        self.type = type
        self.initiator = initiator
        self.cause = cause
        self.levelBefore = levelBefore
    }
}

/// A BSM of a test vehicle's OBU received by a roadside unit.
public struct BSMReception: Sendable, Hashable {
    /// The vehicle whose OBU sent the BSM (resolved from the BSM `id` through ``VehicleDirectory``).
    public var vehicle: VehicleRef
    /// The receiving RSU: index into ``MetricsConfiguration/rsus``, or `nil` for an RSU not in
    /// the zone registry (it still counts for uplink coverage, not for reception ratios).
    public var rsu: Int?
    /// The BSM message count (0...127).
    public var msgCnt: UInt8
    /// Receive time at the gateway.
    public var receiveTime: Microseconds
    /// Vehicle latitude from the BSM, degrees.
    public var latitude: Double
    /// Vehicle longitude from the BSM, degrees.
    public var longitude: Double

    /// Creates a reception.
    public init(
        vehicle: VehicleRef, rsu: Int?, msgCnt: UInt8, receiveTime: Microseconds, latitude: Double,
        longitude: Double
    ) {
        self.vehicle = vehicle
        self.rsu = rsu
        self.msgCnt = msgCnt
        self.receiveTime = receiveTime
        self.latitude = latitude
        self.longitude = longitude
    }
}

/// What happened to one frame at the decoder (data-health accounting).
public enum FrameOutcome: Sendable, Hashable {
    /// Decoded into observations.
    case decoded
    /// Rejected, with a short stable reason (e.g. `"uper: length out of range"`).
    case rejected(reason: String)
    /// A duplicate of a frame already seen (same source, same sequence, same content).
    case duplicate
}

/// A sequence-numbered stream whose gaps are counted: BSM `msgCnt` per vehicle (mod 128) or
/// JT/T 808 message serial number per terminal (mod 65536).
public struct SequenceStream: Sendable, Hashable, Codable, Comparable {
    /// The kind of sequence number.
    public enum Kind: UInt8, Sendable, Hashable, Codable {
        /// BSM `msgCnt`, modulo 128, per vehicle (OBU id).
        case bsmMsgCnt = 1
        /// JT/T 808 message serial number, modulo 65536, per terminal.
        case jt808Serial = 2

        /// The modulus of the sequence number.
        public var modulus: Int { self == .bsmMsgCnt ? 128 : 65536 }
        /// A stable name.
        public var name: String { self == .bsmMsgCnt ? "bsm-msgcnt" : "jt808-serial" }
    }
    /// The kind.
    public var kind: Kind
    /// The stream identity: the OBU id (8 octets big-endian) or the terminal number.
    public var id: String

    /// Creates a stream key.
    public init(kind: Kind, id: String) {
        self.kind = kind
        self.id = id
    }

    public static func < (a: Self, b: Self) -> Bool { (a.kind.rawValue, a.id) < (b.kind.rawValue, b.id) }
}
