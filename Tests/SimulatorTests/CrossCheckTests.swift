import CV2X
import Foundation
import Testing

@testable import Simulator

/// A sample of the simulator's C-V2X frames decoded by asn1tools: its JER must equal ours and
/// its re-encoding must give the same bytes. Skips visibly without Python/asn1tools or the
/// reference ASN.1 modules (TESTZONE_PYTHON, TESTZONE_ASN1_DIR).
@Suite struct CrossCheckTests {
    @Test(
        "simulated frames decode identically with asn1tools",
        .enabled(
            if: ExternalTools.unavailableReason == nil,
            "asn1tools cross-check skipped: \(ExternalTools.unavailableReason ?? "")"))
    func asn1toolsAgrees() throws {
        let run = try simulate(busyParameters())
        let schemas = schemaByTopic(run.simulation.layout)
        // Every 7th C-V2X frame, plus the first of each kind per edition.
        var sample: [(schema: CV2XSchema, bytes: [UInt8])] = []
        var firsts = Set<String>()
        var index = 0
        for frame in run.frames where frame.topic.hasPrefix("cv2x/") {
            let schema = try #require(schemas[frame.topic])
            let key = "\(schema.rawValue)-\(frame.payload.first ?? 0 >> 5)"
            if index % 7 == 0 || firsts.insert(key).inserted { sample.append((schema, frame.payload)) }
            index += 1
        }
        let input = sample.map { "\($0.schema.rawValue) \(hexString($0.bytes))" }.joined(separator: "\n")
        let script = ExternalTools.repositoryRoot.appendingPathComponent(
            "Tools/simulator/asn1tools_decode.py"
        ).path
        let python = try #require(ExternalTools.python)
        let asn1 = try #require(ExternalTools.asn1Directory)
        let output = try #require(
            ExternalTools.run(python, [script, "--asn1", asn1.path], input: Data(input.utf8)),
            "asn1tools_decode.py failed")
        let lines = output.split(separator: "\n")
        #expect(lines.count == sample.count)
        var mismatches = 0
        for (line, frame) in zip(lines, sample) {
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
            let ours = try CV2XFrame(uper: frame.bytes, schema: frame.schema).jer
            if object["jer"] != ours || object["hex"] != hexString(frame.bytes) {
                mismatches += 1
                if mismatches <= 3 {
                    Issue.record("\(frame.schema) \(hexString(frame.bytes)): \(line) vs \(ours)")
                }
            }
        }
        #expect(mismatches == 0, "\(mismatches) of \(sample.count) frames differ")
        #expect(sample.count > 100)
    }
}
