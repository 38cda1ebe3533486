import JT808
import Testing

@Suite struct HeaderTests {
    @Test func handWritten2019Heartbeat() throws {
        // 0x0002, attributes 0x4000 (version flag, empty body), protocol version 1,
        // terminal 00000000013912345678, serial 0x0007.
        let content = Samples.bytes("0002 4000 01 00000000013912345678 0007")
        let packet = try JT808Packet(decoding: content)
        #expect(packet.header.messageID == 0x0002)
        #expect(packet.header.version == .v2019(protocolVersion: 1))
        #expect(packet.header.terminal.description == "00000000013912345678")
        #expect(packet.header.terminal.significantDigits == "13912345678")
        #expect(packet.header.serial == 7)
        #expect(packet.header.subPackage == nil)
        #expect(packet.body == .heartbeat)
        #expect(try packet.encodedContent() == content)
    }

    @Test func handWritten2013Heartbeat() throws {
        let content = Samples.bytes("0002 0000 013912345678 0001")
        let packet = try JT808Packet(decoding: content)
        #expect(packet.header.version == .v2013)
        #expect(packet.header.terminal.description == "013912345678")
        #expect(packet.header.terminal.byteCount == 6)
        #expect(try packet.encodedContent() == content)
        let wire = JT808Escaping.frame(content)
        #expect(Samples.hex(wire) == "7e00020000013912345678000133" + "7e")
    }

    @Test(arguments: [JT808HeaderVersion.v2013, .v2019(protocolVersion: 1), .v2019(protocolVersion: 2)])
    func bothHeaderVersionsRoundTrip(version: JT808HeaderVersion) throws {
        let packet = JT808Packet(
            header: Samples.header(0x0200, version: version),
            body: .locationReport(Samples.reportWithAllItems))
        let decoded = try JT808Packet(framed: packet.encoded())
        #expect(decoded == packet)
        let headerLength = version == .v2013 ? 12 : 17
        #expect(
            try packet.encodedContent().count == headerLength + Samples.reportWithAllItems.encodedBody().count
        )
    }

    @Test func subPackageFieldsAreDecodedAndBodyKeptRaw() throws {
        var header = Samples.header(0x0704)
        header.subPackage = JT808SubPackage(total: 3, index: 2)
        let packet = JT808Packet(
            header: header, body: .raw(RawBody(kind: .subPackage, bytes: [1, 2, 3, 4, 5])))
        let content = try packet.encodedContent()
        // Attributes: version flag + sub-package flag + length 5.
        #expect(content[2] == 0x60 && content[3] == 0x05)
        #expect(Array(content[17..<21]) == [0, 3, 0, 2])
        let decoded = try JT808Packet(decoding: content)
        #expect(decoded.header.subPackage == JT808SubPackage(total: 3, index: 2))
        #expect(decoded.body == .raw(RawBody(kind: .subPackage, bytes: [1, 2, 3, 4, 5])))
        #expect(decoded == packet)

        var header2013 = Samples.header(0x0200, version: .v2013)
        header2013.subPackage = JT808SubPackage(total: 2, index: 1)
        let packet2013 = JT808Packet(header: header2013, body: .raw(RawBody(kind: .subPackage, bytes: [9])))
        #expect(try JT808Packet(decoding: packet2013.encodedContent()) == packet2013)
    }

    @Test func rsaEncryptedBodyIsReportedUnsupportedNotDecoded() throws {
        var header = Samples.header(0x0200)
        header.encryption = 1
        let plain = try Samples.reportWithAutomation.encodedBody()
        let packet = JT808Packet(header: header, body: .raw(RawBody(kind: .encrypted, bytes: plain)))
        let content = try packet.encodedContent()
        #expect(content[2] & 0x1C == 0x04)
        let decoded = try JT808Packet(decoding: content)
        #expect(decoded.header.isRSAEncrypted)
        guard case .raw(let raw) = decoded.body else {
            Issue.record("encrypted body must not be decoded as plain")
            return
        }
        #expect(raw.kind == .encrypted && raw.isUnsupported && raw.bytes == plain)
    }

    @Test func unknownMessageIsKeptRaw() throws {
        let packet = JT808Packet(
            header: Samples.header(0x0900),
            body: .raw(RawBody(kind: .unsupportedMessage, bytes: [0xF1, 0x7E, 0x7D])))
        let decoded = try JT808Packet(framed: packet.encoded())
        #expect(decoded == packet)
    }

    @Test func reservedBitSurvivesRoundTrip() throws {
        var header = Samples.header(0x0002)
        header.reservedBit = true
        let packet = JT808Packet(header: header, body: .heartbeat)
        #expect(try JT808Packet(decoding: packet.encodedContent()) == packet)
    }

    @Test func bodyLengthMismatch() throws {
        let content = Samples.bytes("0002 4003 01 00000000013912345678 0007 0102")
        #expect(
            throws: JT808Error(offset: 17, messageID: 2, reason: .bodyLengthMismatch(declared: 3, actual: 2))
        ) {
            try JT808Packet(decoding: content)
        }
    }

    @Test func invalidTerminalBCD() throws {
        let content = Samples.bytes("0002 4000 01 000000000139123456A8 0007")
        #expect(throws: JT808Error(offset: 14, messageID: 2, reason: .invalidBCD(field: "terminal number"))) {
            try JT808Packet(decoding: content)
        }
    }

    @Test func truncatedHeader() throws {
        let content = Samples.bytes("0200 4000 01 0000000001391234")
        #expect(
            throws: JT808Error(
                offset: 5, messageID: 0x0200,
                reason: .truncated(field: "terminal number", needed: 10, available: 8))
        ) {
            try JT808Packet(decoding: content)
        }
        #expect(
            throws: JT808Error(offset: 0, reason: .truncated(field: "message id", needed: 2, available: 1))
        ) {
            try JT808Packet(decoding: [0x02])
        }
    }

    @Test func heartbeatWithBodyIsAnError() throws {
        let content = Samples.bytes("0002 4001 01 00000000013912345678 0007 00")
        #expect(throws: JT808Error(offset: 17, messageID: 2, reason: .trailingBytes(count: 1))) {
            try JT808Packet(decoding: content)
        }
    }

    @Test func encoderRejectsOversizeBodyAndLongTerminalNumber() throws {
        let big = JT808Packet(
            header: Samples.header(0x0900),
            body: .raw(RawBody(kind: .unsupportedMessage, bytes: .init(repeating: 0, count: 1024))))
        #expect(throws: JT808Error.self) { try big.encoded() }
        var header = Samples.header(0x0002, version: .v2013)
        header.terminal = TerminalNumber("12345678901234", byteCount: 10)!
        #expect(throws: JT808Error.self) { try JT808Packet(header: header, body: .heartbeat).encoded() }
    }
}

