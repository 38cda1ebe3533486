import Foundation
import Metrics
import Store
import Testing
import Zone

@testable import Reports

@Suite struct StoreReportTests {
    static let november = ReportPeriod(month: try! ReportMonth(parsing: "2026-11"))
    static let generatedAt = ShanghaiTime.parseISO8601("2026-12-01T09:00:00+08:00")!

    func job(
        _ path: String, month: ReportPeriod = november, operatorID: String? = nil, out: String = "/nonexistent"
    )
        -> ReportJob
    {
        ReportJob(
            databasePath: path, month: month, outputDirectory: out, operatorID: operatorID,
            generatedAtMicros: Self.generatedAt, softwareVersion: "0.1.0")
    }

    @Test func reportFiguresEqualTheStoreQueriesAndTheMetrics() throws {
        let directory = try StoreFixture.directory("figures")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try StoreFixture.makeDatabase(at: directory + "/zone.sqlite")
        let report = try job(directory + "/zone.sqlite").report()

        // Per vehicle: the Store's own summaries.
        let stored = try store.vehicleSummaries(ReportFilter(month: "2026-11"))
        #expect(stored.count == 3)
        for summary in stored {
            let row = try #require(report.vehicles.first { $0.vin == summary.vin })
            #expect(abs(row.metersL3 - (summary.automatedMetresByLevel[3] ?? 0)) < 1e-6)
            #expect(abs(row.metersL4 - (summary.automatedMetresByLevel[4] ?? 0)) < 1e-6)
            #expect(abs(row.meters / 1000 - summary.automatedKilometres) < 1e-9)
            #expect(row.disengagements == summary.disengagements)
            #expect(row.takeoverRequests == summary.takeoverRequests)
            #expect(row.mrms == summary.mrms)
            #expect(row.collisions == summary.collisions)
            #expect(row.severeFailures == summary.severeFailures)
            #expect(row.operatorID == summary.operatorID)
        }
        // Zone: the Store's zone summary.
        let zone = try store.zoneSummary(ReportFilter(month: "2026-11"))
        let summary = report.summary
        #expect(abs(summary.meters / 1000 - zone.automatedKilometres) < 1e-9)
        #expect(summary.disengagements == zone.disengagements)
        #expect(summary.disengagements == 4)  // safety driver, inferred, remote operator, safety driver
        #expect(summary.inferredDisengagements == zone.inferredDisengagements)
        #expect(summary.inferredDisengagements == 1)
        for category in summary.byInitiator {
            #expect(
                category.count == zone.disengagementsByInitiator[category.key, default: 0], "\(category.key)")
        }
        for category in summary.byCause {
            #expect(category.count == zone.disengagementsByCause[category.key, default: 0], "\(category.key)")
        }
        #expect(summary.plannedDeactivations == zone.plannedDeactivations)
        #expect(summary.plannedDeactivations == 1)
        #expect(summary.takeoverRequests == zone.takeoverRequests)
        #expect(summary.takeoversMissed == zone.missedTakeovers)
        #expect(summary.takeoversMissed == 1)
        #expect(summary.takeoverMedianSeconds == zone.medianTakeoverTime.map { Double($0) / 1e6 })
        #expect(summary.mrms == zone.mrms)
        #expect(summary.collisions == zone.collisions)
        #expect(summary.severeFailures == zone.severeFailures)
        #expect(summary.kilometersPerDisengagement == zone.kilometresPerDisengagement)
        #expect(summary.linkCoverage == zone.linkCoverage)
        #expect(summary.gridCoverage == zone.gridCoverage)
        #expect(abs((summary.uplinkCoverage ?? -1) - (zone.uplinkCoverage ?? -2)) < 1e-12)

        // The Metrics engine, straight from the aggregates (no store in between).
        let metrics = StoreFixture.novemberRun1.merged(with: StoreFixture.novemberRun2)
        let zoneReport = metrics.zoneReport(metrics.vehicleReports())
        #expect(abs(summary.meters / 1000 - zoneReport.automatedKilometres) < 1e-9)
        #expect(summary.disengagements == zoneReport.disengagements)
        #expect(summary.takeoverRequests == zoneReport.takeovers.requests)
        #expect(summary.takeoverMedianSeconds == zoneReport.takeovers.median.map { Double($0) / 1e6 })
        #expect(summary.takeoverP95Seconds == zoneReport.takeovers.p95.map { Double($0) / 1e6 })
        #expect(summary.takeoverMaxSeconds == zoneReport.takeovers.maximum.map { Double($0) / 1e6 })
        #expect(summary.takeoverMaxSeconds == 3.5)
        #expect(summary.mrms == zoneReport.mrms)
        #expect(summary.collisions == zoneReport.collisions)
        #expect(summary.linkCoverage == zoneReport.linkCoverage)

