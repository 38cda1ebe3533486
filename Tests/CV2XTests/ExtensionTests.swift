import CV2X
import Testing
import UPER

/// Unknown extension alternatives/values (from a newer schema) decode as `unknownExtension`, keep
/// their raw bytes, re-encode identically and render a visible JER form.
@Suite("CV2X unknown extensions")
struct ExtensionTests {
    @Test("unknown MessageFrame alternative keeps its open-type bytes")
    func unknownChoiceAlternative() throws {
        var writer = UPERWriter()
        writer.writeBool(true)  // extension bit: not a root alternative
        try writer.writeNormallySmallNonNegative(9)  // extension index 9 (e.g. a day-II message)
        try writer.writeOpenTypeBytes([0xAB, 0xCD, 0x01])
        let bytes = writer.finish()
        for schema in CV2XSchema.allCases {
            let frame = try CV2XFrame(uper: bytes, schema: schema)
            #expect(try frame.uperEncoded() == bytes)
            #expect(frame.jer == #"{"unknownExtension":{"index":9,"bytes":"ABCD01"}}"#)
        }
        let frame = try CSAE53_2020.MessageFrame(uper: bytes)
        #expect(frame == .unknownExtension(index: 9, bytes: [0xAB, 0xCD, 0x01]))
    }

    @Test("unknown ENUMERATED extension value decodes as unknown")
    func unknownEnumeratedValue() throws {
        // LightState is extensible: extension bit 1, normally small index 3 (0 000011).
        let bytes: [UInt8] = [0b1000_0011, 0]
        let light = try UPERReader.decode(CSAE53_2020.LightState.self, from: bytes)
        #expect(light == .unknownExtension(3))
        #expect(light.jer == #"{"unknownExtension":3}"#)
    }

    @Test("SPAT with an unknown light state round-trips inside a frame")
    func unknownEnumeratedInsideFrame() throws {
        let spat = hexBytes(
            "3612ea6014adc028000860e810052b7180826020000014002580408c080000055009601823020000016802580808c08000005f009600"
        )
        guard case .spatFrame(var message) = try CSAE53_2020.MessageFrame(uper: spat) else {
            Issue.record("not a SPAT")
            return
        }
        message.intersections[0].phases[1].phaseStates[0].light = .unknownExtension(5)
        let bytes = try CSAE53_2020.MessageFrame.spatFrame(message).uperEncoded()
        let decoded = try CSAE53_2020.MessageFrame(uper: bytes)
        #expect(decoded == .spatFrame(message))
        #expect(decoded.jer.contains(#""light":{"unknownExtension":5}"#))
    }

    @Test("unknown SEQUENCE extension additions are skipped")
    func unknownSequenceAdditions() throws {
        // A 2020 RoadPoint (extensible, no additions known) carrying one unknown addition.
        var writer = UPERWriter()
        writer.writeBool(true)  // extension bit
        writer.writeBool(false)  // offsetV absent
        writer.writeBits(0, count: 3)  // PositionOffsetLL: position-LL1
        writer.writeBits(5, count: 12)
        writer.writeBits(7, count: 12)
        try writer.writeExtensionPresence(count: 1, presence: 1)
        try writer.writeOpenTypeBytes([0x55, 0x66])
        writer.writeBits(0b1011, count: 4)  // whatever follows
        let bytes = writer.finish()
        var point: CSAE53_2020.RoadPoint?
        var tail: UInt64 = 0
        try bytes.withUnsafeBytes { buffer in
            var reader = UPERReader(buffer)
            point = try CSAE53_2020.RoadPoint(from: &reader)
            tail = try reader.readBits(4)
        }
        #expect(point?.posOffset.offsetLL == .position_LL1(.init(lon: -2043, lat: -2041)))
        #expect(tail == 0b1011)
    }
}
