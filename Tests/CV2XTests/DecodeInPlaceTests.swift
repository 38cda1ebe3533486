import CV2X
import Testing
import UPER

/// `decode(uper:)` into one reused value (the streaming path) must give exactly what a fresh
/// decode gives, whatever the value held before: another alternative, longer or shorter lists,
/// or the leftovers of a failed decode.
@Suite("CV2X decoding in place")
struct DecodeInPlaceTests {
    /// Decodes `frames` one after the other into one value of set `Frame` and compares each with
    /// a fresh decode (JER and re-encoding).
    func checkReuse<Frame: JERRenderable & UPEREncodable>(
        _ frames: [FixtureFrame],
        fresh: ([UInt8]) throws -> Frame, into: (inout Frame, [UInt8]) throws -> Void,
        start: Frame
    ) throws {
        var reused = start
        for frame in frames {
            try into(&reused, frame.bytes)
            let expected = try fresh(frame.bytes)
            #expect(reused.jer == expected.jer, "\(frame.label) \(frame.hex)")
            #expect(reused.jer == frame.jer, "\(frame.label)")
        }
    }

    /// The fixture frames in an order that switches alternatives and list lengths: as committed,
    /// reversed, and each frame twice in a row.
    func orders(_ frames: [FixtureFrame]) -> [FixtureFrame] {
        frames + frames.reversed() + frames.flatMap { [$0, $0] }
    }

    @Test("2020: reused value equals fresh decode for every fixture order")
    func reuse2020() throws {
        let frames = orders(try loadFixture("csae53-2020") + loadFixture("examples"))
        let first = try CSAE53_2020.MessageFrame(uper: frames[0].bytes)
        try checkReuse(
            frames,
            fresh: { try CSAE53_2020.MessageFrame(uper: $0) },
            into: { value, bytes in try bytes.withUnsafeBytes { try value.decode(uper: $0) } },
            start: first)
    }

    @Test("2019: reused value equals fresh decode")
    func reuse2019() throws {
        let frames = orders(try loadFixture("csae53-2019"))
        try checkReuse(
            frames,
            fresh: { try CSAE53_2019.MessageFrame(uper: $0) },
            into: { value, bytes in try bytes.withUnsafeBytes { try value.decode(uper: $0) } },
            start: try CSAE53_2019.MessageFrame(uper: frames[0].bytes))
    }

    @Test("2017: reused value equals fresh decode")
    func reuse2017() throws {
        let frames = orders(try loadFixture("csae53-2017"))
        try checkReuse(
            frames,
            fresh: { try CSAE53_2017.MessageFrame(uper: $0) },
            into: { value, bytes in try bytes.withUnsafeBytes { try value.decode(uper: $0) } },
            start: try CSAE53_2017.MessageFrame(uper: frames[0].bytes))
    }

    @Test("after a failed decode the next frame decodes correctly; the error is the fresh one")
    func reuseAfterError() throws {
        let frames = try loadFixture("csae53-2020")
        let longest = try #require(frames.max { $0.bytes.count < $1.bytes.count })
        var value = try CSAE53_2020.MessageFrame(uper: longest.bytes)
        for frame in frames {
            // Truncated in the middle: fails part-way through the lists.
            let truncated = Array(frame.bytes.prefix(frame.bytes.count / 2))
            var freshError: UPERError?
            do { _ = try CSAE53_2020.MessageFrame(uper: truncated) } catch { freshError = error }
            var reusedError: UPERError?
            do {
                try truncated.withUnsafeBytes { try value.decode(uper: $0) }
            } catch {
                reusedError = error as? UPERError
            }
            #expect(reusedError == freshError, "\(frame.label)")
            try frame.bytes.withUnsafeBytes { try value.decode(uper: $0) }
            #expect(value.jer == frame.jer, "\(frame.label)")
        }
    }

    @Test("a list that shrinks and grows again keeps only the decoded elements")
    func listsShrinkAndGrow() throws {
        let maps = try loadFixture("csae53-2020").filter { $0.label == "mapFrame" }
        #expect(maps.count >= 2)
        let bySize = maps.sorted { $0.bytes.count > $1.bytes.count }
        var value = try CSAE53_2020.MessageFrame(uper: bySize[0].bytes)
        for frame in bySize.reversed() + bySize {
            try frame.bytes.withUnsafeBytes { try value.decode(uper: $0) }
            #expect(value == (try CSAE53_2020.MessageFrame(uper: frame.bytes)))
        }
    }
}
