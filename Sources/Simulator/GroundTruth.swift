import Foundation
import Zone

/// What the simulator knows it generated, in the terms of DESIGN.md section 5: the numbers the
/// metrics must reproduce from the recording. Serialised as `truth.json` (see README "Ground
/// truth"); computed here without the Metrics module.
public struct GroundTruth: Sendable, Codable {
    /// Format version of this file.
    public var schemaVersion = 1
    /// Run parameters.
    public var parameters: SimulationParameters
    /// The conventions the numbers follow (human-readable).
    public var conventions: [String: String]
    /// Per test vehicle, in zone-configuration order.
    public var vehicles: [VehicleTruth]
    /// Per RSU, in zone-configuration order.
    public var rsus: [RSUTruth]
    /// Zone-wide totals.
    public var totals: Totals
    /// Injected faults.
    public var faults: FaultTruth
}

/// A point in time: UTC ISO 8601 with milliseconds plus epoch milliseconds.
public struct TruthTime: Sendable, Codable, Hashable, Comparable {
    /// `2026-11-02T01:00:00.000Z`.
    public var utc: String
    /// Milliseconds since the Unix epoch.
    public var epochMs: Int64

    init(milliseconds: Int64) {
        self.epochMs = milliseconds
        self.utc = Self.format(milliseconds)
    }

    public static func < (lhs: TruthTime, rhs: TruthTime) -> Bool { lhs.epochMs < rhs.epochMs }

    static func format(_ milliseconds: Int64) -> String {
        let ms = ((milliseconds % 1000) + 1000) % 1000
        let seconds = (milliseconds - ms) / 1000
        let days = Int64((Double(seconds) / 86_400).rounded(.down))
        let secondOfDay = seconds - days * 86_400
        // Civil date from days since 1970-01-01 (proleptic Gregorian).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):"
            + "\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(ms, 3))Z"
    }
}

/// An automation event as delivered (from a JT/T 808 report that reached the platform intact).
public struct EventTruth: Sendable, Codable, Hashable {
    /// Event time (terminal clock, as carried in 0xE2).
    public var time: TruthTime
    /// Event type code.
    public var type: UInt8
    /// Level before the event.
    public var level: UInt8
    /// Initiator code and name.
    public var initiator: UInt8
    /// Initiator name (`ads`, `safety-driver`, `remote-operator`, `passenger`, `n/a`).
    public var initiatorName: String
    /// Cause code.
    public var cause: UInt8
    /// Cause name (same names as the Metrics module).
    public var causeName: String
    /// Position of the vehicle when the event was raised.
    public var latitude: Double
    /// Position of the vehicle when the event was raised.
    public var longitude: Double
    /// Link the vehicle was on.
    public var link: String
}

/// A takeover request and how it ended.
public struct TakeoverTruth: Sendable, Codable, Hashable {
    /// Request time (type 3).
    public var requested: TruthTime
    /// Time of the closing event (next type 2 or 4), if delivered.
    public var closed: TruthTime?
    /// `closed - requested` in milliseconds.
    public var takeoverMs: Int64?
    /// `disengaged` (a type 2 closed it), `missed` (a type 4: MRM), `unresolved` (an inferred
    /// disengagement ended it), or `open`.
    public var outcome: String
    /// Cause of the request.
    public var cause: UInt8
    /// Level before.
    public var level: UInt8
}

/// A drop from active to off seen in 0xE1 without an event item.
public struct InferredDisengagementTruth: Sendable, Codable, Hashable {
    /// Time of the fix that shows `off`.
    public var time: TruthTime
    /// Time of the previous (active) fix.
    public var previousFix: TruthTime
    /// Level of the previous fix.
    public var level: UInt8
    /// Position of the `off` fix.
    public var latitude: Double
    /// Position of the `off` fix.
    public var longitude: Double
}

/// Automated distance on one link.
public struct LinkDistanceTruth: Sendable, Codable, Hashable {
    /// Link id `"<r>.<n>-<r>.<n>"`.
    public var link: String
    /// Kilometres.
    public var km: Double
}

