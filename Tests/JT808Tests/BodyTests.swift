import JT808
import Testing

@Suite struct BodyTests {
    @Test(arguments: [UInt8(0), 1])
    func batchOfReports(type: UInt8) throws {
        var reports: [LocationReport] = []
        for index in 0..<10 {
            var report = Samples.reportWithAutomation
            report.time = JT808Timestamp(secondsSince1970: Samples.time.secondsSince1970 + Int64(index))
            report.speed = UInt16(index * 10)
            if index == 3 { report.otherItems = [RawItem(id: 0xF0, value: [1, 2])] }
            reports.append(report)
        }
        let packet = JT808Packet(
            header: Samples.header(0x0704),
            body: .batchLocationUpload(BatchLocationUpload(type: type, reports: reports)))
        let decoded = try JT808Packet(framed: packet.encoded())
        #expect(decoded == packet)
        guard case .batchLocationUpload(let batch) = decoded.body else {
            Issue.record("not a batch")
            return
        }
        #expect(batch.isBackfill == (type == 1))
        #expect(batch.reports.map(\.speed) == (0..<10).map { UInt16($0 * 10) })
    }

    @Test func handWrittenBatch() throws {
        // Two 28-byte reports, type 1 (backfill).
        let report = LocationReportTests.fixedPart
        let content = Samples.bytes(
            "0704 403F 01 00000000013912345678 0009 0002 01 001C" + report + "001C" + report)
        let packet = try JT808Packet(decoding: content)
        guard case .batchLocationUpload(let batch) = packet.body else {
            Issue.record("not a batch")
            return
        }
        #expect(batch.type == 1 && batch.reports.count == 2)
        #expect(try packet.encodedContent() == content)
    }

    @Test func batchErrors() throws {
        let report = LocationReportTests.fixedPart
        // Declares 3 items, holds 2.
        let short = Samples.bytes(
            "0704 403F 01 00000000013912345678 0009 0003 00 001C" + report + "001C" + report)
        #expect(
            throws: JT808Error(
                offset: 80, messageID: 0x0704, reason: .batchCountMismatch(declared: 3, actual: 2))
        ) {
            try JT808Packet(decoding: short)
        }
        // Item length overruns the body.
        let overrun = Samples.bytes("0704 4021 01 00000000013912345678 0009 0001 00 001D" + report)
        #expect(
            throws: JT808Error(
                offset: 22, messageID: 0x0704,
                reason: .truncated(field: "batch item", needed: 29, available: 28))
        ) {
            try JT808Packet(decoding: overrun)
        }
        // An error inside the second report carries its offset in the packet.
        let badSecond = Samples.bytes(
            "0704 403F 01 00000000013912345678 0009 0002 00 001C" + report + "001C"
                + String(report.dropLast(12)) + "261129163099")
        #expect {
            try JT808Packet(decoding: badSecond)
        } throws: { error in
            guard let error = error as? JT808Error, case .invalidDate = error.reason else { return false }
            return error.offset == 22 + 30 + 22
        }
        // Bytes after the declared items.
        let trailing = Samples.bytes("0704 4021 01 00000000013912345678 0009 0001 00 001C" + report + "00")
        #expect(throws: JT808Error(offset: 50, messageID: 0x0704, reason: .trailingBytes(count: 1))) {
            try JT808Packet(decoding: Array(trailing.prefix(3)) + [0x22] + Array(trailing.dropFirst(4)))
        }
    }

    @Test func registration2019() throws {
        let registration = TerminalRegistration(
            province: 31, city: 114, manufacturer: Array("TZ001".utf8), model: Array("ICV-T8".utf8),
            terminalID: Array("A123456".utf8), plateColor: 1,
            plate: [0xBB, 0xA6, 0x41, 0x31, 0x32, 0x33, 0x34, 0x35])
        let packet = JT808Packet(header: Samples.header(0x0100), body: .registration(registration))
        let content = try packet.encodedContent()
        #expect(content.count == 17 + 2 + 2 + 11 + 30 + 30 + 1 + 8)
        let decoded = try JT808Packet(decoding: content)
        guard case .registration(let back) = decoded.body else {
            Issue.record("not a registration")
            return
        }
        #expect(back.manufacturer.count == 11 && TerminalRegistration.text(back.manufacturer) == "TZ001")
        #expect(TerminalRegistration.text(back.model) == "ICV-T8")
        #expect(TerminalRegistration.text(back.terminalID) == "A123456")
        #expect(back.plate == registration.plate)
        #expect(try JT808Packet(decoding: decoded.encodedContent()) == decoded)
    }

    @Test func registration2013FieldSizes() throws {
        let registration = TerminalRegistration(
            province: 31, city: 114, manufacturer: Array("TZ001".utf8), model: Array("M".utf8),
            terminalID: Array("ID".utf8), plateColor: 0, plate: Array("LSVAB4BR5KN000001".utf8))
        let packet = JT808Packet(
            header: Samples.header(0x0100, version: .v2013), body: .registration(registration))
        let content = try packet.encodedContent()
        #expect(content.count == 12 + 4 + 5 + 20 + 7 + 1 + 17)
        let decoded = try JT808Packet(decoding: content)
        guard case .registration(let back) = decoded.body else {
            Issue.record("not a registration")
            return
        }
        #expect(back.terminalID.count == 7 && TerminalRegistration.text(back.plate) == "LSVAB4BR5KN000001")
        let tooLong = TerminalRegistration(
            province: 0, city: 0, manufacturer: Array("TOOLONG".utf8), model: [], terminalID: [],
            plateColor: 0, plate: [])
        #expect(throws: JT808Error.self) {
            try JT808Packet(header: Samples.header(0x0100, version: .v2013), body: .registration(tooLong))
                .encoded()
        }
        #expect(throws: JT808Error.self) { try JT808Packet(decoding: Array(content.prefix(30))) }
    }

    @Test func authentication2019And2013() throws {
        let auth = TerminalAuthentication(
            code: Array("AUTH-7E}".utf8), imei: Array("860000000000001".utf8),
            softwareVersion: Array("1.2.3".utf8))
        let packet = JT808Packet(header: Samples.header(0x0102), body: .authentication(auth))
        let content = try packet.encodedContent()
        #expect(content.count == 17 + 1 + 8 + 15 + 20)
        let decoded = try JT808Packet(framed: packet.encoded())
        guard case .authentication(let back) = decoded.body else {
            Issue.record("not an authentication")
            return
        }
        #expect(back.code == auth.code && back.imei == auth.imei)
        #expect(TerminalRegistration.text(back.softwareVersion) == "1.2.3")

        let old = JT808Packet(
            header: Samples.header(0x0102, version: .v2013),
            body: .authentication(TerminalAuthentication(code: Array("XYZ".utf8))))
        #expect(try JT808Packet(decoding: old.encodedContent()) == old)

        // Code length overruns the body.
        let bad = Samples.bytes("0102 4003 01 00000000013912345678 0001 09 4142")
        #expect(
            throws: JT808Error(
                offset: 18, messageID: 0x0102,
                reason: .truncated(field: "authentication code", needed: 9, available: 2))
        ) {
            try JT808Packet(decoding: bad)
        }
    }
}
