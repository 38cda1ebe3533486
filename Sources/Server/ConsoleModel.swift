import Foundation
import Metrics
import Zone

/// The JSON documents of the console API (`/api/v1`). Every time in them is a data time
/// (terminal or gateway time, or the journal's receive time), never the server's clock.
public enum ConsoleModel {
    /// A position fix.
    public struct Fix: Codable, Sendable, Hashable {
        /// Latitude, degrees.
        public var latitude: Double
        /// Longitude, degrees.
        public var longitude: Double
        /// Speed, m/s.
        public var speed: Double
        /// Heading, degrees clockwise from north.
        public var heading: Double
        /// Terminal time (ISO 8601, UTC).
        public var time: String
        /// Terminal time, microseconds since the Unix epoch.
        public var timeMicros: Int64
    }

    /// The 0xE1 flags.
    public struct Flags: Codable, Sendable, Hashable {
        /// Safety driver on board.
        public var safetyDriver: Bool
        /// Remote operator connected.
        public var remoteOperator: Bool
        /// V2X enabled.
        public var v2x: Bool

        init(_ raw: UInt16) {
            safetyDriver = raw & 1 != 0
            remoteOperator = raw & 2 != 0
            v2x = raw & 4 != 0
        }
    }

    /// Automated kilometres and disengagements of one calendar period (Asia/Shanghai).
    public struct Period: Codable, Sendable, Hashable {
        /// `YYYY-MM-DD` or `YYYY-MM`.
        public var period: String
        /// Automated (L3 + L4, status active) kilometres.
        public var automatedKilometres: Double
        /// Disengagements, explicit and inferred.
        public var disengagements: Int
    }

    /// One vehicle (`GET /api/v1/vehicles`).
    public struct Vehicle: Codable, Sendable, Hashable {
        /// VIN (or `UNREGISTERED-<terminal>`).
        public var vin: String
        /// Licence plate from zone.toml.
        public var plate: String
        /// Operator id.
        public var operatorID: String
        /// Whether the vehicle is in the zone registry.
        public var registered: Bool
        /// Last fix.
        public var lastFix: Fix?
        /// Engaged SAE level of the last 0xE1 state.
        public var level: Int?
        /// Automation status name: off, available, active, takeover-requested, mrm.
        public var state: String?
        /// 0xE1 flags.
        public var flags: Flags?
        /// Seconds between the last fix and the zone's newest data time.
        public var secondsSinceLastFix: Double?
        /// The current Asia/Shanghai day (of the zone's newest data time).
        public var today: Period?
        /// The current Asia/Shanghai month.
        public var month: Period?
    }

    /// One vehicle with its recent track and its events of the day.
    public struct VehicleDetail: Codable, Sendable, Hashable {
        /// The vehicle.
        public var vehicle: Vehicle
        /// Fixes of the last 10 minutes (data time), oldest first.
        public var track: [Fix]
        /// Events of the current Asia/Shanghai day.
        public var events: [Event]
    }

    /// An event of the register or an alarm.
    public struct Event: Codable, Sendable, Hashable {
        /// Increasing id (the SSE `id:`).
        public var id: Int64
        /// engagement, disengagement, inferred-disengagement, planned-deactivation, deactivation,
        /// takeover-request, takeover, mrm-started, mrm-ended, collision, severe-failure; alarms:
        /// rsu-silent, rsu-resumed, track-silent, reject-rate.
        public var kind: String
        /// Whether this is an alarm (data health) rather than a vehicle event.
        public var alarm: Bool
        /// Data time (ISO 8601, UTC).
        public var time: String
        /// Data time, microseconds since the Unix epoch.
        public var timeMicros: Int64
        /// Receive (journal log) time of the frame that carried it, microseconds.
        public var receivedMicros: Int64?
        /// Vehicle.
        public var vin: String?
        /// Level (before the event for 0xE2 items).
        public var level: Int?
        /// Initiator name.
        public var initiator: String?
        /// Cause name.
        public var cause: String?
        /// Position at the event (the vehicle's last fix).
        public var latitude: Double?
        /// Longitude, see ``latitude``.
        public var longitude: Double?
        /// Matched road link.
        public var link: String?
        /// Takeover: taken-over, missed (MRM), unresolved.
        public var outcome: String?
        /// Takeover: seconds from the request.
        public var takeoverSeconds: Double?
        /// Alarm: the source (topic) or RSU concerned.
        public var source: String?
        /// Alarm: what happened, in words.
        public var message: String?
    }