/// Ground truth of one vehicle.
public struct VehicleTruth: Sendable, Codable {
    /// VIN.
    public var vin: String
    /// Terminal number.
    public var terminal: String
    /// OBU id (hex).
    public var obuId: String
    /// Operator id.
    public var operatorId: String
    /// Permit's highest level.
    public var maxLevel: Int
    /// Terminal clock minus true time, ms.
    public var terminalClockOffsetMs: Int64
    /// OBU clock minus true time, ms.
    public var obuClockOffsetMs: Int64
    /// JT/T 808 reports generated.
    public var reportsGenerated = 0
    /// Reports that arrived intact (counted once).
    public var fixes = 0
    /// Steps not integrated (> 10 s apart or > 70 m/s).
    public var trackGaps = 0
    /// Distance over all integrated steps, km.
    public var drivenKm = 0.0
    /// Automated distance by level (`"3"`, `"4"`), km, by the attribution rule of the conventions
    /// (earlier fix's state; a step whose later fix reports a new state is split at the first
    /// mode-changing event inside it, in proportion to time).
    public var automatedKm: [String: Double] = [:]
    /// Automated time by level, hours (same rule).
    public var automatedHours: [String: Double] = [:]
    /// The same distance with the plain earlier-fix rule (no split).
    public var automatedKmEarlierFixRule: [String: Double] = [:]
    /// The same distance if a step were attributed to its later fix.
    public var automatedKmLaterFixRule: [String: Double] = [:]
    /// The same distance counting only steps whose two fixes are both active at the same level.
    public var automatedKmBothFixesRule: [String: Double] = [:]
    /// Engagement events (type 1).
    public var engagements = 0
    /// Disengagements (type 2, level before 3/4, cause != 11).
    public var disengagements: [EventTruth] = []
    /// Planned deactivations (type 2, cause 11).
    public var plannedDeactivations: [EventTruth] = []
    /// Inferred disengagements.
    public var inferredDisengagements: [InferredDisengagementTruth] = []
    /// Takeover requests.
    public var takeovers: [TakeoverTruth] = []
    /// MRM starts (type 4).
    public var mrms: [EventTruth] = []
    /// MRM ends (type 5).
    public var mrmEnds: [EventTruth] = []
    /// Collisions (type 6).
    public var collisions: [EventTruth] = []
    /// Severe failures (type 7).
    public var severeFailures: [EventTruth] = []
    /// Events in reports that never arrived intact (lost or corrupted).
    public var eventsLostInTransit = 0
    /// Automated distance per link (true link of the step's earlier fix), sorted by link id.
    public var linksAutomated: [LinkDistanceTruth] = []
    /// 100 m grid cells (``CoverageGrid`` of the MAP network) holding an active L3/L4 fix.
    public var automatedCells: [Int] = []
    /// BSMs transmitted.
    public var bsmTransmitted = 0
    /// Automated L3/L4 distance during which a BSM of the vehicle reached the platform within the
    /// last second (receptions cover [t, t + 1 s]; a step's covered time share times its distance), km.
    public var uplinkCoveredKm = 0.0
}

/// BSM reception of one RSU in one distance band.
public struct BandTruth: Sendable, Codable, Hashable {
    /// `"0-100"`, `"100-200"`, `"200-300"`, `"300-500"` (metres; lower bound inclusive).
    public var band: String
    /// BSMs transmitted by test vehicles while in the band (BSM position to RSU position).
    public var transmitted: Int
    /// BSMs the RSU received over the air.
    public var receivedOverAir: Int
    /// Of those, forwarded frames that reached the platform intact (counted once).
    public var delivered: Int
    /// Time the vehicles' JT/T 808 tracks spent in the band (integrated steps, band of the step's
    /// midpoint, plain mean of the two fixes' coordinates), seconds: x 10 Hz = the nominal expectation.
    public var exposureSeconds: Double = 0
}

