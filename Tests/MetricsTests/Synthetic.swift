import Metrics

/// Synthetic zone for metric tests: a straight east-west road at Jiading, links every 100 m.
enum Synthetic {
    static let originLatitude = 31.28
    static let originLongitude = 121.16
    static let t0: Microseconds = 1_793_500_000_000_000  // 2026-11-01T... UTC
    static let second: Microseconds = 1_000_000

    static func latitude(north: Double) -> Double { originLatitude + north / Geodesy.earthRadius * 180 / .pi }
    static func longitude(east: Double) -> Double {
        originLongitude + east / (Geodesy.earthRadius * cos(originLatitude * .pi / 180)) * 180 / .pi
    }

    /// Links 0..<20 of 100 m along the road (east 0...2000 m), matched within 10 m of the axis.
    struct StraightRoad: RoadMatcher {
        let links: [RoadLinkInfo] = (0..<20).map {
            RoadLinkInfo(id: "L\($0)", length: 100, roadClass: "urban")
        }
        func match(latitude: Double, longitude: Double) -> Int? {
            let north = (latitude - Synthetic.originLatitude) * .pi / 180 * Geodesy.earthRadius
            let east =
                (longitude - Synthetic.originLongitude) * .pi / 180 * Geodesy.earthRadius
                * cos(Synthetic.originLatitude * .pi / 180)
            guard abs(north) <= 10, east >= 0, east < 2000 else { return nil }
            return Int(east / 100)
        }
    }

    static let vehicles = [
        VehicleIdentity(vin: "VIN-A", operatorID: "op1", terminalNumber: "13800000001", obuID: 0xA1),
        VehicleIdentity(vin: "VIN-B", operatorID: "op1", terminalNumber: "13800000002", obuID: 0xB2),
        VehicleIdentity(vin: "VIN-C", operatorID: "op2", terminalNumber: "13800000003", obuID: nil),
    ]

    static func configuration(reorderWindow: Microseconds = 300 * second) -> MetricsConfiguration {
        var c = MetricsConfiguration(
            vehicles: vehicles,
            rsus: [
                RSUSite(id: "RSU-1", latitude: latitude(north: 0), longitude: longitude(east: 500)),
                RSUSite(id: "RSU-2", latitude: latitude(north: 0), longitude: longitude(east: 1500)),
            ],
            roads: StraightRoad(),
            grid: CoverageGrid(
                minLatitude: latitude(north: -500), minLongitude: longitude(east: -500),
                maxLatitude: latitude(north: 500), maxLongitude: longitude(east: 2500)))
        c.reorderWindow = reorderWindow
        return c
    }

    static func state(_ level: UInt8, _ status: AutomationStatus) -> AutomationState {
        AutomationState(level: level, status: status)
    }

    static func fix(
        _ vehicle: VehicleRef, _ seconds: Double, east: Double, north: Double = 0,
        speed: Double = 10, state: AutomationState? = nil
    ) -> VehicleFix {
        VehicleFix(
            vehicle: vehicle, time: t0 + Microseconds(seconds * 1e6), latitude: latitude(north: north),
            longitude: longitude(east: east), speed: speed, heading: 90, automation: state)
    }

    static func event(
        _ vehicle: VehicleRef, _ seconds: Double, _ type: AutomationEventType,
        initiator: Initiator = .ads, cause: Cause = .unspecified, level: UInt8 = 4
    ) -> AutomationEvent {
        AutomationEvent(
            vehicle: vehicle, time: t0 + Microseconds(seconds * 1e6), type: type, initiator: initiator,
            cause: cause,
            levelBefore: level)
    }

    static func bsm(_ vehicle: VehicleRef, _ seconds: Double, east: Double, rsu: Int? = 0, msgCnt: UInt8 = 0)
        -> BSMReception
    {
        BSMReception(
            vehicle: vehicle, rsu: rsu, msgCnt: msgCnt, receiveTime: t0 + Microseconds(seconds * 1e6),
            latitude: latitude(north: 0), longitude: longitude(east: east))
    }

    /// Runs observations through a fresh aggregator and returns the finished metrics.
    static func run(_ observations: [Observation], configuration: MetricsConfiguration = configuration())
        -> ZoneMetrics
    {
        var aggregator = ZoneAggregator(configuration: configuration)
        for o in observations { o.apply(to: &aggregator) }
        return aggregator.finish()
    }

    static func report(_ metrics: ZoneMetrics, _ vin: String = "VIN-A") -> VehicleReport? {
        metrics.vehicleReports().first { $0.identity.vin == vin }
    }
}

/// A test-side observation (the pipeline calls the aggregator directly).
enum Observation {
    case fix(VehicleFix)
    case event(AutomationEvent)
    case bsm(BSMReception)

    var time: Microseconds {
        switch self {
        case .fix(let f): f.time
        case .event(let e): e.time
        case .bsm(let b): b.receiveTime
        }
    }

    var vehicle: VehicleRef {
        switch self {
        case .fix(let f): f.vehicle
        case .event(let e): e.vehicle
        case .bsm(let b): b.vehicle
        }
    }

    func apply(to aggregator: inout ZoneAggregator) {
        switch self {
        case .fix(let f): aggregator.observe(f)
        case .event(let e): aggregator.observe(e)
        case .bsm(let b): aggregator.observe(b)
        }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