        // Daily mileage.
        let daily = try store.dailyMileage(ReportFilter(month: "2026-11"))
        for row in report.dailyDistance {
            let l3 = daily.filter { $0.vin == row.vin && $0.day == row.day && $0.level == 3 }.reduce(0) {
                $0 + $1.kilometres
            }
            let l4 = daily.filter { $0.vin == row.vin && $0.day == row.day && $0.level == 4 }.reduce(0) {
                $0 + $1.kilometres
            }
            #expect(abs(row.metersL3 / 1000 - l3) < 1e-9)
            #expect(abs(row.metersL4 / 1000 - l4) < 1e-9)
        }
        #expect(Set(report.dailyDistance.map(\.day)) == ["2026-11-03", "2026-11-04"])

        // Disengagement listing: from the events table, with place and takeover time.
        let listed = try store.events(
            ReportFilter(month: "2026-11"), kinds: [.disengagement, .inferredDisengagement])
        #expect(report.disengagements.count == listed.count)
        let first = try #require(report.disengagements.first)
        #expect(first.initiator.key == "safety-driver")
        #expect(first.takeoverSeconds == 3.5)
        #expect(first.linkID != nil)
        #expect(first.speedKmh == 36)

        // The hour histogram adds up to the automated time (segments vs daily rows).
        let hours = report.coverage.hours.reduce(0) { $0 + $1.seconds }
        #expect(abs(hours - summary.seconds) < 0.05 * summary.seconds)
        #expect(report.coverage.hours[10].seconds > 0)
        #expect(report.coverage.hours[15].seconds > 0)
        #expect(report.coverage.hours[3].seconds == 0)

        // Previous month: the Store's October.
        let october = try store.zoneSummary(ReportFilter(month: "2026-10"))
        #expect(abs(report.previous.meters / 1000 - october.automatedKilometres) < 1e-9)
        #expect(report.previous.disengagements == 1)