/// Ground truth of one RSU.
public struct RSUTruth: Sendable, Codable {
    /// RSU id.
    public var id: String
    /// Schema set.
    public var schema: String
    /// Own messages sent, by kind (`map`, `spat`, `rsi`, `rsm`).
    public var sent: [String: Int] = [:]
    /// Own messages that reached the platform intact, by kind.
    public var delivered: [String: Int] = [:]
    /// BSM reception by band.
    public var bsmBands: [BandTruth]
    /// Frames on this RSU's topic lost, corrupted, duplicated.
    public var lost = 0
    /// Corrupted.
    public var corrupted = 0
    /// Duplicated.
    public var duplicated = 0
}

/// Zone-wide totals.
public struct Totals: Sendable, Codable {
    /// Automated km by level.
    public var automatedKm: [String: Double] = [:]
    /// Automated hours by level.
    public var automatedHours: [String: Double] = [:]
    /// Disengagements.
    public var disengagements = 0
    /// Disengagements by initiator name.
    public var disengagementsByInitiator: [String: Int] = [:]
    /// Disengagements by cause name.
    public var disengagementsByCause: [String: Int] = [:]
    /// Disengagements by level.
    public var disengagementsByLevel: [String: Int] = [:]
    /// Planned deactivations.
    public var plannedDeactivations = 0
    /// Inferred disengagements.
    public var inferredDisengagements = 0
    /// Takeover requests.
    public var takeoverRequests = 0
    /// Missed takeovers (closed by an MRM).
    public var missedTakeovers = 0
    /// Takeover times of requests taken over (closed by a type 2), sorted, ms; the statistics below are over these.
    public var takeoverMs: [Int64] = []
    /// Times from request to MRM of missed takeovers, sorted, ms.
    public var missedTakeoverMs: [Int64] = []
    /// Median takeover time (mean of the two middle values for an even count), ms.
    public var takeoverMedianMs: Double?
    /// 95th percentile, nearest rank (the ceil(0.95 n)-th smallest), ms.
    public var takeoverP95Ms: Int64?
    /// Maximum, ms.
    public var takeoverMaxMs: Int64?
    /// MRMs started.
    public var mrms = 0
    /// Collisions.
    public var collisions = 0
    /// Severe failures.
    public var severeFailures = 0
    /// Distinct links with automated distance.
    public var linksAutomated = 0
    /// Total length of the MAP network, km.
    public var networkKm = 0.0
    /// Grid cells of the network's bounding box.
    public var gridCells = 0
    /// Distinct cells with an active fix.
    public var automatedCells = 0
    /// Uplink-covered share of the automated L3/L4 distance.
    public var uplinkCoverage: Double?
}

/// Injected faults.
public struct FaultTruth: Sendable, Codable {
    /// Lost frames by family (`cv2x`, `jt808`).
    public var lost: [String: Int] = [:]
    /// Corrupted frames by family.
    public var corrupted: [String: Int] = [:]
    /// Duplicated frames by family.
    public var duplicated: [String: Int] = [:]
    /// Every corrupted frame: topic and receive time (µs).
    public var corruptedFrames: [FaultFrame] = []
    /// Every duplicate copy: topic and receive time of the copy (µs).
    public var duplicateFrames: [FaultFrame] = []
}

/// One faulty frame.
public struct FaultFrame: Sendable, Codable, Hashable {
    /// Topic.
    public var topic: String
    /// Receive time, µs since the epoch.
    public var receiveMicroseconds: Int64
}

/// Accumulates ``GroundTruth`` while the router decides what reaches the platform.
public struct GroundTruthRecorder: Sendable {
    /// A fault kind.
    public enum FaultKind: Sendable { case lost, corrupted, duplicated }

    struct AutomatedStep: Sendable {
        var start: Int64
        var end: Int64
        var micrometres: Int64
    }

    struct FixState: Sendable {
        var terminalMs: Int64
        var position: GeoPoint
        var state: UInt8
        var level: UInt8
        var link: LinkID
    }

