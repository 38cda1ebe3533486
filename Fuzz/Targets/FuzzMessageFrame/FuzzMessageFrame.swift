// libFuzzer target for C-V2X MessageFrame decoding: the input is one UPER frame, decoded with each
// CSAE 53 set (2020, 2019, 2017) and with auto-detection. A decode either succeeds or throws
// UPERError (never crashes); a decoded frame renders JER, re-encodes, decodes again to an equal
// value, and re-encodes to the same octets. Each input is also decoded in place
// (`CV2XFrameDecoder`): after a decode of its first half (a failed or different frame), and again
// into the value it left itself; both must give the same value, or the same error, as a fresh
// decode. (The decoder is local to the input: a value kept in a global at exit would show as a
// leak, since LeakSanitizer cannot follow the pointers Swift tags with enum cases.)

import CV2X
import UPER

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMessageFrame(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    let buffer = UnsafeRawBufferPointer(start: start, count: count)
    for schema in CV2XSchema.allCases {
        var stream = CV2XFrameDecoder()
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