        // V2X and data health.
        #expect(report.v2x.rsus.map(\.id) == ["RSU-1", "RSU-2"])
        #expect(report.v2x.rsus.allSatisfy { ($0.availability ?? 0) > 0 })
        #expect(report.v2x.rsus[0].bands[0].received > 0)
        #expect(report.dataHealth.sources.contains { $0.source == "jt808/13800000001" && $0.rejected == 2 })
        #expect(
            report.dataHealth.sources.first { $0.source == "jt808/13800000001" }?.rejectReasons.first?.reason
                == "jt808: bad checksum")
        #expect(report.dataHealth.inferredDisengagements == 1)
        #expect(report.hasData)
    }

    @Test func renderedFiguresEqualTheStore() throws {
        let directory = try StoreFixture.directory("rendered")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try StoreFixture.makeDatabase(at: directory + "/zone.sqlite")
        let (report, paths) = try job(directory + "/zone.sqlite", out: directory + "/out").run()
        #expect(paths.count == 2 + 1 + report.tables.count)
        let zone = try store.zoneSummary(ReportFilter(month: "2026-11"))
        let json = try String(contentsOfFile: directory + "/out/report.json", encoding: .utf8)
        let km = try #require(NumberFormat.fixed(zone.automatedKilometres, decimals: Decimals.kilometers))
        #expect(
            json.contains(
                "\"metric\": \"automated_km\", \"label\": \"Automated distance, L3 + L4\", \"unit\": \"km\", \"value\": \(km),"
            ))
        let html = try String(contentsOfFile: directory + "/out/report.html", encoding: .utf8)
        #expect(
            html.contains("<tr><td>Automated distance, L3 + L4</td><td>km</td><td class=\"n\">\(km)</td>"))
        let summaryCSV = CSVRenderer.parse(
            try String(contentsOfFile: directory + "/out/summary.csv", encoding: .utf8))
        let row = try #require(summaryCSV.first { $0[1] == "disengagements" })
        #expect(row[4] == String(zone.disengagements))
    }

    @Test func operatorScope() throws {
        let directory = try StoreFixture.directory("operator")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try StoreFixture.makeDatabase(at: directory + "/zone.sqlite")
        let report = try job(directory + "/zone.sqlite", operatorID: "op2").report()
        #expect(report.vehicles.map(\.vin) == ["LB37622Z3NX100003", "LB37622Z3NX100004"])
        #expect(report.operators.map(\.id) == ["op2"])
        let stored = try store.zoneSummary(ReportFilter(month: "2026-11", operatorID: "op2"))
        #expect(abs(report.summary.meters / 1000 - stored.automatedKilometres) < 1e-9)
        #expect(report.summary.disengagements == stored.disengagements)
        #expect(
            report.dataHealth.sources.map(\.source)
                == ["jt808/13800000003", "jt808/13800000004"].filter { s in
                    report.dataHealth.sources.contains { $0.source == s }
                })
        #expect(throws: ReportError.unknownOperator("op9", known: ["op1", "op2"])) {
            try job(directory + "/zone.sqlite", operatorID: "op9").report()
        }
    }

    @Test func monthWithoutDataGivesAReportThatSaysSo() throws {
        let directory = try StoreFixture.directory("nodata")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try StoreFixture.makeDatabase(at: directory + "/zone.sqlite")
        let (report, _) = try job(
            directory + "/zone.sqlite", month: ReportPeriod(month: try ReportMonth(parsing: "2026-08")), out: directory + "/out"
        ).run()
        #expect(!report.hasData)
        let html = try String(contentsOfFile: directory + "/out/report.html", encoding: .utf8)
        #expect(
            html.contains(
                "No data: No automated driving and no automation events were recorded in August 2026."))
        let md = try String(contentsOfFile: directory + "/out/report.md", encoding: .utf8)
        #expect(md.contains("**No data.**"))
    }

    @Test func sameDatabaseAndTimestampGiveByteIdenticalOutput() throws {
        let directory = try StoreFixture.directory("determinism")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try StoreFixture.makeDatabase(at: directory + "/zone.sqlite")
        let (_, first) = try job(directory + "/zone.sqlite", out: directory + "/a").run()
        let (_, second) = try job(directory + "/zone.sqlite", out: directory + "/b").run()
        #expect(first.count == second.count)
        for (a, b) in zip(first, second) {
            #expect(
                FileManager.default.contents(atPath: a) == FileManager.default.contents(atPath: b), "\(a)")
        }
    }

    @Test func unusableDatabasesGiveClearErrors() throws {
        let directory = try StoreFixture.directory("errors")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Missing file.
        #expect(
            throws: ReportError.databaseUnavailable(path: directory + "/none.sqlite", reason: "no such file")
        ) {
            try job(directory + "/none.sqlite").report()
        }
        // An empty file: no schema.
        FileManager.default.createFile(atPath: directory + "/empty.sqlite", contents: Data())
        do {
            _ = try job(directory + "/empty.sqlite").report()
            Issue.record("an empty file must be refused")
        } catch {
            guard case .missingSchema(_, let tables) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(tables == StoreReportReader.requiredTables)
            #expect(error.description.contains("is not a TestZone database"))
        }
        // Not a database at all.
        FileManager.default.createFile(
            atPath: directory + "/text.sqlite", contents: Data(repeating: 0x41, count: 4096))
        do {
            _ = try job(directory + "/text.sqlite").report()
            Issue.record("a text file must be refused")
        } catch {
            guard case .databaseUnavailable(_, let reason) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(reason.contains("not a database"))
        }
        // The schema but no runs: nothing ingested.
        _ = try ZoneStore(path: directory + "/fresh.sqlite")
        #expect(throws: ReportError.emptyDatabase(path: directory + "/fresh.sqlite")) {
            try job(directory + "/fresh.sqlite").report()
        }
        #expect(ReportError.emptyDatabase(path: "x").description.contains("holds no runs"))
    }
}

