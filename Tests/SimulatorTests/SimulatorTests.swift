import CV2X
import Foundation
import JT808
import Recording
import Testing
import UPER
import Zone

@testable import Simulator

@Suite struct SimulatorTests {
    @Test func sameSeedSameBytes() throws {
        let first = try simulate(busyParameters())
        let second = try simulate(busyParameters())
        #expect(first.frames.count == second.frames.count)
        #expect(first.frames == second.frames)
        #expect(try first.truth.jsonData() == second.truth.jsonData())
        let other = try simulate(busyParameters(seed: 8))
        #expect(other.frames != first.frames)
    }

    @Test func sameSeedSameMCAPFile() throws {
        var parameters = busyParameters()
        parameters.durationSeconds = 30
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var files: [Data] = []
        for name in ["a.mcap", "b.mcap"] {
            let path = directory.appendingPathComponent(name).path
            var simulation = TrafficSimulation(parameters: parameters)
            var sink = try MCAPFrameSink(path: path, simulation: simulation)
            _ = try SimulationRunner.run(simulation: &simulation, sink: &sink)
            files.append(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        #expect(files[0] == files[1])
        #expect(files[0].count > 1000)

        // The recording reads back: every frame, in log-time order, with the documented channels.
        let reader = try MCAPReader(path: directory.appendingPathComponent("a.mcap").path)
        let (messages, warnings) = reader.readMessages()
        #expect(warnings.isEmpty)
        let memory = try simulate(parameters)
        #expect(messages.count == memory.frames.count)
        #expect(messages.map(\.logTime) == memory.frames.map { UInt64($0.receiveMicroseconds) * 1000 })
        #expect(messages.map(\.data) == memory.frames.map(\.payload))
        #expect(reader.attachments().map(\.name) == ["zone.toml"])
        let zone = try ZoneConfiguration.parse(
            String(decoding: reader.attachments()[0].data, as: UTF8.self), fileName: "zone.toml")
        #expect(zone == memory.simulation.layout.configuration)
    }

    @Test func everyFrameDecodesWithTheProjectsDecoders() throws {
        let run = try simulate(busyParameters())
        let schemas = schemaByTopic(run.simulation.layout)
        var kinds: [String: Int] = [:]
        var bsmCounts: [String: [UInt8]] = [:]
        for frame in run.frames {
            #expect(frame.disposition == .intact)
            if frame.topic.hasPrefix("jt808/") {
                let packet = try JT808Packet(framed: frame.payload)
                #expect(packet.header.messageID == 0x0200)
                #expect(
                    "jt808/\(packet.header.terminal.significantDigits)" == "jt808/"
                        + ZoneRegistry.normaliseTerminal(frame.topic.dropFirst(6)))
                kinds["jt808", default: 0] += 1
            } else {
                let schema = try #require(schemas[frame.topic])
                let decoded = try CV2XFrame(uper: frame.payload, schema: schema)
                #expect(try decoded.uperEncoded() == frame.payload)
                switch decoded {
                case .csae53_2020(let message):
                    kinds[String("\(message)".prefix { $0 != "(" }), default: 0] += 1
                case .csae53_2019(let message):
                    kinds[String("\(message)".prefix { $0 != "(" }), default: 0] += 1
                case .csae53_2017(let message):
                    kinds[String("\(message)".prefix { $0 != "(" }), default: 0] += 1
                }
                if case .csae53_2020(.bsmFrame(let bsm)) = decoded {
                    bsmCounts[bsm.id.hexString, default: []].append(bsm.msgCnt)
                }
            }
        }
        for kind in ["jt808", "bsmFrame", "mapFrame", "spatFrame", "rsiFrame", "rsmFrame"] {
            #expect(kinds[kind, default: 0] > 0, "no \(kind) frames")
        }
        // RSI texts are plain text in every edition (an advisory speed names its km/h).
        let texts = run.frames.filter { $0.topic.hasPrefix("cv2x/") }.compactMap { frame -> String? in
            guard let schema = schemas[frame.topic],
                let decoded = try? CV2XFrame(uper: frame.payload, schema: schema)
            else { return nil }
            return decoded.jer.contains("rsiFrame") ? decoded.jer : nil
        }
        let advisories = texts.filter { $0.contains("Advisory speed") }
        #expect(!advisories.isEmpty, "no advisory speed RSI")
        #expect(
            advisories.allSatisfy {
                $0.range(of: #"Advisory speed \d+ km/h"#, options: .regularExpression) != nil
            })
        // msgCnt rolls over 0...127.
        #expect(bsmCounts.values.allSatisfy { $0.allSatisfy { $0 <= 127 } })
        #expect(bsmCounts.values.contains { $0.contains(127) && $0.contains(0) })
    }

    @Test func mapFramesRebuildTheSimulatedNetwork() throws {
        let run = try simulate(busyParameters())
        let schemas = schemaByTopic(run.simulation.layout)
        var builder = RoadNetworkBuilder()
        for frame in run.frames where frame.topic.hasPrefix("cv2x/") {
            let schema = try #require(schemas[frame.topic])
            let decoded = try CV2XFrame(uper: frame.payload, schema: schema)
            if let nodes = MapNode.nodes(from: decoded) { builder.add(contentsOf: nodes) }
        }
        let network = builder.build()
        let expected = run.simulation.layout.roadNetwork()
        #expect(network.unresolvedLinks.isEmpty)
        #expect(network.links.map(\.id) == expected.links.map(\.id))
        #expect(network.links.count == run.simulation.layout.links.count)
        for (built, truth) in zip(network.links, expected.links) {
            #expect(built.lanes == truth.lanes)
            #expect(abs(built.width - truth.width) < 0.01)
            #expect(built.geometry.count == truth.geometry.count)
            #expect(abs(built.length - truth.length) < 0.05)
            #expect(abs((built.speedLimit ?? 0) - (truth.speedLimit ?? 0)) < 0.02)
        }
        // Some links are bent (two intermediate points), from every edition's MAP.
        #expect(network.links.contains { $0.geometry.count == 4 })
    }

    @Test func groundTruthIsConsistent() throws {
        let run = try simulate(busyParameters())
        let truth = run.truth
        var totalAutomated = 0.0
        var events = 0
        for vehicle in truth.vehicles {
            let automated = vehicle.automatedKm.values.reduce(0, +)
            let perLink = vehicle.linksAutomated.reduce(0) { $0 + $1.km }
            #expect(abs(automated - perLink) <= 1e-9 * max(1, automated))
            #expect(automated <= vehicle.drivenKm + 1e-9)
            #expect(vehicle.fixes == vehicle.reportsGenerated)
            #expect(vehicle.trackGaps == 0)
            // Every takeover request is closed by a disengagement or an MRM (or still open at the end).
            for takeover in vehicle.takeovers where takeover.outcome != "open" {
                #expect((takeover.takeoverMs ?? -1) > 0)
                #expect((takeover.takeoverMs ?? 0) <= 8000)
            }
            #expect(vehicle.mrmEnds.count <= vehicle.mrms.count)
            #expect(vehicle.engagements >= vehicle.disengagements.count + vehicle.plannedDeactivations.count)
            totalAutomated += automated
            events += vehicle.disengagements.count + vehicle.takeovers.count + vehicle.mrms.count
        }
        #expect(totalAutomated > 1)
        #expect(events > 5)
        #expect(abs(truth.totals.automatedKm.values.reduce(0, +) - totalAutomated) < 1e-9)
        #expect(truth.totals.disengagements == truth.vehicles.reduce(0) { $0 + $1.disengagements.count })
        #expect(
            truth.totals.takeoverMs.count + truth.totals.missedTakeoverMs.count
                <= truth.totals.takeoverRequests)
        #expect((truth.totals.uplinkCoverage ?? 0) > 0.3)
        #expect(truth.rsus.contains { $0.bsmBands[0].exposureSeconds > 0 })
        #expect(truth.totals.disengagements > 0 && truth.totals.plannedDeactivations > 0)
        #expect(truth.totals.takeoverRequests > 0)
        // BSM bands: the RSUs received fewer in far bands.
        for rsu in truth.rsus {
            for band in rsu.bsmBands {
                #expect(band.delivered <= band.receivedOverAir && band.receivedOverAir <= band.transmitted)
            }
        }
    }

