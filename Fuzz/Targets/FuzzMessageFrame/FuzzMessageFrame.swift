// libFuzzer target for C-V2X MessageFrame decoding: the input is one UPER frame, decoded with each
// CSAE 53 set (2020, 2019, 2017) and with auto-detection. A decode either succeeds or throws
// UPERError (never crashes); a decoded frame renders JER, re-encodes, decodes again to an equal
// value, and re-encodes to the same octets. Each input is also decoded in place
// (`CV2XFrameDecoder`): after a decode of its first half (a failed or different frame), and again
// into the value it left itself, the decoder having first decoded frames with long lists (kept
// boxes, spares of absent components, surplus list elements); both must give the same value, or
// the same error, as a fresh decode. (The decoder is local to the input: a value kept in a global at exit would show as a
// leak, since LeakSanitizer cannot follow the pointers Swift tags with enum cases.)

import CV2X
import UPER

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMessageFrame(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    let buffer = UnsafeRawBufferPointer(start: start, count: count)
    for schema in CV2XSchema.allCases {
        var stream = CV2XFrameDecoder()
        // Long frames first (path history of 15 points, MAP of 4 nodes, SPAT 8x3, RSM of 10, RSI),
        // so that the input decodes over kept boxes, spares and surplus list elements.
        for frame in primingFrames {
            frame.withUnsafeBytes { try? stream.decode(uper: $0, schema: schema) }
        }
        try? stream.decode(uper: UnsafeRawBufferPointer(rebasing: buffer.prefix(count / 2)), schema: schema)
        let frame: CV2XFrame
        do throws(UPERError) {
            frame = try CV2XFrame(uper: buffer, schema: schema)
        } catch {
            precondition(
                error.bitOffset >= 0 && error.bitOffset <= count * 8 + 8, "bit offset out of input: \(error)")
            _ = error.description
            do throws(UPERError) {
                try stream.decode(uper: buffer, schema: schema)
                fatalError("\(schema): decoded in place, but a fresh decode fails: \(error)")
            } catch let inPlaceError {
                precondition(inPlaceError == error, "\(schema): in place \(inPlaceError), fresh \(error)")
            }
            continue
        }
        check(frame, schema: schema)
        for round in 1...2 {
            do throws(UPERError) {
                try stream.decode(uper: buffer, schema: schema)
            } catch {
                fatalError(
                    "\(schema): decodes fresh but not in place (round \(round)): \(error)\n\(frame.jer)")
            }
            precondition(
                stream.frame(of: schema) == frame,
                "\(schema): decoded in place differs (round \(round))\n\(frame.jer)")
        }
    }
    if let frame = try? CV2XFrame(autoDetecting: buffer) { _ = frame.jer }
    return 0
}

/// csae53-2020 frames of Tools/bench/cv2x-frames.hex with long lists (decoded by every set first;
/// the other sets may reject them, which leaves their decoder after an error).
let primingFrames: [[UInt8]] = [
    "141ba9800d892a22db0c20002183a9094f0816705ca3e03c000430800a341057800b8310fa058308e1018000860f0085600815e8001c000430780202b0080af2000e0002183c0202624a88b6c318000860f242541fc59c17a5f80f00010c1d028d0415e002e0c43e8160c2384060002183e0215802057a000700010c1f0080ac0202bc80038000860f80809892a22db0ca0002183e90951f616705ca3e03c000430780a341057800b8310fa058308e101800086100085600815e8001c000430800202b0080af2000e000218400202624a88b6c338000861024254db459c17a5f80f00010c1f028d0415e002e0c43e8160c2384060002183a0215802057a000700010c1d0080ac0202bc80038000860e80808",
    "07e22000000002468acf1443866429f0cad9c65fa688168a078fa06650d04a8c3df8d7f37c47f8095fe82a59723c0790a178000569cb4f6a0f8f81f00318cf8f169da81e3e03e00c719c9ead38f83aba07c02563343e5a6d4071f00f8063c65e7eb4d120dcd81f00f98ca901698f81aba03e0257192a0ad2f9833b207c0576320425a5a8063e00f80c7c63686b4aba0c0b81f01c18c591169448173603e03e7188a2ad26382caa07c089630c465a47c055d00f812bc60e8eb48620a4981f02898c092168f9813b203e057717ea4ad1cd825a207c0bb62f84a7fff5a010",
    "360aeb5a05dc007800081f480103ad68177012e024982800000a55f01c2270a029402d17c07088c280b400c35f01c2011260a000002a97c07089c280a500b95f01c2230a02d003217c0708064982800000af5f01c2270a029402f97c07088c280b400cd5f01c2021260a000002d17c07089c280a500c35f01c2230a02d003497c07080a4982800000b95f01c2270a029403217c07088c280b400d75f01c2031260a000002f97c07089c280a500cd5f01c2230a02d003717c07080e4982800000c35f01c2270a029403497c07088c280b400e15f01c2041260a000003217c07089c280a500d75f01c2230a02d003997c07080",
    "2095253553030303031c853e195b38cbf4d102d92e200c8f4438087a90f8841900001a27da7d07f7fff1683840517200657a21c04624f6c420d083e8d13ed3e83fbfff83c0b4028b980333d10e0243ab2e2106c83e8689f69f41fdfffc1e05a0145c4019de887012b17531083862ee344fb4fa0fefffe2d07080a2e400d0f443809a2c878841d41f41a27da7d07f7fff0781680517300697a21c04f66b2c420f29388d13ed3e83fbfff83c0b4028b880353d10e028db90e2107d8bb8689f69f41fdfffc5a0e10145c801ade88701501e4310840e6d6344fb4fa0fefffe0f02d00a2e600d8f44380acafff8842183e81a27da7d07f7fff07816805171006d7a21c058a86ec42114a328d13ed3e83fbfff8b41c20280",
    "4618eb5a0a4a6aa606060606390a7c32b67197e9a205a1ba0203eaa090eaca00659d6b19d6bbb8010106106012255ac13e9af815ae04417725901936adc00a2580",
].map { hex in
    let digits = Array(hex.utf8).map { $0 <= 57 ? $0 - 48 : ($0 | 0x20) - 87 }
    return stride(from: 0, to: digits.count, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
}

/// Round trip of a decoded frame: encode, decode, compare; the encoding is stable.
func check(_ frame: CV2XFrame, schema: CV2XSchema) {
    _ = frame.jer
    let encoded: [UInt8]
    do throws(UPERError) {
        encoded = try frame.uperEncoded()
    } catch {
        fatalError("\(schema): decoded frame does not encode: \(error)\n\(frame.jer)")
    }
    let again: CV2XFrame
    do throws(UPERError) {
        again = try CV2XFrame(uper: encoded, schema: schema)
    } catch {
        fatalError("\(schema): re-encoded frame does not decode: \(error)\n\(frame.jer)")
    }
    precondition(again == frame, "\(schema): round trip changed the frame\n\(frame.jer)\n\(again.jer)")
    do throws(UPERError) {
        let twice = try again.uperEncoded()
        precondition(twice == encoded, "\(schema): encoding not stable")
    } catch {
        fatalError("\(schema): second encoding failed: \(error)")
    }
}
