import Foundation
import Zone

/// The simulated world: vehicles driving the zone's grid under its signals, using their
/// automation, and the RSUs broadcasting; stepped in 100 ms ticks.
///
/// It produces typed ``SimulatedMessage`` values in transmission order and knows nothing of wire
/// formats, radio or faults (``FrameRouter`` and ``FrameEncoder`` do that). Everything is a
/// function of ``SimulationParameters`` (and its seed).
public struct TrafficSimulation: Sendable {
    /// Tick length, µs.
    public static let tickMicroseconds: Int64 = 100_000

    /// The parameters.
    public let parameters: SimulationParameters
    /// The generated zone.
    public let layout: ZoneLayout
    /// Clock offset of each vehicle's terminal, ms (multiple of 100).
    public let terminalClockOffsets: [Int64]
    /// Clock offset of each vehicle's OBU, ms (multiple of 100).
    public let obuClockOffsets: [Int64]
    /// Clock offset of each RSU, ms (multiple of 100).
    public let rsuClockOffsets: [Int64]

    private var vehicles: [VehicleState]
    private var rsus: [RSUState]
    private var tick: Int64 = 0
    private let tickCount: Int64

    /// Sets up the world at the start time.
    public init(parameters: SimulationParameters) {
        self.parameters = parameters
        let layout = ZoneLayout(parameters: parameters)
        self.layout = layout
        var clocks = SimulationRandom.stream(seed: parameters.seed, label: "clocks")
        let maxSteps = max(0, parameters.faults.maxClockOffsetMilliseconds / 100)
        func offset() -> Int64 { maxSteps == 0 ? 0 : Int64(clocks.integer(in: -maxSteps...maxSteps)) * 100 }
        terminalClockOffsets = layout.configuration.vehicles.map { _ in offset() }
        obuClockOffsets = layout.configuration.vehicles.map { _ in offset() }
        rsuClockOffsets = layout.configuration.rsus.map { _ in offset() }
        tickCount = Int64((parameters.durationSeconds * 10).rounded())

        var vehicles: [VehicleState] = []
        for (index, vehicle) in layout.configuration.vehicles.enumerated() {
            var random = SimulationRandom.stream(seed: parameters.seed, label: "vehicle-\(index)")
            let link = random.integer(in: 0...(layout.links.count - 1))
            let length = layout.links[link].length
            let firstEngage = 5 + random.exponential(mean: 30)
            vehicles.append(
                VehicleState(
                    maxLevel: vehicle.maxLevel, link: link, distance: random.uniform(0, max(1, length - 40)),
                    speed: 0, preference: random.uniform(0.82, 1.0),
                    bsmPhaseMilliseconds: Int64(random.integer(in: 0...99)),
                    messageCount: UInt8(random.integer(in: 0...127)),
                    serial: UInt16(random.integer(in: 0...999)),
                    odometer: Double(random.integer(in: 1_000...40_000)) * 1000, random: random,
                    phase: .manual(engageAt: firstEngage, off: false), holdUntil: nil))
        }
        self.vehicles = vehicles
        var rsus: [RSUState] = []
        var rsuRandom = SimulationRandom.stream(seed: parameters.seed, label: "rsus")
        let duration = parameters.durationSeconds
        for index in layout.intersections.indices {
            var events: [RSIEventPlan] = []
            if parameters.rsiPeriodSeconds > 0 && index % 4 == 1 {
                let incoming = layout.links.indices.filter { layout.links[$0].to == index }
                let linkIndex = incoming[rsuRandom.integer(in: 0...(incoming.count - 1))]
                let start = rsuRandom.uniform(0, duration * 0.6)
                let end = min(duration, start + rsuRandom.uniform(duration * 0.2, duration * 0.5))
                events.append(
                    RSIEventPlan(
                        id: UInt8(index % 200 + 1), roadWorks: true, link: linkIndex, start: start, end: end))
                events.append(
                    RSIEventPlan(
                        id: UInt8(index % 200 + 101), roadWorks: false, link: linkIndex, start: start,
                        end: end))
            }
            rsus.append(
                RSUState(
                    phaseMilliseconds: Int64(rsuRandom.integer(in: 0...99)),
                    mapCount: UInt8(rsuRandom.integer(in: 0...127)),
                    spatCount: UInt8(rsuRandom.integer(in: 0...127)),
                    rsiCount: 0, rsmCount: 0, rsiEvents: events,
                    participants: rsuRandom.integer(in: 1...4)))
        }
        self.rsus = rsus
    }

