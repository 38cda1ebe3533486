import JT808
import Testing

@Suite struct SubPackageTests {
    /// A 0x0704 backfill of 60 reports: 3003 bytes of body, more than one packet can carry.
    static var bigBatch: JT808Packet {
        var reports: [LocationReport] = []
        for index in 0..<60 {
            var report = Samples.reportWithAutomation
            report.time = JT808Timestamp(secondsSince1970: Samples.time.secondsSince1970 + Int64(index))
            reports.append(report)
        }
        return JT808Packet(
            header: Samples.header(0x0704, serial: 100),
            body: .batchLocationUpload(BatchLocationUpload(type: 1, reports: reports)))
    }

    static func decodeAll(_ wires: [[UInt8]]) throws -> [JT808Packet] {
        let log = JT808Framer.run([wires.flatMap { $0 }])
        #expect(log.errors.isEmpty)
        return try log.packets.map { try JT808Packet(decoding: $0.content) }
    }

    @Test func splitAndReassembleInOrder() throws {
        let packet = Self.bigBatch
        #expect(throws: JT808Error.self) { try packet.encoded() }
        let wires = try packet.encodedSubPackages()
        #expect(wires.count == 3)
        let parts = try Self.decodeAll(wires)
        #expect(parts.map(\.header.subPackage) == (1...3).map { JT808SubPackage(total: 3, index: $0) })
        #expect(parts.map(\.header.serial) == [100, 101, 102])
        var assembler = JT808SubPackageAssembler()
        try #require(parts.count == 3)
        #expect(try assembler.add(parts[0]) == nil)
        #expect(try assembler.add(parts[1]) == nil)
        #expect(assembler.pendingMessages == 1)
        try #require(parts.count == 3)
        let whole = try #require(try assembler.add(parts[2]))
        #expect(whole == packet)
        #expect(assembler.pendingMessages == 0)
    }

    @Test func outOfOrderInterleavedAndDuplicateParts() throws {
        let first = Self.bigBatch
        var second = Self.bigBatch
        second.header.terminal = TerminalNumber("13900000001")!
        second.header.serial = 7
        let a = try Self.decodeAll(first.encodedSubPackages(maximumBodyLength: 700))
        let b = try Self.decodeAll(second.encodedSubPackages(maximumBodyLength: 700))
        try #require(a.count == 5 && b.count == 5)
        var assembler = JT808SubPackageAssembler()
        var completed: [JT808Packet] = []
        let order = [b[4], a[2], a[0], b[0], a[0], b[1], a[4], a[3], b[3], b[2], a[1]]
        for part in order {
            if let whole = try assembler.add(part) { completed.append(whole) }
        }
        #expect(completed == [second, first])
    }

    @Test func notAPartPassesThrough() throws {
        var assembler = JT808SubPackageAssembler()
        let packet = Samples.locationPacket()
        #expect(try assembler.add(packet) == packet)
    }

    @Test func impossibleIndexIsAnError() throws {
        var header = Samples.header(0x0704)
        header.subPackage = JT808SubPackage(total: 2, index: 3)
        var assembler = JT808SubPackageAssembler()
        #expect(throws: JT808Error.self) {
            try assembler.add(JT808Packet(header: header, body: .raw(RawBody(kind: .subPackage, bytes: [1]))))
        }
    }

    @Test func oldestIncompleteMessageIsAbandonedBeyondTheLimit() throws {
        var assembler = JT808SubPackageAssembler(maximumPendingMessages: 2)
        for serial in [UInt16(10), 20, 30] {
            var header = Samples.header(0x0704, serial: serial)
            header.subPackage = JT808SubPackage(total: 2, index: 1)
            #expect(
                try assembler.add(
                    JT808Packet(header: header, body: .raw(RawBody(kind: .subPackage, bytes: [1])))) == nil)
        }
        #expect(assembler.pendingMessages == 2)
        #expect(assembler.abandonedMessages == 1)
    }

    @Test func reassembledBodyThatDoesNotDecodeIsAnError() throws {
        var assembler = JT808SubPackageAssembler()
        var header = Samples.header(0x0200)
        header.subPackage = JT808SubPackage(total: 1, index: 1)
        #expect(throws: JT808Error.self) {
            try assembler.add(
                JT808Packet(header: header, body: .raw(RawBody(kind: .subPackage, bytes: [1, 2, 3]))))
        }
    }
}
