import Foundation
import GRDB
import Metrics
import Store
import Testing

@Suite("Store")
struct StoreTests {
    static let t0: Microseconds = 1_793_500_000_000_000  // 2026-11-01 10:26:40 Shanghai

    struct Road: RoadMatcher {
        let links = [
            RoadLinkInfo(id: "R/1-2", length: 500, roadClass: "urban"),
            RoadLinkInfo(id: "R/2-3", length: 1500, roadClass: "expressway"),
        ]
        func match(latitude: Double, longitude: Double) -> Int? { longitude < 121.165 ? 0 : 1 }
    }

    static var configuration: MetricsConfiguration {
        MetricsConfiguration(
            vehicles: [
                VehicleIdentity(
                    vin: "LSVAU2180N2183294", operatorID: "saic", terminalNumber: "013800000001",
                    obuID: 0x0102_0304_0506_0708),
                VehicleIdentity(
                    vin: "LFV2A21K6N3041234", operatorID: "baidu", terminalNumber: "013800000002", obuID: nil),
            ],
            rsus: [RSUSite(id: "RSU-1", latitude: 31.28, longitude: 121.162)],
            roads: Road(),
            grid: CoverageGrid(
                minLatitude: 31.27, minLongitude: 121.15, maxLatitude: 31.29, maxLongitude: 121.18))
    }

    /// A drive: 200 s of L4 then a disengagement after a takeover request; another vehicle in L3.
    static func metrics(offset: Microseconds = 0) -> ZoneMetrics {
        var aggregator = ZoneAggregator(configuration: configuration)
        let source = aggregator.source(named: "jt808/013800000001")
        for s in 0...300 {
            let t = t0 + offset + Microseconds(s) * 1_000_000
            let state =
                s <= 200
                ? AutomationState(level: 4, status: .active) : AutomationState(level: 0, status: .off)
            aggregator.received(source: source, at: t)
            aggregator.record(s == 150 ? .rejected(reason: "jt808: bad checksum") : .decoded, source: source)
            aggregator.observe(
                VehicleFix(
                    vehicle: 0, time: t, latitude: 31.28, longitude: 121.16 + Double(s) * 0.0001,
                    automation: state))
            aggregator.observe(
                VehicleFix(
                    vehicle: 1, time: t, latitude: 31.28, longitude: 121.16 + Double(s) * 0.0001,
                    automation: AutomationState(level: 3, status: .active)))
            aggregator.observe(
                BSMReception(
                    vehicle: 0, rsu: 0, msgCnt: UInt8(s % 128), receiveTime: t, latitude: 31.28,
                    longitude: 121.16 + Double(s) * 0.0001))
        }
        aggregator.observe(
            AutomationEvent(
                vehicle: 0, time: t0 + offset + 198_000_000, type: .takeoverRequest, initiator: .ads,
                cause: .leftODD, levelBefore: 4))
        aggregator.observe(
            AutomationEvent(
                vehicle: 0, time: t0 + offset + 200_500_000, type: .disengaged, initiator: .safetyDriver,
                cause: .leftODD, levelBefore: 4))
        aggregator.observe(
            AutomationEvent(vehicle: 0, time: t0 + offset + 250_000_000, type: .collision, levelBefore: 0))
        return aggregator.finish()
    }

    /// A temporary SQLite database with the test zone and one live run committed from `metrics`
    /// (`complete` or still running); the caller removes the directory.
    static func liveCommittedDatabase(_ metrics: ZoneMetrics, complete: Bool) throws -> (ZoneStore, URL) {
        let (sqlite, directory) = try StoreTests().temporaryDatabase()
        try sqlite.registerZone(configuration, operators: ["saic": "SAIC Motor"])
        let run = try sqlite.beginRun(key: "live:s", files: [], kind: "live", startedAt: t0)
        var cache = LiveRowCache()
        try sqlite.commitLiveRun(
            run, metrics: metrics, cache: &cache, span: (t0, t0 + 300_000_000), frames: 903, rejected: [],
            checkpoints: [], complete: complete, files: [], at: t0)
        return (sqlite, directory)
    }

