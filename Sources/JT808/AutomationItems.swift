// ICV automation items in the custom additional-information range (DESIGN.md section 4).

/// Automation state of the vehicle (value of additional item 0xE1, 4 bytes: BYTE level engaged,
/// BYTE state, WORD flags).
public struct AutomationState: Hashable, Sendable {
    /// SAE level engaged: 0 none/manual, 1-5 SAE level (other values are kept as received).
    public var level: UInt8
    /// State of the automated driving system.
    public var mode: AutomationMode
    /// Flags (safety driver on board, remote operator connected, V2X enabled).
    public var flags: AutomationFlags

    /// Creates an automation state item.
    public init(level: UInt8, mode: AutomationMode, flags: AutomationFlags = []) {
        self.level = level
        self.mode = mode
        self.flags = flags
    }

    /// Additional item id.
    public static let itemID: UInt8 = 0xE1
    /// Item length in bytes.
    public static let itemLength = 4
}

/// State byte of item 0xE1. Values outside the defined set are kept as received (`name` is nil).
public struct AutomationMode: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// 0: off.
    public static let off = Self(rawValue: 0)
    /// 1: available, not engaged.
    public static let available = Self(rawValue: 1)
    /// 2: active (engaged).
    public static let active = Self(rawValue: 2)
    /// 3: takeover requested.
    public static let takeoverRequested = Self(rawValue: 3)
    /// 4: minimal-risk manoeuvre in progress.
    public static let minimalRiskManoeuvre = Self(rawValue: 4)

    /// JSON name: "off", "available", "active", "takeoverRequested", "minimalRiskManoeuvre"; nil if undefined.
    public var name: String? {
        switch rawValue {
        case 0: "off"
        case 1: "available"
        case 2: "active"
        case 3: "takeoverRequested"
        case 4: "minimalRiskManoeuvre"
        default: nil
        }
    }
}

/// Flags WORD of item 0xE1.
public struct AutomationFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// Bit 0: a safety driver is on board.
    public static let safetyDriverOnBoard = Self(rawValue: 1 << 0)
    /// Bit 1: a remote operator is connected.
    public static let remoteOperatorConnected = Self(rawValue: 1 << 1)
    /// Bit 2: V2X is enabled.
    public static let v2xEnabled = Self(rawValue: 1 << 2)
}

/// An automation event (value of additional item 0xE2, 12 bytes: BYTE type, BYTE initiator,
/// BYTE cause, BYTE level before, BCD[6] event time (UTC+8), WORD milliseconds 0-999).
public struct AutomationEvent: Hashable, Sendable {
    // Stored in this order so that the value packs into 16 bytes.
    /// Event time to the second.
    public var time: JT808Timestamp
    /// Milliseconds within `time`'s second (0-999).
    public var milliseconds: UInt16
    /// What happened.
    public var type: AutomationEventType
    /// Who or what initiated it.
    public var initiator: AutomationEventInitiator
    /// Why.
    public var cause: AutomationEventCause
    /// SAE level engaged before the event.
    public var levelBefore: UInt8

    /// Creates an automation event item.
    public init(
        type: AutomationEventType, initiator: AutomationEventInitiator, cause: AutomationEventCause,
        levelBefore: UInt8, time: JT808Timestamp, milliseconds: UInt16 = 0
    ) {
        self.type = type
        self.initiator = initiator
        self.cause = cause
        self.levelBefore = levelBefore
        self.time = time
        self.milliseconds = milliseconds
    }

    /// Event time in milliseconds since the Unix epoch (UTC).
    public var millisecondsSince1970: Int64 { time.secondsSince1970 * 1000 + Int64(milliseconds) }

    /// Additional item id.
    public static let itemID: UInt8 = 0xE2
    /// Item length in bytes.
    public static let itemLength = 12
}

/// Type byte of item 0xE2. Values outside the defined set are kept as received (`name` is nil).
public struct AutomationEventType: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// 1: automation engaged.
    public static let engaged = Self(rawValue: 1)
    /// 2: automation disengaged.
    public static let disengaged = Self(rawValue: 2)
    /// 3: takeover request issued.
    public static let takeoverRequest = Self(rawValue: 3)
    /// 4: minimal-risk manoeuvre started.
    public static let mrmStarted = Self(rawValue: 4)
    /// 5: minimal-risk manoeuvre ended.
    public static let mrmEnded = Self(rawValue: 5)
    /// 6: collision detected.
    public static let collision = Self(rawValue: 6)
    /// 7: severe system failure.
    public static let severeFailure = Self(rawValue: 7)

    /// JSON name, nil if undefined.
    public var name: String? {
        switch rawValue {
        case 1: "engaged"
        case 2: "disengaged"
        case 3: "takeoverRequest"
        case 4: "mrmStarted"
        case 5: "mrmEnded"
        case 6: "collision"
        case 7: "severeFailure"
        default: nil
        }
    }
}

