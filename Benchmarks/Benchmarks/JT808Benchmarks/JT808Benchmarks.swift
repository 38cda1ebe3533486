// JT/T 808 decoding benchmarks: framing + decoding of a 0x0200 location report carrying the ICV
// items 0xE1 + one 0xE2 (target: at most 150 ns and no allocation per packet), and of a 0x0704
// batch of 10 such reports. Run from Benchmarks/:
//   swift package --disable-sandbox benchmark --target JT808Benchmarks

import Benchmark
import JT808

/// A 2019-header 0x0200 packet (with flags, escaped, check code) as a terminal sends it.
private func locationPacket() -> [UInt8] {
    let time = JT808Timestamp(beijingYear: 2026, month: 11, day: 29, hour: 16, minute: 30, second: 15)!
    var report = LocationReport(
        status: [.accOn, .positioned, .gps, .beidou], altitude: 12, speed: 423, direction: 87, time: time)
    report.setCoordinates(latitudeMicrodegrees: 31_283_712, longitudeMicrodegrees: 121_162_872)
    report.automationState = AutomationState(
        level: 4, mode: .active, flags: [.safetyDriverOnBoard, .v2xEnabled])
    report.automationEvents.append(
        AutomationEvent(
            type: .engaged, initiator: .safetyDriver, cause: .unspecified, levelBefore: 0,
            time: JT808Timestamp(secondsSince1970: time.secondsSince1970 - 2), milliseconds: 250))
    let header = JT808Header(messageID: 0x0200, terminal: TerminalNumber("13912345678")!, serial: 7)
    return try! JT808Packet(header: header, body: .locationReport(report)).encoded()
}

private func batchPacket() -> [UInt8] {
    let single = try! JT808Packet(framed: locationPacket())
    guard case .locationReport(let report) = single.body else { fatalError("fixture is a location report") }
    var header = single.header
    header.messageID = 0x0704
    let batch = BatchLocationUpload(type: 1, reports: Array(repeating: report, count: 10))
    return try! JT808Packet(header: header, body: .batchLocationUpload(batch)).encoded()
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 1_000
    )

    let location = locationPacket()
    let batch = batchPacket()

    // The hot path of an ingest loop: framer -> header view -> location report decoded in place.
    Benchmark("0x0200 E1+E2: frame + decode (per packet)") { benchmark in
        var framer = JT808Framer()
        var decoded = 0
        location.withUnsafeBytes { wire in
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                framer.append(wire) { event in
                    guard case .packet(let content, _) = event else { return }
                    do {
                        let view = try JT808PacketView(content: content)
                        if view.isLocationReport {
                            let report = try view.decodeLocationReport()
                            decoded &+= report.automationEvents.count &+ Int(report.latitudeMagnitude & 1)
                        }
                    } catch {
                        decoded &-= 1
                    }
                }
            }
            benchmark.stopMeasurement()
        }
        blackHole(decoded)
    }

    // The same through the general API (header + JT808Body enum), for comparison.
    Benchmark("0x0200 E1+E2: frame + JT808Packet (per packet)") { benchmark in
        var framer = JT808Framer()
        var decoded = 0
        location.withUnsafeBytes { wire in
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                framer.append(wire) { event in
                    guard case .packet(let content, _) = event else { return }
                    do {
                        let packet = try JT808Packet(decoding: content)
                        if case .locationReport(let report) = packet.body {
                            decoded &+= report.automationEvents.count
                        }
                    } catch {
                        decoded &-= 1
                    }
                }
            }
            benchmark.stopMeasurement()
        }
        blackHole(decoded)
    }

    Benchmark("0x0704 batch of 10: frame + decode (per packet)") { benchmark in
        var framer = JT808Framer()
        var decoded = 0
        batch.withUnsafeBytes { wire in
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                framer.append(wire) { event in
                    guard case .packet(let content, _) = event else { return }
                    do {
                        let packet = try JT808Packet(decoding: content)
                        if case .batchLocationUpload(let batch) = packet.body {
                            decoded &+= batch.reports.count
                        }
                    } catch {
                        decoded &-= 1
                    }
                }
            }
            benchmark.stopMeasurement()
        }
        blackHole(decoded)
    }
}
