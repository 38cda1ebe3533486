import Foundation
import GRDB
import Metrics
import Pipeline
import Simulator
import Store
import TestZoneTestSupport
import Testing
import Zone

@testable import Reports

/// Issue 18, the regulator compliance pack, against fresh simulator runs: every event-register
/// row against the simulator's ground truth and DESIGN.md 5; the DMV annual files (exact headings
/// and values) of a simulated DMV year with one short drive per month; breakdowns that add up to
/// the totals; byte-identical output across two runs.
@Suite("Compliance pack")
struct ComplianceTests {
    /// A simulated drive replayed into a database.
    struct Drive {
        var recording: String
        var truth: GroundTruth
        var zone: ZoneConfiguration
    }

    /// Simulation parameters of a short drive with every kind of event (hazards scaled up).
    static func parameters(seed: UInt64, start: Int64, seconds: Double, vehicles: Int) -> SimulationParameters
    {
        var parameters = SimulationParameters()
        parameters.seed = seed
        parameters.startMicroseconds = start
        parameters.durationSeconds = seconds
        parameters.vehicleCount = vehicles
        parameters.gridColumns = 3
        parameters.gridRows = 2
        parameters.bsmRate = 2
        parameters.spatRate = 1
        parameters.automation.hazards = parameters.automation.hazards.map {
            var hazard = $0
            hazard.perHour *= 15
            return hazard
        }
        parameters.automation.meanManualSeconds = 10
        parameters.automation.recoverySeconds = 5...10
        parameters.automation.plannedRunSeconds = 60...150
        return parameters
    }

    /// The zone of a simulation with the issue-18 fields: reporting entity, DMV manufacturer and
    /// permit numbers, and location categories (every second link a highway, the rest streets).
    static func zone(of simulation: TrafficSimulation) -> ZoneConfiguration {
        var zone = simulation.layout.configuration
        zone.reportingEntity = "Jiading ICV Test Zone Management Office"
        for index in zone.operators.indices {
            zone.operators[index].manufacturer = "Manufacturer \(zone.operators[index].id)"
            zone.operators[index].permitNumber = "AVT\(index + 100)"
        }
        let links = simulation.layout.roadNetwork().links.map(\.id.description).sorted()
        zone.links = links.enumerated().filter { $0.offset % 2 == 0 }.map {
            ZoneLink(id: $0.element, category: .highway)
        }
        return zone
    }

    static func simulate(_ parameters: SimulationParameters, into directory: String, name: String) throws
        -> Drive
    {
        var simulation = TrafficSimulation(parameters: parameters)
        let recording = directory + "/\(name).mcap"
        var sink = try MCAPFrameSink(path: recording, simulation: simulation, zstdLevel: 1)
        let (truth, _) = try SimulationRunner.run(simulation: &simulation, sink: &sink)
        return Drive(recording: recording, truth: truth, zone: zone(of: simulation))
    }

    static func replay(_ drives: [Drive], into database: String) throws -> ZoneStore {
        let store = try ZoneStore(path: database)
        for drive in drives {
            let network = try ZoneSetup.roadNetwork(fromRecordings: [drive.recording])
            var replay = DatabaseReplay(
                store: store,
                configuration: ZoneSetup.metricsConfiguration(zone: drive.zone, network: network))
            replay.operatorNames = ZoneSetup.operatorNames(zone: drive.zone)
            _ = try replay.run(files: [drive.recording])
        }
        return store
    }

    static func writeZone(_ zone: ZoneConfiguration, to path: String) throws {
        try Data(zone.tomlText().utf8).write(to: URL(fileURLWithPath: path))
    }

    static func micros(_ time: TruthTime) -> Int64 { time.epochMs * 1000 }

    /// Great-circle distance in metres.
    static func distance(_ a: (Double, Double), _ b: (Double, Double)) -> Double {
        Metrics.Geodesy.distance(latitude1: a.0, longitude1: a.1, latitude2: b.0, longitude2: b.1)
    }

    // MARK: Register against the ground truth

