import Zone

/// A rate at which something happens to a vehicle while it drives in automated mode (state active).
public struct AutomationHazard: Sendable, Hashable, Codable {
    /// What happens.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A disengagement by `initiator` (event type 2, from active straight to available).
        case disengagement
        /// The ADS issues a takeover request (type 3); the safety driver responds (type 2) or
        /// misses it, and the ADS starts a minimal-risk manoeuvre (type 4).
        case takeoverRequest
        /// A severe system failure (type 7) followed by an MRM.
        case severeFailure
        /// A collision (type 6) followed by an MRM.
        case collision
        /// Automation drops from active to off without any event item (an inferred disengagement).
        case silentDrop
    }

    /// What happens.
    public var kind: Kind
    /// Initiator code written in the event (0xE2 byte 1).
    public var initiator: UInt8
    /// Cause code written in the event (0xE2 byte 2).
    public var cause: UInt8
    /// Expected occurrences per hour of active automated driving.
    public var perHour: Double
    /// Lowest engaged level this applies at (e.g. 4 for remote-operator interventions).
    public var minimumLevel: Int

    /// Creates a hazard rate.
    public init(kind: Kind, initiator: UInt8, cause: UInt8, perHour: Double, minimumLevel: Int = 3) {
        self.kind = kind
        self.initiator = initiator
        self.cause = cause
        self.perHour = perHour
        self.minimumLevel = minimumLevel
    }
}

/// How the vehicles use their automation.
public struct AutomationParameters: Sendable, Hashable, Codable {
    /// Hazards while active (rates per hour of active driving).
    public var hazards: [AutomationHazard]
    /// Mean time in manual driving before (re-)engaging, seconds (exponential, at least 5 s).
    public var meanManualSeconds: Double = 60
    /// Length of a planned automated run before its planned deactivation (cause 11), seconds.
    public var plannedRunSeconds: ClosedRange<Double> = 480...1500
    /// Median takeover response time, seconds (log-normal).
    public var takeoverMedianSeconds: Double = 2.2
    /// Log-standard deviation of the takeover response time.
    public var takeoverSigma: Double = 0.45
    /// Probability that the driver does not respond to a takeover request at all.
    public var takeoverMissProbability: Double = 0.06
    /// Time after a takeover request at which the ADS starts an MRM if nobody took over, seconds.
    public var takeoverDeadlineSeconds: Double = 8
    /// Deceleration during an MRM, m/s^2.
    public var mrmDeceleration: Double = 2.5
    /// Time an MRM holds the vehicle at standstill before it ends, seconds.
    public var mrmStandstillSeconds: Double = 3
    /// Standstill after an MRM before manual driving resumes, seconds.
    public var recoverySeconds: ClosedRange<Double> = 20...60
    /// Share of engagements at L4 for vehicles whose permit allows L4 (the rest engage L3).
    public var level4Share: Double = 0.75
    /// Share of engagements made by the remote operator (L4 vehicles; otherwise the safety driver).
    public var remoteEngagementShare: Double = 0.25

    /// The default hazard table: a busy but plausible urban test day.
    public static let defaultHazards: [AutomationHazard] = [
        .init(kind: .disengagement, initiator: 2, cause: 10, perHour: 0.7),
        .init(kind: .disengagement, initiator: 2, cause: 8, perHour: 0.35),
        .init(kind: .disengagement, initiator: 2, cause: 9, perHour: 0.2),
        .init(kind: .disengagement, initiator: 2, cause: 1, perHour: 0.15),
        .init(kind: .disengagement, initiator: 3, cause: 6, perHour: 0.15, minimumLevel: 4),
        .init(kind: .disengagement, initiator: 3, cause: 10, perHour: 0.15, minimumLevel: 4),
        .init(kind: .disengagement, initiator: 4, cause: 10, perHour: 0.05, minimumLevel: 4),
        .init(kind: .takeoverRequest, initiator: 1, cause: 1, perHour: 0.4),
        .init(kind: .takeoverRequest, initiator: 1, cause: 2, perHour: 0.2),
        .init(kind: .takeoverRequest, initiator: 1, cause: 3, perHour: 0.3),
        .init(kind: .takeoverRequest, initiator: 1, cause: 4, perHour: 0.1),
        .init(kind: .takeoverRequest, initiator: 1, cause: 6, perHour: 0.1),
        .init(kind: .takeoverRequest, initiator: 1, cause: 7, perHour: 0.25),
        .init(kind: .takeoverRequest, initiator: 1, cause: 9, perHour: 0.2),
        .init(kind: .severeFailure, initiator: 1, cause: 5, perHour: 0.04),
        .init(kind: .collision, initiator: 1, cause: 8, perHour: 0.02),
        .init(kind: .silentDrop, initiator: 0, cause: 0, perHour: 0.06),
    ]

    /// Default automation behaviour.
    public init(hazards: [AutomationHazard] = Self.defaultHazards) {
        self.hazards = hazards
    }
}

/// Deliberate data faults injected between the vehicles/RSUs and the platform.
public struct FaultParameters: Sendable, Hashable, Codable {
    /// Probability that a delivered frame is lost.
    public var lossRate: Double = 0
    /// Probability that a delivered frame arrives twice.
    public var duplicateRate: Double = 0
    /// Probability that a delivered frame arrives corrupted (undecodable).
    public var corruptRate: Double = 0
    /// Largest absolute clock offset of a source (terminal, OBU, RSU) against true time, ms.
    /// Each source gets a fixed offset, a multiple of 100 ms, drawn uniformly within it.
    public var maxClockOffsetMilliseconds: Int = 0

    /// No faults.
    public init() {}

    /// The fault profile of `Replays/faults`.
    public static var demoFaults: FaultParameters {
        var faults = FaultParameters()
        faults.lossRate = 0.02
        faults.duplicateRate = 0.01
        faults.corruptRate = 0.005
        faults.maxClockOffsetMilliseconds = 3000
        return faults
    }
}

/// Everything that defines a simulated run. Same parameters (including the seed), same output.
public struct SimulationParameters: Sendable, Hashable, Codable {
    /// Seed of all random choices.
    public var seed: UInt64 = 1
    /// Start of the run, microseconds since the Unix epoch (default 2026-11-02T09:00:00+08:00).
    public var startMicroseconds: Int64 = 1_793_581_200_000_000
    /// Length of the run, seconds.
    public var durationSeconds: Double = 1800
    /// Number of test vehicles.
    public var vehicleCount: Int = 20
    /// Intersections west to east.
    public var gridColumns: Int = 4
    /// Intersections south to north.
    public var gridRows: Int = 4
    /// Zone origin (centre of the grid).
    public var origin = GeoPoint(latitude: 31.29, longitude: 121.17)
    /// BSM rate per vehicle, Hz (divisor of 10).
    public var bsmRate: Int = 10
    /// SPAT rate per RSU, Hz (divisor of 10).
    public var spatRate: Int = 10
    /// MAP period per RSU, seconds.
    public var mapPeriodSeconds: Int = 1
    /// RSM period per RSU, seconds (0 disables RSM).
    public var rsmPeriodSeconds: Int = 1
    /// RSI period while an RSI event is active, seconds (0 disables RSI).
    public var rsiPeriodSeconds: Int = 1
    /// Whether each ZeroMQ message carries the optional 8-byte gateway receive-time frame.
    public var gatewayTimeFrame: Bool = true
    /// Automation behaviour.
    public var automation = AutomationParameters()
    /// Injected faults.
    public var faults = FaultParameters()

    /// Defaults: the 30-minute, 20-vehicle, 16-RSU demo.
    public init() {}
}
