// MCAP write and read throughput: a 1,000,000-message recording of 50-byte payloads (C-V2X-like
// frames from 100 sources on 10 topics, 100 µs apart), per compression. Each iteration writes or
// reads the whole recording, so wall clock is ms per 1,000,000 messages: messages/s = 1e9 / ms,
// MB/s of payload = 50,000 / ms; mallocs are per recording.
//
//   cd Benchmarks && swift package --disable-sandbox benchmark --target RecordingBenchmarks
//
// Besides TestZone's own layout (chunks, every index, full summary) per compression, the reads
// run on the other layouts the MCAP specification allows (issue 17), per compression: no Message
// Index records, no Chunk Index records, no Statistics, a summary with only the channels (none
// of the three), no summary; and messages outside chunks with and without a summary.

import Benchmark
import Foundation
import Recording

let messageCount = 1_000_000
let payloadSize = 50

/// 50-byte payloads: a per-source template (stable header/identity bytes) with a counter, a
/// timestamp and position bytes that change from frame to frame, as BSMs do.
func makePayloads() -> [[UInt8]] {
    var state: UInt64 = 42
    func random() -> UInt8 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return UInt8(truncatingIfNeeded: state >> 33)
    }
    let templates = (0..<100).map { _ in (0..<payloadSize).map { _ in random() } }
    return (0..<1_000).map { i in
        var p = templates[i % 100]
        p[2] = UInt8(truncatingIfNeeded: i)
        for k in 8..<16 { p[k] = random() }  // time and position
        return p
    }
}

let payloads = makePayloads()
let topics = (0..<10).map { "cv2x/RSU-\(1000 + $0)" }
let baseTime: UInt64 = 1_764_400_000_000_000_000

func writeRecording(
    to path: String, compression: MCAPCompression, chunked: Bool = true,
    parts: MCAPWriter.OptionalParts = .all
) throws {
    let writer = try MCAPWriter(
        path: path, options: .init(compression: compression, chunked: chunked, parts: parts))
    let channels = try topics.map { try writer.addChannel(topic: $0, messageEncoding: "cv2x-uper") }
    try writer.addMetadata(MCAPMetadata(name: "testzone", entries: ["zone": "bench", "version": "0"]))
    for i in 0..<messageCount {
        let t = baseTime + UInt64(i) * 100_000
        try payloads[i % payloads.count].withUnsafeBytes { payload in
            try writer.write(
                channelID: channels[i % channels.count], sequence: UInt32(truncatingIfNeeded: i), logTime: t,
                publishTime: t, payload: payload)
        }
    }
    try writer.finish()
}

func scratchPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("testzone-bench-\(getpid())-\(name).mcap")
        .path
}

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .milliseconds,
        scalingFactor: .one,
        maxDuration: .seconds(10),
        maxIterations: 10
    )

    for compression in MCAPCompression.allCases {
        let path = scratchPath("write-\(compression)")
        Benchmark("MCAP write 1M x 50 B \(compression)", configuration: configuration) { benchmark in
            try writeRecording(to: path, compression: compression)  // one recording per iteration
            benchmark.stopMeasurement()
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            try? FileManager.default.removeItem(atPath: path)
            FileHandle.standardError.write(Data("file size \(compression): \(size) bytes\n".utf8))
        }
    }

    // Reads in both orders ("file order" streams, "log-time order" is the indexed read) of every
    // layout that changes how the reader plans: per compression, TestZone's own layout (every
    // optional part; the original names), then without Message Index records, without Chunk Index
    // records, without Statistics, with a summary holding only the channels and schemas, and with
    // no summary; messages outside chunks with and without a summary. Both orders read the same
    // file: each benchmark's setup writes it, its teardown removes it.
    let everyPart = MCAPWriter.OptionalParts.all
    let channelsOnly: MCAPWriter.OptionalParts = [.repeatedChannels, .repeatedSchemas]
    var layouts:
        [(name: String, compression: MCAPCompression, chunked: Bool, parts: MCAPWriter.OptionalParts)] =
            []
    for compression in MCAPCompression.allCases {
        layouts.append(("\(compression)", compression, true, everyPart))
        let variants: [(String, MCAPWriter.OptionalParts)] = [
            ("no message indexes", everyPart.subtracting(.messageIndexes)),
            ("no chunk indexes", everyPart.subtracting(.chunkIndexes)),
            ("no statistics", everyPart.subtracting(.statistics)),
            ("channels-only summary", channelsOnly),
            ("no summary", []),
        ]
        layouts += variants.map { layout in
            // The zstd variants that existed before keep their names (no compression in them).
            let keepsName =
                compression == .zstd && ["channels-only summary", "no summary"].contains(layout.0)
            return (keepsName ? layout.0 : "\(compression), \(layout.0)", compression, true, layout.1)
        }
    }
    layouts += [("unchunked", .none, false, everyPart), ("unchunked, no summary", .none, false, [])]

    for layout in layouts {
        let fileName = layout.name.replacingOccurrences(of: ", ", with: "-").replacingOccurrences(
            of: " ", with: "-")
        let path = scratchPath("read-\(fileName)")
        let setup: Benchmark.BenchmarkSetupHook = {
            try writeRecording(
                to: path, compression: layout.compression, chunked: layout.chunked, parts: layout.parts)
        }
        let teardown: Benchmark.BenchmarkTeardownHook = { try? FileManager.default.removeItem(atPath: path) }
        for (order, query) in [("file order", MCAPQuery(order: .file)), ("log-time order", MCAPQuery())] {
            Benchmark(
                "MCAP read \(order) 1M x 50 B \(layout.name)", configuration: configuration,
                closure: { _ in
                    let reader = try MCAPReader(path: path)
                    var bytes = 0
                    let warnings = reader.forEachMessage(query) { message, _ in
                        bytes &+= message.payload.count
                    }
                    blackHole(bytes)
                    precondition(bytes == messageCount * payloadSize && warnings.isEmpty)
                }, setup: setup, teardown: teardown)
        }
    }
}
