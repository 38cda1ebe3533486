import Foundation
import Testing

@testable import Reports

@Suite struct RenderingTests {
    /// Writes the sample report to $TESTZONE_REPORT_SAMPLE_OUT when set (for screenshots).
    @Test func writeSampleWhenAsked() throws {
        guard let directory = ProcessInfo.processInfo.environment["TESTZONE_REPORT_SAMPLE_OUT"] else {
            return
        }
        let files = ReportFiles(report: SampleRecords.report(), formats: ReportFormat.allCases)
        _ = try files.write(to: directory)
        let empty = ReportFiles(
            report: SampleRecords.report(
                october: ReportRecords(
                    operators: SampleRecords.operators, vehicles: SampleRecords.vehicles,
                    links: SampleRecords.links)),
            formats: ReportFormat.allCases)
        _ = try empty.write(to: directory + "/empty")
        try? FileManager.default.removeItem(atPath: directory + "/zone.sqlite")
        try StoreFixture.makeDatabase(at: directory + "/zone.sqlite")
    }
}
