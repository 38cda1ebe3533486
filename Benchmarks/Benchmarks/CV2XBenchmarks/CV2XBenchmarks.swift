// Decode speed of CSAE 53 (2020) MessageFrames with the generated codec: ns per frame and
// allocations, for a fresh value per frame (`MessageFrame(uper:)`) and for decoding into a kept
// value (`decode(uper:)`, the streaming path). Frames: the example frames of
// ../shared/reference/README.md (BSM mandatory 38 B, BSM typical 51 B, SPAT 54 B), an RSM with 5
// participants and a MAP with 4 nodes (made with asn1tools from the reference modules; the same hex
// is in Tools/bench/cv2x-frames.hex, which Tools/bench/cv2x.sh also feeds to the asn1c reference
// decoder).

import Benchmark
import CV2X

/// The benchmark frames: (name, hex). Names match Tools/bench/asn1c_bench.c / cv2x-frames.hex.
let frames: [(String, String)] = [
    ("bsm-mandatory-38B", "000229488b498606060634add9094f0816705ca3e205a856c7081fcdf31fe01dc00b91e00280"),
    (
        "bsm-typical-51B",
        "07e229488b498606060634adc664253c2059c1728f8816940f17706a50ad8e103dfad7f37cc7f8077fe82a59723c0790a40808"
    ),
    (
        "spat-4-phases-54B",
        "3612ea6014adc028000860e810052b7180826020000014002580408c080000055009601823020000016802580808c08000005f009600"
    ),
    (
        "rsm-5-participants-139B",
        "2055253553030303037c84a7840b382e51f102d446200c869488b498606060654adc4ed40f44890961c207e47d07f7fff968398780a0"
            + "0400cad4adc4f6a0fa8890af1c8496839878118033252b71400040322432073a1f91f41fdfffe5a0e61e00200cef4adc509610708"
            + "90e11d4c96839878108034152b7144b04352243e876c1f91f41fdfffe5a0e61e0"
    ),
    (
        "map-4-nodes-274B",
        "141ba9800d892a22db0c20002183a9094f0816705ca3e03c000430800a341057800b8310fa058308e1018000860f0085600815e800"
            + "1c000430780202b0080af2000e0002183c0202624a88b6c318000860f242541fc59c17a5f80f00010c1d028d0415e002e0c43e81"
            + "60c2384060002183e0215802057a000700010c1f0080ac0202bc80038000860f80809892a22db0ca0002183e90951f616705ca3"
            + "e03c000430780a341057800b8310fa058308e101800086100085600815e8001c000430800202b0080af2000e000218400202624a"
            + "88b6c338000861024254db459c17a5f80f00010c1f028d0415e002e0c43e8160c2384060002183a0215802057a000700010c1d00"
            + "80ac0202bc80038000860e80808"
    ),
]

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
            for _ in benchmark.scaledIterations {
                try decoder.decode(uper: input)
                blackHole(decoder.alternative)
            }
        }
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