    /// Whether the run is over.
    public var isFinished: Bool { tick >= tickCount }

    /// Current true time, µs since the epoch.
    public var currentMicroseconds: Int64 { parameters.startMicroseconds + tick * Self.tickMicroseconds }

    /// Advances one 100 ms tick and appends what was transmitted during it, in transmission
    /// order (true time, then kind and source for ties).
    public mutating func step(into output: inout [SimulatedMessage]) {
        guard !isFinished else { return }
        let first = output.count
        let now = currentMicroseconds
        let seconds = Double(tick) / 10
        let epochSeconds = Double(now) / 1_000_000
        for index in vehicles.indices {
            stepVehicle(index, seconds: seconds, epochSeconds: epochSeconds, now: now, output: &output)
        }
        for index in rsus.indices {
            emitRSU(index, seconds: seconds, now: now, output: &output)
        }
        output[first...].sort { $0.trueMicroseconds < $1.trueMicroseconds }
        tick += 1
    }

    /// Runs to the end, collecting every message (for tests and small runs).
    public mutating func runToEnd() -> [SimulatedMessage] {
        var output: [SimulatedMessage] = []
        while !isFinished { step(into: &output) }
        return output
    }

    // MARK: Vehicles

    private mutating func stepVehicle(
        _ index: Int, seconds t: Double, epochSeconds: Double, now: Int64, output: inout [SimulatedMessage]
    ) {
        var vehicle = vehicles[index]
        let automation = parameters.automation
        let dt = 0.1
        let terminalOffset = terminalClockOffsets[index]

        func record(
            _ type: UInt8, _ initiator: UInt8, _ cause: UInt8, _ level: Int, atMicroseconds time: Int64
        ) {
            let local = layout.links[vehicle.link].locate(vehicle.distance).point
            vehicle.pendingEvents.append(
                AutomationEventRecord(
                    type: type, initiator: initiator, cause: cause, levelBefore: UInt8(level),
                    terminalMilliseconds: time / 1000 + terminalOffset, trueMicroseconds: time,
                    position: layout.projection.unproject(local), link: layout.links[vehicle.link].id))
        }
        func toManual(off: Bool, after delay: Double) {
            let wait = max(5, vehicle.random.exponential(mean: automation.meanManualSeconds))
            vehicle.phase = .manual(engageAt: t + delay + wait, off: off)
        }

        // Automation.
        switch vehicle.phase {
        case .manual(let engageAt, _):
            if t >= engageAt && vehicle.holdUntil == nil && vehicle.maxLevel >= 3 {
                var level = vehicle.maxLevel >= 4 && vehicle.random.chance(automation.level4Share) ? 4 : 3
                if vehicle.maxLevel < 4 { level = min(level, vehicle.maxLevel) }
                let remote = vehicle.maxLevel >= 4 && vehicle.random.chance(automation.remoteEngagementShare)
                record(1, remote ? 3 : 2, 0, 0, atMicroseconds: now)
                let run = vehicle.random.uniform(
                    automation.plannedRunSeconds.lowerBound, automation.plannedRunSeconds.upperBound)
                vehicle.phase = .active(level: level, plannedEnd: t + run)
            }
        case .active(let level, let plannedEnd):
            if t >= plannedEnd {
                record(2, 2, 11, level, atMicroseconds: now)
                toManual(off: false, after: 0)
                break
            }
            for hazard in automation.hazards where hazard.minimumLevel <= level {
                guard vehicle.random.chance(hazard.perHour * dt / 3600) else { continue }
                switch hazard.kind {
                case .disengagement:
                    record(2, hazard.initiator, hazard.cause, level, atMicroseconds: now)
                    toManual(off: false, after: 0)
                case .takeoverRequest:
                    record(3, hazard.initiator, hazard.cause, level, atMicroseconds: now)
                    let response = vehicle.random.logNormal(
                        median: automation.takeoverMedianSeconds, sigma: automation.takeoverSigma)
                    let missed =
                        vehicle.random.chance(automation.takeoverMissProbability)
                        || response >= automation.takeoverDeadlineSeconds
                    let responseMicroseconds = Int64((response * 1000).rounded()) * 1000
                    let deadlineMicroseconds =
                        Int64((automation.takeoverDeadlineSeconds * 1000).rounded()) * 1000
                    vehicle.phase = .takeover(
                        level: level, cause: hazard.cause, requestedAt: now,
                        respondAt: missed ? nil : now + responseMicroseconds,
                        deadline: now + deadlineMicroseconds)
                case .severeFailure, .collision:
                    record(
                        hazard.kind == .collision ? 6 : 7, hazard.initiator, hazard.cause, level,
                        atMicroseconds: now)
                    record(4, 1, hazard.cause, level, atMicroseconds: now)
                    vehicle.phase = .mrm(level: level, cause: hazard.cause, stoppedSince: nil)
                case .silentDrop:
                    toManual(off: true, after: 0)
                }
                break
            }
        case .takeover(let level, let cause, _, let respondAt, let deadline):
            if let respondAt, now >= respondAt {
                record(2, 1, cause, level, atMicroseconds: respondAt)
                toManual(off: false, after: 0)
            } else if now >= deadline {
                record(4, 1, cause, level, atMicroseconds: deadline)
                vehicle.phase = .mrm(level: level, cause: cause, stoppedSince: nil)
            }
        case .mrm(let level, let cause, let stoppedSince):
            if let stoppedSince {
                if t >= stoppedSince + automation.mrmStandstillSeconds {
                    record(5, 1, cause, level, atMicroseconds: now)
                    record(2, 1, cause, level, atMicroseconds: now)
                    let recovery = vehicle.random.uniform(
                        automation.recoverySeconds.lowerBound, automation.recoverySeconds.upperBound)
                    vehicle.holdUntil = t + recovery
                    toManual(off: true, after: recovery)
                }
            } else if vehicle.speed == 0 {
                vehicle.phase = .mrm(level: level, cause: cause, stoppedSince: t)
            }
        }
        if let hold = vehicle.holdUntil, t >= hold { vehicle.holdUntil = nil }

        // Kinematics.
        let link = layout.links[vehicle.link]
        var target = link.speedLimit * vehicle.preference
        var maxDeceleration = 4.5
        if case .mrm = vehicle.phase {
            target = 0
            maxDeceleration = automation.mrmDeceleration
        } else if vehicle.holdUntil != nil {
            target = 0
        } else {
            let stopLine = link.length - 10
            let toStop = stopLine - vehicle.distance
            if toStop > 0 && !vehicle.goingThrough {
                let signal = layout.intersections[link.to].signal.state(phase: link.phase, at: epochSeconds)
                var mustStop = false
                switch signal.light {
                case .red:
                    mustStop = true
                case .yellow:
                    let brakingNeeded = vehicle.speed * vehicle.speed / (2 * max(toStop, 0.1))
                    let clears = vehicle.speed * signal.remaining >= toStop
                    mustStop = !(clears || brakingNeeded > 3.5)
                    if !mustStop { vehicle.goingThrough = true }
                case .green:
                    mustStop = false
                }
                if mustStop {
                    let stopSpeed = (2 * 2.0 * max(0, toStop - 0.5)).squareRoot()
                    target = min(target, stopSpeed)
                }
            }
        }
        let previousSpeed = vehicle.speed
        if target > vehicle.speed {
            vehicle.speed = min(target, vehicle.speed + 1.5 * dt)
        } else {
            vehicle.speed = max(target, vehicle.speed - maxDeceleration * dt)
        }
        if vehicle.speed < 0.05 && target < 0.05 { vehicle.speed = 0 }
        vehicle.acceleration = (vehicle.speed - previousSpeed) / dt
        vehicle.distance += vehicle.speed * dt
        vehicle.odometer += vehicle.speed * dt
        while vehicle.distance >= layout.links[vehicle.link].length {
            let finished = layout.links[vehicle.link]
            vehicle.distance -= finished.length
            let candidates = layout.outgoing[finished.to].filter { layout.links[$0].to != finished.from }
            let choices = candidates.isEmpty ? layout.outgoing[finished.to] : candidates
            vehicle.link = choices[vehicle.random.integer(in: 0...(choices.count - 1))]
            vehicle.goingThrough = false
        }

        // Transmissions.
        let current = layout.links[vehicle.link]
        let located = current.locate(vehicle.distance)
        let position = layout.projection.unproject(located.point)
        let bsmEvery = Int64(max(1, 10 / max(1, parameters.bsmRate)))
        if tick % bsmEvery == 0 {
            let sendTime = now + vehicle.bsmPhaseMilliseconds * 1000
            output.append(
                .bsm(
                    BSMSample(
                        vehicleIndex: index, trueMicroseconds: sendTime,
                        sourceMilliseconds: sendTime / 1000 + obuClockOffsets[index],
                        messageCount: vehicle.messageCount,
                        position: GeoPoint(
                            latitude: (position.latitude * 1e7).rounded() / 1e7,
                            longitude: (position.longitude * 1e7).rounded() / 1e7),
                        elevation: 4.5, speed: vehicle.speed, heading: located.heading,
                        acceleration: vehicle.acceleration, braking: vehicle.acceleration < -0.5)))
            vehicle.messageCount = vehicle.messageCount == 127 ? 0 : vehicle.messageCount + 1
        }
        let terminalMilliseconds = now / 1000 + terminalOffset
        if terminalMilliseconds % 1000 == 0 {
            output.append(
                .location(
                    LocationSample(
                        vehicleIndex: index, trueMicroseconds: now,
                        terminalMilliseconds: terminalMilliseconds,
                        serial: vehicle.serial,
                        position: GeoPoint(
                            latitude: (position.latitude * 1e6).rounded() / 1e6,
                            longitude: (position.longitude * 1e6).rounded() / 1e6),
                        altitude: 5, speedTenthsKmh: UInt16((vehicle.speed * 36).rounded()),
                        direction: UInt16(located.heading.rounded()) % 360,
                        odometerTenthsKm: UInt32((vehicle.odometer / 100).rounded(.down)),
                        automation: automationStatus(vehicle), events: vehicle.pendingEvents, link: current.id
                    )))
            vehicle.pendingEvents.removeAll()
            vehicle.serial = vehicle.serial &+ 1
        }
        vehicles[index] = vehicle
    }

