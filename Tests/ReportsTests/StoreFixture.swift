import Foundation
import Metrics
import Store
import Zone

@testable import Reports

/// A small zone written through the Store's writer from Metrics aggregates: a straight 2 km
/// road of 20 links at Jiading, two RSUs, four vehicles of two operators, drives in October and
/// November 2026 with every kind of event (DESIGN.md section 4) and an inferred disengagement.
enum StoreFixture {
    static let originLatitude = 31.28
    static let originLongitude = 121.16
    static let second: Microseconds = 1_000_000

    static func latitude(north: Double) -> Double {
        originLatitude + north / Metrics.Geodesy.earthRadius * 180 / .pi
    }
    static func longitude(east: Double) -> Double {
        originLongitude + east / (Metrics.Geodesy.earthRadius * cos(originLatitude * .pi / 180)) * 180 / .pi
    }

    struct StraightRoad: RoadMatcher {
        let links: [RoadLinkInfo] = (0..<20).map {
            RoadLinkInfo(id: "L\($0)", length: 100, roadClass: $0 < 10 ? "urban" : "arterial")
        }
        func match(latitude: Double, longitude: Double) -> Int? {
            let north = (latitude - StoreFixture.originLatitude) * .pi / 180 * Metrics.Geodesy.earthRadius
            let east =
                (longitude - StoreFixture.originLongitude) * .pi / 180 * Metrics.Geodesy.earthRadius
                * cos(StoreFixture.originLatitude * .pi / 180)
            guard abs(north) <= 10, east >= 0, east < 2000 else { return nil }
            return Int(east / 100)
        }
    }

    static let vehicles = [
        VehicleIdentity(
            vin: "LSVAU2180N2000001", operatorID: "op1", terminalNumber: "13800000001", obuID: 0xA1),
        VehicleIdentity(
            vin: "LSVAU2180N2000002", operatorID: "op1", terminalNumber: "13800000002", obuID: 0xB2),
        VehicleIdentity(
            vin: "LB37622Z3NX100003", operatorID: "op2", terminalNumber: "13800000003", obuID: 0xC3),
        VehicleIdentity(
            vin: "LB37622Z3NX100004", operatorID: "op2", terminalNumber: "13800000004", obuID: nil),
    ]

    static var configuration: MetricsConfiguration {
        MetricsConfiguration(
            vehicles: vehicles,
            rsus: [
                RSUSite(id: "RSU-1", latitude: latitude(north: 0), longitude: longitude(east: 500)),
                RSUSite(id: "RSU-2", latitude: latitude(north: 0), longitude: longitude(east: 1500)),
            ],
            roads: StraightRoad(),
            grid: CoverageGrid(
                minLatitude: latitude(north: -500), minLongitude: longitude(east: -500),
                maxLatitude: latitude(north: 500), maxLongitude: longitude(east: 2500)))
    }

    /// Microseconds of a Shanghai local time in 2026.
    static func time(month: Int, day: Int, hour: Int, minute: Int = 0) -> Microseconds {
        (daysFromCivil(year: 2026, month: month, day: day) * 86_400 + Int64(hour * 3600 + minute * 60) - 8
            * 3600)
            * second
    }

    /// A drive east and back along the road at 10 m/s, one fix per second, with BSMs to the
    /// nearest RSU and JT/T 808 frame accounting.
    /// An automation event of a drive, `at` microseconds after its start.
    struct Event {
        var at: Microseconds
        var type: AutomationEventType
        var initiator: Initiator = .ads
        var cause: Cause = .unspecified
        var level: UInt8
    }

