import Foundation
import Recording

/// A fresh temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "recording-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// A message the tests write and expect back.
struct SampleMessage: Equatable {
    var topic: String
    var sequence: UInt32
    var logTime: UInt64
    var publishTime: UInt64
    var data: [UInt8]
}

enum Samples {
    static let topics = ["cv2x/RSU-0001", "jt808/013800000001", "cv2x/OBU-0042"]
    static let encodings = ["cv2x-uper", "jt808", "cv2x-uper"]
    static let baseTime: UInt64 = 1_764_400_000_000_000_000

    /// Deterministic messages over three topics, with varied payload sizes (0...120 bytes) and
    /// log times that step back now and then (out of order within and across chunks).
    static func messages(count: Int, seed: UInt64 = 1) -> [SampleMessage] {
        var state = seed
        func random() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        return (0..<count).map { i in
            let topic = topics[Int(random() % 3)]
            let jitter = random() % 10 == 0 ? UInt64(3_000_000) : 0
            let logTime = baseTime + UInt64(i) * 1_000_000 - jitter
            let size = Int(random() % 121)
            let data = (0..<size).map { _ in UInt8(truncatingIfNeeded: random()) }
            return SampleMessage(
                topic: topic, sequence: UInt32(i), logTime: logTime, publishTime: logTime - 5_000, data: data)
        }
    }

    /// Writes `messages` with the TestZone conventions (one channel per topic, no schema).
    @discardableResult
    static func write(
        _ messages: [SampleMessage], to path: String, options: MCAPWriter.Options,
        finish: Bool = true, flushEvery: Int? = nil
    ) throws -> MCAPWriter {
        let writer = try MCAPWriter(path: path, options: options)
        var channelIDs: [String: UInt16] = [:]
        for (topic, encoding) in zip(topics, encodings) {
            channelIDs[topic] = try writer.addChannel(topic: topic, messageEncoding: encoding)
        }
        try writer.addMetadata(MCAPMetadata(name: "testzone", entries: ["zone": "test", "version": "0.1.0"]))
        for (i, message) in messages.enumerated() {
            try writer.write(
                channelID: channelIDs[message.topic]!, sequence: message.sequence, logTime: message.logTime,
                publishTime: message.publishTime, payload: message.data)
            if let flushEvery, (i + 1) % flushEvery == 0 { try writer.flush() }
        }
        if finish { try writer.finish() }
        return writer
    }

    /// Reads every message back as `SampleMessage`s (topics resolved through the cursor).
    static func read(_ reader: MCAPReader, _ query: MCAPQuery = MCAPQuery(order: .file)) -> (
        [SampleMessage], [MCAPWarning]
    ) {
        var result: [SampleMessage] = []
        let warnings = reader.forEachMessage(query) { message, cursor in
            result.append(
                SampleMessage(
                    topic: cursor.channel(message.channelID)?.topic ?? "?", sequence: message.sequence,
                    logTime: message.logTime, publishTime: message.publishTime, data: [UInt8](message.payload)
                ))
        }
        return (result, warnings)
    }

    /// Stable sort by log time (what a log-time-ordered read returns).
    static func logTimeOrdered(_ messages: [SampleMessage]) -> [SampleMessage] {
        messages.enumerated().sorted { a, b in
            a.element.logTime != b.element.logTime
                ? a.element.logTime < b.element.logTime : a.offset < b.offset
        }.map(\.element)
    }
}

/// The Python interpreter with the `mcap` package: `TESTZONE_PYTHON`, else `.venv/bin/python`
/// at the repository root (found by walking up from this file).
enum InteropPython {
    static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path),
                FileManager.default.fileExists(atPath: url.appendingPathComponent("Tools").path)
            {
                return url
            }
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    }()

    static let script = repositoryRoot.appendingPathComponent("Tools/mcap-interop/mcap_interop.py").path

    static let executable: String? = {
        var candidates: [String] = []
        if let env = ProcessInfo.processInfo.environment["TESTZONE_PYTHON"], !env.isEmpty {
            candidates.append(env)
        }
        candidates.append(repositoryRoot.appendingPathComponent(".venv/bin/python").path)
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            if (try? run(candidate, ["-c", "import mcap, zstandard, lz4"])) != nil { return candidate }
        }
        return nil
    }()

    static var available: Bool { executable != nil }

    /// Runs a program and returns its standard output; throws on a non-zero exit.
    @discardableResult
    static func run(_ program: String, _ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw InteropFailure(message: String(decoding: errorText, as: UTF8.self))
        }
        return data
    }

    static func helper(_ arguments: [String]) throws -> Data {
        guard let executable else { throw InteropFailure(message: "no Python with mcap") }
        return try run(executable, [script] + arguments)
    }
}

struct InteropFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

func hexString(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count * 2)
    for b in bytes {
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 0xF)])
    }
    return String(decoding: out, as: UTF8.self)
}
