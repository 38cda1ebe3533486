import CV2X
import Testing

/// The engine of `testzone decode cv2x`: one JSON line per frame line, errors with line numbers.
@Suite("CV2X line decoder")
struct LineDecoderTests {
    func run(_ text: String, mode: CV2XLineDecoder.Mode) -> (lines: [String], decoder: CV2XLineDecoder) {
        var decoder = CV2XLineDecoder(mode: mode)
        var output = JERWriter()
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            _ = decoder.decodeLine(Array(line.utf8), lineNumber: index + 1, into: &output)
        }
        return (output.string.split(separator: "\n").map(String.init), decoder)
    }

    @Test("frames, blank and comment lines, errors")
    func mixedInput() throws {
        let examples = try loadFixture("examples")
        let text =
            "# captured at RSU 7\n\(examples[0].hex)\n\n  \(examples[2].hex.uppercased())  \n0002\nxyz\nabc"
        let (lines, decoder) = run(text, mode: .schema(.csae53_2020))
        #expect(lines.count == 5)
        #expect(lines[0] == examples[0].jer)
        #expect(lines[1] == examples[2].jer)
        #expect(lines[2].hasPrefix(#"{"error":{"line":5,"bitOffset":"#))
        #expect(lines[2].contains(#""path":"MessageFrame.bsmFrame"#))
        #expect(
            lines[3]
                == #"{"error":{"line":6,"bitOffset":0,"path":"","reason":"invalid hex character at column 1"}}"#
        )
        #expect(
            lines[4] == #"{"error":{"line":7,"bitOffset":0,"path":"","reason":"odd number of hex digits"}}"#)
        #expect(decoder.decodedCount == 2)
        #expect(decoder.failedCount == 3)
    }

    @Test("auto names the set that decoded")
    func autoMode() throws {
        let examples = try loadFixture("examples")
        let (lines, _) = run(examples[1].hex, mode: .auto)
        #expect(lines == [#"{"schema":"csae53-2020","frame":"# + examples[1].jer + "}"])
    }
}