/// Initiator byte of item 0xE2. Values outside the defined set are kept as received.
public struct AutomationEventInitiator: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// 0: not applicable.
    public static let notApplicable = Self(rawValue: 0)
    /// 1: the automated driving system.
    public static let ads = Self(rawValue: 1)
    /// 2: the safety driver.
    public static let safetyDriver = Self(rawValue: 2)
    /// 3: a remote operator.
    public static let remoteOperator = Self(rawValue: 3)
    /// 4: a passenger.
    public static let passenger = Self(rawValue: 4)

    /// JSON name, nil if undefined.
    public var name: String? {
        switch rawValue {
        case 0: "notApplicable"
        case 1: "ads"
        case 2: "safetyDriver"
        case 3: "remoteOperator"
        case 4: "passenger"
        default: nil
        }
    }
}

/// Cause byte of item 0xE2. Values outside the defined set are kept as received.
public struct AutomationEventCause: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// 0: unspecified.
    public static let unspecified = Self(rawValue: 0)
    /// 1: perception.
    public static let perception = Self(rawValue: 1)
    /// 2: localization.
    public static let localization = Self(rawValue: 2)
    /// 3: planning / decision.
    public static let planning = Self(rawValue: 3)
    /// 4: control / actuation.
    public static let control = Self(rawValue: 4)
    /// 5: hardware / compute.
    public static let hardware = Self(rawValue: 5)
    /// 6: V2X / communication.
    public static let communication = Self(rawValue: 6)
    /// 7: left the operational design domain (road, weather, light).
    public static let leftODD = Self(rawValue: 7)
    /// 8: another road user.
    public static let otherRoadUser = Self(rawValue: 8)
    /// 9: road works / obstruction.
    public static let roadWorks = Self(rawValue: 9)
    /// 10: precaution by the driver.
    public static let driverPrecaution = Self(rawValue: 10)
    /// 11: planned end of the automated run (a planned deactivation, never a disengagement).
    public static let plannedEnd = Self(rawValue: 11)

    /// JSON name, nil if undefined.
    public var name: String? {
        switch rawValue {
        case 0: "unspecified"
        case 1: "perception"
        case 2: "localization"
        case 3: "planning"
        case 4: "control"
        case 5: "hardware"
        case 6: "communication"
        case 7: "leftODD"
        case 8: "otherRoadUser"
        case 9: "roadWorks"
        case 10: "driverPrecaution"
        case 11: "plannedEnd"
        default: nil
        }
    }
}

/// The 0xE2 events of one report, in wire order. The first ``inlineCapacity`` events are stored
/// inline in the value (no allocation); only further events go to a heap array.
public struct AutomationEvents: RandomAccessCollection, Hashable, Sendable {
    /// Events held without allocation.
    public static let inlineCapacity = 4

    private static let emptySlot = AutomationEvent(
        type: .init(rawValue: 0), initiator: .notApplicable, cause: .unspecified, levelBefore: 0,
        time: JT808Timestamp(secondsSince1970: 0))

    private var inline: (AutomationEvent, AutomationEvent, AutomationEvent, AutomationEvent)
    private var overflow: [AutomationEvent]
    /// Number of events.
    public private(set) var count: Int

    /// An empty collection.
    public init() {
        inline = (Self.emptySlot, Self.emptySlot, Self.emptySlot, Self.emptySlot)
        overflow = []
        count = 0
    }

    /// A collection holding `events`.
    public init(_ events: some Sequence<AutomationEvent>) {
        self.init()
        for event in events { append(event) }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> AutomationEvent {
        precondition(position >= 0 && position < count, "AutomationEvents index out of range")
        switch position {
        case 0: return inline.0
        case 1: return inline.1
        case 2: return inline.2
        case 3: return inline.3
        default: return overflow[position - Self.inlineCapacity]
        }
    }

    /// Appends an event (inline while there is room).
    public mutating func append(_ event: AutomationEvent) {
        switch count {
        case 0: inline.0 = event
        case 1: inline.1 = event
        case 2: inline.2 = event
        case 3: inline.3 = event
        default: overflow.append(event)
        }
        count += 1
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.elementsEqual(rhs) }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for event in self { hasher.combine(event) }
    }
}