    private func automationStatus(_ vehicle: VehicleState) -> AutomationStatusSample {
        var flags: UInt16 = 0b101
        if vehicle.maxLevel >= 4 { flags |= 0b010 }
        switch vehicle.phase {
        case .manual(_, let off):
            return AutomationStatusSample(level: 0, state: off ? 0 : 1, flags: flags)
        case .active(let level, _):
            return AutomationStatusSample(level: UInt8(level), state: 2, flags: flags)
        case .takeover(let level, _, _, _, _):
            return AutomationStatusSample(level: UInt8(level), state: 3, flags: flags)
        case .mrm(let level, _, _):
            return AutomationStatusSample(level: UInt8(level), state: 4, flags: flags)
        }
    }

    // MARK: RSUs

    private mutating func emitRSU(
        _ index: Int, seconds t: Double, now: Int64, output: inout [SimulatedMessage]
    ) {
        var rsu = rsus[index]
        let sendTime = now + rsu.phaseMilliseconds * 1000
        let sourceMilliseconds = sendTime / 1000 + rsuClockOffsets[index]
        let tickInSecond = tick % 10
        if tick % Int64(10 * max(1, parameters.mapPeriodSeconds)) == 0 {
            output.append(
                .map(
                    MAPSample(
                        rsuIndex: index, trueMicroseconds: sendTime, sourceMilliseconds: sourceMilliseconds,
                        messageCount: rsu.mapCount)))
            rsu.mapCount = rsu.mapCount == 127 ? 0 : rsu.mapCount + 1
        }
        let spatEvery = Int64(max(1, 10 / max(1, parameters.spatRate)))
        if tick % spatEvery == 0 {
            let plan = layout.intersections[index].signal
            let rsuSeconds = Double(sourceMilliseconds) / 1000
            let phases = [UInt8(1), 2].map { phase in
                let state = plan.state(phase: phase, at: rsuSeconds)
                return PhaseSample(
                    phaseID: phase, light: state.light, remaining: state.remaining, nextDuration: state.next)
            }
            output.append(
                .spat(
                    SPATSample(
                        rsuIndex: index, trueMicroseconds: sendTime, sourceMilliseconds: sourceMilliseconds,
                        messageCount: rsu.spatCount, phases: phases)))
            rsu.spatCount = rsu.spatCount == 127 ? 0 : rsu.spatCount + 1
        }
        if parameters.rsiPeriodSeconds > 0 && tickInSecond == 5
            && (tick / 10) % Int64(parameters.rsiPeriodSeconds) == 0
        {
            for event in rsu.rsiEvents where t >= event.start && t < event.end {
                let link = layout.links[event.link]
                let middle = layout.projection.unproject(link.locate(link.length / 2).point)
                output.append(
                    .rsi(
                        RSISample(
                            rsuIndex: index, trueMicroseconds: sendTime,
                            sourceMilliseconds: sourceMilliseconds,
                            messageCount: rsu.rsiCount, eventID: event.id,
                            kind: event.roadWorks ? .roadWorks : .speedAdvice(speed: 30 / 3.6),
                            position: GeoPoint(
                                latitude: (middle.latitude * 1e7).rounded() / 1e7,
                                longitude: (middle.longitude * 1e7).rounded() / 1e7),
                            radius: event.roadWorks ? 60 : 200, link: link.id)))
                rsu.rsiCount = rsu.rsiCount == 127 ? 0 : rsu.rsiCount + 1
            }
        }
        if parameters.rsmPeriodSeconds > 0 && tickInSecond == 3
            && (tick / 10) % Int64(parameters.rsmPeriodSeconds) == 0
        {
            output.append(
                .rsm(
                    RSMSample(
                        rsuIndex: index, trueMicroseconds: sendTime, sourceMilliseconds: sourceMilliseconds,
                        messageCount: rsu.rsmCount,
                        participants: participants(rsu: index, count: rsu.participants, t: t))))
            rsu.rsmCount = rsu.rsmCount == 127 ? 0 : rsu.rsmCount + 1
        }
        rsus[index] = rsu
    }

