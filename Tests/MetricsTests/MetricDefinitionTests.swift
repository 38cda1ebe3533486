import Metrics
import TestZoneTestSupport
import Testing

@Suite("Metric definitions (DESIGN.md 5)")
struct MetricDefinitionTests {
    typealias S = Synthetic
    let l4 = Synthetic.state(4, .active)
    let l3 = Synthetic.state(3, .active)
    let off = Synthetic.state(0, .off)

    /// A 1 Hz track at 10 m/s from `from` to `to` seconds, with the given state on every fix.
    func track(_ vehicle: VehicleRef = 0, from: Int, to: Int, state: (Int) -> AutomationState?)
        -> [Observation]
    {
        (from...to).map { s in .fix(S.fix(vehicle, Double(s), east: Double(s) * 10, state: state(s))) }
    }

    @Test func automatedDistanceIsGreatCircleBetweenConsecutiveFixes() throws {
        let metrics = S.run(track(from: 0, to: 100) { _ in l4 })
        let report = try #require(S.report(metrics))
        let expected = Geodesy.distance(
            latitude1: S.latitude(north: 0), longitude1: S.longitude(east: 0),
            latitude2: S.latitude(north: 0),
            longitude2: S.longitude(east: 1000))
        #expect(abs((report.automatedDistance[4] ?? 0) - expected) < 0.01)
        #expect(abs((report.automatedTime[4] ?? 0) - 100) < 1e-9)
        #expect(report.automatedDistance[3] == nil)
        #expect(abs(report.automatedKilometres - expected / 1000) < 1e-5)
    }

    @Test func distanceIsSplitByLevelAndOnlyWhileActive() throws {
        // 0-30 s L3 active, 30-60 s L4 active, 60-80 s L4 takeover requested, 80-100 off.
        let metrics = S.run(
            track(from: 0, to: 100) { s in
                s < 30 ? l3 : s < 60 ? l4 : s < 80 ? S.state(4, .takeoverRequested) : off
            })
        let report = try #require(S.report(metrics))
        #expect(abs((report.automatedTime[3] ?? 0) - 30) < 1e-9)
        #expect(abs((report.automatedTime[4] ?? 0) - 30) < 1e-9)
        #expect(abs((report.automatedDistance[3] ?? 0) - 300) < 0.5)
        #expect(abs((report.automatedDistance[4] ?? 0) - 300) < 0.5)
        let segments = report.segments.map { "\($0.level)/\($0.status)" }
        #expect(segments == ["3/active", "4/active", "4/takeoverRequested", "0/off"])
    }

    @Test func stepIsSplitAtTheEventThatChangedTheMode() throws {
        // Engaged at 20.25 s (event), first reported active at 21 s; disengaged at 40.75 s,
        // reported off at 41 s; a silent drop reported at 61 s holds the old mode for the step.
        var observations = track(from: 0, to: 70) { s in
            switch s {
            case 0...20: S.state(0, .available)
            case 21...40: l4
            case 41...50: off
            case 51...60: l3
            default: off
            }
        }
        observations.append(.event(S.event(0, 20.25, .engaged, level: 0)))
        observations.append(.event(S.event(0, 40.75, .disengaged, initiator: .safetyDriver)))
        observations.append(.event(S.event(0, 50.5, .engaged, level: 0)))
        let report = try #require(S.report(S.run(observations)))
        #expect(abs((report.automatedDistance[4] ?? 0) - 205) < 0.1)
        #expect(abs((report.automatedTime[4] ?? 0) - 20.5) < 1e-9)
        #expect(abs((report.automatedDistance[3] ?? 0) - 105) < 0.1)
        #expect(report.count(.inferredDisengagement) == 1)
        let segments = report.segments.map { ($0.start - S.t0, $0.level, $0.status) }
        #expect(segments.map(\.0) == [0, 20_250_000, 40_750_000, 50_500_000, 61_000_000])
        #expect(report.segments.map(\.status) == [.available, .active, .off, .active, .off])
        #expect(abs(Double(report.segments[1].distance) / 1e6 - 205) < 0.1)
    }