@Suite struct PacketViewTests {
    @Test func viewDecodesHeaderAndLocationReportInPlace() throws {
        let content = try Samples.locationPacket().encodedContent()
        try content.withUnsafeBytes { bytes in
            let view = try JT808PacketView(content: bytes)
            #expect(view.header == Samples.header(0x0200))
            #expect(view.bodyOffset == 17 && view.body.count == content.count - 17)
            #expect(view.isLocationReport)
            #expect(try view.decodeLocationReport() == Samples.reportWithAutomation)
            #expect(try view.decodeBody() == .locationReport(Samples.reportWithAutomation))
        }
    }

    @Test func viewRefusesOtherMessagesAsLocationReports() throws {
        var header = Samples.header(0x0200)
        header.encryption = 1
        for packet in [
            JT808Packet(header: Samples.header(0x0002), body: .heartbeat),
            JT808Packet(header: header, body: .raw(RawBody(kind: .encrypted, bytes: [1, 2, 3]))),
        ] {
            let content = try packet.encodedContent()
            try content.withUnsafeBytes { bytes in
                let view = try JT808PacketView(content: bytes)
                #expect(!view.isLocationReport)
                #expect(
                    throws: JT808Error(
                        offset: 0, messageID: view.header.messageID,
                        reason: .unexpectedMessage(expected: 0x0200))
                ) {
                    try view.decodeLocationReport()
                }
            }
        }
    }
}
