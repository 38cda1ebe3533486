// Decode loop for Tools/bench/cv2x-instructions.sh: decodes csae53-2020 MessageFrames N times
// (argument, default 1,000,000) and prints wall-clock ns per frame. The frame is the 51-byte
// typical BSM, or the hex in the environment variable FRAME_HEX; several frames separated by
// commas are decoded in turn (decode i takes frame i mod count: a mixed stream). REUSE=1 decodes
// every frame with one `MessageFrameDecoder` (into the values it keeps), the way the pipeline does;
// the warm-up round that fills it counts in the start-up, not in the loop.
import CV2X
import Foundation
import UPER

let hexes =
    (ProcessInfo.processInfo.environment["FRAME_HEX"]
    ?? "07e229488b498606060634adc664253c2059c1728f8816940f17706a50ad8e103dfad7f37cc7f8077fe82a59723c0790a40808")
    .split(separator: ",")
let inputs: [UnsafeRawBufferPointer] = hexes.map { hex in
    var frame: [UInt8] = []
    var hi: UInt8? = nil
    for c in hex.utf8 {
        let v: UInt8 = c <= 57 ? c - 48 : (c | 0x20) - 87
        if let h = hi {
            frame.append(h << 4 | v)
            hi = nil
        } else {
            hi = v
        }
    }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: frame.count, alignment: 8)
    frame.withUnsafeBytes { buffer.copyMemory(from: $0) }
    return UnsafeRawBufferPointer(buffer)
}
let n = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1])! : 1_000_000
@inline(never) func sink<T>(_ x: T) { withExtendedLifetime(x) {} }
let clock = ContinuousClock()
var t0 = clock.now
if ProcessInfo.processInfo.environment["REUSE"] == "1" {
    // Decode into the values one decoder keeps, as the pipeline does (list storage is reused).
    var decoder = CSAE53_2020.MessageFrameDecoder()
    for input in inputs { try! decoder.decode(uper: input) }
    t0 = clock.now
    for i in 0..<n {
        try! decoder.decode(uper: inputs[i % inputs.count])
        sink(decoder.alternative)
    }
} else {
    for i in 0..<n { sink(try! CSAE53_2020.MessageFrame(uper: inputs[i % inputs.count])) }
}
let d = clock.now - t0
let ns = Double(d.components.attoseconds) / 1e9 + Double(d.components.seconds) * 1e9
print("ns/frame", ns / Double(n))
