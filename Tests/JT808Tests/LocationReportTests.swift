import Testing

@testable import JT808

@Suite struct LocationReportTests {
    /// Body bytes of a hand-written report: Shanghai, 2026-11-29 16:30:15 UTC+8.
    static let fixedPart =
        "00000002" + "000C0003" + "01DD5A00" + "0738CC78" + "000C" + "01A7" + "0057" + "261129163015"

    static func body(_ hex: String) -> [UInt8] { Samples.bytes(hex) }

    static func decode(_ hex: String) throws(JT808Error) -> LocationReport {
        let bytes = body(hex)
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(JT808Error) in try LocationReport(decoding: raw) }
        }
        return try result.get()
    }

    @Test func handWrittenFixedPart() throws {
        let report = try Self.decode(Self.fixedPart)
        #expect(report.alarm == .overspeed)
        #expect(report.status.contains(.accOn) && report.status.contains(.positioned))
        #expect(report.isPositioned)
        #expect(report.status.contains(.gps) && report.status.contains(.beidou))
        #expect(report.latitudeMicrodegrees == 31_283_712)
        #expect(report.longitudeMicrodegrees == 121_162_872)
        #expect(report.latitude == 31.283712)
        #expect(report.altitude == 12)
        #expect(report.speed == 423 && report.speedKilometresPerHour == 42.3)
        #expect(report.direction == 87)
        // 16:30:15 in Beijing is 08:30:15 UTC.
        #expect(report.time.secondsSince1970 == 1_795_941_015)
        #expect(report.time.description == "2026-11-29T08:30:15Z")
        #expect(report.automationEvents.isEmpty && report.otherItems.isEmpty)
        #expect(Samples.hex(try report.encodedBody()) == Self.fixedPart.lowercased())
    }

    @Test func beijingMidnightIsPreviousUTCDay() throws {
        let report = try Self.decode(String(Self.fixedPart.dropLast(12)) + "270101000000")
        #expect(report.time.description == "2026-12-31T16:00:00Z")
        #expect(report.time.beijingComponents.year == 2027)
    }

    @Test func southAndWestHemispheres() throws {
        // Status 0x0E: positioned, south, west.
        let report = try Self.decode(
            "00000000" + "0000000E" + "020B9C80" + "04194F00" + "000000000000" + "260301120000")
        #expect(report.latitudeMicrodegrees == -34_315_392)
        #expect(report.longitudeMicrodegrees == -68_767_488)
        #expect(report.latitude < 0 && report.longitude < 0)
        var copy = report
        copy.setCoordinates(latitudeMicrodegrees: 1, longitudeMicrodegrees: -2)
        #expect(!copy.status.contains(.southLatitude) && copy.status.contains(.westLongitude))
    }

    @Test func fixValidityFlag() throws {
        let report = try Self.decode("00000000" + "00000000" + String(Self.fixedPart.dropFirst(16)))
        #expect(!report.isPositioned)
    }

    @Test func everyStandardItem() throws {
        let items =
            "0104 0001E240" + "0202 01C7" + "0302 01A4" + "0402 0009" + "1105 02 01020304"
            + "1206 01 0000004D 01"
            + "1307 00000005 0258 01" + "2504 00000003" + "2A02 0001" + "2B04 00020001" + "3001 19"
            + "3101 0E"
        let report = try Self.decode(Self.fixedPart + items)
        #expect(report.mileage == 123_456)
        #expect(report.fuel == 455)
        #expect(report.recorderSpeed == 420)
        #expect(report.alarmEventID == 9)
        #expect(report.overspeedAlarm == OverspeedAlarm(locationType: 2, areaID: 0x0102_0304))
        #expect(report.areaRouteAlarm == AreaRouteAlarm(locationType: 1, areaID: 77, direction: 1))
        #expect(
            report.routeDrivingTimeAlarm == RouteDrivingTimeAlarm(segmentID: 5, drivingTime: 600, result: 1))
        #expect(report.extendedVehicleSignals == 3)
        #expect(report.ioStatus == 1)
        #expect(report.analog == 0x0002_0001)
        #expect(report.signalStrength == 25)
        #expect(report.satellites == 14)
        #expect(report.otherItems.isEmpty)
        #expect(
            Samples.hex(try report.encodedBody())
                == (Self.fixedPart + items).filter { $0 != " " }.lowercased())
    }

    @Test func overspeedWithoutArea() throws {
        let report = try Self.decode(Self.fixedPart + "1101 00")
        #expect(report.overspeedAlarm == OverspeedAlarm(locationType: 0, areaID: nil))
        #expect(Samples.hex(try report.encodedBody()).hasSuffix("110100"))
    }

    @Test func automationItems() throws {
        // 0xE1: level 4, active, flags safety driver + V2X. 0xE2: engaged by the safety driver,
        // cause unspecified, level before 0, 16:30:13.250 Beijing time.
        let report = try Self.decode(
            Self.fixedPart + "E104 04 02 0005" + "E20C 01 02 00 00 261129163013 00FA")
        let state = try #require(report.automationState)
        #expect(state.level == 4 && state.mode == .active && state.mode.name == "active")
        #expect(state.flags == [.safetyDriverOnBoard, .v2xEnabled])
        try #require(report.automationEvents.count == 1)
        let event = report.automationEvents[0]
        #expect(event.type == .engaged && event.initiator == .safetyDriver && event.cause == .unspecified)
        #expect(event.levelBefore == 0)
        #expect(event.millisecondsSince1970 == 1_795_941_013_250)
        var expected = Samples.reportWithAutomation
        expected.alarm = .overspeed
        #expect(report == expected)
    }

    @Test func severalAutomationEventsBeyondInlineCapacity() throws {
        var report = Samples.reportWithAutomation
        let base = Samples.time.secondsSince1970
        let kinds: [AutomationEventType] = [
            .takeoverRequest, .disengaged, .mrmStarted, .mrmEnded, .collision, .severeFailure,
        ]
        for (index, kind) in kinds.enumerated() {
            report.automationEvents.append(
                AutomationEvent(
                    type: kind, initiator: .ads, cause: AutomationEventCause(rawValue: UInt8(index + 1)),
                    levelBefore: 4,
                    time: JT808Timestamp(secondsSince1970: base - 1), milliseconds: UInt16(index * 100)))
        }
        #expect(report.automationEvents.count == 7)
        let body = try report.encodedBody()
        let decoded = try body.withUnsafeBytes { raw in
            Result { () throws(JT808Error) in try LocationReport(decoding: raw) }
        }.get()
        #expect(decoded == report)
        #expect(decoded.automationEvents.map(\.type) == [.engaged] + kinds)
        #expect(decoded.automationEvents.map(\.milliseconds) == [250, 0, 100, 200, 300, 400, 500])
    }

    @Test func unknownAndRepeatedItemsAreKeptRawInOrder() throws {
        let report = try Self.decode(
            Self.fixedPart + "0503 AABBCC" + "3001 10" + "EF00" + "3001 11" + "E0 02 7E7D")
        #expect(report.signalStrength == 0x10)
        #expect(
            report.otherItems == [
                RawItem(id: 0x05, value: [0xAA, 0xBB, 0xCC]), RawItem(id: 0xEF, value: []),
                RawItem(id: 0x30, value: [0x11]), RawItem(id: 0xE0, value: [0x7E, 0x7D]),
            ])
        let again = try Self.decode(Samples.hex(try report.encodedBody()))
        #expect(again == report)
    }

    // MARK: Errors

    @Test func invalidBCDDigitInTime() throws {
        #expect(
            throws: JT808Error(offset: 26, messageID: 0x0200, reason: .invalidBCD(field: "time"))
        ) {
            try Self.decode(String(Self.fixedPart.dropLast(4)) + "3A15")
        }
    }

    @Test(arguments: [
        "260230120000", "261301120000", "261129240000", "261129236000", "261129235960", "250229000000",
        "000000000000",
    ])
    func impossibleDates(time: String) throws {
        #expect {
            try Self.decode(String(Self.fixedPart.dropLast(12)) + time)
        } throws: { error in
            guard let error = error as? JT808Error, case .invalidDate(let field, _) = error.reason else {
                return false
            }
            return error.offset == 22 && field == "time"
        }
    }

    @Test func leapDayIsValid() throws {
        let report = try Self.decode(String(Self.fixedPart.dropLast(12)) + "280229120000")
        #expect(report.time.beijingComponents.month == 2 && report.time.beijingComponents.day == 29)
    }

    @Test func outOfRangeCoordinatesAndDirection() throws {
        #expect(
            throws: JT808Error(
                offset: 8, messageID: 0x0200,
                reason: .valueOutOfRange(field: "latitude", value: 90_000_001, range: 0...90_000_000))
        ) {
            try Self.decode("00000000 00000002 055D4A81 00000000 0000 0000 0000 261129163015")
        }
        #expect(
            throws: JT808Error(
                offset: 12, messageID: 0x0200,
                reason: .valueOutOfRange(field: "longitude", value: 4_294_967_295, range: 0...180_000_000))
        ) {
            try Self.decode("00000000 00000002 00000000 FFFFFFFF 0000 0000 0000 261129163015")
        }
        #expect(
            throws: JT808Error(
                offset: 20, messageID: 0x0200,
                reason: .valueOutOfRange(field: "direction", value: 360, range: 0...359))
        ) {
            try Self.decode("00000000 00000002 00000000 00000000 0000 0000 0168 261129163015")
        }
    }

    @Test func itemLengthOverrunningTheBody() throws {
        #expect(
            throws: JT808Error(
                offset: 30, messageID: 0x0200,
                reason: .truncated(field: "additional item value", needed: 4, available: 3))
        ) {
            try Self.decode(Self.fixedPart + "0104 000001")
        }
        #expect(
            throws: JT808Error(
                offset: 29, messageID: 0x0200,
                reason: .truncated(field: "additional item length", needed: 1, available: 0))
        ) {
            try Self.decode(Self.fixedPart + "01")
        }
        #expect(
            throws: JT808Error(
                offset: 0, messageID: 0x0200,
                reason: .truncated(field: "alarm flags", needed: 4, available: 3))
        ) {
            try Self.decode("000000")
        }
        #expect(
            throws: JT808Error(
                offset: 22, messageID: 0x0200, reason: .truncated(field: "time", needed: 6, available: 5))
        ) {
            try Self.decode(String(Self.fixedPart.dropLast(2)))
        }
    }

    @Test func wrongLengthOfKnownItem() throws {
        #expect(
            throws: JT808Error(
                offset: 28, messageID: 0x0200, reason: .invalidItemLength(id: 0xE1, length: 3, expected: "4"))
        ) {
            try Self.decode(Self.fixedPart + "E103 040200")
        }
        #expect(
            throws: JT808Error(
                offset: 28, messageID: 0x0200,
                reason: .invalidItemLength(id: 0x11, length: 2, expected: "1 or 5"))
        ) {
            try Self.decode(Self.fixedPart + "1102 0000")
        }
    }

    @Test func invalidAutomationEventTimeAndMilliseconds() throws {
        #expect(
            throws: JT808Error(
                offset: 39, messageID: 0x0200, reason: .invalidBCD(field: "automation event time"))
        ) {
            try Self.decode(Self.fixedPart + "E20C 02 01 07 04 2611291630F3 0000")
        }
        #expect(
            throws: JT808Error(
                offset: 40, messageID: 0x0200,
                reason: .valueOutOfRange(field: "automation event milliseconds", value: 1000, range: 0...999))
        ) {
            try Self.decode(Self.fixedPart + "E20C 02 01 07 04 261129163013 03E8")
        }
    }

    @Test func errorDescriptionNamesMessageOffsetAndReason() {
        let error = JT808Error(
            offset: 8, messageID: 0x0200,
            reason: .valueOutOfRange(field: "latitude", value: 95_000_000, range: 0...90_000_000))
        #expect(error.description == "message 0x0200, byte 8: latitude 95000000 is outside 0...90000000")
    }

    @Test func encoderRejectsValuesTheDecoderWouldReject() {
        var report = Samples.reportWithAutomation
        report.latitudeMagnitude = 90_000_001
        #expect(throws: JT808Error.self) { try report.encodedBody() }
        report = Samples.reportWithAutomation
        report.time = JT808Timestamp(secondsSince1970: 0)
        #expect(throws: JT808Error.self) { try report.encodedBody() }
        report = Samples.reportWithAutomation
        report.otherItems = [RawItem(id: 0x99, value: .init(repeating: 0, count: 256))]
        #expect(throws: JT808Error.self) { try report.encodedBody() }
    }

    @Test func everyDayOfTheCenturyDecodesLikeTheGeneralCalendar() throws {
        // The decoder's fast 2000-2099 path against the general proleptic Gregorian conversion,
        // for every day (and every invalid day 29-31) of the century.
        for year in 0..<100 {
            for month in 0...13 {
                for day in 0...32 {
                    let fast = JT808Timestamp(
                        yearOfCentury: year, month: month, day: day, hour: 23, minute: 59, second: 58)
                    let general = JT808Timestamp(
                        beijingYear: 2000 + year, month: month, day: day, hour: 23, minute: 59, second: 58)
                    #expect(fast == general, "\(year) \(month) \(day)")
                }
            }
        }
        // And through the decoder.
        let report = try Self.decode(String(Self.fixedPart.dropLast(12)) + "960229235958")
        #expect(report.time.description == "2096-02-29T15:59:58Z")
    }

    @Test func timestampConversions() throws {
        let time = try #require(
            JT808Timestamp(beijingYear: 2000, month: 1, day: 1, hour: 8, minute: 0, second: 0))
        #expect(time.secondsSince1970 == 946_684_800)
        #expect(JT808Timestamp(beijingYear: 2100, month: 2, day: 29, hour: 0, minute: 0, second: 0) == nil)
        #expect(JT808Timestamp(beijingYear: 2000, month: 2, day: 29, hour: 0, minute: 0, second: 0) != nil)
        for seconds in stride(from: Int64(946_656_000), to: 4_102_415_999, by: 7_777_777) {
            let stamp = JT808Timestamp(secondsSince1970: seconds)
            let c = stamp.beijingComponents
            #expect(
                JT808Timestamp(
                    beijingYear: c.year, month: c.month, day: c.day, hour: c.hour, minute: c.minute,
                    second: c.second)
                    == stamp)
        }
    }
}
