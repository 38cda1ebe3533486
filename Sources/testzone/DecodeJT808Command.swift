import ArgumentParser
import Foundation
import JT808

/// `testzone decode jt808 [FILE...]`: decodes JT/T 808 packets written as hex, one JSON line per packet.
struct DecodeJT808Command: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jt808",
        abstract: "Decode JT/T 808 packets given as hex lines into JSON lines.",
        discussion: """
            Each input line holds one or more packets in hex (spaces allowed), with or without the \
            0x7E flags; empty lines and lines starting with '#' are skipped. Every packet becomes one \
            JSON object on stdout (field names in the README, section "JT/T 808"); a packet or line \
            that cannot be decoded becomes {"error": {"line": N, "offset": B, "reason": "..."}}, where \
            B is the byte offset in that line's bytes. Reads standard input when no file is given. \
            Exits with status 1 after all lines when anything failed to decode; counts go to stderr.
            """
    )

    @Argument(help: "Files of hex lines ('-' for standard input). Standard input when omitted.")
    var files: [String] = []

    func validate() throws {
        try InputFiles.require(files, "cannot read the input", allowStandardInput: true)
    }

    func run() throws {
        var tally = DecodeJT808Tally()
        let sources = files.isEmpty ? ["-"] : files
        for source in sources {
            let fileName = sources.count > 1 ? source : nil
            let text: String
            do {
                text = try Self.read(source)
            } catch {
                // Not a data problem of a line: the file itself cannot be read (exit 2).
                throw CommandFailure.from(error, what: "cannot read the input", path: source)
            }
            var lineNumber = 0
            text.enumerateLines { line, _ in
                lineNumber += 1
                Self.decode(line: line, number: lineNumber, file: fileName, tally: &tally)
            }
        }
        var summary = "jt808: \(tally.packets) packet(s) decoded"
        if tally.unsupported > 0 {
            summary += " (\(tally.unsupported) unsupported or encrypted body kept raw)"
        }
        if tally.fragments > 0 { summary += " (\(tally.fragments) sub-package part(s))" }
        summary += ", \(tally.errors) error(s)\n"
        FileHandle.standardError.write(Data(summary.utf8))
        if tally.errors > 0 { throw ExitCode(1) }
    }

    private static func read(_ source: String) throws -> String {
        let data: Data
        if source == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            data = try Data(contentsOf: URL(fileURLWithPath: source))
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Decodes one line: every packet in it, or the first reason it cannot be read.
    static func decode(line: String, number: Int, file: String?, tally: inout DecodeJT808Tally) {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed.hasPrefix("#") { return }
        let bytes: [UInt8]
        switch HexLine.parse(trimmed) {
        case .success(let parsed):
            bytes = parsed
        case .failure(let failure):
            tally.errors += 1
            emitError(line: number, offset: failure.offset, reason: failure.reason, file: file)
            return
        }
        // A line without a leading flag is one packet without its flags: add them.
        let wrapped = bytes.first != JT808Escaping.flag
        let wire = wrapped ? [JT808Escaping.flag] + bytes + [JT808Escaping.flag] : bytes
        let shift = wrapped ? 1 : 0
        func lineOffset(_ wireOffset: Int) -> Int { min(max(wireOffset - shift, 0), bytes.count) }

        var framer = JT808Framer()
        let handle: (JT808FramerEvent) -> Void = { event in
            switch event {
            case .packet(let content, let flagOffset):
                do throws(JT808Error) {
                    let packet = try JT808Packet(decoding: content)
                    tally.packets += 1
                    if case .raw(let raw) = packet.body {
                        if raw.isUnsupported { tally.unsupported += 1 } else { tally.fragments += 1 }
                    }
                    print(JT808JSON.render(packet))
                } catch {
                    tally.errors += 1
                    let offset = JT808Escaping.wireOffset(
                        ofContentOffset: error.offset, flagOffset: flagOffset, in: wire)
                    emitError(line: number, offset: lineOffset(offset), reason: reason(error), file: file)
                }
            case .error(let error):
                tally.errors += 1
                emitError(line: number, offset: lineOffset(error.offset), reason: reason(error), file: file)
            }
        }
        framer.append(wire, handle)
        framer.finish(handle)
    }

    private static func reason(_ error: JT808Error) -> String {
        if let id = error.messageID {
            let hex = String(id, radix: 16)
            return "message 0x" + String(repeating: "0", count: 4 - hex.count) + hex + ": \(error.reason)"
        }
        return error.reason.description
    }

    private static func emitError(line: Int, offset: Int, reason: String, file: String?) {
        var object = #"{"error":{"#
        if let file { object += #""file":\#(jsonString(file)),"# }
        object += #""line":\#(line),"offset":\#(offset),"reason":\#(jsonString(reason))}}"#
        print(object)
    }

    private static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case let c where c.value < 0x20: out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// What `decode jt808` counted.
struct DecodeJT808Tally {
    var packets = 0
    var unsupported = 0
    var fragments = 0
    var errors = 0
}

/// Hex text to bytes: pairs of hex digits, whitespace ignored anywhere.
enum HexLine {
    struct Failure: Error {
        /// Byte offset (hex digit pairs before the problem).
        var offset: Int
        var reason: String
    }

    static func parse(_ text: String) -> Result<[UInt8], Failure> {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count / 2)
        var high: UInt8?
        for (index, character) in text.unicodeScalars.enumerated() {
            if character.properties.isWhitespace { continue }
            guard character.isASCII, let digit = UInt8(String(character), radix: 16) else {
                return .failure(
                    Failure(
                        offset: bytes.count,
                        reason: "invalid hex digit '\(character)' at character \(index + 1)"))
            }
            if let first = high {
                bytes.append(first << 4 | digit)
                high = nil
            } else {
                high = digit
            }
        }
        if high != nil {
            return .failure(Failure(offset: bytes.count, reason: "odd number of hex digits"))
        }
        return .success(bytes)
    }
}
