// Metrics engine throughput and end-to-end replay into SQLite.
//
// - "Aggregation": 1,000,000 observations (20 vehicles: 1 Hz fixes with automation state, 10 Hz
//   BSMs heard by 2 RSUs, a takeover and a disengagement every few minutes) through a fresh
//   ZoneAggregator, then finish(). Throughput = observations/s (scaling factor mega).
// - "Replay into SQLite": a 1,000,000-frame MCAP recording (JT/T 808 0x0200 reports and CSAE 53
//   BSMs, 20 vehicles) through DatabaseReplay: SHA-256 of the file, decoding, metrics, the
//   database run. Throughput = frames/s.
//
//   cd Benchmarks && swift package --disable-sandbox benchmark --target MetricsBenchmarks

import Benchmark
import CV2X
import Foundation
import JT808
import Metrics
import Pipeline
import Recording
import Store

let vehicleCount = 20
let start: Int64 = 1_793_500_000  // seconds, 2026-11-01T02:26:40Z

let configuration: MetricsConfiguration = {
    let vehicles = (0..<vehicleCount).map { v in
        VehicleIdentity(
            vin: "VIN\(1000 + v)", operatorID: "op\(v % 3)", terminalNumber: "0138000\(10000 + v)",
            obuID: 0x4A44_5A4C_0000_0000 | UInt64(v))
    }
    return MetricsConfiguration(
        vehicles: vehicles,
        rsus: [
            RSUSite(id: "RSU-1", latitude: 31.28, longitude: 121.165),
            RSUSite(id: "RSU-2", latitude: 31.28, longitude: 121.175),
        ],
        grid: CoverageGrid(minLatitude: 31.27, minLongitude: 121.15, maxLatitude: 31.29, maxLongitude: 121.20)
    )
}()

/// Position of a vehicle at a time: back and forth along an east-west road at 10 m/s.
func position(vehicle: Int, second: Double) -> (latitude: Double, longitude: Double) {
    let phase = (second + Double(vehicle) * 37).truncatingRemainder(dividingBy: 400)
    let east = phase < 200 ? phase * 10 : (400 - phase) * 10
    return (31.28 + Double(vehicle) * 0.0001, 121.16 + east / 95_100)
}

/// Observations in time order: per second and vehicle one fix and ten BSMs (two RSUs, alternating).
func makeObservations(count: Int) -> [TrackItem] {
    var items: [TrackItem] = []
    items.reserveCapacity(count)
    var second = 0
    while items.count < count {
        for v in 0..<vehicleCount {
            let s = Double(second)
            let active = (second + v * 13) % 300 < 240
            if (second + v * 13) % 300 == 239 {
                items.append(
                    .event(
                        AutomationEvent(
                            vehicle: v, time: (start + Int64(second)) * 1_000_000 + 200_000,
                            type: .takeoverRequest, initiator: .ads, cause: .leftODD, levelBefore: 4)))
                items.append(
                    .event(
                        AutomationEvent(
                            vehicle: v, time: (start + Int64(second)) * 1_000_000 + 900_000,
                            type: .disengaged, initiator: .safetyDriver, cause: .leftODD, levelBefore: 4)))
            }
            let p = position(vehicle: v, second: s)
            items.append(
                .fix(
                    VehicleFix(
                        vehicle: v, time: (start + Int64(second)) * 1_000_000, latitude: p.latitude,
                        longitude: p.longitude, speed: 10, heading: 90,
                        automation: AutomationState(level: active ? 4 : 0, status: active ? .active : .off))))
            for tenth in 0..<10 {
                let q = position(vehicle: v, second: s + Double(tenth) / 10)
                items.append(
                    .bsm(
                        BSMReception(
                            vehicle: v, rsu: tenth % 2, msgCnt: UInt8((second * 10 + tenth) % 128),
                            receiveTime: (start + Int64(second)) * 1_000_000 + Int64(tenth) * 100_000,
                            latitude: q.latitude, longitude: q.longitude)))
            }
        }
        second += 1
    }
    return Array(items.prefix(count))
}

let observations = makeObservations(count: 1_000_000)

// MARK: Recording for the end-to-end replay

let bsmTemplate: CSAE53_2020.BasicSafetyMessage? = {
    let hex = "000229488b498606060634add9094f0816705ca3e205a856c7081fcdf31fe01dc00b91e00280"
    var bytes: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
        index = next
    }
    guard case .bsmFrame(let message)? = try? CSAE53_2020.MessageFrame(uper: bytes) else { return nil }
    return message
}()