    /// Deterministic participant tracks around an intersection: pedestrians walking to and fro
    /// over a crossing, other vehicles driving along the incoming links.
    private func participants(rsu index: Int, count: Int, t: Double) -> [ParticipantSample] {
        let centre = layout.projection.project(layout.intersections[index].position)
        let incoming = layout.links.filter { $0.to == index }
        var result: [ParticipantSample] = []
        for number in 0..<count {
            if number % 2 == 0 {
                let period = 24.0 + Double(number)
                let phase = (t + Double(index * 7 + number * 5)).truncatingRemainder(dividingBy: 2 * period)
                let forward = phase < period
                let along = (forward ? phase : 2 * period - phase) / period * 16 - 8
                let corner = LocalPoint(
                    east: centre.east + 12 * (number % 4 == 0 ? 1 : -1), north: centre.north + along)
                let position = layout.projection.unproject(corner)
                result.append(
                    ParticipantSample(
                        id: UInt16(number + 1), kind: .pedestrian,
                        position: GeoPoint(
                            latitude: (position.latitude * 1e7).rounded() / 1e7,
                            longitude: (position.longitude * 1e7).rounded() / 1e7),
                        speed: 1.3 * (16.0 / 24.0) * (period / period), heading: forward ? 0 : 180))
            } else if !incoming.isEmpty {
                let link = incoming[number % incoming.count]
                let speed = 9.0 + Double(number)
                let along = (t * speed + Double(index * 37)).truncatingRemainder(
                    dividingBy: max(link.length - 20, 1))
                let located = link.locate(along)
                let position = layout.projection.unproject(located.point)
                result.append(
                    ParticipantSample(
                        id: UInt16(number + 1), kind: .motorVehicle,
                        position: GeoPoint(
                            latitude: (position.latitude * 1e7).rounded() / 1e7,
                            longitude: (position.longitude * 1e7).rounded() / 1e7),
                        speed: speed, heading: located.heading))
            }
        }
        return result
    }
}