    @Test func everyRegisterRowMatchesTheGroundTruth() throws {
        let directory = try StoreFixture.directory("register")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let start = try #require(ShanghaiTime.parseISO8601("2026-11-10T09:00:00+08:00"))
        let drive = try Self.simulate(
            Self.parameters(seed: 31, start: start, seconds: 600, vehicles: 4), into: directory, name: "drive"
        )
        _ = try Self.replay([drive], into: directory + "/zone.sqlite")
        try Self.writeZone(drive.zone, to: directory + "/zone.toml")

        let job = ReportJob(
            databasePath: directory + "/zone.sqlite",
            month: ReportPeriod(month: try ReportMonth(parsing: "2026-11")),
            outputDirectory: directory + "/out", zonePath: directory + "/zone.toml", generatedAtMicros: 0,
            softwareVersion: "test")
        let report = try job.report()
        let register = report.register
        #expect(register.map(\.micros) == register.map(\.micros).sorted(), "time order")

        var checked = 0
        var linkMismatches = 0
        for vehicle in drive.truth.vehicles {
            let rows = register.filter { $0.vin == vehicle.vin }
            func of(_ kind: Reports.EventKind) -> [RegisterRow] { rows.filter { $0.kind == kind } }
            // Every row: flags of 0xE1 (the simulator's safety driver is always on board; L4
            // vehicles have a remote operator connected), category of its link (zone.toml).
            for row in rows {
                #expect(row.safetyDriver == true, "\(row.vin) \(row.micros) safety driver")
                #expect(
                    row.remoteOperator == (vehicle.maxLevel >= 4), "\(row.vin) \(row.micros) remote operator")
                let expected =
                    row.linkID.map { drive.zone.category(ofLink: $0) } ?? drive.zone.defaultLinkCategory
                #expect(row.category == expected.rawValue, "\(row.vin) \(row.micros) location category")
                #expect(row.plate == drive.zone.vehicles.first { $0.vin == vehicle.vin }?.plate)
                #expect(row.operatorID == vehicle.operatorId)
            }
            #expect(of(.engagement).count == vehicle.engagements, "\(vehicle.vin) activations")
            // Explicit events (type 2, 4, 5, 6, 7): time (ms), level before, initiator, cause, place.
            for (kind, truths) in [
                (Reports.EventKind.disengagement, vehicle.disengagements),
                (.plannedDeactivation, vehicle.plannedDeactivations),
                (.mrmStarted, vehicle.mrms), (.mrmEnded, vehicle.mrmEnds), (.collision, vehicle.collisions),
                (.severeFailure, vehicle.severeFailures),
            ] {
                let got = of(kind)
                #expect(got.count == truths.count, "\(vehicle.vin) \(kind) count")
                for (row, truth) in zip(got, truths.sorted { $0.time < $1.time }) {
                    #expect(row.micros == Self.micros(truth.time), "\(vehicle.vin) \(kind) time")
                    #expect(row.level == Int(truth.level), "\(vehicle.vin) \(kind) level")
                    #expect(row.initiator.key == truth.initiatorName, "\(vehicle.vin) \(kind) initiator")
                    #expect(row.cause.key == truth.causeName, "\(vehicle.vin) \(kind) cause")
                    let place = try #require(row.latitude.flatMap { lat in row.longitude.map { (lat, $0) } })
                    // Interpolated between 1 Hz fixes along the chord: within a few metres of the truth.
                    #expect(
                        Self.distance(place, (truth.latitude, truth.longitude)) < 25,
                        "\(vehicle.vin) \(kind) place")
                    if row.linkID != truth.link { linkMismatches += 1 }
                    checked += 1
                }
            }
            // Inferred disengagements (DESIGN.md 5): at the fix reporting the drop, initiator and
            // cause unknown, level of the previous 0xE1.
            let inferred = of(.inferredDisengagement)
            #expect(inferred.count == vehicle.inferredDisengagements.count, "\(vehicle.vin) inferred count")
            for (row, truth) in zip(inferred, vehicle.inferredDisengagements.sorted { $0.time < $1.time }) {
                #expect(row.micros == Self.micros(truth.time))
                #expect(row.level == Int(truth.level))
                #expect(row.initiator.key == "unknown" && row.initiator.label == "Unknown (inferred)")
                #expect(row.cause.key == "unknown" && row.cause.label == "Unknown (inferred)")
                let place = try #require(row.latitude.flatMap { lat in row.longitude.map { (lat, $0) } })
                #expect(Self.distance(place, (truth.latitude, truth.longitude)) < 1)
                checked += 1
            }
            // Takeover requests: time, level, cause, outcome and takeover time (DESIGN.md 5).
            let requests = of(.takeoverRequest)
            #expect(requests.count == vehicle.takeovers.count, "\(vehicle.vin) takeover requests")
            for (row, truth) in zip(requests, vehicle.takeovers.sorted { $0.requested < $1.requested }) {
                #expect(row.micros == Self.micros(truth.requested))
                #expect(row.level == Int(truth.level))
                #expect(row.cause.key == Cause(rawValue: truth.cause)?.name, "\(vehicle.vin) takeover cause")
                let outcome =
                    switch truth.outcome {
                    case "disengaged": "taken-over"
                    default: truth.outcome
                    }
                #expect(row.takeoverOutcome == outcome, "\(vehicle.vin) takeover outcome")
                if let ms = truth.takeoverMs, outcome == "taken-over" || outcome == "missed" {
                    let seconds = try #require(row.takeoverSeconds)
                    #expect(abs(seconds * 1000 - Double(ms)) <= 1, "\(vehicle.vin) takeover time")
                }
                checked += 1
            }
        }
        #expect(checked > 20, "the drive has events of every kind")
        // Map matching at junctions may pick the crossing link; nearly every event is on the truth's link.
        #expect(
            Double(linkMismatches) <= 0.1 * Double(checked), "link mismatches \(linkMismatches) of \(checked)"
        )
        // Register and events.csv: the same rows, each with the flags and place columns.
        let csv = CSVRenderer.parse(CSVRenderer.render(report.registerTable))
        #expect(csv.count == register.count + 1)
        #expect(csv.first?.contains("safety_driver") == true && csv.first?.contains("location") == true)
    }

    // MARK: DMV annual files

    /// One short drive in each month of the DMV year 2026 (Dec 2025 ... Nov 2026) and one just after it.
    static let monthStarts = [
        "2025-11-28", "2025-12-15", "2026-01-15", "2026-02-15", "2026-03-15", "2026-04-15", "2026-05-15",
        "2026-06-15", "2026-07-15", "2026-08-15", "2026-09-15", "2026-10-15", "2026-11-15", "2026-12-01",
    ]

    static func year(in directory: String, from first: Int = 0) throws -> [Drive] {
        try monthStarts.enumerated().dropFirst(first).map { index, day in
            let start = try #require(ShanghaiTime.parseISO8601(day + "T10:00:00+08:00"))
            return try simulate(
                parameters(seed: 7, start: start, seconds: 240, vehicles: 3), into: directory,
                name: "drive-\(index)")
        }
    }

    @Test func dmvFilesOfASimulatedYear() async throws {
        let directory = try StoreFixture.directory("dmv")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let drives = try Self.year(in: directory)
        let store = try Self.replay(drives, into: directory + "/zone.sqlite")
        let zone = drives[0].zone
        try Self.writeZone(zone, to: directory + "/zone.toml")
        func run(_ out: String) throws -> [String: String] {
            var job = ReportJob(
                databasePath: directory + "/zone.sqlite", month: try ReportPeriod(dmvYear: 2026),
                outputDirectory: out, zonePath: directory + "/zone.toml", generatedAtMicros: 0,
                softwareVersion: "test")
            job.dmv = true
            let (_, paths) = try job.run()
            return Dictionary(
                uniqueKeysWithValues: try paths.map {
                    (
                        URL(fileURLWithPath: $0).lastPathComponent,
                        try String(contentsOfFile: $0, encoding: .utf8)
                    )
                })
        }
        let files = try run(directory + "/dmv1")
        let again = try run(directory + "/dmv2")
        #expect(files == again, "byte-identical across two runs")
        #expect(files.keys.sorted() == ["dmv-disengagements.csv", "dmv-mileage.csv"])
        let disengagements = CSVRenderer.parse(try #require(files["dmv-disengagements.csv"]))
        let mileage = CSVRenderer.parse(try #require(files["dmv-mileage.csv"]))
        #expect(
            disengagements.first == [
                "Manufacturer", "Permit Number", "DATE", "VIN NUMBER",
                "VEHICLE IS CAPABLE OF OPERATING WITHOUT A DRIVER (Yes or No)", "DRIVER PRESENT (Yes or No)",
                "DISENGAGEMENT INITIATED BY (AV System, Test Driver, Remote Operator, or Passenger)",
                "DISENGAGEMENT LOCATION (Interstate, Freeway, Highway, Rural Road, Street, or Parking Facility)",
                "DESCRIPTION OF FACTS CAUSING DISENGAGEMENT",
            ])
        #expect(
            mileage.first == [
                "Manufacturer", "Permit Number", "VIN NUMBER", "DEC", "JAN", "FEB", "MAR", "APR", "MAY",
                "JUN", "JUL",
                "AUG", "SEP", "OCT", "NOV", "ANNUAL TOTAL", "Annual Total of Disengagements",
            ])

        // Expected from the ground truth of the drives inside the year (not the first and last).
        let inYear = Array(drives[1...12])
        var expected: [String: (count: Int, byInitiator: [String: Int], km: [Double])] = [:]
        var expectedDates: [String: Int] = [:]
        for (month, drive) in inYear.enumerated() {
            for vehicle in drive.truth.vehicles {
                var entry = expected[vehicle.vin] ?? (0, [:], Array(repeating: 0, count: 12))
                for event in vehicle.disengagements {
                    entry.byInitiator[DMVExport.initiatedBy(event.initiatorName), default: 0] += 1
                    let day = ShanghaiTime.day(micros: Self.micros(event.time))
                    expectedDates[
                        "\(day.dropFirst(5).prefix(2))/\(day.suffix(2))/\(day.prefix(4))", default: 0] += 1
                }
                for event in vehicle.inferredDisengagements {
                    entry.byInitiator["Unknown", default: 0] += 1
                    let day = ShanghaiTime.day(micros: Self.micros(event.time))
                    expectedDates[
                        "\(day.dropFirst(5).prefix(2))/\(day.suffix(2))/\(day.prefix(4))", default: 0] += 1
                }
                entry.count += vehicle.disengagements.count + vehicle.inferredDisengagements.count
                entry.km[month] += (vehicle.automatedKm["3"] ?? 0) + (vehicle.automatedKm["4"] ?? 0)
                expected[vehicle.vin] = entry
            }
        }
        let rows = disengagements.dropFirst()
        #expect(
            rows.count == expected.values.reduce(0) { $0 + $1.count }, "one row per disengagement in the year"
        )
        var dates: [String: Int] = [:]
        for row in rows {
            let vin = row[3]
            let vehicle = try #require(zone.vehicles.first { $0.vin == vin })
            let index = try #require(zone.operators.firstIndex { $0.id == vehicle.operatorID })
            #expect(row[0] == "Manufacturer \(vehicle.operatorID)")
            #expect(row[1] == "AVT\(index + 100)")
            #expect(row[4] == (vehicle.maxLevel >= 4 ? "Yes" : "No"))
            #expect(row[5] == "Yes", "the simulator's safety driver is on board")
            #expect(["Street", "Highway"].contains(row[7]))
            #expect(row[8].contains(" / ") && row[8].contains("SAE level") && row[8].contains("自动驾驶"))
            dates[row[2], default: 0] += 1
        }
        #expect(dates == expectedDates, "DATE (MM/DD/YYYY, Asia/Shanghai)")
        for (vin, entry) in expected {
            let counted = rows.filter { $0[3] == vin }.reduce(into: [String: Int]()) {
                $0[$1[6], default: 0] += 1
            }
            #expect(counted == entry.byInitiator.filter { $0.value > 0 }, "\(vin) initiated by")
        }
        // Mileage: miles per month from the Store's daily distance (exact to the printed digits)
        // and from the ground truth (within 0.5 %); the year's total adds the printed months.
        let months = ["2025-12"] + (1...11).map { "2026-" + ($0 < 10 ? "0\($0)" : "\($0)") }
        for row in mileage.dropFirst() {
            let vin = row[2]
            let entry = try #require(expected[vin])
            var sum = 0.0
            for (index, month) in months.enumerated() {
                let stored = try store.zoneSummary(ReportFilter(month: month, vin: vin)).automatedKilometres
                #expect(
                    row[3 + index] == NumberFormat.fixed(stored / DMVExport.kilometersPerMile, decimals: 2))
                let miles = try #require(Double(row[3 + index]))
                let truthMiles = entry.km[index] / DMVExport.kilometersPerMile
                #expect(abs(miles - truthMiles) <= 0.005 * max(truthMiles, 1), "\(vin) \(month) miles")
                sum += miles
            }
            #expect(row[15] == NumberFormat.fixed(sum, decimals: 2))
            #expect(row[16] == String(entry.count))
        }
        #expect(Set(mileage.dropFirst().map { $0[2] }) == Set(expected.keys))

        // The CLI gives the same files.
        if TestZoneBinary.url != nil {
            let outcome = try await TestZoneBinary.run([
                "report", "--db", directory + "/zone.sqlite", "--dmv", "--year", "2026", "--out",
                directory + "/cli",
                "--zone", directory + "/zone.toml", "--generated-at", "1970-01-01T08:00:00+08:00",
            ])
            #expect(outcome.status == 0, "\(outcome.standardError)")
            #expect(
                try String(contentsOfFile: directory + "/cli/dmv-mileage.csv", encoding: .utf8)
                    == files["dmv-mileage.csv"])
        }
    }

    // MARK: Breakdowns, stage reports

    @Test func breakdownsAddUpAndStageReportsAgreeWithMonths() async throws {
        let directory = try StoreFixture.directory("breakdowns")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let drives = try Self.year(in: directory, from: 7)  // 2026-06 ... 2026-12
        let store = try Self.replay(drives, into: directory + "/zone.sqlite")
        try Self.writeZone(drives.first!.zone, to: directory + "/zone.toml")
        let total = try store.zoneSummary()
        for grouping in [SummaryGrouping.vehicle, .operator, .month, .level] {
            let rows = try store.summaries(by: grouping)
            #expect(
                abs(rows.reduce(0) { $0 + $1.automatedKilometres } - total.automatedKilometres) < 1e-6,
                "\(grouping) km")
            #expect(
                rows.reduce(0) { $0 + $1.disengagements } == total.disengagements,
                "\(grouping) disengagements")
            #expect(rows.reduce(0) { $0 + $1.takeoverRequests } == total.takeoverRequests, "\(grouping) TORs")
            #expect(rows.reduce(0) { $0 + $1.mrms } == total.mrms, "\(grouping) MRMs")
        }
        #expect(total.disengagementsByInitiator.values.reduce(0, +) == total.disengagements)
        #expect(total.disengagementsByCause.values.reduce(0, +) == total.disengagements)
        #expect(total.disengagementsByCause["unknown"] == total.inferredDisengagements.nonZero)
        #expect(total.disengagements > 0)

        // A stage report (2026-H2) equals its months added up, and its month-by-month table too.
        func report(_ period: ReportPeriod) throws -> MonthlyReport {
            try ReportJob(
                databasePath: directory + "/zone.sqlite", month: period, outputDirectory: directory + "/out",
                zonePath: directory + "/zone.toml", generatedAtMicros: 1_800_000_000_000_000,
                softwareVersion: "test"
            ).report()
        }
        let half = try report(try ReportPeriod(parsing: "2026-H2"))
        #expect(half.month.description == "2026-H2" && half.month.dayCount == 184)
        #expect(
            half.months.map(\.month) == ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"])
        var meters = 0.0
        var disengagements = 0
        for month in half.month.months {
            let monthly = try report(ReportPeriod(month: month))
            meters += monthly.summary.meters
            disengagements += monthly.summary.disengagements
            let row = try #require(half.months.first { $0.month == month.description })
            #expect(abs(row.meters - monthly.summary.meters) < 1e-6)
            #expect(row.disengagements == monthly.summary.disengagements)
        }
        #expect(abs(half.summary.meters - meters) < 1e-6)
        #expect(half.summary.disengagements == disengagements)
        #expect(half.register.filter(\.kind.isDisengagement).count == disengagements)
        // A range of days: the same figures as the months it spans.
        let range = try report(try ReportPeriod(from: "2026-07-01", through: "2026-12-31"))
        #expect(range.summary == half.summary.withMonth(range.summary.month))
        #expect(half.previous.month.description == "2026-H1")

        // `testzone metrics --by`: the TOTAL row is the sum of the group rows, read-only.
        if TestZoneBinary.url != nil {
            for by in ["operator", "level", "month", "initiator", "cause"] {
                let outcome = try await TestZoneBinary.run([
                    "metrics", "--db", directory + "/zone.sqlite", "--by", by, "--csv",
                ])
                #expect(outcome.status == 0, "\(outcome.standardError)")
                let rows = CSVRenderer.parse(outcome.standardOutput)
                let column = try #require(rows.first?.firstIndex(of: "disengagements"))
                let body = rows.dropFirst().filter { $0.first != "TOTAL" }
                let totalRow = try #require(rows.last)
                #expect(totalRow.first == "TOTAL")
                #expect(
                    body.reduce(0) { $0 + (Int($1[column]) ?? -1_000) } == Int(totalRow[column]), "--by \(by)"
                )
            }
            // Exactly one period: two of them is a usage error (exit 2, one line on stderr).
            let both = try await TestZoneBinary.run([
                "report", "--db", directory + "/zone.sqlite", "--month", "2026-11", "--period", "2026-H2",
                "--out",
                directory + "/x",
            ])
            #expect(
                both.status == 2
                    && both.standardError.hasPrefix("testzone report: error: name exactly one period"))
            let stage = try await TestZoneBinary.run([
                "report", "--db", directory + "/zone.sqlite", "--period", "2026-H2", "--out",
                directory + "/h2",
                "--zone", directory + "/zone.toml", "--format", "csv",
            ])
            #expect(stage.status == 0, "\(stage.standardError)")
            #expect(FileManager.default.fileExists(atPath: directory + "/h2/months.csv"))
            let events = try await TestZoneBinary.run([
                "metrics", "--db", directory + "/zone.sqlite", "--events", "--json", "--config",
                directory + "/zone.toml",
            ])
            #expect(events.status == 0, "\(events.standardError)")
            let list = try #require(
                try JSONSerialization.jsonObject(with: Data(events.standardOutput.utf8)) as? [[String: Any]])
            #expect(list.count == (try store.events().count))
        }
    }

    // MARK: Report defects

    @Test func previousMonthWithoutDataProvisionalMonthAndIncompleteRuns() throws {
        let directory = try StoreFixture.directory("defects")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let start = try #require(ShanghaiTime.parseISO8601("2026-11-20T10:00:00+08:00"))
        let drive = try Self.simulate(
            Self.parameters(seed: 5, start: start, seconds: 180, vehicles: 2), into: directory, name: "drive")
        let store = try Self.replay([drive], into: directory + "/zone.sqlite")
        try Self.writeZone(drive.zone, to: directory + "/zone.toml")
        let november = ReportPeriod(month: try ReportMonth(parsing: "2026-11"))
        func report(generatedAt: String) throws -> (MonthlyReport, ReportFiles) {
            let job = ReportJob(
                databasePath: directory + "/zone.sqlite", month: november,
                outputDirectory: directory + "/out",
                zonePath: directory + "/zone.toml",
                generatedAtMicros: try #require(ShanghaiTime.parseISO8601(generatedAt)),
                softwareVersion: "test")
            let report = try job.report()
            return (report, ReportFiles(report: report, formats: ReportFormat.allCases))
        }
        // Generated on 25 November: provisional; October has no data: "no data", not zeros.
        let (early, earlyFiles) = try report(generatedAt: "2026-11-25T09:00:00+08:00")
        #expect(early.provisional)
        #expect(!early.previousHasData)
        let html = try #require(earlyFiles.files.first { $0.name == "report.html" }?.text)
        #expect(html.contains("(provisional)") && html.contains("Provisional:"))
        #expect(html.contains("2026-10: no data"))
        #expect(!html.contains("+\(NumberFormat.fixed(early.summary.meters / 1000, decimals: 2) ?? "x")"))
        #expect(early.summaryTable.rows.allSatisfy { $0[5].text == nil && $0[6].text == nil })
        #expect(html.contains(drive.zone.name) && html.contains("Jiading ICV Test Zone Management Office"))
        #expect(html.contains("counter(page)") && html.contains("counter(pages)"))
        #expect(html.contains("Event register") && html.contains("Data completeness"))
        let file = try #require(early.runs.first?.files.first)
        #expect(html.contains(file.sha256))
        #expect(!html.contains("INCOMPLETE: corrupt") && !html.contains("Incomplete data"))
        // Generated after the month: final. A reader warning on the run flags it as incomplete.
        let run = try #require(early.runs.first?.id)
        try store.recordRunWarnings(
            run, warnings: [(journalFile: drive.recording, warning: "corrupt chunk at offset 4096 skipped")])
        let (late, lateFiles) = try report(generatedAt: "2026-12-01T09:00:00+08:00")
        #expect(!late.provisional)
        #expect(late.incompleteRuns.map(\.id) == [run])
        let lateHTML = try #require(lateFiles.files.first { $0.name == "report.html" }?.text)
        #expect(lateHTML.contains("INCOMPLETE") && lateHTML.contains("Incomplete data"))
        #expect(late.digest != early.digest, "the warning is part of the records")
        // Evidence clips (issue 17's `event_clips`, when the database has it) appear in the register.
        let first = try #require(late.register.first)
        try store.pool.write { db in
            // Issue 17's table (created by its migration where that is merged).
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS event_clips (vin TEXT NOT NULL, time_us INTEGER NOT NULL,
                    kind TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL, bytes INTEGER NOT NULL,
                    messages INTEGER NOT NULL, start_us INTEGER NOT NULL, end_us INTEGER NOT NULL,
                    created_at_us INTEGER NOT NULL, PRIMARY KEY (vin, time_us, kind))
                    """)
            try db.execute(
                sql: """
                    INSERT INTO event_clips (vin, time_us, kind, path, sha256, bytes, messages, start_us, end_us,
                    created_at_us) VALUES (?, ?, ?, 'clips/e1.mcap', ?, 1, 1, ?, ?, 0)
                    """,
                arguments: [
                    first.vin, first.micros, first.kind.rawValue, String(repeating: "ab", count: 32),
                    first.micros - 10_000_000, first.micros + 10_000_000,
                ])
        }
        let (clipped, _) = try report(generatedAt: "2026-12-01T09:00:00+08:00")
        #expect(clipped.register.first?.clipFile == "clips/e1.mcap")
        #expect(clipped.register.first?.clipSHA256 == String(repeating: "ab", count: 32))
        #expect(clipped.register.dropFirst().allSatisfy { $0.clipFile == nil })
        // The inferred disengagement's cause has one label everywhere.
        for table in [late.disengagementsTable, late.registerTable] {
            let cause = try #require(table.columns.firstIndex { $0.key == "cause" })
            let kind = table.columns.firstIndex { $0.key == "inferred" || $0.key == "kind" }!
            for row in table.rows where row[kind].text == "yes" || row[kind].text == "inferred-disengagement"
            {
                #expect(row[cause].text == "Unknown (inferred)")
            }
        }
        #expect(
            late.summary.byCause.first { $0.key == "unknown" }?.count == late.summary.inferredDisengagements)
    }

    // MARK: Zone configuration

    @Test func zoneConfigurationFieldsOfIssue18() throws {
        let text = """
            [zone]
            name = "Z"
            time_zone = "Asia/Shanghai"
            origin = { latitude = 31.29, longitude = 121.17 }
            reporting_entity = "Office"
            link_category = "rural_road"
            bsm_rate_hz = 5

            [[operators]]
            id = "A"
            name = "Alpha"
            manufacturer = "Alpha Motors"
            permit_number = "AVT001"

            [[vehicles]]
            vin = "LTZAS260000000001"
            plate = "沪A0001试"
            operator = "A"
            permit = "P1"
            terminal = "1"
            obu_id = "4A445A0100000001"
            max_level = 3
            bsm_rate_hz = 10
            driverless_capable = true

            [[links]]
            id = "1.1-1.2"
            category = "parking_facility"
            name = "Depot"
            """
        let zone = try ZoneConfiguration.parse(text, fileName: "zone.toml")
        #expect(zone.reportingEntity == "Office")
        #expect(zone.defaultLinkCategory == .ruralRoad && zone.bsmRate == 5)
        #expect(
            zone.operators[0].manufacturer == "Alpha Motors" && zone.operators[0].permitNumber == "AVT001")
        #expect(zone.vehicles[0].bsmRate == 10 && zone.vehicles[0].isDriverlessCapable)
        #expect(
            zone.category(ofLink: "1.1-1.2") == .parkingFacility
                && zone.category(ofLink: "9.9-9.8") == .ruralRoad)
        #expect(try ZoneConfiguration.parse(zone.tomlText(), fileName: "again") == zone, "round trip")
        #expect(throws: ZoneConfigurationError.self) {
            try ZoneConfiguration.parse(
                text.replacingOccurrences(of: "\"parking_facility\"", with: "\"motorway\""), fileName: "z")
        }
        do {
            _ = try ZoneConfiguration.parse(
                text.replacingOccurrences(of: "bsm_rate_hz = 5", with: "bsm_rate_hz = 0"), fileName: "z")
            Issue.record("a zero BSM rate must be refused")
        } catch {
            #expect(error.field == "zone.bsm_rate_hz")
        }
    }
}

extension Int {
    /// nil for zero (dictionary lookups of absent counts).
    fileprivate var nonZero: Int? { self == 0 ? nil : self }
}

extension PeriodSummary {
    fileprivate func withMonth(_ month: ReportPeriod) -> PeriodSummary {
        var copy = self
        copy.month = month
        return copy
    }
}