    /// Events are observed in time order with the fixes, as the pipeline delivers them.
    static func drive(
        _ aggregator: inout ZoneAggregator, vehicle: Int, start: Microseconds, seconds: Int,
        events: [Event] = [], state: (Int) -> AutomationState
    ) {
        var pending = events.sorted { $0.at < $1.at }[...]
        let identity = vehicles[vehicle]
        let ref = aggregator.vehicle(forTerminal: identity.terminalNumber)
        let source = aggregator.source(named: "jt808/\(identity.terminalNumber)")
        let rsuSources = [aggregator.source(named: "cv2x/RSU-1"), aggregator.source(named: "cv2x/RSU-2")]
        for s in 0...seconds {
            let t = start + Microseconds(s) * second
            while let next = pending.first, start + next.at <= t {
                aggregator.observe(
                    AutomationEvent(
                        vehicle: ref, time: start + next.at, type: next.type, initiator: next.initiator,
                        cause: next.cause, levelBefore: next.level))
                pending = pending.dropFirst()
            }
            let lap = s % 380
            let east = lap < 190 ? Double(lap) * 10 : Double(380 - lap) * 10
            aggregator.received(source: source, at: t)
            aggregator.record(s == 17 ? .rejected(reason: "jt808: bad checksum") : .decoded, source: source)
            aggregator.observe(
                VehicleFix(
                    vehicle: ref, time: t, latitude: latitude(north: 0), longitude: longitude(east: east),
                    speed: 10,
                    heading: lap < 190 ? 90 : 270, automation: state(s)))
            if identity.obuID != nil, s % 2 == 0 {
                let rsu = east < 1000 ? 0 : 1
                aggregator.received(source: rsuSources[rsu], at: t)
                aggregator.record(.decoded, source: rsuSources[rsu])
                aggregator.observe(
                    BSMReception(
                        vehicle: ref, rsu: rsu, msgCnt: UInt8((s / 2) % 128), receiveTime: t,
                        latitude: latitude(north: 0), longitude: longitude(east: east)))
            }
        }
    }

    static func active(_ level: UInt8) -> AutomationState { AutomationState(level: level, status: .active) }
    static let off = AutomationState(level: 0, status: .off)

    /// November 3rd, 10:00: the busy run.
    static var novemberRun1: ZoneMetrics {
        var a = ZoneAggregator(configuration: configuration)
        let t = time(month: 11, day: 3, hour: 10)
        // Vehicle 0: L4; takeover request at 120 s, safety driver takes over at 123.5 s; re-engaged at
        // 150 s; planned end at 300 s.
        drive(
            &a, vehicle: 0, start: t, seconds: 300,
            events: [
                Event(at: 120 * second, type: .takeoverRequest, cause: .leftODD, level: 4),
                Event(
                    at: 123_500_000, type: .disengaged, initiator: .safetyDriver, cause: .leftODD, level: 4),
                Event(at: 150 * second, type: .engaged, level: 0),
                Event(
                    at: 299_500_000, type: .disengaged, initiator: .safetyDriver, cause: .plannedEnd, level: 4
                ),
            ]
        ) { s in s <= 123 || (s >= 150 && s < 300) ? active(4) : off }
        // Vehicle 1: L3 with an inferred disengagement (active -> off at 200 s, no event item).
        drive(&a, vehicle: 1, start: t + 30 * second, seconds: 400) { s in
            s < 200 || s >= 250 ? active(3) : off
        }
        // Vehicle 2: L4; severe failure, takeover request, missed (MRM), collision later.
        drive(
            &a, vehicle: 2, start: t, seconds: 300,
            events: [
                Event(at: 99 * second, type: .severeFailure, cause: .hardware, level: 4),
                Event(at: 100 * second, type: .takeoverRequest, cause: .hardware, level: 4),
                Event(at: 108 * second, type: .mrmStarted, cause: .hardware, level: 4),
                Event(at: 130 * second, type: .mrmEnded, cause: .hardware, level: 4),
                Event(at: 160 * second, type: .engaged, level: 0),
                Event(
                    at: 200 * second, type: .collision, initiator: .notApplicable, cause: .otherRoadUser,
                    level: 4),
            ]
        ) { s in
            s < 108 || s >= 160
                ? active(4) : s < 130 ? AutomationState(level: 4, status: .minimalRiskManoeuvre) : off
        }
        return a.finish()
    }