/// Automation phase of a vehicle.
enum AutomationPhase: Sendable {
    case manual(engageAt: Double, off: Bool)
    case active(level: Int, plannedEnd: Double)
    case takeover(level: Int, cause: UInt8, requestedAt: Int64, respondAt: Int64?, deadline: Int64)
    case mrm(level: Int, cause: UInt8, stoppedSince: Double?)
}

struct VehicleState: Sendable {
    var maxLevel: Int
    var link: Int
    var distance: Double
    var speed: Double
    var acceleration: Double = 0
    var preference: Double
    var bsmPhaseMilliseconds: Int64
    var messageCount: UInt8
    var serial: UInt16
    var odometer: Double
    var random: SimulationRandom
    var phase: AutomationPhase
    var holdUntil: Double?
    var goingThrough = false
    var pendingEvents: [AutomationEventRecord] = []
}

struct RSIEventPlan: Sendable {
    var id: UInt8
    var roadWorks: Bool
    var link: Int
    var start: Double
    var end: Double
}

struct RSUState: Sendable {
    var phaseMilliseconds: Int64
    var mapCount: UInt8
    var spatCount: UInt8
    var rsiCount: UInt8
    var rsmCount: UInt8
    var rsiEvents: [RSIEventPlan]
    var participants: Int
}
