import Metrics
import TestZoneTestSupport
import Testing

/// Property: splitting observations into shards by time and by vehicle, aggregating each shard
/// on its own and merging (in any order) gives exactly the aggregate of the whole.
@Suite("Mergeable aggregates")
struct ShardMergeTests {
    typealias S = Synthetic

    /// A random drive per vehicle: 1 Hz fixes with occasional gaps and outliers, mode changes,
    /// events (takeover requests closed by disengagements or MRMs, planned ends, silent drops),
    /// BSMs at 10 Hz through two RSUs with dropouts, and frame accounting with sequence numbers.
    struct Scenario {
        var observations: [Observation] = []
        var frames:
            [(time: Microseconds, source: String, stream: SequenceStream, value: Int, outcome: FrameOutcome)] =
                []
    }

    func scenario(seed: UInt64, seconds: Int = 900) -> Scenario {
        var rng = SplitMix64(state: seed)
        var result = Scenario()
        for vehicle in 0..<3 {
            var east = Double.random(in: 0...300, using: &rng)
            var state = S.state(0, .off)
            var serial = Int.random(in: 0..<65536, using: &rng)
            var msgCnt = Int.random(in: 0..<128, using: &rng)
            var s = Double(vehicle) * 0.37
            while s < Double(seconds) {
                // Mode changes and events.
                let roll = Int.random(in: 0..<100, using: &rng)
                if roll < 4 {
                    state = S.state(UInt8.random(in: 3...4, using: &rng), .active)
                    result.observations.append(.event(S.event(vehicle, s - 0.3, .engaged, level: 0)))
                } else if roll < 6, state.status == .active {
                    result.observations.append(
                        .event(S.event(vehicle, s - 0.6, .takeoverRequest, level: state.level)))
                    state.status = .takeoverRequested
                } else if roll < 9, state.status.isEngaged {
                    let type: AutomationEventType = Bool.random(using: &rng) ? .disengaged : .mrmStarted
                    let cause = Cause(rawValue: UInt8.random(in: 0...11, using: &rng)) ?? .unspecified
                    let initiator = Initiator(rawValue: UInt8.random(in: 1...4, using: &rng)) ?? .ads
                    result.observations.append(
                        .event(
                            S.event(
                                vehicle, s - 0.4, type, initiator: initiator, cause: cause, level: state.level
                            )))
                    state =
                        type == .disengaged ? S.state(0, .off) : S.state(state.level, .minimalRiskManoeuvre)
                } else if roll < 10, state.status.isEngaged {
                    state = S.state(0, .off)  // silent drop: inferred disengagement
                } else if roll < 11 {
                    result.observations.append(
                        .event(S.event(vehicle, s - 0.1, .collision, level: state.level)))
                }
                // Track: gaps and outliers now and then.
                let step = Int.random(in: 0..<100, using: &rng)
                let north = step == 0 ? 900.0 : 0
                result.observations.append(
                    .fix(
                        S.fix(vehicle, s, east: east, north: north, speed: 10, state: step == 1 ? nil : state)
                    ))
                // Serial numbers per report, with gaps and duplicates.
                let source = "jt808/\(S.vehicles[vehicle].terminalNumber)"
                let stream = SequenceStream(kind: .jt808Serial, id: S.vehicles[vehicle].terminalNumber)
                result.frames.append((S.t0 + Microseconds(s * 1e6), source, stream, serial, .decoded))
                serial = (serial + (step == 2 ? 3 : 1)) % 65536
                // BSMs (vehicles 0 and 1 have OBUs).
                if vehicle < 2 {
                    for tenth in 0..<10 where Int.random(in: 0..<10, using: &rng) < 8 {
                        let t = s + Double(tenth) / 10
                        let rsu = Int.random(in: 0..<3, using: &rng)
                        result.observations.append(
                            .bsm(
                                S.bsm(
                                    vehicle, t, east: east + Double(tenth), rsu: rsu == 2 ? nil : rsu,
                                    msgCnt: UInt8(msgCnt))))
                        let bsmStream = SequenceStream(kind: .bsmMsgCnt, id: "\(vehicle)")
                        let outcome: FrameOutcome = rsu == 2 ? .rejected(reason: "uper: truncated") : .decoded
                        result.frames.append(
                            (S.t0 + Microseconds(t * 1e6), "cv2x/RSU-\(rsu)", bsmStream, msgCnt, outcome))
                        msgCnt = (msgCnt + 1) % 128
                    }
                }
                east += step < 3 ? 0 : 10
                s += step == 3 ? 15 : 1
            }
        }
        result.observations.sort { $0.time < $1.time }
        result.frames.sort { $0.time < $1.time }
        return result
    }

    func aggregate(
        _ observations: [Observation],
        frames: [(
            time: Microseconds, source: String, stream: SequenceStream, value: Int, outcome: FrameOutcome
        )]
    ) -> ZoneMetrics {
        var aggregator = ZoneAggregator(configuration: S.configuration())
        for frame in frames {
            let source = aggregator.source(named: frame.source)
            aggregator.received(source: source, at: frame.time)
            aggregator.record(frame.outcome, source: source)
            aggregator.recordClockOffset(frame.time % 1000, source: source)
            aggregator.recordSequence(
                frame.value, stream: aggregator.sequenceStream(frame.stream), at: frame.time)
        }
        for o in observations { o.apply(to: &aggregator) }
        return aggregator.finish()
    }