    private let parameters: SimulationParameters
    private let layout: ZoneLayout
    private let grid: CoverageGrid
    private let network: RoadNetwork
    private var vehicles: [VehicleTruth]
    private var lastFix: [FixState?]
    private var openTakeovers: [[Int]]
    private var linkMetres: [[LinkID: Double]]
    private var automatedMicrometres: [[UInt8: Int64]]
    private var automatedMicroseconds: [[UInt8: Int64]]
    private var uplinkSteps: [[AutomatedStep]]
    private var receptions: [[Int64]]
    private var exposure: [[Int64]]
    private var cells: [Set<Int>]
    private var rsus: [RSUTruth]
    private var faults = FaultTruth()

    init(simulation: TrafficSimulation) {
        self.parameters = simulation.parameters
        self.layout = simulation.layout
        self.network = simulation.layout.roadNetwork()
        self.grid = CoverageGrid(network: network, projection: simulation.layout.projection)
        let configuration = simulation.layout.configuration
        self.vehicles = configuration.vehicles.enumerated().map { index, vehicle in
            VehicleTruth(
                vin: vehicle.vin, terminal: vehicle.terminal, obuId: vehicle.obuID.description,
                operatorId: vehicle.operatorID, maxLevel: vehicle.maxLevel,
                terminalClockOffsetMs: simulation.terminalClockOffsets[index],
                obuClockOffsetMs: simulation.obuClockOffsets[index])
        }
        self.lastFix = Array(repeating: nil, count: configuration.vehicles.count)
        self.openTakeovers = Array(repeating: [], count: configuration.vehicles.count)
        self.linkMetres = Array(repeating: [:], count: configuration.vehicles.count)
        self.automatedMicrometres = Array(repeating: [:], count: configuration.vehicles.count)
        self.automatedMicroseconds = Array(repeating: [:], count: configuration.vehicles.count)
        self.uplinkSteps = Array(repeating: [], count: configuration.vehicles.count)
        self.receptions = Array(repeating: [], count: configuration.vehicles.count)
        self.exposure = Array(repeating: Array(repeating: 0, count: 4), count: configuration.rsus.count)
        self.cells = Array(repeating: [], count: configuration.vehicles.count)
        let bandNames = ["0-100", "100-200", "200-300", "300-500"]
        self.rsus = configuration.rsus.map { rsu in
            RSUTruth(
                id: rsu.id, schema: rsu.schema.rawValue,
                bsmBands: bandNames.map {
                    BandTruth(band: $0, transmitted: 0, receivedOverAir: 0, delivered: 0)
                })
        }
    }

    mutating func recordBSMTransmitted(_ sample: BSMSample) {
        vehicles[sample.vehicleIndex].bsmTransmitted += 1
    }

    mutating func recordBSMReception(
        _ sample: BSMSample, rsuIndex: Int, band: Int, outcome: FrameRouter.Outcome,
        at receiveMicroseconds: Int64
    ) {
        rsus[rsuIndex].bsmBands[band].transmitted += 1
        if outcome != .notSent { rsus[rsuIndex].bsmBands[band].receivedOverAir += 1 }
        if outcome.arrived {
            rsus[rsuIndex].bsmBands[band].delivered += 1
            receptions[sample.vehicleIndex].append(receiveMicroseconds)
        }
    }

    mutating func recordRSUMessage(rsuIndex: Int, kind: RSUMessageKind, outcome: FrameRouter.Outcome) {
        rsus[rsuIndex].sent[kind.rawValue, default: 0] += 1
        if outcome.arrived { rsus[rsuIndex].delivered[kind.rawValue, default: 0] += 1 }
    }

    mutating func recordFault(_ kind: FaultKind, topic: String, family: TopicFamily, at time: Int64) {
        let rsuIndex =
            family == .cv2x ? layout.configuration.rsus.firstIndex { "cv2x/\($0.id)" == topic } : nil
        switch kind {
        case .lost:
            faults.lost[family.rawValue, default: 0] += 1
            if let rsuIndex { rsus[rsuIndex].lost += 1 }
        case .corrupted:
            faults.corrupted[family.rawValue, default: 0] += 1
            faults.corruptedFrames.append(FaultFrame(topic: topic, receiveMicroseconds: time))
            if let rsuIndex { rsus[rsuIndex].corrupted += 1 }
        case .duplicated:
            faults.duplicated[family.rawValue, default: 0] += 1
            faults.duplicateFrames.append(FaultFrame(topic: topic, receiveMicroseconds: time))
            if let rsuIndex { rsus[rsuIndex].duplicated += 1 }
        }
    }