    /// An RSU (`GET /api/v1/rsus`).
    public struct RSU: Codable, Sendable, Hashable {
        /// RSU id.
        public var id: String
        /// Position.
        public var latitude: Double
        /// Position.
        public var longitude: Double
        /// up (a frame within the silence threshold), silent, or never-seen.
        public var status: String
        /// Receive time of its last frame (ISO 8601).
        public var lastFrame: String?
        /// Seconds between its last frame and the zone's newest data time.
        public var secondsSinceLastFrame: Double?
        /// Frames received.
        public var frames: Int64
        /// Frames per second over the last interval of data time (a few seconds).
        public var framesPerSecond: Double
        /// BSM reception by distance band (as of the last commit).
        public var reception: [Reception]
    }

    /// BSM packet reception ratio of an RSU in a distance band.
    public struct Reception: Codable, Sendable, Hashable {
        /// `0-100 m` and so on.
        public var band: String
        /// BSMs of registered OBUs received in the band.
        public var received: Int64
        /// Expected at the nominal rate.
        public var expected: Double
        /// received / expected.
        public var ratio: Double?
    }

    /// Data health of a source (`GET /api/v1/health`).
    public struct SourceHealth: Codable, Sendable, Hashable {
        /// Topic.
        public var source: String
        /// Frames received.
        public var received: Int64
        /// Decoded.
        public var decoded: Int64
        /// Rejected, all reasons.
        public var rejected: Int64
        /// Rejected by reason.
        public var rejectedByReason: [String: Int64]
        /// Duplicates.
        public var duplicates: Int64
        /// Sequence gaps of the source's stream(s).
        public var sequenceGaps: Int64
        /// Mean clock offset (receive time minus source time), milliseconds.
        public var clockOffsetMeanMilliseconds: Double?
        /// Smallest clock offset, milliseconds.
        public var clockOffsetMinMilliseconds: Double?
        /// Largest clock offset, milliseconds.
        public var clockOffsetMaxMilliseconds: Double?
        /// Receive time of the last frame (ISO 8601).
        public var lastSeen: String?
    }

    /// `GET /api/v1/health`.
    public struct Health: Codable, Sendable, Hashable {
        /// live (an ingest) or database (`testzone serve`).
        public var mode: String
        /// Frames processed.
        public var frames: Int64
        /// received = decoded + rejected + duplicates over all sources.
        public var received: Int64
        /// Decoded.
        public var decoded: Int64
        /// Rejected.
        public var rejected: Int64
        /// Duplicates.
        public var duplicates: Int64
        /// BSMs of OBUs not in the registry.
        public var unattributedBSMs: Int64
        /// Per source.
        public var sources: [SourceHealth]
    }

    /// `GET /api/v1/zone`.
    public struct Zone: Codable, Sendable {
        /// Zone name.
        public var name: String
        /// Time zone of calendar periods.
        public var timeZone: String
        /// live or database.
        public var mode: String
        /// The run's start (live: when the ingest began; database: the first run's start).
        public var runStart: String?
        /// The zone's newest data time.
        public var dataTime: String?
        /// Frames processed so far.
        public var frames: Int64
        /// Frames by kind: cv2x, jt808, other.
        public var framesByKind: [String: Int64]
        /// RSUs of the registry.
        public var rsus: [RSUSite]
        /// The MAP road network as a GeoJSON FeatureCollection of LineStrings.
        public var roadLinks: GeoJSON.FeatureCollection
    }

