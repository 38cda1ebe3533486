import CV2X
import Foundation
import Testing
import UPER

/// Decoding into kept values (the streaming path) must give exactly what a fresh decode gives,
/// whatever was kept before: another alternative, longer or shorter lists, or the leftovers of a
/// failed decode. Two paths: `MessageFrame.decode(uper:)` into one reused enum value, and the
/// generated `MessageFrameDecoder` of each set (through `CV2XFrameDecoder`).
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

    /// The fixture frames of `schema` (and, for 2020, the reference examples).
    func fixtures(_ schema: CV2XSchema) throws -> [FixtureFrame] {
        try loadFixture(schema.rawValue) + (schema == .csae53_2020 ? loadFixture("examples") : [])
    }

    @Test(
        "MessageFrameDecoder of each set gives the fresh frame in every fixture order",
        arguments: CV2XSchema.allCases)
    func frameDecoderMatchesFresh(schema: CV2XSchema) throws {
        var decoder = CV2XFrameDecoder()
        #expect(decoder.frame(of: schema) == nil)
        for frame in orders(try fixtures(schema)) {
            try frame.bytes.withUnsafeBytes { try decoder.decode(uper: $0, schema: schema) }
            let kept = try #require(decoder.frame(of: schema), "\(frame.label)")
            #expect(kept == (try CV2XFrame(uper: frame.bytes, schema: schema)), "\(frame.label) \(frame.hex)")
            #expect(kept.jer == frame.jer, "\(frame.label)")
        }
    }

    @Test("MessageFrameDecoder: the alternative's property holds the frame, read without a copy")
    func frameDecoderProperties() throws {
        var decoder = CSAE53_2020.MessageFrameDecoder()
        #expect(decoder.alternative == nil)
        for frame in try fixtures(.csae53_2020) {
            try frame.bytes.withUnsafeBytes { try decoder.decode(uper: $0) }
            switch try CSAE53_2020.MessageFrame(uper: frame.bytes) {
            case .bsmFrame(let m):
                #expect(decoder.alternative == .bsmFrame)
                #expect(decoder.bsmFrame == m)
            case .mapFrame(let m):
                #expect(decoder.alternative == .mapFrame)
                #expect(decoder.mapFrame == m)
            case .rsmFrame(let m):
                #expect(decoder.alternative == .rsmFrame)
                #expect(decoder.rsmFrame == m)
            case .spatFrame(let m):
                #expect(decoder.alternative == .spatFrame)
                #expect(decoder.spatFrame == m)
            case .rsiFrame(let m):
                #expect(decoder.alternative == .rsiFrame)
                #expect(decoder.rsiFrame == m)
            case .unknownExtension:
                Issue.record("fixture \(frame.label) is an unknown extension")
            }
        }
    }

    @Test(
        "MessageFrameDecoder: a failed decode throws the fresh error and leaves no alternative",
        arguments: CV2XSchema.allCases)
    func frameDecoderErrors(schema: CV2XSchema) throws {
        var decoder = CV2XFrameDecoder()
        for frame in try fixtures(schema) {
            try frame.bytes.withUnsafeBytes { try decoder.decode(uper: $0, schema: schema) }
            // Truncated part-way, and with a trailing octet: both fail, as a fresh decode does.
            for bad in [Array(frame.bytes.prefix(frame.bytes.count / 2)), frame.bytes + [0]] {
                var freshError: UPERError?
                do { _ = try CV2XFrame(uper: bad, schema: schema) } catch { freshError = error }
                var keptError: UPERError?
                do {
                    try bad.withUnsafeBytes { try decoder.decode(uper: $0, schema: schema) }
                } catch {
                    keptError = error as? UPERError
                }
                #expect(freshError != nil, "\(frame.label) \(bad.count) B")
                #expect(keptError == freshError, "\(frame.label) \(bad.count) B")
                #expect(decoder.frame(of: schema) == nil, "\(frame.label)")
            }
            try frame.bytes.withUnsafeBytes { try decoder.decode(uper: $0, schema: schema) }
            #expect(decoder.frame(of: schema)?.jer == frame.jer, "\(frame.label)")
        }
    }

    @Test("MessageFrameDecoder: an unknown extension alternative keeps its index and octets")
    func frameDecoderUnknownExtension() throws {
        var writer = UPERWriter()
        writer.writeBool(true)
        try writer.writeNormallySmallNonNegative(9)
        try writer.writeOpenTypeBytes([0xAB, 0xCD, 0x01])
        let bytes = writer.finish()
        var decoder = CSAE53_2017.MessageFrameDecoder()
        try bytes.withUnsafeBytes { try decoder.decode(uper: $0) }
        #expect(decoder.alternative == .unknownExtension)
        #expect(decoder.unknownExtension.index == 9)
        #expect(decoder.unknownExtension.bytes == [0xAB, 0xCD, 0x01])
        #expect(decoder.frame == .unknownExtension(index: 9, bytes: [0xAB, 0xCD, 0x01]))
    }

    /// The roadside-unit-like benchmark frames of Tools/bench/cv2x-frames.hex (BSMs with and
    /// without path histories of 1, 4 and 15 points, SPAT 8x3, two MAP shapes, RSM 1, 5 and 10,
    /// RSI with an alert path), with the reference examples: (name, bytes).
    func benchmarkFrames() throws -> [(String, [UInt8])] {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Tools/bench/cv2x-frames.hex").standardized.path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
        let file = lines.map { line -> (String, [UInt8]) in
            let parts = line.split(separator: " ")
            return (String(parts[0]), hexBytes(String(parts[1])))
        }
        return try loadFixture("examples").map { ($0.label, $0.bytes) } + file
    }

    @Test("MessageFrameDecoder: RSU-like frames in any order (kept boxes, spares, surplus list elements)")
    func benchmarkFramesInAnyOrder() throws {
        let frames = try benchmarkFrames()
        #expect(frames.count >= 13)
        var decoder = CSAE53_2020.MessageFrameDecoder()
        // As listed, reversed, each twice, and interleaved long/short: every path history length
        // after every other one and after none, MAP of 4 nodes after 1 node and back.
        let order =
            frames + frames.reversed() + frames.flatMap { [$0, $0] }
            + zip(frames, frames.reversed()).flatMap { [$0, $1] }
        for (name, bytes) in order {
            try bytes.withUnsafeBytes { try decoder.decode(uper: $0) }
            let fresh = try CSAE53_2020.MessageFrame(uper: bytes)
            let kept = try #require(decoder.frame, "\(name)")
            #expect(kept == fresh, "\(name)")
            #expect(kept.jer == fresh.jer, "\(name)")
            #expect(try kept.uperEncoded() == bytes, "\(name)")
        }
    }

    @Test("MessageFrameDecoder: a copy taken before the next frame keeps its own path history")
    func copiesAreNotOverwritten() throws {
        let frames = try benchmarkFrames()
        let path4 = try #require(frames.first { $0.0 == "bsm-path-4-102B" }?.1)
        let path15 = try #require(frames.first { $0.0 == "bsm-path-15-221B" }?.1)
        let mandatory = try #require(frames.first { $0.0.hasPrefix("BSM, mandatory") }?.1)
        var decoder = CSAE53_2020.MessageFrameDecoder()
        try path4.withUnsafeBytes { try decoder.decode(uper: $0) }
        let copy = try #require(decoder.frame)
        let bsm = decoder.bsmFrame
        try path15.withUnsafeBytes { try decoder.decode(uper: $0) }
        #expect(copy == (try CSAE53_2020.MessageFrame(uper: path4)))
        #expect(bsm.safetyExt?.pathHistory?.crumbData.count == 4)
        #expect(decoder.bsmFrame.safetyExt?.pathHistory?.crumbData.count == 15)
        // Absent, then present again: the kept storage comes back with the new frame's values.
        try mandatory.withUnsafeBytes { try decoder.decode(uper: $0) }
        #expect(decoder.bsmFrame.safetyExt == nil)
        let absent = decoder.bsmFrame
        try path4.withUnsafeBytes { try decoder.decode(uper: $0) }
        #expect(CSAE53_2020.MessageFrame.bsmFrame(absent) == (try CSAE53_2020.MessageFrame(uper: mandatory)))
        #expect(decoder.frame == (try CSAE53_2020.MessageFrame(uper: path4)))
        #expect(copy == (try CSAE53_2020.MessageFrame(uper: path4)))
    }
}