    /// Recomputes automated distance, events and takeovers from the decoded JT/T 808 frames with
    /// the definitions of DESIGN.md 5 (independently of GroundTruthRecorder) and compares.
    @Test func groundTruthMatchesTheDecodedTelemetry() throws {
        let run = try simulate(busyParameters())
        let reports = try decodedReports(run.frames)
        for vehicle in run.truth.vehicles {
            let topic = "jt808/\(vehicle.terminal)"
            let list = try #require(reports[topic]).map(\.report).sorted { $0.time < $1.time }
            #expect(list.count == vehicle.fixes)
            var automated: [UInt8: Double] = [:]
            var disengagements = 0
            var takeoverTimes: [Int64] = []
            var open: Int64?
            for index in list.indices {
                for event in list[index].automationEvents {
                    switch event.type.rawValue {
                    case 2:
                        if event.cause.rawValue != 11 && (event.levelBefore == 3 || event.levelBefore == 4) {
                            disengagements += 1
                        }
                        if let start = open { takeoverTimes.append(event.millisecondsSince1970 - start) }
                        open = nil
                    case 3: open = event.millisecondsSince1970
                    case 4:
                        if let start = open { takeoverTimes.append(event.millisecondsSince1970 - start) }
                        open = nil
                    default: break
                    }
                }
                guard index > 0 else { continue }
                let previous = list[index - 1]
                let seconds = Double(list[index].time.secondsSince1970 - previous.time.secondsSince1970)
                let metres = Geodesy.greatCircleDistance(
                    GeoPoint(latitude: previous.latitude, longitude: previous.longitude),
                    GeoPoint(latitude: list[index].latitude, longitude: list[index].longitude))
                guard seconds > 0, seconds <= 10, metres / seconds <= 70 else { continue }
                if let state = previous.automationState, state.mode.rawValue == 2 {
                    automated[state.level, default: 0] += metres / 1000
                }
            }
            for (level, km) in automated {
                #expect(abs(km - (vehicle.automatedKmEarlierFixRule[String(level)] ?? -1)) < 1e-9)
                // The split rule moves at most a fraction of one step per transition.
                #expect(
                    abs(km - (vehicle.automatedKm[String(level)] ?? -1)) < 0.02
                        * Double(vehicle.engagements + 1))
            }
            #expect(automated.count == vehicle.automatedKmEarlierFixRule.count)
            #expect(disengagements == vehicle.disengagements.count)
            #expect(takeoverTimes == vehicle.takeovers.compactMap(\.takeoverMs))
        }
    }

    @Test func faultsAreInjectedAndAccounted() throws {
        let run = try simulate(busyParameters(faults: .demoFaults))
        let truth = run.truth
        let corrupted = run.frames.filter { $0.disposition == .corrupted }
        let duplicates = run.frames.filter { $0.disposition == .duplicate }
        #expect(corrupted.count == truth.faults.corruptedFrames.count)
        #expect(duplicates.count == truth.faults.duplicateFrames.count)
        #expect(corrupted.count > 0 && duplicates.count > 0)
        #expect(truth.faults.lost.values.reduce(0, +) > 0)
        let schemas = schemaByTopic(run.simulation.layout)
        for frame in corrupted {
            if frame.topic.hasPrefix("jt808/") {
                #expect(throws: JT808Error.self) { try JT808Packet(framed: frame.payload) }
            } else {
                #expect(throws: (any Error).self) { try CV2XFrame(autoDetecting: frame.payload) }
                #expect(schemas[frame.topic] != nil)
            }
        }
        for frame in run.frames where frame.disposition != .corrupted {
            if frame.topic.hasPrefix("jt808/") {
                _ = try JT808Packet(framed: frame.payload)
            } else {
                let schema = try #require(schemas[frame.topic])
                _ = try CV2XFrame(uper: frame.payload, schema: schema)
            }
        }
        // Frames come out in receive-time order; the truth counts only what arrived.
        #expect(
            zip(run.frames, run.frames.dropFirst()).allSatisfy {
                $0.receiveMicroseconds <= $1.receiveMicroseconds
            })
        #expect(truth.vehicles.contains { $0.fixes < $0.reportsGenerated })
        #expect(truth.vehicles.contains { $0.terminalClockOffsetMs != 0 })
        let reports = try decodedReports(run.frames)
        for vehicle in truth.vehicles {
            #expect(reports["jt808/\(vehicle.terminal)"]?.count == vehicle.fixes)
        }
    }

    @Test func groundTruthJSONHasTheDocumentedShape() throws {
        let run = try simulate(busyParameters())
        let object = try #require(
            try JSONSerialization.jsonObject(with: run.truth.jsonData()) as? [String: Any])
        for key in ["schemaVersion", "parameters", "conventions", "vehicles", "rsus", "totals", "faults"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        let decoded = try JSONDecoder().decode(GroundTruth.self, from: run.truth.jsonData())
        #expect(decoded.vehicles.count == 6)
        #expect(TruthTime.format(1_793_581_200_123) == "2026-11-02T01:00:00.123Z")
        #expect(TruthTime.format(-1) == "1969-12-31T23:59:59.999Z")
    }
}

