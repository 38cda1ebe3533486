// Decode speed of CSAE 53 (2020) MessageFrames with the generated codec: ns per frame and
// allocations, for a fresh value per frame (`MessageFrame(uper:)`) and for decoding into a kept
// value (`MessageFrameDecoder.decode(uper:)`, the streaming path). Frames: the example frames of
// ../shared/reference/README.md (BSM mandatory 38 B, BSM typical 51 B, SPAT 54 B), then every frame
// of Tools/bench/cv2x-frames.hex (made with asn1tools by Tools/bench/make-cv2x-frames.py: RSM with 5
// participants, MAP with 4 nodes, and frames shaped like roadside-unit traffic: BSMs with path
// histories of 1, 4 and 15 points, SPAT 8 phases x 3 states, MAP 4 links x 3 lanes, RSM with 1 and
// 10 participants, RSI with an alert path). Tools/bench/cv2x.sh feeds the same file to the asn1c
// reference decoder. "CV2X decode in place mix" decodes all of them in turn with one decoder, the
// way an RSU's mixed traffic arrives.

import Benchmark
import CV2X
import Foundation

/// The benchmark frames: (name, hex). Names match Tools/bench/asn1c_bench.c / cv2x-frames.hex.
let frames: [(String, String)] =
    [
        ("bsm-mandatory-38B", "000229488b498606060634add9094f0816705ca3e205a856c7081fcdf31fe01dc00b91e00280"),
        (
            "bsm-typical-51B",
            "07e229488b498606060634adc664253c2059c1728f8816940f17706a50ad8e103dfad7f37cc7f8077fe82a59723c0790a40808"
        ),
        (
            "spat-4-phases-54B",
            "3612ea6014adc028000860e810052b7180826020000014002580408c080000055009601823020000016802580808c08000005f009600"
        ),
    ] + framesFile()

/// The frames of Tools/bench/cv2x-frames.hex ("name hex" lines, '#' comments).
func framesFile() -> [(String, String)] {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../Tools/bench/cv2x-frames.hex").standardized.path
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        fatalError("cannot read \(path)")
    }
    return text.split(separator: "\n").compactMap { line in
        let parts = line.split(separator: " ")
        guard parts.count == 2, !line.hasPrefix("#") else { return nil }
        return (String(parts[0]), String(parts[1]))
    }
}

func bytes(fromHex hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var high: UInt8?
    for c in hex.utf8 {
        let v: UInt8 = c <= 57 ? c - 48 : (c | 0x20) - 87
        if let h = high {
            out.append(h << 4 | v)
            high = nil
        } else {
            high = v
        }
    }
    return out
}

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 1_000_000
    )
    for (name, hex) in frames {
        let frame = bytes(fromHex: hex)
        // The frame lives in one buffer for the whole run, as a received ZeroMQ message would.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: frame.count, alignment: 8)
        buffer.copyMemory(from: UnsafeRawBufferPointer(start: frame, count: frame.count))
        let input = UnsafeRawBufferPointer(buffer)
        precondition(
            (try? CSAE53_2020.MessageFrame(uper: input)) != nil, "benchmark frame \(name) does not decode")
        Benchmark("CV2X decode \(name)", configuration: configuration) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try CSAE53_2020.MessageFrame(uper: input))
            }
        }
        // The streaming path (the pipeline's CV2XFrameDecoder): each frame decoded into the value
        // the decoder keeps for its alternative, reusing the previous frame's lists' storage. The
        // decode is an opaque call into CV2X that writes the decoder, so it cannot be dropped.
        Benchmark("CV2X decode in place \(name)", configuration: configuration) { benchmark in
            var decoder = CSAE53_2020.MessageFrameDecoder()
            try decoder.decode(uper: input)  // the first frame allocates the lists the others reuse
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                try decoder.decode(uper: input)
                blackHole(decoder.alternative)
            }
            benchmark.stopMeasurement()
        }
    }
    // Every frame in turn into one decoder: the steady mixed traffic of a roadside unit.
    let inputs = frames.map { named -> UnsafeRawBufferPointer in
        let frame = bytes(fromHex: named.1)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: frame.count, alignment: 8)
        buffer.copyMemory(from: UnsafeRawBufferPointer(start: frame, count: frame.count))
        return UnsafeRawBufferPointer(buffer)
    }
    Benchmark("CV2X decode in place mix", configuration: configuration) { benchmark in
        var decoder = CSAE53_2020.MessageFrameDecoder()
        for input in inputs {  // one round first, so that every alternative holds its lists
            try decoder.decode(uper: input)
        }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            for input in inputs {
                try decoder.decode(uper: input)
                blackHole(decoder.alternative)
            }
        }
        benchmark.stopMeasurement()
    }
    let typical = bytes(fromHex: frames[1].1)
    let bsm = try? CSAE53_2020.MessageFrame(uper: typical)
    Benchmark("CV2X JER bsm-typical-51B", configuration: configuration) { benchmark in
        var writer = JERWriter(capacity: 2048)
        for _ in benchmark.scaledIterations {
            writer.reset()
            bsm?.writeJER(to: &writer)
            blackHole(writer.bytes.count)
        }
    }
}
