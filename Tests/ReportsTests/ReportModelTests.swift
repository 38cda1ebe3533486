import Testing

@testable import Reports
import Store

@Suite struct ReportMonthTests {
    @Test func parsesAndComputesShanghaiBoundaries() throws {
        let month = try ReportMonth(parsing: "2026-10")
        #expect(month.description == "2026-10")
        #expect(month.dayCount == 31)
        #expect(month.previous.description == "2026-09")
        #expect(try ReportMonth(parsing: "2026-01").previous.description == "2025-12")
        // 2026-10-01T00:00+08:00 is 2026-09-30T16:00Z = 1790784000 s.
        #expect(month.startMicros == 1_790_784_000 * 1_000_000)
        #expect(ShanghaiTime.iso8601(micros: month.startMicros) == "2026-10-01T00:00:00+08:00")
        #expect(ShanghaiTime.iso8601(micros: month.endMicros) == "2026-11-01T00:00:00+08:00")
        #expect(ShanghaiTime.day(micros: month.startMicros - 1) == "2026-09-30")
        #expect(ShanghaiTime.day(micros: month.startMicros) == "2026-10-01")
        #expect(ShanghaiTime.hour(micros: month.startMicros) == 0)
        #expect(try ReportMonth(parsing: "2028-02").dayCount == 29)
        #expect(try ReportMonth(parsing: "2100-02").dayCount == 28)
    }

    @Test(arguments: [
        "2026-13", "2026-00", "2026-1", "26-10", "2026/10", "abcd-ef", "", "2026-10-01", "1900-01",
        " 2026-10",
    ])
    func rejectsMalformedMonths(_ text: String) {
        #expect(throws: ReportError.malformedMonth(text)) { try ReportMonth(parsing: text) }
        let message = ReportError.malformedMonth(text).description
        #expect(message.contains("YYYY-MM"))
    }

    @Test func formatsAndParsesISO8601() {
        let micros = SampleRecords.time(day: 3, hour: 9, minute: 14, second: 5) + 250_000
        #expect(ShanghaiTime.iso8601(micros: micros) == "2026-10-03T09:14:05.250+08:00")
        #expect(ShanghaiTime.parseISO8601("2026-10-03T09:14:05.250+08:00") == micros)
        #expect(ShanghaiTime.parseISO8601("2026-10-03T01:14:05.25Z") == micros)
        #expect(ShanghaiTime.parseISO8601("2026-10-03T09:14:05") == nil)
        #expect(ShanghaiTime.parseISO8601("2026-10-03T09:14:05+0800") == nil)
        #expect(ShanghaiTime.parseISO8601("yesterday") == nil)
    }
}

@Suite struct NumberFormatTests {
    @Test func fixedDecimals() {
        #expect(NumberFormat.fixed(1564.8049, decimals: 2) == "1564.80")
        #expect(NumberFormat.fixed(0.125, decimals: 2) == "0.13")
        #expect(NumberFormat.fixed(-0.004, decimals: 2) == "0.00")
        #expect(NumberFormat.fixed(-2.5, decimals: 0) == "-3")
        #expect(NumberFormat.fixed(7, decimals: 0) == "7")
        #expect(NumberFormat.fixed(0.05, decimals: 1) == "0.1")
        #expect(NumberFormat.fixed(.nan, decimals: 1) == nil)
        #expect(NumberFormat.fixed(.infinity, decimals: 1) == nil)
        #expect(NumberFormat.signed(3, decimals: 1) == "+3.0")
        #expect(NumberFormat.signed(-3, decimals: 1) == "-3.0")
        #expect(NumberFormat.signed(0.001, decimals: 1) == "0.0")
    }

    @Test func percentiles() {
        #expect(Percentile.median([]) == nil)
        #expect(Percentile.median([1, 2, 10]) == 2)
        #expect(Percentile.median([1, 2, 4, 10]) == 3)
        #expect(Percentile.nearestRank([1, 2, 3, 4], 0.95) == 4)
        #expect(Percentile.nearestRank(Array(stride(from: 1.0, through: 100, by: 1)), 0.95) == 95)
        #expect(Percentile.nearestRank([7], 0.95) == 7)
    }
}