@Suite struct SimulatorUnitTests {
    @Test func randomStreamsAreReproducibleAndIndependent() {
        var a = SimulationRandom.stream(seed: 1, label: "radio")
        var b = SimulationRandom.stream(seed: 1, label: "radio")
        var c = SimulationRandom.stream(seed: 1, label: "faults")
        let first = (0..<8).map { _ in a.next() }
        #expect(first == (0..<8).map { _ in b.next() })
        #expect(first != (0..<8).map { _ in c.next() })
        var d = SimulationRandom(seed: 3)
        let values = (0..<10_000).map { _ in d.logNormal(median: 2.2, sigma: 0.45) }.sorted()
        #expect(abs(values[5000] - 2.2) < 0.1)
    }

    @Test func signalCycleAlternatesPhases() {
        let plan = SignalPlan(green1: 30, green2: 40, offset: 0)
        #expect(plan.cycle == 80)
        #expect(plan.state(phase: 1, at: 10).light == .green)
        #expect(plan.state(phase: 2, at: 10).light == .red)
        #expect(plan.state(phase: 1, at: 31).light == .yellow)
        #expect(plan.state(phase: 2, at: 36).light == .green)
        #expect(plan.state(phase: 2, at: 76).light == .yellow)
        #expect(plan.state(phase: 1, at: 79).light == .red)
        #expect(abs(plan.state(phase: 1, at: 10).remaining - 20) < 1e-9)
        #expect(abs(plan.state(phase: 2, at: 10).remaining - 25) < 1e-9)
        // Never both green.
        for tenth in 0..<800 {
            let t = Double(tenth) / 10
            #expect(
                !(plan.state(phase: 1, at: t).light == .green && plan.state(phase: 2, at: t).light == .green))
        }
    }

    @Test func receptionFallsWithDistance() {
        let near = FrameRouter.receptionRatio(distance: 50, range: 400)
        let mid = FrameRouter.receptionRatio(distance: 400, range: 400)
        let far = FrameRouter.receptionRatio(distance: 490, range: 400)
        #expect(near > 0.95 && abs(mid - 0.485) < 0.001 && far < 0.15)
        #expect(FrameRouter.receptionRatio(distance: 501, range: 400) == 0)
        #expect(
            FrameRouter.band(of: 0) == 0 && FrameRouter.band(of: 100) == 1 && FrameRouter.band(of: 499.9) == 3
        )
        #expect(FrameRouter.band(of: 500) == nil)
    }

    @Test func defaultZoneIsJiadingLike() throws {
        let layout = ZoneLayout(parameters: SimulationParameters())
        #expect(layout.intersections.count == 16)
        #expect(layout.configuration.rsus.count == 16)
        #expect(Set(layout.configuration.rsus.map(\.schema)).count == 3)
        #expect(layout.configuration.vehicles.count == 20)
        #expect(layout.configuration.operators.count == 4)
        #expect(Set(layout.configuration.vehicles.map(\.maxLevel)) == [3, 4])
        for link in layout.links {
            #expect(link.length >= 300 && link.length <= 800, "\(link.id) \(link.length)")
        }
        try layout.configuration.validate(fileName: "generated")
        let text = layout.configuration.tomlText()
        #expect(try ZoneConfiguration.parse(text, fileName: "zone.toml") == layout.configuration)
        let centre = GeoPoint(latitude: 31.29, longitude: 121.17)
        for intersection in layout.intersections {
            #expect(Geodesy.greatCircleDistance(centre, intersection.position) < 2000)
        }
    }
}