    @Test func stepsOverTenSecondsAreGapsNotIntegrated() throws {
        var observations = track(from: 0, to: 10) { _ in l4 }
        // Exactly 10 s later: integrated. Then 10.001 s later: a gap.
        observations.append(.fix(S.fix(0, 20, east: 200, state: l4)))
        observations.append(.fix(S.fix(0, 30.001, east: 300, state: l4)))
        observations.append(.fix(S.fix(0, 31.001, east: 310, state: l4)))
        let report = try #require(S.report(S.run(observations)))
        #expect(report.totals.timeGaps == 1)
        #expect(abs((report.automatedDistance[4] ?? 0) - 210) < 0.2)
        #expect(abs((report.automatedTime[4] ?? 0) - 21) < 1e-9)
    }

    @Test func stepsOverSeventyMetresPerSecondAreOutliers() throws {
        var observations = track(from: 0, to: 10) { _ in l4 }
        // A GNSS outlier 1 km off the track: both steps touching it are outliers.
        observations.append(.fix(S.fix(0, 11, east: 110, north: 1000, state: l4)))
        observations.append(.fix(S.fix(0, 12, east: 120, state: l4)))
        observations.append(.fix(S.fix(0, 13, east: 130, state: l4)))
        // 69 m/s is fine.
        observations.append(.fix(S.fix(0, 14, east: 199, state: l4)))
        let report = try #require(S.report(S.run(observations)))
        #expect(report.totals.outlierSteps == 2)
        #expect(report.totals.timeGaps == 0)
        #expect(abs((report.automatedDistance[4] ?? 0) - (100 + 10 + 69)) < 0.2)
    }

    @Test func explicitDisengagementCountsByInitiatorAndCause() throws {
        var observations = track(from: 0, to: 20) { s in s <= 10 ? l4 : off }
        observations.append(
            .event(S.event(0, 10.5, .disengaged, initiator: .safetyDriver, cause: .perception)))
        let report = try #require(S.report(S.run(observations)))
        #expect(report.disengagements.count == 1)
        #expect(report.disengagementsByInitiator == [.safetyDriver: 1])
        #expect(report.disengagementsByCause == [.perception: 1])
        #expect(report.count(.inferredDisengagement) == 0)
        let event = try #require(report.disengagements.first)
        // Placed by interpolation between the fixes at 10 s and 11 s.
        #expect(abs((event.longitude ?? 0) - S.longitude(east: 105)) < 1e-9)
        #expect(event.link == "L1")
        #expect(event.roadClass == "urban")
        // The step from 10 s to 11 s is split at the event (10.5 s): 105 m automated.
        #expect(report.kilometresPerDisengagement.map { abs($0 - 0.105) < 1e-4 } == true)
        #expect(report.disengagementsPerThousandKilometres.map { abs($0 - 1000 / 0.105) < 1 } == true)
    }

    @Test func plannedEndIsADeactivationNeverADisengagement() throws {
        var observations = track(from: 0, to: 20) { s in s <= 10 ? l4 : off }
        observations.append(.event(S.event(0, 10.5, .disengaged, initiator: .ads, cause: .plannedEnd)))
        let report = try #require(S.report(S.run(observations)))
        #expect(report.disengagements.isEmpty)
        #expect(report.count(.plannedDeactivation) == 1)
        #expect(report.count(.inferredDisengagement) == 0)
    }

    @Test func disengagementBelowLevelThreeIsNotCounted() throws {
        var observations = track(from: 0, to: 20) { s in s <= 10 ? S.state(2, .active) : off }
        observations.append(.event(S.event(0, 10.5, .disengaged, initiator: .safetyDriver, level: 2)))
        let report = try #require(S.report(S.run(observations)))
        #expect(report.disengagements.isEmpty)
        #expect(report.count(.deactivation) == 1)
        #expect(abs((report.automatedDistance[2] ?? 0) - 105) < 0.2)
        #expect(report.automatedKilometres == 0)
    }

