import CV2X
import Foundation
import Testing

/// Cross-check against asn1tools: a few thousand random-but-valid values per message type and
/// set (Tools/asn1swift/crosscheck.py), each decoded by the generated codec; JER text and
/// re-encoding must equal asn1tools' exactly, and decoding the same frames one after the other
/// into one `CV2XFrameDecoder` must give the same values.
///
/// Needs a Python with asn1tools (`.venv/bin/python` from `make setup`, or TESTZONE_PYTHON) and
/// the reference modules (../shared/reference/asn1, or TESTZONE_ASN1_DIR). Without them the test
/// is skipped and the reason is shown in the test output.
@Suite("CV2X cross-check with asn1tools")
struct CrossCheckTests {
    static let valuesPerType =
        Int(ProcessInfo.processInfo.environment["TESTZONE_CROSSCHECK_COUNT"] ?? "") ?? 2000

    @Test(
        "random values per message type decode to asn1tools' JER and re-encode identically",
        .enabled(
            if: ExternalTools.unavailableReason == nil,
            "cross-check skipped: \(ExternalTools.unavailableReason ?? "")"),
        arguments: CV2XSchema.allCases)
    func crossCheck(schema: CV2XSchema) throws {
        let python = try #require(ExternalTools.python)
        let asn1 = try #require(ExternalTools.asn1Directory)
        let script = ExternalTools.repositoryRoot.appendingPathComponent("Tools/asn1swift/crosscheck.py").path
        let seed = 1 + (CV2XSchema.allCases.firstIndex(of: schema) ?? 0)
        let output = try #require(
            ExternalTools.run(
                python,
                [
                    script, "--asn1", asn1.path, "--set", schema.rawValue, "--count", "\(Self.valuesPerType)",
                    "--seed", "\(seed)",
                ]),
            "crosscheck.py failed")
        let frames = try parseFrames(output)
        #expect(frames.count == 5 * Self.valuesPerType)
        var mismatches = 0
        // The same frames through one streaming decoder too: each decoded into the value the
        // previous frame left (other alternatives, other list lengths) must read the same.
        var stream = CV2XFrameDecoder()
        for frame in frames {
            do {
                let decoded = try CV2XFrame(uper: frame.bytes, schema: schema)
                let jer = decoded.jer
                let encoded = try decoded.uperEncoded()
                try frame.bytes.withUnsafeBytes { try stream.decode(uper: $0, schema: schema) }
                let streamed = stream.frame(of: schema)
                if streamed != decoded {
                    mismatches += 1
                    if mismatches <= 5 {
                        Issue.record(
                            "\(frame.label) \(frame.hex): decoded in place differs: \(streamed?.jer ?? "no frame")"
                        )
                    }
                } else if jer != frame.jer || encoded != frame.bytes {
                    mismatches += 1
                    if mismatches <= 5 {
                        Issue.record(
                            "\(frame.label) \(frame.hex): JER \(jer == frame.jer ? "ok" : jer) vs \(frame.jer); re-encoding \(encoded == frame.bytes)"
                        )
                    }
                }
            } catch {
                mismatches += 1
                if mismatches <= 5 { Issue.record("\(frame.label) \(frame.hex): \(error)") }
            }
        }
        #expect(mismatches == 0, "\(mismatches) of \(frames.count) frames differ from asn1tools")
    }
}