@Suite struct ReportBuilderTests {
    @Test func summaryFiguresFollowTheDefinitions() throws {
        let records = SampleRecords.october
        let report = SampleRecords.report()
        let l3 = records.driving.filter { $0.level == 3 }.reduce(0) { $0 + $1.meters }
        let l4 = records.driving.filter { $0.level == 4 }.reduce(0) { $0 + $1.meters }
        let summary = report.summary
        #expect(summary.levels.map(\.level) == [3, 4])
        #expect(summary.levels[0].meters == l3)
        #expect(summary.levels[1].meters == l4)
        #expect(summary.meters == l3 + l4)
        #expect(summary.vehiclesActive == 6)
        #expect(summary.operatorsActive == 3)
        // 4 explicit + 1 inferred; the planned deactivation and the L2 deactivation do not count.
        #expect(summary.disengagements == 5)
        #expect(summary.inferredDisengagements == 1)
        #expect(summary.plannedDeactivations == 1)
        #expect(summary.levels[0].disengagements == 3)
        #expect(summary.levels[1].disengagements == 2)
        #expect(summary.byInitiator.first { $0.key == "safety-driver" }?.count == 2)
        #expect(summary.byInitiator.first { $0.key == "unknown" }?.count == 1)
        #expect(summary.byCause.first { $0.key == "communication" }?.count == 1)
        #expect(summary.byInitiator.reduce(0) { $0 + $1.count } == 5)
        #expect(summary.byCause.reduce(0) { $0 + $1.count } == 5)
        #expect(summary.kilometersPerDisengagement == (l3 + l4) / 1000 / 5)
        #expect(summary.disengagementsPerThousandKilometers == 5 / ((l3 + l4) / 1000) * 1000)
        // Takeovers: 4 requests, 1 missed; times of the taken-over ones: 1.9, 2.6, 4.2.
        #expect(summary.takeoverRequests == 4)
        #expect(summary.takeoversMissed == 1)
        #expect(summary.takeoverMedianSeconds == 2.6)
        #expect(summary.takeoverP95Seconds == 4.2)
        #expect(summary.takeoverMaxSeconds == 4.2)
        #expect(summary.mrms == 1)
        #expect(summary.collisions == 1)
        #expect(summary.severeFailures == 1)
        // 17 of 22 links driven; all links have the same length class.
        let network = SampleRecords.links.reduce(0) { $0 + $1.lengthMeters }
        let driven = SampleRecords.links.enumerated().filter { $0.offset % 4 != 3 }.reduce(0) {
            $0 + $1.element.lengthMeters
        }
        #expect(summary.linkCoverage == driven / network)
        #expect(summary.gridCoverage == 60.0 / 400.0)
        #expect(report.previous.disengagements == 2)
        #expect(report.previous.takeoverMedianSeconds == 5)
    }

    @Test func vehicleAndOperatorTablesAddUpToTheSummary() {
        let report = SampleRecords.report()
        #expect(report.vehicles.count == 7)  // registered vehicles; the unregistered one has no data.
        let vehicleMeters = report.vehicles.reduce(0) { $0 + $1.meters }
        let operatorMeters = report.operators.reduce(0) { $0 + $1.meters }
        #expect(abs(vehicleMeters - report.summary.meters) < 1e-6)
        #expect(abs(operatorMeters - report.summary.meters) < 1e-6)
        #expect(report.vehicles.reduce(0) { $0 + $1.disengagements } == report.summary.disengagements)
        #expect(report.operators.reduce(0) { $0 + $1.disengagements } == report.summary.disengagements)
        let dailyMeters = report.dailyDistance.reduce(0) { $0 + $1.meters }
        #expect(abs(dailyMeters - report.summary.meters) < 1e-6)
        #expect(report.vehicles.first { $0.vin == "LGWEF4A59NH200007" }?.meters == 0)
        #expect(report.operators.map(\.id) == ["OP-A", "OP-B", "OP-C"])
        #expect(report.operators.map(\.vehiclesActive) == [3, 2, 1])
        #expect(report.disengagements.map(\.micros) == report.disengagements.map(\.micros).sorted())
        #expect(report.disengagements.count == 5)
        #expect(report.disengagements[0].speedKmh == 45)
        #expect(report.dataHealth.unregisteredVehicles.isEmpty)
        #expect(report.dataHealth.daysWithoutDriving == 11)
        #expect(report.dataHealth.sequences.first?.gaps == 812)
    }

