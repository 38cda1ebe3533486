/// Alarm thresholds of the live operations console (`[alarms]` in zone.toml, all optional).
public struct ZoneAlarms: Sendable, Hashable, Codable {
    /// An RSU with no frame for longer than this (data time, seconds) raises `rsu-silent`.
    public var rsuSilentSeconds: Double = 10
    /// A vehicle in automated mode whose JT/T 808 track has no fix for longer than this (data
    /// time, seconds) raises `track-silent`.
    public var trackSilentSeconds: Double = 10
    /// A source whose share of rejected frames between two commits exceeds this raises
    /// `reject-rate` (only when it received at least ``rejectRateMinimumFrames`` frames then).
    public var rejectRate: Double = 0.05
    /// Frames a source must have received between two commits for ``rejectRate`` to apply.
    public var rejectRateMinimumFrames: Int = 20

    /// The defaults.
    public init() {}
}

extension ZoneAlarms {
    func value(of key: String) -> Double {
        switch key {
        case "rsu_silent_seconds": rsuSilentSeconds
        case "track_silent_seconds": trackSilentSeconds
        case "reject_rate": rejectRate
        default: Double(rejectRateMinimumFrames)
        }
    }
}