func writeRecording(path: String, frames: Int) throws {
    let writer = try MCAPWriter(path: path)
    let rsuChannels = try ["cv2x/RSU-1", "cv2x/RSU-2"].map {
        try writer.addChannel(topic: $0, messageEncoding: "cv2x-uper")
    }
    let jtChannels = try (0..<vehicleCount).map { v in
        try writer.addChannel(topic: "jt808/0138000\(10000 + v)", messageEncoding: "jt808")
    }
    var written = 0
    var second = 0
    while written < frames {
        for v in 0..<vehicleCount where written < frames {
            let active = (second + v * 13) % 300 < 240
            let p = position(vehicle: v, second: Double(second))
            var report = LocationReport(
                status: [.positioned], latitudeMagnitude: UInt32(p.latitude * 1e6),
                longitudeMagnitude: UInt32(p.longitude * 1e6),
                speed: 360, direction: 90, time: JT808Timestamp(secondsSince1970: start + Int64(second)))
            report.automationState = JT808.AutomationState(
                level: active ? 4 : 0, mode: active ? .active : .off)
            if (second + v * 13) % 300 == 240 {
                report.automationEvents = AutomationEvents([
                    .init(
                        type: .disengaged, initiator: .safetyDriver, cause: .leftODD, levelBefore: 4,
                        time: JT808Timestamp(secondsSince1970: start + Int64(second) - 1), milliseconds: 900)
                ])
            }
            let header = JT808Header(
                messageID: JT808MessageID.locationReport,
                terminal: TerminalNumber("0138000\(10000 + v)") ?? TerminalNumber(value: 0, byteCount: 10),
                serial: UInt16(truncatingIfNeeded: second))
            let packet = try JT808Packet(header: header, body: .locationReport(report)).encoded()
            let logTime = UInt64(start + Int64(second)) * 1_000_000_000 + 300_000_000
            try writer.write(channelID: jtChannels[v], logTime: logTime, publishTime: 0, payload: packet)
            written += 1
            guard var bsm = bsmTemplate else { continue }
            for tenth in 0..<10 where written < frames {
                let q = position(vehicle: v, second: Double(second) + Double(tenth) / 10)
                bsm.msgCnt = UInt8((second * 10 + tenth) % 128)
                bsm.id.words.high = 0x4A44_5A4C_0000_0000 | UInt64(v)
                bsm.secMark = UInt16(((second + Int(start)) % 60) * 1000 + tenth * 100)
                bsm.pos.lat = Int32(q.latitude * 1e7)
                bsm.pos.long = Int32(q.longitude * 1e7)
                let payload = try CSAE53_2020.MessageFrame.bsmFrame(bsm).uperEncoded()
                let t =
                    UInt64(start + Int64(second)) * 1_000_000_000 + UInt64(tenth) * 100_000_000 + 20_000_000
                try writer.write(
                    channelID: rsuChannels[tenth % 2], logTime: t, publishTime: t, payload: payload)
                written += 1
            }
        }
        second += 1
    }
    try writer.finish()
}

func scratch(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent(
        "testzone-metrics-bench-\(getpid())-\(name)"
    ).path
}

let benchmarks: @Sendable () -> Void = {
    let aggregation = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal], timeUnits: .nanoseconds, scalingFactor: .mega,
        maxDuration: .seconds(10), maxIterations: 10)
    Benchmark("Aggregation (1M observations, 20 vehicles)", configuration: aggregation) { benchmark in
        var aggregator = ZoneAggregator(configuration: configuration)
        benchmark.startMeasurement()
        for item in observations {
            switch item {
            case .fix(let f): aggregator.observe(f)
            case .event(let e): aggregator.observe(e)
            case .bsm(let b): aggregator.observe(b)
            }
        }
        let metrics = aggregator.finish()
        benchmark.stopMeasurement()
        blackHole(metrics.vehicles.count)
    }

    let recording = scratch("recording.mcap")
    let replay = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal], timeUnits: .nanoseconds, scalingFactor: .mega,
        maxDuration: .seconds(30), maxIterations: 3,
        setup: { try writeRecording(path: recording, frames: 1_000_000) },
        teardown: { try? FileManager.default.removeItem(atPath: recording) })
    Benchmark("Replay into SQLite (1M frames, end to end)", configuration: replay) { benchmark in
        let database = scratch("zone-\(UUID().uuidString).sqlite")
        defer {
            for suffix in ["", "-wal", "-shm"] {
                try? FileManager.default.removeItem(atPath: database + suffix)
            }
        }
        let store = try ZoneStore(path: database)
        benchmark.startMeasurement()
        let result = try DatabaseReplay(store: store, configuration: configuration).run(files: [recording])
        benchmark.stopMeasurement()
        blackHole(result.messages)
    }
}