    static func initiatorName(_ code: UInt8) -> String {
        switch code {
        case 0: "n/a"
        case 1: "ads"
        case 2: "safety-driver"
        case 3: "remote-operator"
        case 4: "passenger"
        default: "code-\(code)"
        }
    }

    static func causeName(_ code: UInt8) -> String {
        let names = [
            "unspecified", "perception", "localization", "planning", "control", "hardware", "communication",
            "left-odd", "other-road-user", "road-works", "precaution", "planned-end",
        ]
        return Int(code) < names.count ? names[Int(code)] : "code-\(code)"
    }

    mutating func recordLocation(_ sample: LocationSample, outcome: FrameRouter.Outcome) {
        let index = sample.vehicleIndex
        vehicles[index].reportsGenerated += 1
        guard outcome.arrived else {
            vehicles[index].eventsLostInTransit += sample.events.count
            return
        }
        vehicles[index].fixes += 1
        let current = FixState(
            terminalMs: sample.terminalMilliseconds, position: sample.position,
            state: sample.automation.state,
            level: sample.automation.level, link: sample.link)

        // The report's events (all timed after the previous report, up to this one) come first.
        var transition: Int64?
        var disengagedSinceState = false
        for event in sample.events {
            let time = event.terminalMilliseconds * 1000
            if transition == nil && (1...5).contains(event.type) { transition = time }
            let truth = EventTruth(
                time: TruthTime(milliseconds: event.terminalMilliseconds), type: event.type,
                level: event.levelBefore,
                initiator: event.initiator, initiatorName: Self.initiatorName(event.initiator),
                cause: event.cause,
                causeName: Self.causeName(event.cause),
                latitude: (event.position.latitude * 1e7).rounded() / 1e7,
                longitude: (event.position.longitude * 1e7).rounded() / 1e7, link: event.link.description)
            switch event.type {
            case 1:
                vehicles[index].engagements += 1
            case 2:
                disengagedSinceState = true
                if event.cause == 11 {
                    vehicles[index].plannedDeactivations.append(truth)
                } else if event.levelBefore == 3 || event.levelBefore == 4 {
                    vehicles[index].disengagements.append(truth)
                }
                closeTakeovers(index, at: event.terminalMilliseconds, outcome: "disengaged")
            case 3:
                vehicles[index].takeovers.append(
                    TakeoverTruth(
                        requested: TruthTime(milliseconds: event.terminalMilliseconds), closed: nil,
                        takeoverMs: nil,
                        outcome: "open", cause: event.cause, level: event.levelBefore))
                openTakeovers[index].append(vehicles[index].takeovers.count - 1)
            case 4:
                vehicles[index].mrms.append(truth)
                closeTakeovers(index, at: event.terminalMilliseconds, outcome: "missed")
            case 5:
                vehicles[index].mrmEnds.append(truth)
            case 6:
                vehicles[index].collisions.append(truth)
            case 7:
                vehicles[index].severeFailures.append(truth)
            default:
                break
            }
        }

        // The step from the previous delivered fix.
        if let previous = lastFix[index] {
            let t0 = previous.terminalMs * 1000
            let t1 = current.terminalMs * 1000
            let dt = t1 - t0
            let metres = Geodesy.greatCircleDistance(previous.position, current.position)
            if dt > 10_000_000 || (dt <= 0 ? metres > 0 : metres / (Double(dt) / 1e6) > 70) {
                vehicles[index].trackGaps += 1
            } else if dt >= 0 {
                let micrometres = Int64((metres * 1e6).rounded())
                vehicles[index].drivenKm += metres / 1000
                let changed = previous.state != current.state || previous.level != current.level
                var parts:
                    [(state: UInt8, level: UInt8, link: LinkID, from: Int64, to: Int64, micrometres: Int64)] =
                        []
                if changed, let split = transition, split > t0, split < t1 {
                    let first = Int64((Double(micrometres) * Double(split - t0) / Double(dt)).rounded())
                    parts.append((previous.state, previous.level, previous.link, t0, split, first))
                    parts.append((current.state, current.level, current.link, split, t1, micrometres - first))
                } else {
                    parts.append((previous.state, previous.level, previous.link, t0, t1, micrometres))
                }
                for part in parts where part.state == 2 {
                    automatedMicrometres[index][part.level, default: 0] += part.micrometres
                    automatedMicroseconds[index][part.level, default: 0] += part.to - part.from
                    linkMetres[index][part.link, default: 0] += Double(part.micrometres) / 1e6
                    if part.level == 3 || part.level == 4 {
                        uplinkSteps[index].append(
                            AutomatedStep(start: t0, end: t1, micrometres: part.micrometres))
                    }
                }
                if previous.state == 2 {
                    vehicles[index].automatedKmEarlierFixRule[String(previous.level), default: 0] +=
                        metres / 1000
                }
                if current.state == 2 {
                    vehicles[index].automatedKmLaterFixRule[String(current.level), default: 0] +=
                        metres / 1000
                }
                if previous.state == 2 && current.state == 2 && previous.level == current.level {
                    vehicles[index].automatedKmBothFixesRule[String(current.level), default: 0] +=
                        metres / 1000
                }
                // Exposure of the RSUs' distance bands, by the step's midpoint.
                let middle = GeoPoint(
                    latitude: (previous.position.latitude + current.position.latitude) / 2,
                    longitude: (previous.position.longitude + current.position.longitude) / 2)
                for (rsuIndex, rsu) in layout.configuration.rsus.enumerated() {
                    if let band = FrameRouter.band(of: Geodesy.greatCircleDistance(rsu.position, middle)) {
                        exposure[rsuIndex][band] += dt
                    }
                }
            }
        }
        // Inferred disengagement: engaged (active or takeover requested) at L3/L4 -> off or
        // available, with no type 2 item since the previous report.
        if let previous = lastFix[index], previous.state == 2 || previous.state == 3,
            previous.level == 3 || previous.level == 4, current.state == 0 || current.state == 1,
            !disengagedSinceState
        {
            vehicles[index].inferredDisengagements.append(
                InferredDisengagementTruth(
                    time: TruthTime(milliseconds: current.terminalMs),
                    previousFix: TruthTime(milliseconds: previous.terminalMs), level: previous.level,
                    latitude: current.position.latitude, longitude: current.position.longitude))
            closeTakeovers(index, at: current.terminalMs, outcome: "unresolved")
        }
        if current.state == 2 && (current.level == 3 || current.level == 4),
            let cell = grid.cell(of: current.position)
        {
            cells[index].insert(cell)
        }
        lastFix[index] = current
    }