    /// November 4th, 15:00: vehicle 0 in L3, a remote-operator disengagement without a request;
    /// vehicle 2 takes over after 2 s.
    static var novemberRun2: ZoneMetrics {
        var a = ZoneAggregator(configuration: configuration)
        let t = time(month: 11, day: 4, hour: 15)
        drive(
            &a, vehicle: 0, start: t, seconds: 200,
            events: [
                Event(
                    at: 180_500_000, type: .disengaged, initiator: .remoteOperator, cause: .communication,
                    level: 3)
            ]
        ) { s in s <= 180 ? active(3) : off }
        drive(
            &a, vehicle: 2, start: t, seconds: 250,
            events: [
                Event(at: 60 * second, type: .takeoverRequest, cause: .perception, level: 4),
                Event(
                    at: 62 * second, type: .disengaged, initiator: .safetyDriver, cause: .perception, level: 4
                ),
            ]
        ) { s in s < 62 ? active(4) : off }
        return a.finish()
    }

    /// October 20th, 09:00: the previous month.
    static var octoberRun: ZoneMetrics {
        var a = ZoneAggregator(configuration: configuration)
        let t = time(month: 10, day: 20, hour: 9)
        drive(
            &a, vehicle: 0, start: t, seconds: 200,
            events: [
                Event(at: 150 * second, type: .disengaged, initiator: .ads, cause: .perception, level: 4)
            ]
        ) { s in s < 150 ? active(4) : off }
        return a.finish()
    }

    static let operatorNames = ["op1": "Anting Autonomy Co.", "op2": "Bund Robotaxi Ltd."]

    /// The zone's `zone.toml` text: plates, permits and operator names the database does not hold.
    static var zoneTOML: String {
        ZoneConfiguration(
            name: "Store fixture zone", timeZone: "Asia/Shanghai",
            origin: Zone.GeoPoint(latitude: originLatitude, longitude: originLongitude),
            operators: [
                ZoneOperator(id: "op1", name: "Anting Autonomy Co. (zone.toml)"),
                ZoneOperator(id: "op2", name: "Bund Robotaxi Ltd."),
            ],
            vehicles: vehicles.enumerated().map { index, vehicle in
                ZoneVehicle(
                    vin: vehicle.vin, plate: "沪A·000\(index + 1)试", operatorID: vehicle.operatorID,
                    permit: "SH-ICV-2026-0\(index + 1)", terminal: vehicle.terminalNumber,
                    obuID: OBUIdentifier(rawValue: vehicle.obuID ?? UInt64(0xF0 + index)), maxLevel: 4)
            },
            rsus: [
                ZoneRSU(
                    id: "RSU-1",
                    position: Zone.GeoPoint(latitude: latitude(north: 0), longitude: longitude(east: 500)),
                    nominalRange: 300, schema: .csae53_2020),
                ZoneRSU(
                    id: "RSU-2",
                    position: Zone.GeoPoint(latitude: latitude(north: 0), longitude: longitude(east: 1500)),
                    nominalRange: 300, schema: .csae53_2020),
            ]
        ).tomlText()
    }

    /// A database at `path` with the zone and the three runs.
    @discardableResult
    static func makeDatabase(at path: String) throws -> ZoneStore {
        let store = try ZoneStore(path: path)
        // op1 is registered without a name (the Store then names it by its id): zone.toml fills it in.
        try store.registerZone(configuration, operators: ["op2": operatorNames["op2"]!])
        for (index, metrics) in [octoberRun, novemberRun1, novemberRun2].enumerated() {
            let file = RunFile(
                path: "/recordings/run\(index).mcap", sha256: String(repeating: String(index), count: 64),
                bytes: 1000)
            let run = try store.beginRun(
                key: "run\(index)", files: [file], startedAt: time(month: 11, day: 30, hour: 0))
            try store.finishRun(
                run, metrics: metrics, frames: 1000, finishedAt: time(month: 11, day: 30, hour: 1))
        }
        return store
    }

    /// A fresh directory for one test.
    static func directory(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "testzone-reports-store-\(name)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
