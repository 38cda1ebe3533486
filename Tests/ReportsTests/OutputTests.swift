import Foundation
import Testing

@testable import Reports

/// Runs a tool and returns (exit status, stdout + stderr); nil when it is not installed.
func run(_ tool: String, _ arguments: [String]) throws -> (Int32, String)? {
    let candidates = ["/usr/bin/\(tool)", "/usr/local/bin/\(tool)", "/bin/\(tool)"]
    guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        return nil
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

func temporaryDirectory(_ name: String) throws -> String {
    let path =
        NSTemporaryDirectory() + "testzone-reports-\(name)-\(ProcessInfo.processInfo.processIdentifier)"
    try? FileManager.default.removeItem(atPath: path)
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Suite struct OutputTests {
    static let xmllintMissing = (try? run("xmllint", ["--version"])) == nil

    @Test(
        .disabled(
            if: xmllintMissing, "xmllint not installed (apt-get install libxml2-utils; Tools/setup.sh does)"))
    func htmlIsWellFormed() throws {
        let directory = try temporaryDirectory("xmllint")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (name, report) in [
            ("full", SampleRecords.report()),
            ("empty", SampleRecords.report(october: ReportRecords())),
            ("operator", SampleRecords.report(operatorFilter: "OP-B")),
        ] {
            let path = directory + "/\(name).html"
            try Data(HTMLRenderer.render(report).utf8).write(to: URL(fileURLWithPath: path))
            // The HTML parser (libxml2's, which knows HTML 4 only): no error other than its not
            // knowing the HTML5 and SVG element names (header, section, figure, svg, rect, ...).
            let html = try #require(try run("xmllint", ["--html", "--noout", path]))
            let errors = html.1.split(separator: "\n").filter {
                $0.contains("error") || $0.contains("warning")
            }
            let unexpected = errors.filter { line in
                guard let range = line.range(of: "HTML parser error : Tag ") else { return true }
                return !line[range.upperBound...].hasSuffix(" invalid")
            }
            #expect(unexpected.isEmpty, "xmllint --html: \(unexpected.joined(separator: "\n"))")
            // And the same bytes are well-formed XML.
            let xml = try #require(try run("xmllint", ["--noout", path]))
            #expect(xml.0 == 0, "xmllint (XML): \(xml.1)")
            #expect(xml.1.isEmpty, "xmllint (XML): \(xml.1)")
        }
    }

    @Test func htmlIsSelfContained() {
        let html = HTMLRenderer.render(SampleRecords.report())
        #expect(!html.contains("<script"))
        #expect(
            !html.contains("http://")
                || !html.replacingOccurrences(of: "http://www.w3.org/", with: "").contains("http://"))
        #expect(!html.contains("https://"))
        #expect(!html.contains("<link "))
        #expect(!html.contains("<img"))
        #expect(html.contains("@page { size: A4;"))
        #expect(html.contains("<svg"))
    }

    @Test func htmlNumbersEqualJSONNumbers() throws {
        let report = SampleRecords.report()
        let html = HTMLRenderer.render(report)
        let jsonText = JSONRenderer.render(report)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(jsonText.utf8)) as? [String: Any])
        let tables = try RawJSONRows(jsonText)
        // Summary: each figure's row in the HTML shows the JSON value and previous value.
        for row in try #require(tables["summary"])
        where ["activity", "disengagements", "takeovers", "safety", "coverage"].contains(
            (row["section"] ?? nil) ?? "")
        {
            let label = try #require(row["label"] ?? nil)
            let unit = try #require(row["unit"] ?? nil)
            let expected =
                "<tr><td>\(label)</td><td>\(unit)</td><td class=\"n\">\(shown(row["value"]))</td>"
                + "<td class=\"n\">\(shown(row["previous"]))</td>"
            #expect(html.contains(expected), "summary row \(label)")
        }
        // Vehicles: every JSON row's figures appear in that VIN's HTML row, in order.
        for row in try #require(tables["vehicles"]) {
            let vin = try #require(row["vin"] ?? nil)
            let line = try #require(
                html.split(separator: "\n").first { $0.hasPrefix("<tr><td class=\"id\">\(vin)</td>") })
            let numbers = [
                "km_l3", "km_l4", "km_total", "hours", "disengagements", "km_per_disengagement",
                "disengagements_per_1000km",
            ]
            let expected = numbers.map { "<td class=\"n\">\(shown(row[$0]))</td>" }.joined()
            #expect(line.contains(expected), "vehicle \(vin)")
        }
        // Disengagements: time, speed and takeover time of every row.
        for row in try #require(tables["disengagements"]) {
            let time = try #require(row["time"] ?? nil)
            let day = String(time.prefix(10))
            let clock = String(time.dropFirst(11).prefix(8))
            #expect(html.contains("<td class=\"nowrap\">\(day)<br/>\(clock)</td>"))
            #expect(
                html.contains(
                    "<td class=\"n\">\(shown(row["speed_kmh"]))</td><td class=\"n\">\(shown(row["takeover_time_s"]))</td></tr>"
                ))
        }
        #expect(html.contains(report.digest))
        #expect(json["records_sha256"] as? String == report.digest)
    }

    /// What the HTML shows for a raw JSON token: null as a dash, strings escaped.
    func shown(_ token: String??) -> String {
        guard let token = token ?? nil else { return "–" }
        return HTMLText.escape(token)
    }

    @Test func csvRoundTripsToTheSameValues() throws {
        let report = SampleRecords.report()
        let files = ReportFiles(report: report, formats: [.csv])
        let names = files.files.map(\.name)
        for expected in [
            "summary.csv", "vehicles.csv", "operators.csv", "daily_km.csv", "disengagements.csv",
            "coverage.csv",
            "v2x.csv", "data_health.csv",
        ] {
            #expect(names.contains(expected))
        }
        for table in report.tables {
            let text = try #require(files.files.first { $0.name == "\(table.id).csv" }?.text)
            #expect(text.hasSuffix("\r\n"))
            let rows = CSVRenderer.parse(text)
            #expect(rows.first == table.columns.map(\.key))
            #expect(rows.count == table.rows.count + 1)
            for (parsed, values) in zip(rows.dropFirst(), table.rows) {
                #expect(parsed == values.map { $0.text ?? "" })
            }
        }
        // Times are ISO 8601 in Asia/Shanghai.
        let disengagements = CSVRenderer.parse(
            try #require(files.files.first { $0.name == "disengagements.csv" }?.text))
        #expect(disengagements[1][0] == "2026-10-03T09:14:05+08:00")
        #expect(
            disengagements[0].prefix(7) == [
                "time", "vin", "operator", "permit", "level", "initiator", "cause",
            ])
        // Quoting: a name with quotes and a comma, reasons with a comma.
        let v2x = try #require(files.files.first { $0.name == "v2x.csv" }?.text)
        #expect(v2x.contains("RSU-03,\"Test \"\"north\"\" gate, east\","))
        #expect(CSVRenderer.parse(v2x)[3][1] == "Test \"north\" gate, east")
    }

    @Test func csvParserHandlesEdgeCases() {
        #expect(
            CSVRenderer.parse("a,b\r\n\"x,y\",\"say \"\"hi\"\"\"\r\n") == [
                ["a", "b"], ["x,y", "say \"hi\""],
            ])
        #expect(CSVRenderer.parse("a\n\"line\nbreak\"\n") == [["a"], ["line\nbreak"]])
        #expect(CSVRenderer.parse(",\r\n") == [["", ""]])
        #expect(CSVRenderer.field(" lead") == "\" lead\"")
        #expect(CSVRenderer.field("沪A·0001试") == "沪A·0001试")
    }

    @Test func jsonIsValidAndCarriesMetadata() throws {
        let report = SampleRecords.report(operatorFilter: "OP-A")
        let text = JSONRenderer.render(report)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(json["month"] as? String == "2026-10")
        #expect(json["operator"] as? String == "OP-A")
        #expect(json["generated_at"] as? String == "2026-11-01T09:00:00+08:00")
        #expect((json["period"] as? [String: Any])?["start"] as? String == "2026-10-01T00:00:00+08:00")
        #expect((json["records_sha256"] as? String)?.count == 64)
        let tables = try #require(json["tables"] as? [String: Any])
        #expect(
            Set(tables.keys).isSuperset(of: [
                "summary", "vehicles", "operators", "daily_km", "disengagements", "coverage", "v2x",
                "data_health",
            ]))
        #expect(JSONRenderer.string("a\"b\\c\u{1}\n") == "\"a\\\"b\\\\c\\u0001\\n\"")
    }

    @Test func sameInputGivesByteIdenticalFiles() throws {
        let a = ReportFiles(report: SampleRecords.report(), formats: ReportFormat.allCases)
        let b = ReportFiles(report: SampleRecords.report(), formats: ReportFormat.allCases)
        #expect(a == b)
        let first = try temporaryDirectory("determinism-a")
        let second = try temporaryDirectory("determinism-b")
        defer {
            try? FileManager.default.removeItem(atPath: first)
            try? FileManager.default.removeItem(atPath: second)
        }
        let pathsA = try a.write(to: first)
        let pathsB = try b.write(to: second)
        #expect(pathsA.count == a.files.count)
        for (pathA, pathB) in zip(pathsA, pathsB) {
            #expect(
                FileManager.default.contents(atPath: pathA) == FileManager.default.contents(atPath: pathB))
        }
    }

    @Test func formatsParse() throws {
        #expect(try ReportFormat.parseList("json,html") == [.html, .json])
        #expect(try ReportFormat.parseList("md, csv,md") == [.csv, .md])
        #expect(throws: ReportError.unknownFormat("pdf")) { try ReportFormat.parseList("html,pdf") }
    }

    @Test func markdownSummaryForEmail() {
        let md = MarkdownRenderer.render(SampleRecords.report())
        #expect(md.hasPrefix("# TestZone monthly safety summary: October 2026\n"))
        #expect(md.contains("| Disengagements | count | 5 | 2 | +3 |"))
        #expect(md.contains(SampleRecords.report().digest))
        #expect(!md.contains("Initiator: Passenger"))  // zero categories are left out of the e-mail
    }
}