    func temporaryDatabase() throws -> (ZoneStore, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "testzone-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("zone.sqlite")
        return (try ZoneStore(path: path.path), directory)
    }

    func file(_ name: String) -> RunFile {
        RunFile(
            path: "/recordings/\(name).mcap",
            sha256: String(repeating: name.first.map(String.init) ?? "0", count: 64), bytes: 1234)
    }

    @Test func roundTripOfARun() throws {
        let (store, directory) = try temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: directory) }
        try store.registerZone(
            Self.configuration, operators: ["saic": "SAIC Motor", "baidu": "Baidu Apollo"])
        let run = try store.beginRun(key: "k1", files: [file("a")], startedAt: Self.t0)
        var writer = RejectedFrameWriter(store: store, run: run, batchSize: 2)
        for i in 0..<5 {
            try writer.append(
                RejectedFrame(
                    time: Self.t0 + Int64(i), topic: "jt808/013800000001", reason: "jt808: bad checksum",
                    payload: [0x7E, UInt8(i), 0x7E], journalFile: "a.mcap", messageIndex: Int64(i)))
        }
        try writer.flush()
        #expect(writer.written == 5)
        try store.finishRun(run, metrics: Self.metrics(), frames: 903, finishedAt: Self.t0 + 1)

        let summaries = try store.vehicleSummaries(ReportFilter(month: "2026-11"))
        #expect(summaries.map(\.vin) == ["LFV2A21K6N3041234", "LSVAU2180N2183294"])
        let saic = try #require(summaries.last)
        #expect(saic.operatorID == "saic")
        #expect(saic.disengagements == 1)
        #expect(saic.disengagementsByInitiator == ["safety-driver": 1])
        #expect(saic.disengagementsByCause == ["left-odd": 1])
        #expect(saic.takeoverRequests == 1)
        #expect(saic.takeoverTimes == [2_500_000])
        #expect(saic.collisions == 1)
        #expect(
            abs(saic.automatedKilometres - 200 * 0.0001 * 111_319.49 * cos(31.28 * .pi / 180) / 1000) < 0.01)
        #expect(saic.coveredLinks == 2)
        #expect(saic.linkCoverage == 1)
        #expect((saic.uplinkCoverage ?? 0) > 0.99)
        let baidu = try #require(summaries.first)
        #expect((baidu.automatedMetresByLevel[3] ?? 0) > 0)
        #expect(baidu.disengagements == 0)
        #expect(try store.vehicleSummaries(ReportFilter(month: "2026-10")).isEmpty)
        #expect(
            try store.vehicleSummaries(ReportFilter(operatorID: "baidu")).map(\.vin) == ["LFV2A21K6N3041234"])
        let zone = try store.zoneSummary(ReportFilter(month: "2026-11"))
        #expect(zone.disengagements == 1)
        #expect(abs(zone.automatedKilometres - saic.automatedKilometres - baidu.automatedKilometres) < 1e-9)
        let daily = try store.dailyMileage(ReportFilter(vin: "LSVAU2180N2183294"))
        #expect(daily.map(\.day) == ["2026-11-01"])

        try store.pool.read { db in
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM rejected_frames") == 5)
            let blob = try Data.fetchOne(
                db, sql: "SELECT payload FROM rejected_frames ORDER BY id LIMIT 1 OFFSET 3")
            #expect(blob.map(Array.init) == [0x7E, 3, 0x7E])
            #expect(try Int.fetchOne(db, sql: "SELECT rejected FROM data_health") == 1)
            #expect(
                try String.fetchOne(db, sql: "SELECT reason FROM rejected_reasons") == "jt808: bad checksum")
            let event = try #require(
                try Row.fetchOne(db, sql: "SELECT * FROM events WHERE kind = 'disengagement'"))
            #expect(event["link_id"] as String? == "R/2-3")
            #expect(event["road_class"] as String? == "expressway")
            #expect(event["takeover_time_us"] as Int64? == 2_500_000)
            #expect(event["month"] as String == "2026-11")
            let request = try #require(
                try Row.fetchOne(db, sql: "SELECT * FROM events WHERE kind = 'takeover-request'"))
            #expect(request["takeover_outcome"] as String? == "taken-over")
            #expect(
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM mode_segments WHERE vin = 'LSVAU2180N2183294'") == 2)
            #expect(
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM v2x_reception WHERE received > 0") ?? 0 > 0)
            #expect(
                try String.fetchOne(db, sql: "SELECT name FROM operators WHERE id = 'saic'") == "SAIC Motor")
            #expect(try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal")
        }
        #expect(try store.runs().map(\.status) == ["complete"])
    }

    @Test func reprocessingTheSameRecordingReplacesTheRun() throws {
        let (store, directory) = try temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: directory) }
        for _ in 0..<2 {
            let run = try store.beginRun(key: "k-same", files: [file("a")], startedAt: Self.t0)
            try store.insertRejectedFrames(
                [RejectedFrame(time: Self.t0, topic: "cv2x/RSU-1", reason: "x", payload: [])], run: run)
            try store.finishRun(run, metrics: Self.metrics(), frames: 903, finishedAt: Self.t0)
        }
        // Snapshots of a live run replace each other, the final write too.
        let live = try store.beginRun(key: "k-live", files: [file("l")], kind: "live", startedAt: Self.t0)
        try store.writeSnapshot(live, metrics: Self.metrics(offset: 7 * 86_400_000_000), frames: 10)
        try store.writeSnapshot(live, metrics: Self.metrics(offset: 7 * 86_400_000_000), frames: 20)
        #expect(try store.runs().first { $0.id == live }?.status == "running")
        try store.finishRun(
            live, metrics: Self.metrics(offset: 7 * 86_400_000_000), frames: 30, finishedAt: Self.t0)
        #expect(try store.runs().first { $0.id == live }?.status == "complete")
        #expect(try store.vehicleSummaries(ReportFilter(month: "2026-11")).last?.disengagements == 2)
        try store.deleteRun(live)
        // A run over a set that contains the same file also replaces it.
        let run = try store.beginRun(key: "k-other", files: [file("a"), file("b")], startedAt: Self.t0)
        try store.finishRun(run, metrics: Self.metrics(), frames: 903, finishedAt: Self.t0)
        #expect(try store.runs().count == 1)
        let saic = try #require(try store.vehicleSummaries().last)
        #expect(saic.disengagements == 1)
        let counts = try store.pool.read { db in
            try [
                Int.fetchOne(db, sql: "SELECT COUNT(*) FROM rejected_frames"),
                Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events WHERE kind = 'disengagement'"),
            ]
        }
        #expect(counts == [0, 1])
        // A different recording adds.
        let second = try store.beginRun(key: "k-c", files: [file("c")], startedAt: Self.t0)
        try store.finishRun(
            second, metrics: Self.metrics(offset: 86_400_000_000), frames: 903, finishedAt: Self.t0)
        #expect(try store.vehicleSummaries().last?.disengagements == 2)
        #expect(
            try store.dailyMileage(ReportFilter(vin: "LSVAU2180N2183294")).map(\.day) == [
                "2026-11-01", "2026-11-02",
            ])
    }

    @Test func checkpointsAndReopening() throws {
        let (store, directory) = try temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try store.checkpoint(journalFile: "j1.mcap") == nil)
        let checkpoint = JournalCheckpoint(
            journalFile: "j1.mcap", runID: nil, byteOffset: 4096, messageIndex: 17, logTime: Self.t0,
            complete: false)
        try store.saveCheckpoint(checkpoint, at: Self.t0)
        var next = checkpoint
        next.byteOffset = 8192
        next.complete = true
        try store.saveCheckpoint(next, at: Self.t0 + 1)
        // Reopen: migrations are idempotent and the data persists.
        let reopened = try ZoneStore(path: directory.appendingPathComponent("zone.sqlite").path)
        #expect(try reopened.checkpoint(journalFile: "j1.mcap") == next)
    }
}
