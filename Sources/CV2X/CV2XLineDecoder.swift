import UPER

/// Decodes frames given as hex text lines (or raw bytes) into JSON lines: the engine behind
/// `testzone decode cv2x`.
///
/// Output per frame (one line, compact JSON, newline-terminated):
/// - success with a fixed schema: the frame's JER, e.g. `{"bsmFrame":{...}}`;
/// - success with `auto`: `{"schema":"csae53-2019","frame":{...}}`;
/// - failure: `{"error":{"line":N,"bitOffset":B,"path":"MessageFrame.bsmFrame.pos.lat","reason":"..."}}`
///   (with `auto`, the error is the one of the 2020 set). A line that is not valid hex is an error
///   with `bitOffset` 0, an empty `path` and the reason.
public struct CV2XLineDecoder {
    /// Which set to decode with.
    public enum Mode: Sendable, Hashable {
        /// One set.
        case schema(CV2XSchema)
        /// 2020, then 2019, then 2017; the output names the set that decoded.
        case auto
    }

    /// The set(s) used.
    public let mode: Mode
    /// Frames decoded so far.
    public private(set) var decodedCount = 0
    /// Frames that failed so far.
    public private(set) var failedCount = 0
    private var scratch: [UInt8] = []

    /// Creates a decoder for `mode`.
    public init(mode: Mode) {
        self.mode = mode
        scratch.reserveCapacity(256)
    }

    /// Decodes one input line. Blank lines and lines starting with `#` (after leading blanks) are
    /// skipped and return `false`; otherwise one JSON line is appended to `output` and the result is
    /// `true`. Whitespace inside the hex is ignored.
    public mutating func decodeLine(
        _ line: some Collection<UInt8>, lineNumber: Int, into output: inout JERWriter
    ) -> Bool {
        scratch.removeAll(keepingCapacity: true)
        var high: UInt8? = nil
        var firstNonBlank = true
        var column = 0
        for byte in line {
            column += 1
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") {
                continue
            }
            if firstNonBlank {
                firstNonBlank = false
                if byte == UInt8(ascii: "#") { return false }
            }
            guard let nibble = Self.nibble(byte) else {
                writeError(
                    line: lineNumber, bitOffset: 0, path: "",
                    reason: "invalid hex character at column \(column)", into: &output)
                return true
            }
            if let h = high {
                scratch.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        if firstNonBlank { return false }
        if high != nil {
            writeError(
                line: lineNumber, bitOffset: 0, path: "", reason: "odd number of hex digits", into: &output)
            return true
        }
        let frame = scratch
        decodeFrame(frame, lineNumber: lineNumber, into: &output)
        return true
    }

    /// Decodes one raw frame and appends its JSON line to `output`.
    public mutating func decodeFrame(_ bytes: [UInt8], lineNumber: Int, into output: inout JERWriter) {
        do {
            switch mode {
            case .schema(let schema):
                let frame = try CV2XFrame(uper: bytes, schema: schema)
                frame.writeJER(to: &output)
            case .auto:
                let frame = try CV2XFrame(autoDetecting: bytes)
                output.beginObject()
                output.key("schema")
                output.string(frame.schema.rawValue)
                output.key("frame")
                frame.writeJER(to: &output)
                output.endObject()
            }
            decodedCount += 1
            output.newline()
        } catch {
            writeError(
                line: lineNumber, bitOffset: error.bitOffset, path: error.pathString,
                reason: "\(error.reason)", into: &output)
        }
    }

    private mutating func writeError(
        line: Int, bitOffset: Int, path: String, reason: String, into output: inout JERWriter
    ) {
        failedCount += 1
        output.beginObject()
        output.key("error")
        output.beginObject()
        output.key("line")
        output.int(Int64(line))
        output.key("bitOffset")
        output.int(Int64(bitOffset))
        output.key("path")
        output.string(path)
        output.key("reason")
        output.string(reason)
        output.endObject()
        output.endObject()
        output.newline()
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c &- UInt8(ascii: "A") &+ 10
        default: nil
        }
    }
}