/// The rows of report.json's tables with each value's raw token text (numbers exactly as written;
/// strings unescaped; null as nil), from the one-row-per-line layout of ``JSONRenderer``.
struct RawJSONRows {
    var tables: [String: [[String: String?]]] = [:]

    init(_ text: String) throws {
        var current: String?
        for line in text.split(separator: "\n") {
            let trimmed = line.drop { $0 == " " }
            if trimmed.hasSuffix(": [") || trimmed.hasSuffix(": []") || trimmed.hasSuffix(": [],") {
                current = String(trimmed.dropFirst().prefix { $0 != "\"" })
                tables[current!] = []
            } else if let table = current, trimmed.hasPrefix("{") {
                tables[table]?.append(try Self.object(String(trimmed)))
            }
        }
    }

    subscript(_ table: String) -> [[String: String?]]? { tables[table] }

    static func object(_ line: String) throws -> [String: String?] {
        var result: [String: String?] = [:]
        let chars = Array(line.unicodeScalars)
        var i = 1
        func string() -> String {
            var out = String.UnicodeScalarView()
            i += 1
            while i < chars.count, chars[i] != "\"" {
                if chars[i] == "\\" {
                    i += 1
                    switch chars[i] {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "r": out.append("\r")
                    default: out.append(chars[i])
                    }
                } else {
                    out.append(chars[i])
                }
                i += 1
            }
            i += 1
            return String(out)
        }
        while i < chars.count, chars[i] != "}" {
            while chars[i] == " " || chars[i] == "," { i += 1 }
            if chars[i] == "}" { break }
            let key = string()
            i += 2  // ": "
            if chars[i] == "\"" {
                result[key] = .some(string())
            } else {
                var token = ""
                while i < chars.count, chars[i] != ",", chars[i] != "}" {
                    token.unicodeScalars.append(chars[i])
                    i += 1
                }
                result[key] = token == "null" ? .some(nil) : .some(token)
            }
        }
        return result
    }
}
