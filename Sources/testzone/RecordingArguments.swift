import ArgumentParser
import Foundation
import Recording
import Synchronization

/// Command-line values shared by `record`, `replay` and `inspect`.
enum RecordingArguments {
    /// A duration such as `30s`, `10m`, `1h30m`, `250ms` or a plain number of seconds (`12.5`).
    struct Span: ExpressibleByArgument, Sendable, Equatable {
        var nanoseconds: UInt64

        init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

        init?(argument: String) {
            guard let ns = Span.parse(argument) else { return nil }
            nanoseconds = ns
        }

        var duration: Duration { .nanoseconds(Int64(clamping: nanoseconds)) }

        /// In seconds.
        var seconds: Double { Double(nanoseconds) / 1e9 }

        /// In `--help`: the shortest whole unit that this parser reads back (`30s`, `5m`, `250ms`).
        var defaultValueDescription: String {
            let units: [(String, UInt64)] = [
                ("h", 3_600_000_000_000), ("m", 60_000_000_000), ("s", 1_000_000_000), ("ms", 1_000_000),
                ("us", 1000),
            ]
            for (name, size) in units where nanoseconds >= size && nanoseconds % size == 0 {
                return "\(nanoseconds / size)\(name)"
            }
            return nanoseconds == 0 ? "0s" : "\(nanoseconds)ns"
        }

        static func parse(_ text: String) -> UInt64? {
            let s = text.trimmingCharacters(in: .whitespaces).lowercased()
            if let seconds = Double(s), seconds >= 0, seconds.isFinite { return UInt64(seconds * 1e9) }
            let units: [(String, Double)] = [
                ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
                ("d", 86400e9),
            ]
            var total = 0.0
            var rest = Substring(s)
            guard !rest.isEmpty else { return nil }
            while !rest.isEmpty {
                let number = rest.prefix { $0.isNumber || $0 == "." }
                guard let value = Double(number), !number.isEmpty else { return nil }
                rest = rest.dropFirst(number.count)
                let unitText = rest.prefix { !($0.isNumber || $0 == ".") }
                guard let unit = units.first(where: { $0.0 == unitText }) else { return nil }
                rest = rest.dropFirst(unitText.count)
                total += value * unit.1
            }
            return total.isFinite && total < 1.8e19 ? UInt64(total) : nil
        }
    }

    /// A byte size such as `100MB`, `1.5GiB`, `512k` or a plain number of bytes. K/M/G/T are
    /// decimal (1000), Ki/Mi/Gi/Ti binary (1024); a trailing `B` is optional.
    struct ByteSize: ExpressibleByArgument, Sendable, Equatable {
        var bytes: UInt64

        init(bytes: UInt64) { self.bytes = bytes }

        /// In `--help`: the largest whole unit (`1MiB`, `500MB`, `4096B`).
        var defaultValueDescription: String {
            let units: [(String, UInt64)] = [
                ("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10),
                ("TB", 1_000_000_000_000),
                ("GB", 1_000_000_000), ("MB", 1_000_000), ("kB", 1000),
            ]
            for (name, size) in units where bytes >= size && bytes % size == 0 {
                return "\(bytes / size)\(name)"
            }
            return "\(bytes)B"
        }

        init?(argument: String) {
            var s = argument.trimmingCharacters(in: .whitespaces).lowercased()
            if s.hasSuffix("b") { s.removeLast() }
            let factors: [(String, Double)] = [
                ("ki", 1024), ("mi", 1_048_576), ("gi", 1_073_741_824), ("ti", 1_099_511_627_776),
                ("k", 1e3), ("m", 1e6), ("g", 1e9), ("t", 1e12),
            ]
            var factor = 1.0
            for (suffix, value) in factors where s.hasSuffix(suffix) {
                factor = value
                s.removeLast(suffix.count)
                break
            }
            guard let number = Double(s.trimmingCharacters(in: .whitespaces)), number >= 0, number.isFinite,
                number * factor < 1.8e19
            else { return nil }
            bytes = UInt64(number * factor)
        }
    }