    @Test func activeToOffWithoutEventIsAnInferredDisengagement() throws {
        // L4 active to off at 11 s with no event: inferred. L3 active to available at 31 s:
        // inferred (the ADS is no longer engaged). L3 takeover requested to off at 46 s: inferred.
        // L2 active to off at 61 s: not an L3/L4 disengagement.
        let observations = track(from: 0, to: 70) { s in
            switch s {
            case 0...10: l4
            case 11...20: off
            case 21...30: l3
            case 31...35: S.state(3, .available)
            case 36...40: l3
            case 41...45: S.state(3, .takeoverRequested)
            case 46...50: off
            case 51...60: S.state(2, .active)
            default: off
            }
        }
        let report = try #require(S.report(S.run(observations)))
        #expect(report.count(.inferredDisengagement) == 3)
        #expect(report.disengagements.count == 3)
        #expect(report.disengagementsByInitiator == [.unknown: 3])
        #expect(report.disengagements.map(\.level) == [4, 3, 3])
        #expect(
            report.disengagements.map(\.time) == [
                S.t0 + 11 * S.second, S.t0 + 31 * S.second, S.t0 + 46 * S.second,
            ])
    }

    @Test func eventInTheSameReportPreventsInference() throws {
        // The event is stamped exactly at the report time of the fix that reports "off".
        var observations = track(from: 0, to: 20) { s in s <= 10 ? l4 : off }
        observations.append(.event(S.event(0, 11, .disengaged, initiator: .remoteOperator, cause: .leftODD)))
        let report = try #require(S.report(S.run(observations)))
        #expect(report.count(.inferredDisengagement) == 0)
        #expect(report.disengagementsByInitiator == [.remoteOperator: 1])
    }

    @Test func takeoverTimeRunsFromRequestToNextDisengagement() throws {
        var observations = track(from: 0, to: 40) { s in
            s <= 10 ? l4 : s <= 12 ? S.state(4, .takeoverRequested) : off
        }
        observations.append(.event(S.event(0, 10.2, .takeoverRequest, initiator: .ads, cause: .leftODD)))
        observations.append(.event(S.event(0, 12.7, .disengaged, initiator: .safetyDriver, cause: .leftODD)))
        let report = try #require(S.report(S.run(observations)))
        #expect(report.takeovers.requests == 1)
        #expect(report.takeovers.times == [2_500_000])
        #expect(report.takeovers.median == 2_500_000)
        #expect(report.takeovers.missed == 0)
        #expect(report.disengagements.first?.takeoverTime == 2_500_000)
        #expect(report.openTakeoverRequests.isEmpty)
    }

    @Test func requestClosedByMRMIsAMissedTakeover() throws {
        var observations = track(from: 0, to: 40) { s in
            s <= 10 ? l4 : s <= 15 ? S.state(4, .takeoverRequested) : S.state(4, .minimalRiskManoeuvre)
        }
        observations.append(.event(S.event(0, 10.5, .takeoverRequest)))
        observations.append(.event(S.event(0, 15.5, .mrmStarted, cause: .hardware)))
        observations.append(.event(S.event(0, 30.5, .mrmEnded)))
        observations.append(
            .event(S.event(0, 31.5, .collision, initiator: .notApplicable, cause: .otherRoadUser)))
        observations.append(.event(S.event(0, 32.5, .severeFailure, cause: .hardware)))
        let report = try #require(S.report(S.run(observations)))
        #expect(report.takeovers.requests == 1)
        #expect(report.takeovers.missed == 1)
        #expect(report.takeovers.times.isEmpty)
        #expect(report.count(.mrmStarted) == 1)
        #expect(report.count(.collision) == 1)
        #expect(report.count(.severeFailure) == 1)
        let mrm = try #require(report.events.first { $0.kind == .mrmStarted })
        #expect(mrm.takeoverTime == 5_000_000)
        #expect(mrm.latitude != nil && mrm.link == "L1")
        // Neither takeover requested nor MRM counts as automated distance (status active only).
        #expect(abs((report.automatedDistance[4] ?? 0) - 105) < 0.2)
    }

    @Test func takeoverStatisticsMedianP95Max() {
        var events: [EventRecord] = []
        for (index, ms) in [900, 1500, 2100, 3000].enumerated() {
            let request = Microseconds(index) * 100_000_000
            events.append(record(.takeoverRequest, request))
            var closer = record(.disengagement, request + Microseconds(ms) * 1000)
            closer.closedRequests = [request]
            events.append(closer)
        }
        let stats = TakeoverStatistics(events: events)
        #expect(stats.requests == 4)
        #expect(stats.median == 1_800_000)
        #expect(stats.p95 == 3_000_000)
        #expect(stats.maximum == 3_000_000)
    }

    func record(_ kind: EventKind, _ time: Microseconds) -> EventRecord {
        EventRecord(
            kind: kind, time: time, latitude: nil, longitude: nil, speed: nil, link: nil, roadClass: nil,
            level: 4,
            initiator: .ads, cause: .unspecified, closedRequests: [], late: false)
    }

    @Test func outOfOrderArrivalWithinTheWindowGivesTheOrderedResult() {
        var observations = track(from: 0, to: 120) { s in s <= 60 ? l4 : off }
        observations.append(.event(S.event(0, 60.5, .disengaged, initiator: .safetyDriver)))
        for s in stride(from: 0.0, through: 120, by: 0.1) {
            observations.append(.bsm(S.bsm(0, s, east: s * 10)))
        }
        let ordered = observations.sorted { $0.time < $1.time }
        var rng = SplitMix64(state: 7)
        // Shuffle locally: every observation moves by at most ~20 s.
        var shuffled = ordered
        for i in shuffled.indices {
            let j = min(shuffled.count - 1, i + Int.random(in: 0..<150, using: &rng))
            shuffled.swapAt(i, j)
        }
        let a = S.run(ordered)
        let b = S.run(shuffled)
        #expect(S.report(a) == S.report(b))
        #expect(S.report(b)?.totals.late == 0)
    }

    @Test func arrivalsOlderThanTheWindowAreLateAndEventsStillCount() throws {
        var observations = track(from: 0, to: 100) { s in s <= 50 ? l4 : off }
        observations.insert(.event(S.event(0, 50.5, .disengaged, initiator: .safetyDriver)), at: 51)
        observations.append(.fix(S.fix(0, 5.5, east: 55, state: l4)))
        let metrics = S.run(observations, configuration: S.configuration(reorderWindow: 10 * S.second))
        let report = try #require(S.report(metrics))
        #expect(report.totals.late == 1)
        #expect(report.disengagements.count == 1)
        #expect(abs((report.automatedDistance[4] ?? 0) - 505) < 0.5)
    }

    @Test func lateDisengagementReplacesTheInferredOne() throws {
        // The event arrives 40 s late (after a coverage loss): first an inferred disengagement is
        // recorded at the drop, then the late explicit event replaces it.
        var observations = track(from: 0, to: 100) { s in s <= 50 ? l4 : off }
        observations.append(
            .event(S.event(0, 50.5, .disengaged, initiator: .safetyDriver, cause: .perception)))
        let metrics = S.run(observations, configuration: S.configuration(reorderWindow: 10 * S.second))
        let report = try #require(S.report(metrics))
        #expect(report.disengagements.count == 1)
        #expect(report.disengagementsByInitiator == [.safetyDriver: 1])
        #expect(report.disengagements.first?.late == true)
        #expect(report.totals.late == 1)
    }

    @Test func uplinkCoverageIsShareOfAutomatedDistanceWithRecentBSM() throws {
        var observations = track(from: 0, to: 100) { _ in l4 }
        // BSMs at 10 Hz during the first 50 s only.
        for i in 0..<500 { observations.append(.bsm(S.bsm(0, Double(i) / 10, east: Double(i)))) }
        let report = try #require(S.report(S.run(observations)))
        let coverage = try #require(report.uplinkCoverage)
        // Covered until 49.9 s + 1 s = 50.9 s of 100 s.
        #expect(abs(coverage - 0.509) < 0.001)
    }

    @Test func receptionRatioPerRSUAndDistanceBand() throws {
        var observations = track(from: 0, to: 100) { _ in l4 }
        // RSU-1 at east 500 m: hears every BSM within 300 m (east 200...800), none beyond.
        for i in 0..<1000 {
            let east = Double(i)
            if abs(east - 500) < 300 {
                observations.append(.bsm(S.bsm(0, Double(i) / 10, east: east, rsu: 0)))
            }
        }
        let report = try #require(S.report(S.run(observations)))
        let bands = report.reception.filter { $0.key.rsu == 0 }.sorted { $0.key.band < $1.key.band }
        #expect(bands.count == 4)
        for (key, value) in bands.prefix(3) {
            let ratio = Double(value.received) / value.expected(rate: 10)
            #expect(abs(ratio - 1) < 0.06, "band \(key.band): \(ratio)")
        }
        #expect(bands[3].value.received == 0 && bands[3].value.exposure > 0)
    }

    @Test func linkAndGridCoverageInAutomatedModeOnly() throws {
        // Automated from east 0 to 500 m, manual beyond: links 0-5 (the fix at 500 m is the one
        // that reports "off"), grid cells along the way.
        let observations = track(from: 0, to: 100) { s in s < 50 ? l4 : off }
        let metrics = S.run(observations)
        let report = try #require(S.report(metrics))
        #expect(report.coveredLinks == Set(0...4))
        #expect(report.linkCoverage(configuration: metrics.configuration) == 0.25)
        #expect(report.coveredCells.count == 5)
        #expect(report.gridCoverage(configuration: metrics.configuration).map { $0 > 0 } == true)
    }

    @Test func identityLinkingAndUnregisteredTerminals() {
        var aggregator = ZoneAggregator(configuration: S.configuration())
        #expect(aggregator.vehicle(forTerminal: "13800000002") == 1)
        #expect(aggregator.vehicle(forOBU: 0xA1) == 0)
        #expect(aggregator.vehicle(forOBU: 0xFFFF) == nil)
        let unknown = aggregator.vehicle(forTerminal: "19900000000")
        #expect(unknown == 3)
        aggregator.observe(S.fix(unknown, 0, east: 0, state: l4))
        let metrics = aggregator.finish()
        #expect(metrics.vehicles["UNREGISTERED-19900000000"]?.identity.registered == false)
        #expect(metrics.unattributed.bsmFromUnregisteredOBU == 1)
    }

    @Test func automatedDistanceIsSplitAtShanghaiMidnight() throws {
        // 2026-11-01 23:59:55 Shanghai = 15:59:55 UTC.
        let midnight = ShanghaiCalendar.start(
            ofDay: ShanghaiCalendar.dayNumber(year: 2026, month: 11, day: 2))
        let observations: [Observation] = (0...10).map { i in
            var f = S.fix(0, 0, east: Double(i) * 10, state: l4)
            f.time = midnight - 5 * S.second + Microseconds(i) * S.second
            return .fix(f)
        }
        let metrics = S.run(observations)
        let november1 = ShanghaiCalendar.dayNumber(year: 2026, month: 11, day: 1)
        let r1 = try #require(metrics.vehicleReports(days: november1..<(november1 + 1)).first)
        let r2 = try #require(metrics.vehicleReports(days: (november1 + 1)..<(november1 + 2)).first)
        #expect(abs((r1.automatedDistance[4] ?? 0) - 50) < 0.1)
        #expect(abs((r2.automatedDistance[4] ?? 0) - 50) < 0.1)
        #expect(r1.automatedTime[4] == 5 && r2.automatedTime[4] == 5)
    }
}