@Suite struct ZoneOverlayTests {
    @Test func zoneConfigurationFillsPlatesPermitsAndNames() throws {
        let directory = try StoreFixture.directory("zone")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try StoreFixture.makeDatabase(at: directory + "/zone.sqlite")
        try StoreFixture.zoneTOML.write(toFile: directory + "/zone.toml", atomically: true, encoding: .utf8)
        let month = ReportPeriod(month: try ReportMonth(parsing: "2026-11"))
        func job(zone: String?) -> ReportJob {
            ReportJob(
                databasePath: directory + "/zone.sqlite", month: month, outputDirectory: directory + "/out",
                zonePath: zone, generatedAtMicros: 0, softwareVersion: "test")
        }
        let plain = try job(zone: nil).report()
        #expect(plain.vehicles.allSatisfy { $0.plate.isEmpty && $0.permit.isEmpty })
        #expect(plain.operators.first { $0.id == "op1" }?.name == "op1")
        let overlaid = try job(zone: directory + "/zone.toml").report()
        #expect(overlaid.vehicles.map(\.plate) == ["沪A·0001试", "沪A·0002试", "沪A·0003试", "沪A·0004试"])
        #expect(overlaid.vehicles.first?.permit == "SH-ICV-2026-01")
        // The database's names win; blanks (a name equal to the id) are filled.
        #expect(overlaid.operators.map(\.name) == ["Anting Autonomy Co. (zone.toml)", "Bund Robotaxi Ltd."])
        #expect(overlaid.disengagements.first?.permit == "SH-ICV-2026-01")
        // The figures do not change; the digest does (plates are rows of the report).
        #expect(overlaid.summary == plain.summary)
        #expect(overlaid.digest != plain.digest)
        let html = HTMLRenderer.render(overlaid)
        #expect(html.contains("<td class=\"nowrap\">沪A·0001试</td><td class=\"nowrap\">SH-ICV-2026-01</td>"))
        do {
            _ = try job(zone: directory + "/missing.toml").report()
            Issue.record("a missing zone.toml must be refused")
        } catch {
            guard case .zoneUnavailable(let path, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(path.hasSuffix("missing.toml"))
        }
    }
}

@Suite struct RoadNetworkOverlayTests {
    @Test func networkGivesLinkGeometryAndNamesForTheMap() throws {
        // Three nodes on a line; links 1.1-1.2 and 1.2-1.3 (each node lists its incoming link).
        var builder = RoadNetworkBuilder()
        let a = Zone.GeoPoint(latitude: 31.28, longitude: 121.16)
        let b = Zone.GeoPoint(latitude: 31.28, longitude: 121.17)
        let c = Zone.GeoPoint(latitude: 31.29, longitude: 121.17)
        builder.add(MapNode(id: MapNodeID(region: 1, id: 1), position: a, inLinks: []))
        builder.add(
            MapNode(
                id: MapNodeID(region: 1, id: 2), position: b,
                inLinks: [
                    MapLink(upstream: MapNodeID(region: 1, id: 1), name: "Boyuan Rd", lanes: 2, width: 7)
                ]))
        builder.add(
            MapNode(
                id: MapNodeID(region: 1, id: 3), position: c,
                inLinks: [MapLink(upstream: MapNodeID(region: 1, id: 2), lanes: 1, width: 3.5)]))
        let network = builder.build()
        #expect(network.links.map(\.id.description) == ["1.1-1.2", "1.2-1.3"])
        let records = ReportRecords(
            links: [
                LinkRecord(id: "1.1-1.2", roadClass: "Boyuan Rd", lengthMeters: 950, points: []),
                LinkRecord(id: "1.2-1.3", roadClass: "", lengthMeters: 1100, points: []),
                LinkRecord(id: "9.9-9.8", roadClass: "", lengthMeters: 10, points: []),
            ],
            linkUsage: [LinkUsageRecord(linkID: "1.1-1.2", vehicleDays: 2)])
        let overlaid = ZoneRegistryOverlay(configuration: nil, network: network).apply(to: records)
        #expect(overlaid.links[0].points.count == 2)
        #expect(overlaid.links[0].points.first == GeoPoint(latitude: 31.28, longitude: 121.16))
        #expect(overlaid.links[0].name == "Boyuan Rd")
        #expect(overlaid.links[1].points.last == GeoPoint(latitude: 31.29, longitude: 121.17))
        #expect(overlaid.links[2].points.isEmpty)
        let report = SampleRecords.report(october: overlaid, september: ReportRecords())
        let html = HTMLRenderer.render(report)
        #expect(
            html.contains(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 680.0 440.0\" role=\"img\" class=\"map\">"
            ))
        #expect(html.contains("<title>1.1-1.2 Boyuan Rd (Boyuan Rd): 2 vehicle-days</title>"))
    }
}