    private mutating func closeTakeovers(_ index: Int, at milliseconds: Int64, outcome: String) {
        for open in openTakeovers[index] {
            var takeover = vehicles[index].takeovers[open]
            takeover.closed = TruthTime(milliseconds: milliseconds)
            takeover.takeoverMs = milliseconds - takeover.requested.epochMs
            takeover.outcome = outcome
            vehicles[index].takeovers[open] = takeover
        }
        openTakeovers[index].removeAll()
    }

    /// The finished ground truth.
    public func finish() -> GroundTruth {
        var vehicles = self.vehicles
        var totals = Totals()
        var allLinks = Set<LinkID>()
        var allCells = Set<Int>()
        var rsus = self.rsus
        for (rsuIndex, bands) in exposure.enumerated() {
            for (band, microseconds) in bands.enumerated() {
                rsus[rsuIndex].bsmBands[band].exposureSeconds = Double(microseconds) / 1e6
            }
        }
        var uplinkMicrometres: Int64 = 0
        var automatedL3L4Micrometres: Int64 = 0
        for index in vehicles.indices {
            for (level, micrometres) in automatedMicrometres[index] {
                vehicles[index].automatedKm[String(level)] = Double(micrometres) / 1e9
                if level == 3 || level == 4 { automatedL3L4Micrometres += micrometres }
            }
            for (level, microseconds) in automatedMicroseconds[index] {
                vehicles[index].automatedHours[String(level)] = Double(microseconds) / 3.6e9
            }
            let covered = Self.uplinkCovered(
                steps: uplinkSteps[index], receptions: receptions[index].sorted())
            vehicles[index].uplinkCoveredKm = Double(covered) / 1e9
            uplinkMicrometres += covered
            vehicles[index].linksAutomated = linkMetres[index].keys.sorted().map {
                LinkDistanceTruth(link: $0.description, km: linkMetres[index][$0, default: 0] / 1000)
            }
            allLinks.formUnion(linkMetres[index].keys)
            vehicles[index].automatedCells = cells[index].sorted()
            allCells.formUnion(cells[index])
            let vehicle = vehicles[index]
            for (level, km) in vehicle.automatedKm { totals.automatedKm[level, default: 0] += km }
            for (level, hours) in vehicle.automatedHours { totals.automatedHours[level, default: 0] += hours }
            totals.disengagements += vehicle.disengagements.count
            for event in vehicle.disengagements {
                totals.disengagementsByInitiator[event.initiatorName, default: 0] += 1
                totals.disengagementsByCause[event.causeName, default: 0] += 1
                totals.disengagementsByLevel[String(event.level), default: 0] += 1
            }
            totals.plannedDeactivations += vehicle.plannedDeactivations.count
            totals.inferredDisengagements += vehicle.inferredDisengagements.count
            totals.takeoverRequests += vehicle.takeovers.count
            totals.missedTakeovers += vehicle.takeovers.filter { $0.outcome == "missed" }.count
            totals.takeoverMs.append(
                contentsOf: vehicle.takeovers.filter { $0.outcome == "disengaged" }.compactMap(\.takeoverMs))
            totals.missedTakeoverMs.append(
                contentsOf: vehicle.takeovers.filter { $0.outcome == "missed" }.compactMap(\.takeoverMs))
            totals.mrms += vehicle.mrms.count
            totals.collisions += vehicle.collisions.count
            totals.severeFailures += vehicle.severeFailures.count
        }
        totals.takeoverMs.sort()
        totals.missedTakeoverMs.sort()
        if automatedL3L4Micrometres > 0 {
            totals.uplinkCoverage = Double(uplinkMicrometres) / Double(automatedL3L4Micrometres)
        }
        let n = totals.takeoverMs.count
        if n > 0 {
            totals.takeoverMedianMs =
                n % 2 == 1
                ? Double(totals.takeoverMs[n / 2])
                : Double(totals.takeoverMs[n / 2 - 1] + totals.takeoverMs[n / 2]) / 2
            let rank = Int((0.95 * Double(n)).rounded(.up))
            totals.takeoverP95Ms = totals.takeoverMs[max(0, rank - 1)]
            totals.takeoverMaxMs = totals.takeoverMs.last
        }
        totals.linksAutomated = allLinks.count
        totals.networkKm = network.totalLength / 1000
        totals.gridCells = grid.cellCount
        totals.automatedCells = allCells.count
        return GroundTruth(
            parameters: parameters, conventions: Self.conventions, vehicles: vehicles, rsus: rsus,
            totals: totals,
            faults: faults)
    }

