import Foundation
import Testing

/// One fixture line: a frame's UPER hex and asn1tools' JER for it.
struct FixtureFrame: Sendable, CustomTestStringConvertible {
    var label: String
    var hex: String
    var jer: String

    var bytes: [UInt8] { hexBytes(hex) }
    var testDescription: String { "\(label) \(hex.prefix(24))..." }
}

func hexBytes(_ hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var iterator = hex.utf8.makeIterator()
    func nibble(_ c: UInt8) -> UInt8 {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        default: c - UInt8(ascii: "A") + 10
        }
    }
    while let high = iterator.next(), let low = iterator.next() {
        out.append(nibble(high) << 4 | nibble(low))
    }
    return out
}

func hexString(_ bytes: [UInt8]) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
}

/// Parses JSON lines with "hex", "jer" and "alternative" or "name".
func parseFrames(_ text: String) throws -> [FixtureFrame] {
    try text.split(separator: "\n").map { line in
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        return FixtureFrame(
            label: object["alternative"] ?? object["name"] ?? "?",
            hex: try #require(object["hex"]),
            jer: try #require(object["jer"]))
    }
}

/// Reads a committed fixture file (Tests/CV2XTests/Fixtures).
func loadFixture(_ name: String) throws -> [FixtureFrame] {
    let url = try #require(
        Bundle.module.url(forResource: name, withExtension: "jsonl", subdirectory: "Fixtures"),
        "fixture \(name).jsonl missing (Tools/asn1swift/make-fixtures.py writes it)")
    return try parseFrames(try String(contentsOf: url, encoding: .utf8))
}

/// Optional external tools for the cross-check: asn1tools (a Python with it) and the reference
/// ASN.1 modules. Located from TESTZONE_PYTHON / TESTZONE_ASN1_DIR, else relative to the repository
/// root (walking up from this file): `.venv/bin/python` and `../shared/reference/asn1`.
enum ExternalTools {
    static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path),
                FileManager.default.fileExists(atPath: url.appendingPathComponent("Sources").path)
            {
                return url
            }
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    static let asn1Directory: URL? = {
        if let env = ProcessInfo.processInfo.environment["TESTZONE_ASN1_DIR"] {
            return URL(fileURLWithPath: env)
        }
        var url = repositoryRoot
        while url.path != "/" {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("shared/reference/asn1")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("csae53-2020").path) {
                return candidate
            }
        }
        return nil
    }()

    static let python: URL? = {
        var candidates: [String] = []
        if let env = ProcessInfo.processInfo.environment["TESTZONE_PYTHON"] { candidates.append(env) }
        candidates.append(repositoryRoot.appendingPathComponent(".venv/bin/python").path)
        for path in candidates where FileManager.default.isExecutableFile(atPath: path) {
            if run(URL(fileURLWithPath: path), ["-c", "import asn1tools"]) != nil {
                return URL(fileURLWithPath: path)
            }
        }
        return nil
    }()

    /// Why the cross-check cannot run, or nil when it can.
    static let unavailableReason: String? = {
        if asn1Directory == nil {
            return
                "reference ASN.1 modules not found (set TESTZONE_ASN1_DIR or place ../shared/reference/asn1)"
        }
        if python == nil {
            return "no Python with asn1tools (run `make setup` or set TESTZONE_PYTHON)"
        }
        return nil
    }()

    /// Runs a program; returns its standard output, or nil when it failed.
    static func run(_ executable: URL, _ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return nil
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