@Suite("Calendar, data health, duplicates")
struct DataHealthTests {
    @Test func shanghaiCalendar() {
        // 2026-10-31T16:00:00Z is 2026-11-01 00:00 in Shanghai.
        let t: Microseconds = 1_793_462_400_000_000
        #expect(ShanghaiCalendar.dateString(ShanghaiCalendar.dayNumber(t)) == "2026-11-01")
        #expect(ShanghaiCalendar.dateString(ShanghaiCalendar.dayNumber(t - 1)) == "2026-10-31")
        #expect(ShanghaiCalendar.monthString(ShanghaiCalendar.dayNumber(t)) == "2026-11")
        let range = ShanghaiCalendar.dayRange(month: "2026-02")
        #expect(range.map { $0.count } == 28)
        #expect(ShanghaiCalendar.dayRange(month: "2026-13") == nil)
        #expect(ShanghaiCalendar.dayRange(month: "garbage") == nil)
        #expect(ShanghaiCalendar.start(ofDay: ShanghaiCalendar.dayNumber(t)) == t)
    }

    @Test func sequenceGapsModuloAndResets() {
        var health = SequenceHealth()
        let s: Microseconds = 100_000
        for (i, value) in [125, 126, 127, 0, 2, 2, 1, 5].enumerated() {
            health.record(value, at: Microseconds(i) * s, kind: .bsmMsgCnt)
        }
        // 0 -> 2 misses 1; 2 repeated; 1 is behind 2 (reordered); 2 -> 5 misses 3, 4.
        #expect(health.gaps == 3)
        #expect(health.repeats == 1)
        #expect(health.reordered == 1)
        health.record(100, at: 100 * s, kind: .bsmMsgCnt)
        #expect(health.resets == 1)
        #expect(health.gaps == 3)
        var serial = SequenceHealth()
        serial.record(65535, at: 0, kind: .jt808Serial)
        serial.record(1, at: 1_000_000, kind: .jt808Serial)
        #expect(serial.gaps == 1)
    }

