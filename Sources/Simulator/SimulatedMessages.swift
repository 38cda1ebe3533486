import Zone

/// An automation event as a vehicle reports it in JT/T 808 item 0xE2.
public struct AutomationEventRecord: Sendable, Hashable, Codable {
    /// Event type (1 engaged ... 7 severe failure).
    public var type: UInt8
    /// Initiator (0 n/a, 1 ADS, 2 safety driver, 3 remote operator, 4 passenger).
    public var initiator: UInt8
    /// Cause (0-11, DESIGN.md section 4).
    public var cause: UInt8
    /// SAE level engaged before the event.
    public var levelBefore: UInt8
    /// Event time on the terminal's clock, milliseconds since the Unix epoch.
    public var terminalMilliseconds: Int64
    /// True event time, microseconds since the Unix epoch.
    public var trueMicroseconds: Int64
    /// Where the vehicle was when the event was raised (at the simulation tick).
    public var position: GeoPoint
    /// The link the vehicle was on.
    public var link: LinkID
}

/// The automation state of item 0xE1.
public struct AutomationStatusSample: Sendable, Hashable, Codable {
    /// Level engaged (0 none).
    public var level: UInt8
    /// 0 off, 1 available, 2 active, 3 takeover requested, 4 MRM.
    public var state: UInt8
    /// bit0 safety driver on board, bit1 remote operator connected, bit2 V2X enabled.
    public var flags: UInt16
}

/// A BSM as a vehicle transmits it.
public struct BSMSample: Sendable, Hashable {
    /// Index of the vehicle in the zone configuration.
    public var vehicleIndex: Int
    /// True transmission time, µs since the epoch.
    public var trueMicroseconds: Int64
    /// Transmission time on the OBU clock, ms since the epoch (source of `secMark`).
    public var sourceMilliseconds: Int64
    /// Rolling message count 0...127.
    public var messageCount: UInt8
    /// Position quantised to 1e-7 degree (BSM resolution).
    public var position: GeoPoint
    /// Elevation in metres.
    public var elevation: Double
    /// Speed in m/s.
    public var speed: Double
    /// Heading in degrees clockwise from north.
    public var heading: Double
    /// Longitudinal acceleration, m/s^2.
    public var acceleration: Double
    /// Whether the brakes are applied.
    public var braking: Bool
}

/// A JT/T 808 0x0200 location report as a terminal sends it.
public struct LocationSample: Sendable, Hashable {
    /// Index of the vehicle.
    public var vehicleIndex: Int
    /// True time of the fix, µs since the epoch.
    public var trueMicroseconds: Int64
    /// Fix time on the terminal clock, ms since the epoch (a whole second).
    public var terminalMilliseconds: Int64
    /// Message serial number.
    public var serial: UInt16
    /// Position quantised to 1e-6 degree (JT/T 808 resolution).
    public var position: GeoPoint
    /// Altitude, metres.
    public var altitude: Int
    /// Speed in 0.1 km/h.
    public var speedTenthsKmh: UInt16
    /// Direction 0-359 degrees.
    public var direction: UInt16
    /// Odometer in 0.1 km (item 0x01).
    public var odometerTenthsKm: UInt32
    /// Automation state (item 0xE1).
    public var automation: AutomationStatusSample
    /// Events since the previous report (items 0xE2).
    public var events: [AutomationEventRecord]
    /// The link the vehicle was on (ground truth only, not transmitted).
    public var link: LinkID
}

/// A MAP broadcast by an RSU (its intersection: see ``ZoneLayout/mapNodes(rsuIndex:)``).
public struct MAPSample: Sendable, Hashable {
    /// RSU index.
    public var rsuIndex: Int
    /// True transmission time, µs.
    public var trueMicroseconds: Int64
    /// Transmission time on the RSU clock, ms.
    public var sourceMilliseconds: Int64
    /// Rolling message count.
    public var messageCount: UInt8
}

/// One signal phase's state in a SPAT.
public struct PhaseSample: Sendable, Hashable {
    /// Phase id (1 north-south, 2 east-west).
    public var phaseID: UInt8
    /// Current light.
    public var light: SignalPlan.Light
    /// Seconds until the light changes.
    public var remaining: Double
    /// Length of the following interval, seconds.
    public var nextDuration: Double
}

/// A SPAT broadcast by an RSU.
public struct SPATSample: Sendable, Hashable {
    /// RSU index.
    public var rsuIndex: Int
    /// True transmission time, µs.
    public var trueMicroseconds: Int64
    /// Transmission time on the RSU clock, ms.
    public var sourceMilliseconds: Int64
    /// Rolling message count.
    public var messageCount: UInt8
    /// Phase states.
    public var phases: [PhaseSample]
}

/// A road-side information message (road works or speed advice).
public struct RSISample: Sendable, Hashable {
    /// What the RSI announces.
    public enum Kind: Sendable, Hashable {
        /// Road works around `position` within `radius` metres.
        case roadWorks
        /// Advisory speed `speed` m/s on the link.
        case speedAdvice(speed: Double)
    }

    /// RSU index.
    public var rsuIndex: Int
    /// True transmission time, µs.
    public var trueMicroseconds: Int64
    /// Transmission time on the RSU clock, ms.
    public var sourceMilliseconds: Int64
    /// Rolling message count.
    public var messageCount: UInt8
    /// Event id (stable for the event's lifetime).
    public var eventID: UInt8
    /// Kind.
    public var kind: Kind
    /// Event position.
    public var position: GeoPoint
    /// Radius of the affected zone, metres.
    public var radius: Double
    /// The link concerned.
    public var link: LinkID
}

/// A participant detected by an RSU's sensors.
public struct ParticipantSample: Sendable, Hashable {
    /// Participant kind.
    public enum Kind: Sendable, Hashable {
        /// Motor vehicle (not a test vehicle).
        case motorVehicle
        /// Pedestrian.
        case pedestrian
    }

    /// Participant id within the RSU.
    public var id: UInt16
    /// Kind.
    public var kind: Kind
    /// Position (1e-7 degree).
    public var position: GeoPoint
    /// Speed, m/s.
    public var speed: Double
    /// Heading, degrees.
    public var heading: Double
}

/// A road-side message (sensor-shared participants).
public struct RSMSample: Sendable, Hashable {
    /// RSU index.
    public var rsuIndex: Int
    /// True transmission time, µs.
    public var trueMicroseconds: Int64
    /// Transmission time on the RSU clock, ms.
    public var sourceMilliseconds: Int64
    /// Rolling message count.
    public var messageCount: UInt8
    /// Detected participants.
    public var participants: [ParticipantSample]
}

/// Something the simulated world transmits, before radio, network and encoding.
public enum SimulatedMessage: Sendable, Hashable {
    /// A vehicle's BSM (broadcast over PC5; RSUs in range may receive it).
    case bsm(BSMSample)
    /// A vehicle's JT/T 808 location report (cellular, to the platform).
    case location(LocationSample)
    /// An RSU's MAP.
    case map(MAPSample)
    /// An RSU's SPAT.
    case spat(SPATSample)
    /// An RSU's RSI.
    case rsi(RSISample)
    /// An RSU's RSM.
    case rsm(RSMSample)

    /// True transmission time, µs.
    public var trueMicroseconds: Int64 {
        switch self {
        case .bsm(let sample): sample.trueMicroseconds
        case .location(let sample): sample.trueMicroseconds
        case .map(let sample): sample.trueMicroseconds
        case .spat(let sample): sample.trueMicroseconds
        case .rsi(let sample): sample.trueMicroseconds
        case .rsm(let sample): sample.trueMicroseconds
        }
    }
}
