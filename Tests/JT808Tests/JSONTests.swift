import JT808
import Testing

@Suite struct JSONTests {
    @Test func goldenLocationReportWithEveryItem() throws {
        var report = Samples.reportWithAllItems
        report.automationEvents.append(
            AutomationEvent(
                type: .disengaged, initiator: .remoteOperator, cause: .leftODD, levelBefore: 4,
                time: Samples.time,
                milliseconds: 7))
        report.automationEvents.append(
            AutomationEvent(
                type: AutomationEventType(rawValue: 42), initiator: AutomationEventInitiator(rawValue: 9),
                cause: AutomationEventCause(rawValue: 99), levelBefore: 4, time: Samples.time,
                milliseconds: 999))
        report.otherItems = [RawItem(id: 0x05, value: [0x7E, 0x00])]
        let packet = JT808Packet(header: Samples.header(0x0200, serial: 513), body: .locationReport(report))
        let decoded = try JT808Packet(framed: packet.encoded())
        #expect(JT808JSON.render(decoded) == Self.goldenLocation)
    }

    static let goldenLocation =
        #"{"messageId":"0x0200","version":2019,"protocolVersion":1,"terminal":"00000000013912345678","serial":513,"#
        + #""encryption":0,"locationReport":{"alarm":5242882,"alarms":["overspeed","areaInOut","routeDrivingTime"],"#
        + #""status":786435,"positioned":true,"latitude":31.283712,"longitude":121.162872,"altitude":12,"speed":42.3,"#
        + #""direction":87,"time":"2026-11-29T08:30:15Z","mileage":12345.6,"fuel":45.5,"recorderSpeed":42.0,"#
        + #""alarmEventId":9,"overspeedAlarm":{"locationType":2,"areaId":16909060},"#
        + #""areaRouteAlarm":{"locationType":1,"areaId":77,"direction":"out"},"#
        + #""routeDrivingTimeAlarm":{"segmentId":5,"drivingTime":600,"result":"tooLong"},"#
        + #""extendedVehicleSignals":3,"ioStatus":1,"analog":{"ad0":1,"ad1":2},"signalStrength":25,"satellites":14,"#
        + #""automation":{"level":4,"state":"active","safetyDriverOnBoard":true,"remoteOperatorConnected":false,"#
        + #""v2xEnabled":true,"flags":5},"automationEvents":["#
        + #"{"type":"engaged","initiator":"safetyDriver","cause":"unspecified","levelBefore":0,"#
        + #""time":"2026-11-29T08:30:13.250Z"},"#
        + #"{"type":"disengaged","initiator":"remoteOperator","cause":"leftODD","levelBefore":4,"#
        + #""time":"2026-11-29T08:30:15.007Z"},"#
        + #"{"type":42,"initiator":9,"cause":99,"levelBefore":4,"time":"2026-11-29T08:30:15.999Z"}],"#
        + #""otherItems":[{"id":"0x05","hex":"7e00"}]}}"#

    @Test func goldenSouthWest2013() throws {
        var report = LocationReport(status: [.positioned], speed: 5, direction: 359, time: Samples.time)
        report.setCoordinates(latitudeMicrodegrees: -33_868_820, longitudeMicrodegrees: -70_000_001)
        let packet = JT808Packet(
            header: Samples.header(0x0200, version: .v2013), body: .locationReport(report))
        #expect(
            JT808JSON.render(try JT808Packet(framed: packet.encoded()))
                == #"{"messageId":"0x0200","version":2013,"terminal":"013912345678","serial":7,"encryption":0,"#
                + #""locationReport":{"alarm":0,"alarms":[],"status":14,"positioned":true,"latitude":-33.868820,"#
                + #""longitude":-70.000001,"altitude":0,"speed":0.5,"direction":359,"time":"2026-11-29T08:30:15Z"}}"#
        )
    }

    @Test func goldenRegistrationWithGBKPlateAndRawBodies() throws {
        let registration = TerminalRegistration(
            province: 31, city: 114, manufacturer: Array("TZ001".utf8), model: Array("ICV-T8".utf8),
            terminalID: Array("A\"1\\".utf8), plateColor: 1,
            plate: [0xBB, 0xA6, 0x41, 0x31, 0x32, 0x33, 0x34, 0x35])
        let packet = JT808Packet(header: Samples.header(0x0100), body: .registration(registration))
        #expect(
            JT808JSON.render(try JT808Packet(framed: packet.encoded()))
                == #"{"messageId":"0x0100","version":2019,"protocolVersion":1,"terminal":"00000000013912345678","#
                + #""serial":7,"encryption":0,"registration":{"province":31,"city":114,"manufacturer":"TZ001","#
                + #""model":"ICV-T8","terminalId":"A\"1\\","plateColor":1,"plate":"沪A12345"}}"#)

        var header = Samples.header(0x0704)
        header.subPackage = JT808SubPackage(total: 2, index: 1)
        let fragment = JT808Packet(
            header: header, body: .raw(RawBody(kind: .subPackage, bytes: [0, 2, 0x7E])))
        #expect(
            JT808JSON.render(fragment)
                == #"{"messageId":"0x0704","version":2019,"protocolVersion":1,"terminal":"00000000013912345678","#
                + #""serial":7,"encryption":0,"subPackage":{"total":2,"index":1},"#
                + #""raw":{"kind":"subPackage","hex":"00027e"}}"#)
        let binary = JT808Packet(
            header: Samples.header(0x0102),
            body: .authentication(TerminalAuthentication(code: [0xFF, 0x00, 0x01], imei: Array("86".utf8))))
        #expect(
            JT808JSON.render(binary)
                == #"{"messageId":"0x0102","version":2019,"protocolVersion":1,"terminal":"00000000013912345678","#
                + #""serial":7,"encryption":0,"authentication":{"codeHex":"ff0001","imei":"86"}}"#)
    }
}
