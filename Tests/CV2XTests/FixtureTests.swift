import CV2X
import Testing
import UPER

/// Every message type of every set against fixtures produced by asn1tools from the reference
/// modules (Tools/asn1swift/make-fixtures.py): JER text identical, re-encoding byte-identical.
@Suite("CV2X fixtures")
struct FixtureTests {
    static let sets: [(CV2XSchema, String)] = CV2XSchema.allCases.map { ($0, $0.rawValue) }

    @Test("decode → JER equals asn1tools, encode → same bytes", arguments: CV2XSchema.allCases)
    func fixturesRoundTrip(schema: CV2XSchema) throws {
        let frames = try loadFixture(schema.rawValue)
        #expect(frames.count >= 25)
        var seen = Set<String>()
        for frame in frames {
            seen.insert(frame.label)
            let decoded = try CV2XFrame(uper: frame.bytes, schema: schema)
            #expect(decoded.schema == schema)
            #expect(decoded.jer == frame.jer, "\(frame.label) \(frame.hex)")
            #expect(hexString(try decoded.uperEncoded()) == frame.hex, "\(frame.label)")
        }
        #expect(seen == ["bsmFrame", "mapFrame", "rsmFrame", "spatFrame", "rsiFrame"])
    }

    @Test("example frames of the reference README decode to asn1tools' values")
    func exampleFrames() throws {
        let examples = try loadFixture("examples")
        #expect(examples.count == 3)
        for example in examples {
            let frame = try CSAE53_2020.MessageFrame(uper: example.bytes)
            #expect(frame.jer == example.jer, "\(example.label)")
            #expect(try frame.uperEncoded() == example.bytes)
        }
    }

    @Test("typical BSM fields are typed values")
    func typicalBSMFields() throws {
        let bytes = hexBytes(
            "07e229488b498606060634adc664253c2059c1728f8816940f17706a50ad8e103dfad7f37cc7f8077fe82a59723c0790a40808"
        )
        guard case .bsmFrame(let bsm) = try CSAE53_2020.MessageFrame(uper: bytes) else {
            Issue.record("not a BSM")
            return
        }
        #expect(bsm.msgCnt == 17)
        #expect(bsm.id.bytes == Array("JDZL0001".utf8))
        #expect(bsm.pos.lat == 312_840_000)
        #expect(bsm.pos.long == 1_211_700_000)
        #expect(bsm.pos.elevation == 45)
        #expect(bsm.timeConfidence == .time_000_010)
        #expect(bsm.transmission == .forwardGears)
        #expect(bsm.speed == 694)
        #expect(bsm.angle == -3)
        #expect(bsm.accelSet.lat == -4)
        #expect(bsm.brakes.wheelBrakes?.count == 5)
        #expect(bsm.vehicleClass.fuelType == CSAE53_2020.Values.electric)
        #expect(bsm.safetyExt?.lights?[CSAE53_2020.ExteriorLightsBit.daytimeRunningLightsOn.rawValue] == true)
    }

    @Test("auto detection tries 2020 first and reports the set")
    func autoDetection() throws {
        let examples = try loadFixture("examples")
        for example in examples {
            #expect(try CV2XFrame(autoDetecting: example.bytes).schema == .csae53_2020)
        }
        // Frames that the 2020 set rejects but 2019 accepts are reported as 2019.
        for frame in try loadFixture("csae53-2019")
        where (try? CV2XFrame(uper: frame.bytes, schema: .csae53_2020)) == nil {
            #expect(try CV2XFrame(autoDetecting: frame.bytes).schema == .csae53_2019)
        }
    }

    @Test("a preferred set is tried first; the others follow; failure reports the 2020 error")
    func preferredSet() throws {
        for frame in try loadFixture("csae53-2017") {
            let bytes = frame.bytes
            let preferred = try bytes.withUnsafeBytes { (buffer) throws(UPERError) in
                try CV2XFrame(autoDetecting: buffer, preferring: .csae53_2017)
            }
            #expect(preferred.schema == .csae53_2017)
            #expect(preferred == (try CV2XFrame(uper: bytes, schema: .csae53_2017)))
            // Preferring a set that rejects the frame falls back in the auto order.
            if (try? CV2XFrame(uper: bytes, schema: .csae53_2019)) == nil {
                let fallback = try bytes.withUnsafeBytes { (buffer) throws(UPERError) in
                    try CV2XFrame(autoDetecting: buffer, preferring: .csae53_2019)
                }
                #expect(fallback == (try CV2XFrame(autoDetecting: bytes)))
            }
        }
        let garbage: [UInt8] = [0xFF, 0xFF]
        var expected: UPERError?
        do { _ = try CV2XFrame(uper: garbage, schema: .csae53_2020) } catch { expected = error }
        #expect(expected != nil)
        for schema in CV2XSchema.allCases {
            var error: UPERError?
            do {
                _ = try garbage.withUnsafeBytes { (buffer) throws(UPERError) in
                    try CV2XFrame(autoDetecting: buffer, preferring: schema)
                }
            } catch let thrown {
                error = thrown as? UPERError
            }
            #expect(error == expected)
        }
    }
}