    /// A point in a recording: an ISO 8601 time (`2025-11-29T08:00:00Z`, fractions and offsets
    /// allowed) or an offset from the recording's start (`90`, `12.5`, `2m30s`).
    enum TimePoint: ExpressibleByArgument, Sendable, Equatable {
        case absolute(nanoseconds: UInt64)
        case offset(nanoseconds: UInt64)

        init?(argument: String) {
            if let offset = Span.parse(argument) {
                self = .offset(nanoseconds: offset)
            } else if let time = RecordingArguments.parseISO8601(argument) {
                self = .absolute(nanoseconds: time)
            } else {
                return nil
            }
        }

        /// The time in ns since the epoch, given the recording's start.
        func resolve(start: UInt64) -> UInt64 {
            switch self {
            case .absolute(let ns): return ns
            case .offset(let ns): return start &+ ns
            }
        }
    }

    static func parseISO8601(_ text: String) -> UInt64? {
        let plain = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = fractional.date(from: text) ?? plain.date(from: text) else { return nil }
        let seconds = date.timeIntervalSince1970
        return seconds >= 0 ? UInt64((seconds * 1e6).rounded()) * 1_000 : nil
    }

    /// `2025-11-29T08:00:00.123456789Z`
    static func formatTime(_ ns: UInt64) -> String {
        let seconds = ns / 1_000_000_000
        let fraction = ns % 1_000_000_000
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [
            .withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate,
        ]
        formatter.timeZone = TimeZone(identifier: "UTC")
        let base = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        let digits = String(fraction)
        return base + "." + String(repeating: "0", count: 9 - digits.count) + digits + "Z"
    }

    /// `1h02m03.5s`, `12.345s`, `850ms`
    static func formatSpan(_ ns: UInt64) -> String {
        let seconds = Double(ns) / 1e9
        if seconds < 1 { return String(format: "%.0fms", seconds * 1000) }
        if seconds < 60 { return String(format: "%.3fs", seconds) }
        let whole = Int(seconds)
        let h = whole / 3600
        let m = (whole % 3600) / 60
        let s = seconds - Double(h * 3600 + m * 60)
        return h > 0 ? String(format: "%dh%02dm%04.1fs", h, m, s) : String(format: "%dm%04.1fs", m, s)
    }

    /// `1.23 MB`, `512 B` (decimal units)
    static func formatBytes(_ bytes: UInt64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.2f %@", value, units[unit])
    }

    /// `12,345,678`
    static func formatCount<T: BinaryInteger>(_ n: T) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }

    /// The value of `--compression`.
    static func compression(_ name: String) throws -> MCAPCompression {
        guard let compression = MCAPCompression(name: name) else {
            throw ValidationError("--compression must be zstd, lz4 or none (got \(name))")
        }
        return compression
    }
}

extension Duration {
    /// In seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// SIGINT/SIGTERM as a flag that long-running commands poll (set by the signal handler).
enum StopSignal {
    private static let flag = Atomic<Bool>(false)

    /// Installs the handlers (the first signal asks for a clean stop; the flag is polled).
    static func install() {
        signal(SIGINT, stopSignalHandler)
        signal(SIGTERM, stopSignalHandler)
        signal(SIGPIPE, SIG_IGN)
    }

    static var requested: Bool { flag.load(ordering: .relaxed) }

    static func request() { flag.store(true, ordering: .relaxed) }
}

/// The C signal handler (a plain function outside main.swift, so not main-actor isolated).
private func stopSignalHandler(_: Int32) {
    StopSignal.request()
}

/// Writes to standard error (progress lines and warnings).
enum StandardError {
    static let isTerminal = isatty(2) != 0

    static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func line(_ text: String) { write(text + "\n") }
}
