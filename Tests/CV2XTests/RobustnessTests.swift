import CV2X
import Testing
import UPER

/// Bad input: truncated and corrupted frames give errors with bit offsets, never a crash.
@Suite("CV2X bad input")
struct RobustnessTests {
    @Test(
        "every truncation of every fixture frame is an error inside the data", arguments: CV2XSchema.allCases)
    func truncatedFrames(schema: CV2XSchema) throws {
        for frame in try loadFixture(schema.rawValue)
            + (schema == .csae53_2020 ? try loadFixture("examples") : [])
        {
            let bytes = frame.bytes
            for length in 0..<bytes.count {
                let prefix = Array(bytes[0..<length])
                do {
                    _ = try CV2XFrame(uper: prefix, schema: schema)
                    Issue.record("\(frame.label): truncated to \(length) bytes decoded")
                } catch {
                    #expect(error.bitOffset >= 0 && error.bitOffset <= length * 8)
                    #expect(error.path.first == "MessageFrame")
                    if case .endOfData = error.reason {
                    } else if length > 0 {
                        // A truncation can also surface as a length/index check failing first.
                        #expect(!error.description.isEmpty)
                    }
                }
            }
        }
    }

    @Test("corrupted bytes decode to an error or a value that re-encodes", arguments: CV2XSchema.allCases)
    func corruptedFrames(schema: CV2XSchema) throws {
        var generator = SplitMix64(seed: 0xC0FFEE)
        for frame in try loadFixture(schema.rawValue) {
            for _ in 0..<40 {
                var bytes = frame.bytes
                let flips = Int(generator.next() % 3) + 1
                for _ in 0..<flips {
                    let index = Int(generator.next() % UInt64(bytes.count))
                    bytes[index] ^= UInt8(truncatingIfNeeded: generator.next() | 1)
                }
                do {
                    let decoded = try CV2XFrame(uper: bytes, schema: schema)
                    _ = decoded.jer
                    // A value that decodes is valid: it must encode and decode to itself.
                    let again = try CV2XFrame(uper: try decoded.uperEncoded(), schema: schema)
                    #expect(again == decoded)
                } catch {
                    #expect(error.bitOffset >= 0 && error.bitOffset <= bytes.count * 8)
                }
            }
        }
    }

    @Test("an out-of-range latitude names its field and bit offset")
    func outOfRangeLatitude() throws {
        // BSM with mandatory fields only; `pos.lat` starts at bit 100 (CHOICE ext + index 4,
        // BSM preamble 8, msgCnt 7, id 64, secMark 16, Position3D preamble 1).
        var bytes = hexBytes("000229488b498606060634add9094f0816705ca3e205a856c7081fcdf31fe01dc00b91e00280")
        for bit in 100..<131 {
            bytes[bit / 8] |= 0x80 >> UInt8(bit % 8)
        }
        #expect {
            _ = try CSAE53_2020.MessageFrame(uper: bytes)
        } throws: { error in
            guard let error = error as? UPERError else { return false }
            return error.pathString == "MessageFrame.bsmFrame.pos.lat" && error.bitOffset == 100
                && error.reason
                    == .valueOutOfRange(value: 1_247_483_647, lower: -900_000_000, upper: 900_000_001)
        }
    }

    @Test("trailing octets after a frame are an error")
    func trailingData() throws {
        let bytes =
            hexBytes("000229488b498606060634add9094f0816705ca3e205a856c7081fcdf31fe01dc00b91e00280") + [0, 0]
        #expect(throws: UPERError.self) { try CSAE53_2020.MessageFrame(uper: bytes) }
    }

    @Test("encoding a value outside its constraint fails with the field path")
    func encoderChecksConstraints() throws {
        let bytes = hexBytes("000229488b498606060634add9094f0816705ca3e205a856c7081fcdf31fe01dc00b91e00280")
        guard case .bsmFrame(var bsm) = try CSAE53_2020.MessageFrame(uper: bytes) else {
            Issue.record("not a BSM")
            return
        }
        bsm.speed = 9000
        #expect {
            _ = try CSAE53_2020.MessageFrame.bsmFrame(bsm).uperEncoded()
        } throws: { error in
            (error as? UPERError)?.pathString == "MessageFrame.bsmFrame.speed"
        }
    }
}

/// Deterministic pseudo-random numbers for the corruption test.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
