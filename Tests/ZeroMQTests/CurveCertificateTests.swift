import Testing
import ZeroMQ

/// The zcert / pyzmq certificate format: round trips, files written by those libraries, errors.
struct CurveCertificateTests {
    @Test func secretAndPublicCertificatesRoundTrip() throws {
        let pair = try CurveKeyPair.generate()
        let certificate = CurveCertificate(publicKey: pair.publicKey, secretKey: pair.secretKey)
        let secretText = certificate.text(includingSecret: true)
        let publicText = certificate.text(includingSecret: false)
        #expect(secretText.contains("secret-key = \"\(pair.secretKey.z85)\""))
        #expect(!publicText.contains("secret-key"))
        #expect(try CurveCertificate(text: secretText).keyPair == pair)
        let publicOnly = try CurveCertificate(text: publicText)
        #expect(publicOnly.publicKey == pair.publicKey)
        #expect(publicOnly.secretKey == nil)
        #expect(publicOnly.keyPair == nil)
    }

    @Test func readsTheFormatPyzmqWrites() throws {
        // As zmq.auth.create_certificates writes it (tabs, CRLF and metadata are tolerated too).
        let pair = try CurveKeyPair.generate()
        let text = """
            #   ****  Generated on 2026-12-02 15:00:00 by pyzmq  ****\r
            #   ZeroMQ CURVE **Secret** Certificate\r
            #   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.\r
            \r
            metadata\r
            \tname = "rsu-17"\r
            curve\r
            \tpublic-key = "\(pair.publicKey.z85)"\r
            \tsecret-key = "\(pair.secretKey.z85)"\r

            """
        #expect(try CurveCertificate(text: text).keyPair == pair)
    }

    @Test func badCertificatesSayWhatAndWhere() throws {
        let one = try CurveKeyPair.generate()
        let other = try CurveKeyPair.generate()
        #expect(throws: CurveCertificate.ParseError(line: 0, reason: "no public-key entry")) {
            try CurveCertificate(text: "metadata\ncurve\n")
        }
        #expect(
            throws: CurveCertificate.ParseError(line: 3, reason: "public-key is not a 40-character Z85 key")
        ) {
            try CurveCertificate(text: "metadata\ncurve\n    public-key = \"short\"\n")
        }
        let mismatched =
            "curve\n public-key = \"\(one.publicKey.z85)\"\n secret-key = \"\(other.secretKey.z85)\"\n"
        #expect(
            throws: CurveCertificate.ParseError(
                line: 0, reason: "the secret-key does not belong to the public-key")
        ) { try CurveCertificate(text: mismatched) }
        #expect(CurveCertificate.ParseError(line: 3, reason: "x").description == "line 3: x")
    }
}