    /// An RSU of the registry.
    public struct RSUSite: Codable, Sendable {
        /// Id.
        public var id: String
        /// Position.
        public var latitude: Double
        /// Position.
        public var longitude: Double
        /// Nominal range, metres.
        public var rangeMetres: Double
    }

    /// A JSON error body: `{"error": {"status": 404, "message": "..."}}`.
    /// `GET /api/v1/admin/keys`: the zone's sources and the console's tokens (never hashes).
    public struct Keys: Codable, Sendable {
        /// Sources admitted by CURVE (zone.toml `[[sources]]`).
        public var sources: [ZoneSource]
        /// Console tokens.
        public var tokens: [TokenInfo]
    }

    /// One console token as the admin listing shows it.
    public struct TokenInfo: Codable, Sendable {
        /// Its id.
        public var id: String
        /// Its role.
        public var role: String
        /// For the operator role, the operator.
        public var operatorID: String?
        /// When it was made.
        public var created: String
    }

    public struct ErrorBody: Codable, Sendable {
        /// The error.
        public var error: Detail
        /// Status and message.
        public struct Detail: Codable, Sendable {
            /// HTTP status code.
            public var status: Int
            /// What went wrong.
            public var message: String
        }
    }
}

/// Names and time formatting shared by the console views.
enum ConsoleText {
    static func status(_ status: AutomationStatus) -> String {
        switch status {
        case .off: "off"
        case .available: "available"
        case .active: "active"
        case .takeoverRequested: "takeover-requested"
        case .minimalRiskManoeuvre: "mrm"
        }
    }

    static func status(code: Int) -> String {
        AutomationStatus(rawValue: UInt8(clamping: code)).map(status) ?? "unknown"
    }

    /// ISO 8601 UTC with milliseconds, from microseconds since the epoch (no Foundation
    /// formatter: allocation-light and locale-free).
    static func iso(_ micros: Int64) -> String {
        let day = Int32((micros >= 0 ? micros : micros - 86_399_999_999) / 86_400_000_000)
        let civil = ShanghaiCalendar.civil(day)
        let within = micros - Int64(day) * 86_400_000_000
        let ms = within / 1000
        let h = ms / 3_600_000
        let m = ms / 60_000 % 60
        let s = ms / 1000 % 60
        let f = ms % 1000
        func p(_ v: Int64, _ w: Int) -> String {
            let t = String(v)
            return String(repeating: "0", count: max(0, w - t.count)) + t
        }
        return "\(p(Int64(civil.year), 4))-\(p(Int64(civil.month), 2))-\(p(Int64(civil.day), 2))T"
            + "\(p(h, 2)):\(p(m, 2)):\(p(s, 2)).\(p(f, 3))Z"
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()
}

/// GeoJSON documents (RFC 7946).
public enum GeoJSON {
    /// A FeatureCollection.
    public struct FeatureCollection: Codable, Sendable {
        /// Always `FeatureCollection`.
        public var type = "FeatureCollection"
        /// Features.
        public var features: [Feature]
    }

    /// A LineString feature with properties.
    public struct Feature: Codable, Sendable {
        /// Always `Feature`.
        public var type = "Feature"
        /// The geometry.
        public var geometry: LineString
        /// id, name, lanes, width, length.
        public var properties: LinkProperties
    }

    /// A LineString: `[longitude, latitude]` positions.
    public struct LineString: Codable, Sendable {
        /// Always `LineString`.
        public var type = "LineString"
        /// Positions.
        public var coordinates: [[Double]]
    }

    /// Properties of a road link.
    public struct LinkProperties: Codable, Sendable {
        /// Link id (`upstream-downstream` node ids).
        public var id: String
        /// Road name, if the MAP gave one.
        public var name: String?
        /// Lanes.
        public var lanes: Int
        /// Width, metres.
        public var width: Double
        /// Length, metres.
        public var length: Double
    }
}