    func expectEqual(_ a: ZoneMetrics, _ b: ZoneMetrics, _ label: String) {
        #expect(a.vehicles.keys.sorted() == b.vehicles.keys.sorted(), "\(label): vehicles")
        for vin in a.vehicles.keys.sorted() {
            guard let x = a.vehicles[vin], let y = b.vehicles[vin] else { continue }
            let c = a.configuration
            #expect(
                x.summary.totals(configuration: c) == y.summary.totals(configuration: c),
                "\(label) \(vin): totals")
            #expect(
                x.summary.events(configuration: c) == y.summary.events(configuration: c),
                "\(label) \(vin): events")
            #expect(
                x.summary.segments(configuration: c) == y.summary.segments(configuration: c),
                "\(label) \(vin): segments")
            #expect(
                x.summary.openTakeoverRequests(configuration: c)
                    == y.summary.openTakeoverRequests(configuration: c),
                "\(label) \(vin): open requests")
            #expect(
                VehicleReport(metrics: x, configuration: c) == VehicleReport(metrics: y, configuration: c))
        }
        #expect(a.sources == b.sources, "\(label): sources")
        #expect(a.sequences == b.sequences, "\(label): sequences")
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
    func shardsByTimeMergeToTheWhole(seed: UInt64) {
        let data = scenario(seed: seed)
        let whole = aggregate(data.observations, frames: data.frames)
        var rng = SplitMix64(state: seed &* 31)
        // Cut at 1 to 4 random times (possibly inside a track gap or right at a fix).
        let cuts = (0..<Int.random(in: 1...4, using: &rng)).map { _ in
            S.t0 + Microseconds.random(in: 0..<900_000_000, using: &rng)
        }.sorted()
        let bounds = [Microseconds.min] + cuts + [Microseconds.max]
        var shards: [ZoneMetrics] = []
        for i in 0..<(bounds.count - 1) {
            let range = bounds[i]..<bounds[i + 1]
            shards.append(
                aggregate(
                    data.observations.filter { range.contains($0.time) },
                    frames: data.frames.filter { range.contains($0.time) }))
        }
        // Merge in a shuffled order, pairwise between neighbours in time only as it happens.
        var order = Array(shards.indices)
        order.shuffle(using: &rng)
        var merged = shards[order[0]]
        // Merging needs each vehicle's windows adjacent: merge left to right after sorting by index,
        // and also check commutativity of each pairwise merge.
        merged = shards[0]
        for shard in shards.dropFirst() {
            let left = merged.merged(with: shard)
            let right = shard.merged(with: merged)
            expectEqual(left, right, "commutative seed \(seed)")
            merged = left
        }
        expectEqual(merged, whole, "by time, seed \(seed), cuts \(cuts.map { ($0 - S.t0) })")
        #expect(whole.vehicles.values.allSatisfy { $0.summary.overlappingMerges == 0 })
        #expect(merged.vehicles.values.allSatisfy { $0.summary.overlappingMerges == 0 })
    }

    @Test(arguments: [11, 12, 13] as [UInt64])
    func shardsByVehicleMergeToTheWhole(seed: UInt64) {
        let data = scenario(seed: seed)
        let whole = aggregate(data.observations, frames: data.frames)
        // Sequence streams belong to a vehicle (BSM msgCnt per OBU, serial per terminal); source
        // accounting is additive, so RSU frames may fall in either shard.
        let vehicle0: Set<String> = ["0", S.vehicles[0].terminalNumber]
        let a = aggregate(
            data.observations.filter { $0.vehicle == 0 },
            frames: data.frames.filter { vehicle0.contains($0.stream.id) })
        let b = aggregate(
            data.observations.filter { $0.vehicle != 0 },
            frames: data.frames.filter { !vehicle0.contains($0.stream.id) })
        expectEqual(a.merged(with: b), whole, "by vehicle, seed \(seed)")
        expectEqual(b.merged(with: a), whole, "by vehicle reversed, seed \(seed)")
    }

    @Test func scenarioExercisesEveryRule() throws {
        let whole = aggregate(scenario(seed: 3).observations, frames: scenario(seed: 3).frames)
        let reports = whole.vehicleReports()
        let events = reports.flatMap(\.events)
        #expect(events.contains { $0.kind == .disengagement })
        #expect(events.contains { $0.kind == .inferredDisengagement })
        #expect(events.contains { $0.kind == .plannedDeactivation })
        #expect(events.contains { $0.kind == .mrmStarted && !$0.closedRequests.isEmpty })
        #expect(reports.contains { $0.takeovers.times.count > 0 })
        #expect(reports.allSatisfy { $0.totals.timeGaps > 0 && $0.totals.outlierSteps > 0 })
        #expect(reports.contains { ($0.uplinkCoverage ?? 0) > 0.5 })
    }
}
