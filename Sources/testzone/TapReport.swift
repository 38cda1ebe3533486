import Foundation

/// The per-interval output of `testzone tap`: a small table, or one JSON object per line.
struct TapReport {
    /// The counts of the current interval.
    var tally: TopicTally
    let json: Bool
    /// Table output lists at most this many keys per interval.
    let maximumTableRows = 20

    private let clock = ContinuousClock()
    private var intervalStart: ContinuousClock.Instant
    private var totalMessages = 0
    private var totalBytes = 0

    init(json: Bool, byTopic: Bool) {
        self.json = json
        tally = TopicTally(byTopic: byTopic)
        intervalStart = clock.now
    }

    /// Prints the interval that ends `now` and starts the next one.
    mutating func emit(until now: ContinuousClock.Instant, final: Bool = false) {
        let elapsed = intervalStart.duration(to: now)
        let seconds = max(
            Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18, 1e-9)
        totalMessages += tally.totalMessages
        totalBytes += tally.totalBytes
        let entries = tally.entries
        let line =
            json
            ? jsonLine(seconds: seconds, entries: entries, final: final)
            : tableLines(seconds: seconds, entries: entries, final: final)
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
        tally.reset()
        intervalStart = now
    }

    /// Prints the last, partial interval.
    mutating func finish() {
        emit(until: clock.now, final: true)
    }

    private func jsonLine(seconds: Double, entries: [TopicTally.Entry], final: Bool) -> String {
        var topics: [String] = []
        for entry in entries {
            topics.append(
                "\(jsonString(entry.key)):{\"messages\":\(entry.messages),\"bytes\":\(entry.bytes)}")
        }
        var fields = [
            "\"time\":\(jsonString(Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(Date())))",
            "\"interval_seconds\":\(decimal(seconds, places: 3))",
            "\"messages\":\(tally.totalMessages)",
            "\"bytes\":\(tally.totalBytes)",
            "\"messages_per_second\":\(decimal(Double(tally.totalMessages) / seconds, places: 1))",
            "\"bytes_per_second\":\(decimal(Double(tally.totalBytes) / seconds, places: 1))",
            "\"total_messages\":\(totalMessages)",
            "\"total_bytes\":\(totalBytes)",
            "\"topics\":{\(topics.joined(separator: ","))}",
        ]
        if final { fields.append("\"final\":true") }
        return "{" + fields.joined(separator: ",") + "}"
    }

    private func tableLines(seconds: Double, entries: [TopicTally.Entry], final: Bool) -> String {
        let time = Date().formatted(.iso8601.time(includingFractionalSeconds: false))
        let width = min(40, entries.map(\.key.count).max() ?? 0)
        var lines = [
            "\(time)  \(rate(Double(tally.totalMessages) / seconds, "msg/s"))  "
                + "\(byteRate(Double(tally.totalBytes) / seconds))  "
                + "total \(grouped(totalMessages)) msg, \(byteSize(Double(totalBytes)))"
                + (final ? "  (final \(decimal(seconds, places: 1)) s)" : "")
        ]
        for entry in entries.prefix(maximumTableRows) {
            let key = entry.key.isEmpty ? "(empty)" : entry.key
            lines.append(
                "  \(key.padding(toLength: max(width, 7), withPad: " ", startingAt: 0))  "
                    + "\(rate(Double(entry.messages) / seconds, "msg/s"))  \(byteRate(Double(entry.bytes) / seconds))"
            )
        }
        if entries.count > maximumTableRows {
            lines.append("  ... and \(entries.count - maximumTableRows) more")
        }
        return lines.joined(separator: "\n")
    }
}

/// `value` with a fixed number of decimal places, no grouping (for JSON).
private func decimal(_ value: Double, places: Int) -> String {
    String(format: "%.\(places)f", value)
}

/// An integer with thousands separators: 1,234,567.
private func grouped(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var result = ""
    for (offset, digit) in digits.enumerated() {
        if offset > 0 && (digits.count - offset) % 3 == 0 { result.append(",") }
        result.append(digit)
    }
    return (value < 0 ? "-" : "") + result
}

/// A right-aligned rate: "  1,234,567 msg/s".
private func rate(_ value: Double, _ unit: String) -> String {
    let text = grouped(Int(value.rounded()))
    return String(repeating: " ", count: max(0, 11 - text.count)) + text + " " + unit
}

/// A byte count in decimal units: 1.5 MB.
private func byteSize(_ bytes: Double) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"]
    var value = bytes
    var unit = 0
    while value >= 1000 && unit < units.count - 1 {
        value /= 1000
        unit += 1
    }
    return unit == 0 ? "\(Int(value)) B" : String(format: "%.1f %@", value, units[unit])
}

/// A right-aligned byte rate: "  74.1 MB/s".
private func byteRate(_ bytesPerSecond: Double) -> String {
    let text = byteSize(bytesPerSecond) + "/s"
    return String(repeating: " ", count: max(0, 11 - text.count)) + text
}

/// `text` as a JSON string literal (also used by `export --foxglove`).
func jsonString(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\r": result += "\\r"
        case "\t": result += "\\t"
        case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
        default: result.unicodeScalars.append(scalar)
        }
    }
    return result + "\""
}
