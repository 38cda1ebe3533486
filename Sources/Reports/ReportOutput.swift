import Foundation

/// An output format of `testzone report`.
public enum ReportFormat: String, Sendable, CaseIterable, Comparable {
    /// `report.html`: the full report for people (browser, A4 print).
    case html
    /// One CSV file per table (`summary.csv`, `vehicles.csv`, ...).
    case csv
    /// `report.json`: everything, machine-readable.
    case json
    /// `report.md`: the summary for e-mail.
    case md

    /// Parses a comma-separated list such as `html,csv`; duplicates are ignored.
    public static func parseList(_ text: String) throws(ReportError) -> [ReportFormat] {
        var formats: [ReportFormat] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = String(part.filter { $0 != " " }).lowercased()
            guard let format = ReportFormat(rawValue: name == "markdown" ? "md" : name) else {
                throw .unknownFormat(String(part))
            }
            if !formats.contains(format) { formats.append(format) }
        }
        return formats.sorted()
    }

    public static func < (lhs: ReportFormat, rhs: ReportFormat) -> Bool {
        (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
    }
}

/// The files of a report: names and contents, in a fixed order.
public struct ReportFiles: Sendable, Equatable {
    /// (file name, UTF-8 text) pairs.
    public var files: [(name: String, text: String)]

    public static func == (lhs: ReportFiles, rhs: ReportFiles) -> Bool {
        lhs.files.map(\.name) == rhs.files.map(\.name) && lhs.files.map(\.text) == rhs.files.map(\.text)
    }

    /// Renders `report` in the given formats.
    public init(report: MonthlyReport, formats: [ReportFormat]) {
        // Each format is rendered on its own core (HTML and JSON take the longest).
        self.files = Parallel.map(formats.sorted()) { format -> [(name: String, text: String)] in
            switch format {
            case .html: [("report.html", HTMLRenderer.render(report))]
            case .csv: Parallel.map(report.tables) { ("\($0.id).csv", CSVRenderer.render($0)) }
            case .json: [("report.json", JSONRenderer.render(report))]
            case .md: [("report.md", MarkdownRenderer.render(report))]
            }
        }.flatMap { $0 }
    }

    /// Writes the files into `directory` (created if missing) and returns their paths.
    public func write(to directory: String) throws(ReportError) -> [String] {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .writeFailed(path: directory, reason: "\(error)")
        }
        // Written side by side: the HTML and the JSON are tens of megabytes on a large zone.
        let results = Parallel.map(files) { file -> Result<String, ReportError> in
            let path = directory.hasSuffix("/") ? directory + file.name : directory + "/" + file.name
            do {
                // The string's own UTF-8 bytes, not a copy (the HTML and JSON are tens of MB).
                var text = file.text
                try text.withUTF8 { bytes in
                    guard let base = bytes.baseAddress else {
                        return try Data().write(to: URL(fileURLWithPath: path), options: .atomic)
                    }
                    try Data(
                        bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: bytes.count,
                        deallocator: .none
                    )
                    .write(to: URL(fileURLWithPath: path), options: .atomic)
                }
            } catch {
                return .failure(.writeFailed(path: path, reason: "\(error)"))
            }
            return .success(path)
        }
        return try results.map { result throws(ReportError) in try result.get() }
    }
}