    /// Uplink-covered micrometres of automated L3/L4 steps: each reception at `r` covers
    /// `[r, r + 1 s]`; a step `[t0, t1]` contributes its distance times the covered share of its time.
    static func uplinkCovered(steps: [AutomatedStep], receptions: [Int64]) -> Int64 {
        var total: Int64 = 0
        var first = 0
        for step in steps {
            let dt = step.end - step.start
            guard dt > 0 else { continue }
            while first < receptions.count && receptions[first] + 1_000_000 <= step.start { first += 1 }
            var covered: Int64 = 0
            var coveredEnd = step.start
            var index = first
            while index < receptions.count && receptions[index] <= step.end {
                let begin = max(receptions[index], coveredEnd)
                let end = min(receptions[index] + 1_000_000, step.end)
                if end > begin {
                    covered += end - begin
                    coveredEnd = end
                }
                index += 1
            }
            total += Int64((Double(step.micrometres) * Double(covered) / Double(dt)).rounded())
        }
        return total
    }

    /// The conventions written into every truth file.
    public static let conventions: [String: String] = [
        "distance":
            "Great-circle (haversine, R = 6371008.8 m, Zone.Geodesy) between consecutive JT/T 808 fixes of one terminal that reached the platform intact (duplicates counted once), in terminal-time order, positions as encoded (1e-6 degree). A step is not integrated (a track gap) when the fixes are more than 10 s apart or imply more than 70 m/s.",
        "attribution":
            "The 0xE1 state reported with a fix holds until the next fix (sample-and-hold): a step counts as automated at level L when its EARLIER fix has state 2 (active) at level L. When the LATER fix reports a different state and a mode-changing event (0xE2 type 1-5) lies strictly inside the step, the step is split at the first such event in proportion to time: before it in the earlier fix's state, after it in the later fix's (the Metrics module's rule, README 'Definitions as implemented'). Distances are summed in micrometres (each step rounded), times in microseconds. automatedKmEarlierFixRule (no split), automatedKmLaterFixRule and automatedKmBothFixesRule give the distance under the other possible rules, for comparison.",
        "times":
            "Event times are the 0xE2 times (BCD Beijing time + milliseconds, terminal clock) converted to UTC; fix times are the 0x0200 BCD times (terminal clock) in UTC. Takeover time = time of the next type 2 or type 4 event after a type 3, in ms. receiveMicroseconds are gateway receive times (frame 2 of the ZeroMQ message and the MCAP log time).",
        "events":
            "Only events in reports that reached the platform intact are listed. Disengagement = type 2 with level before 3/4 and cause != 11; cause 11 = planned deactivation. After a takeover request the closing type 2 carries initiator 1 (ADS) and the request's cause. After an MRM the vehicle reports type 5 then type 2 (initiator ADS), which counts as a disengagement. A collision or severe failure is followed at the same millisecond by type 4 (MRM). Takeovers: a type 3 opens a request; the next type 2 (any cause) closes all open requests (outcome disengaged), a type 4 closes them as missed, an inferred disengagement as unresolved; the totals' median (mean of the two middle values for an even count), p95 (nearest rank) and max are over disengaged ones. Event places are the vehicle's position at the 100 ms simulation tick that raised the event.",
        "inferred":
            "An inferred disengagement is a delivered fix with state 0 (off) or 1 (available) whose previous delivered fix had state 2 (active) or 3 (takeover requested) at level 3/4, and whose report has no type 2 item. The simulator causes them by silent drops (active -> off without an item); with faults, a lost report holding the type 2 also produces one.",
        "uplink":
            "uplinkCoveredKm: each BSM reception delivered intact (any RSU, receive time = gateway time) covers [t, t + 1 s]; an automated L3/L4 step (or part of a split step) adds its distance times the covered share of the whole step's time [earlier fix, later fix] (fix times on the terminal clock).",
        "links":
            "linksAutomated attributes each automated step to the link the vehicle was actually on at the step's earlier fix (link ids '<region>.<node>-<region>.<node>', upstream-downstream, as in Zone.LinkID); the per-link sums equal the automated distance.",
        "cells":
            "automatedCells: ids (row * columns + column from the south-west) of Zone.CoverageGrid (100 m) over the MAP network's bounding box that contain a delivered fix with state 2 at level 3 or 4.",
        "bsmBands":
            "Bands by great-circle distance from the BSM's encoded position to the RSU's zone.toml position; transmitted counts every BSM sent (at the configured BSM rate, parameters.bsmRate) while in the band; delivered = intact receptions at the platform (the reception ratio's numerator); exposureSeconds = time of integrated JT/T 808 steps whose midpoint lies in the band (x 10 Hz nominal = expected).",
    ]
}
