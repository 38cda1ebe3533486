import ArgumentParser
import CV2X
import Foundation

/// `testzone decode`: offline decoding of captured frames.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode captured frames to JSON, one line per frame.",
        subcommands: [DecodeCV2XCommand.self, DecodeJT808Command.self]
    )
}

/// `testzone decode cv2x`: CSAE 53 MessageFrames (UPER) to their JER.
struct DecodeCV2XCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cv2x",
        abstract: "Decode CSAE 53 MessageFrames (UPER, hex lines) to JER, one JSON line per frame.",
        discussion: """
            Reads hex lines from the FILEs (or standard input), one MessageFrame per line; blank lines \
            and lines starting with '#' are ignored. Writes one JSON line per frame line: the frame's \
            JER (X.697 JSON, as asn1tools renders it), or \
            {"error":{"line":N,"bitOffset":B,"path":"...","reason":"..."}}. With --schema auto the \
            sets are tried in the order 2020, 2019, 2017 and each line is \
            {"schema":"csae53-20xx","frame":JER}. With --binary each FILE holds one raw frame \
            ("line" is then the file's position among the arguments). Exit status 0 when every frame \
            decoded, 1 otherwise; a count goes to standard error.
            """
    )

    @Option(help: "Message set: csae53-2020, csae53-2019, csae53-2017 or auto.")
    var schema: String = CV2XSchema.csae53_2020.rawValue

    @Flag(help: "Each FILE is one raw (binary) frame instead of hex lines.")
    var binary = false

    @Argument(help: "Input files (standard input when none).")
    var files: [String] = []

    func validate() throws {
        if schema != "auto" && CV2XSchema(rawValue: schema) == nil {
            throw ValidationError(
                "unknown schema '\(schema)' (csae53-2020, csae53-2019, csae53-2017 or auto)")
        }
        try InputFiles.require(files, "cannot read the input", allowStandardInput: true)
    }

    func run() throws {
        let mode: CV2XLineDecoder.Mode =
            schema == "auto" ? .auto : .schema(CV2XSchema(rawValue: schema) ?? .csae53_2020)
        var decoder = CV2XLineDecoder(mode: mode)
        var output = JERWriter(capacity: 1 << 16)
        let stdout = FileHandle.standardOutput
        func flushIfNeeded(force: Bool = false) {
            if force || output.bytes.count >= 1 << 16 {
                stdout.write(Data(output.bytes))
                output.reset()
            }
        }
        if binary {
            let inputs = files.isEmpty ? ["-"] : files
            for (index, path) in inputs.enumerated() {
                let bytes = try Self.read(path)
                decoder.decodeFrame(bytes, lineNumber: index + 1, into: &output)
                flushIfNeeded()
            }
        } else {
            for path in files.isEmpty ? ["-"] : files {
                let text = try Self.read(path)
                var lineNumber = 0
                var start = text.startIndex
                while start < text.endIndex {
                    let end = text[start...].firstIndex(of: UInt8(ascii: "\n")) ?? text.endIndex
                    lineNumber += 1
                    _ = decoder.decodeLine(text[start..<end], lineNumber: lineNumber, into: &output)
                    flushIfNeeded()
                    start = end < text.endIndex ? text.index(after: end) : end
                }
            }
        }
        flushIfNeeded(force: true)
        let total = decoder.decodedCount + decoder.failedCount
        FileHandle.standardError.write(
            Data(
                "decode cv2x: \(decoder.decodedCount) of \(total) frames decoded, \(decoder.failedCount) failed\n"
                    .utf8))
        if decoder.failedCount > 0 {
            throw ExitCode(1)
        }
    }

    private static func read(_ path: String) throws -> [UInt8] {
        if path == "-" {
            return [UInt8](FileHandle.standardInput.readDataToEndOfFile())
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure("cannot read the input", path, "permission denied or not a regular file")
        }
        return [UInt8](data)
    }
}