    @Test func duplicatesAreSameSourceSequenceAndContent() {
        var aggregator = ZoneAggregator(configuration: Synthetic.configuration())
        let rsu = aggregator.source(named: "cv2x/RSU-1")
        let other = aggregator.source(named: "cv2x/RSU-2")
        var seen: [Bool] = []
        let minute: Microseconds = 60_000_000
        for (source, key, hash, time) in [
            (rsu, 1, 42, 0), (rsu, 1, 42, 1000), (rsu, 1, 43, 0), (rsu, 2, 42, 0), (other, 1, 42, 0),
            (rsu, 1, 42, 2 * minute),
        ] {
            seen.append(
                aggregator.isDuplicate(
                    source: source, sequenceKey: UInt64(key), contentHash: UInt64(hash),
                    at: Microseconds(time)))
        }
        // Equal frames minutes apart (a MAP after its msgCnt wrapped) are not duplicates.
        #expect(seen == [false, true, false, false, false, false])
        aggregator.record(.duplicate, source: rsu)
        aggregator.received(source: rsu, at: 0)
        aggregator.record(.rejected(reason: "uper: truncated"), source: rsu)
        aggregator.record(.decoded, source: rsu)
        aggregator.recordClockOffset(-2000, source: rsu)
        aggregator.recordClockOffset(4000, source: rsu)
        let metrics = aggregator.finish()
        let health = metrics.sources["cv2x/RSU-1"]
        #expect(health?.duplicates == 1)
        #expect(health?.rejected == ["uper: truncated": 1])
        #expect(health?.decoded == 1)
        #expect(health?.clockOffset.mean == 1000)
        #expect(health?.clockOffset.minimum == -2000)
    }
}