    @Test func rowOrderDoesNotChangeTheReportOrItsDigest() {
        var shuffled = SampleRecords.october
        shuffled.driving.reverse()
        shuffled.events.reverse()
        shuffled.vehicles.reverse()
        shuffled.operators.reverse()
        shuffled.links.reverse()
        shuffled.linkUsage.reverse()
        shuffled.sources.reverse()
        shuffled.rejects.reverse()
        shuffled.reception.reverse()
        shuffled.grid.visitedCells.reverse()
        let a = SampleRecords.report()
        let b = SampleRecords.report(october: shuffled)
        #expect(a.digest == b.digest)
        #expect(HTMLRenderer.render(a) == HTMLRenderer.render(b))
        #expect(JSONRenderer.render(a) == JSONRenderer.render(b))
    }

    @Test func digestIsTheSHA256OfTheCanonicalText() {
        let records = ReportRecords(
            operators: [OperatorRecord(id: "OP\t1", name: "A\\B")],
            driving: [DrivingRecord(vin: "V1", day: "2026-10-01", level: 3, meters: 1234.5, seconds: 0.1)])
        let text = RecordDigest.canonicalText(records)
        #expect(
            text.hasPrefix(
                "testzone-report-records v2\n#operators 1\nOP\\t1\tA\\\\B\t\t\n#vehicles 0\n#driving 1\n"))
        #expect(text.contains("V1\t2026-10-01\t3\t1234.5\t0.1\t0.0\n"))
        let month = SampleRecords.month
        let expected = SHA256.hexDigest(
            of: "month 2026-10\n" + text + "month 2026-09\n" + RecordDigest.canonicalText(ReportRecords()))
        #expect(
            RecordDigest.digest(
                month: month, records: records, previousMonth: month.previous, previous: ReportRecords())
                == expected)
        var changed = records
        changed.driving[0].meters = 1234.6
        #expect(
            RecordDigest.digest(
                month: month, records: changed, previousMonth: month.previous, previous: ReportRecords())
                != expected)
    }

    @Test func emptyMonthSaysSo() {
        let report = SampleRecords.report(
            october: ReportRecords(
                operators: SampleRecords.operators, vehicles: SampleRecords.vehicles,
                links: SampleRecords.links))
        #expect(!report.hasData)
        #expect(report.summary.kilometersPerDisengagement == nil)
        #expect(report.summary.disengagementsPerThousandKilometers == nil)
        let html = HTMLRenderer.render(report)
        #expect(
            html.contains(
                "No data: No automated driving and no automation events were recorded in October 2026."))
        #expect(html.contains("No disengagements in this month."))
        let json = JSONRenderer.render(report)
        #expect(json.contains("\"has_data\": false"))
        #expect(json.contains("\"note\": \"No automated driving"))
        #expect(MarkdownRenderer.render(report).contains("**No data.**"))
        // Undefined rates are missing values, not zeros.
        #expect(
            json.contains(
                "\"metric\": \"km_per_disengagement\", \"label\": \"Automated km per disengagement\", \"unit\": \"km\", \"value\": null"
            ))
    }
}

@Suite struct ChartTests {
    @Test func naturalOrder() {
        let ids = ["L10", "L2", "L1", "L0", "RSU-10", "RSU-9", "L02"]
        #expect(ids.sorted(by: NaturalOrder.less) == ["L0", "L1", "L02", "L2", "L10", "RSU-9", "RSU-10"])
        #expect(!NaturalOrder.less("a", "a"))
    }

    @Test func axisSteps() {
        #expect(SVGChart.niceStep(0.29 / 4) == 0.1)
        #expect(SVGChart.niceStep(7) == 10)
        #expect(SVGChart.niceStep(2.5) == 2.5)
        #expect(SVGChart.niceStep(0) == 0.25)
        #expect(SVGChart.decimals(for: 0.25) == 2)
        #expect(SVGChart.decimals(for: 0.5) == 1)
        #expect(SVGChart.decimals(for: 20) == 0)
    }
}
