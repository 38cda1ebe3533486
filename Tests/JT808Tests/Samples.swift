import JT808

/// Packets and helpers shared by the JT808 tests.
enum Samples {
    /// 2026-11-29 16:30:15 Beijing time = 08:30:15 UTC.
    static let time = JT808Timestamp(beijingYear: 2026, month: 11, day: 29, hour: 16, minute: 30, second: 15)!

    static let terminal2019 = TerminalNumber("13912345678", byteCount: 10)!
    static let terminal2013 = TerminalNumber("013912345678", byteCount: 6)!

    static func header(
        _ id: UInt16, version: JT808HeaderVersion = .v2019(protocolVersion: 1), serial: UInt16 = 7
    ) -> JT808Header {
        JT808Header(
            messageID: id, version: version,
            terminal: version == .v2013 ? terminal2013 : terminal2019, serial: serial)
    }

    /// A report in the Jiading zone with 0xE1 and one 0xE2 item.
    static var reportWithAutomation: LocationReport {
        var report = LocationReport(
            status: [.accOn, .positioned, .gps, .beidou], altitude: 12, speed: 423, direction: 87, time: time)
        report.setCoordinates(latitudeMicrodegrees: 31_283_712, longitudeMicrodegrees: 121_162_872)
        report.automationState = AutomationState(
            level: 4, mode: .active, flags: [.safetyDriverOnBoard, .v2xEnabled])
        report.automationEvents.append(
            AutomationEvent(
                type: .engaged, initiator: .safetyDriver, cause: .unspecified, levelBefore: 0,
                time: JT808Timestamp(secondsSince1970: time.secondsSince1970 - 2), milliseconds: 250))
        return report
    }

    /// A report carrying every standard item this module decodes.
    static var reportWithAllItems: LocationReport {
        var report = reportWithAutomation
        report.alarm = [.overspeed, .areaInOut, .routeDrivingTime]
        report.mileage = 123_456
        report.fuel = 455
        report.recorderSpeed = 420
        report.alarmEventID = 9
        report.overspeedAlarm = OverspeedAlarm(locationType: 2, areaID: 0x0102_0304)
        report.areaRouteAlarm = AreaRouteAlarm(locationType: 1, areaID: 77, direction: 1)
        report.routeDrivingTimeAlarm = RouteDrivingTimeAlarm(segmentID: 5, drivingTime: 600, result: 1)
        report.extendedVehicleSignals = 0x0000_0003
        report.ioStatus = 0x0001
        report.analog = 0x0002_0001
        report.signalStrength = 25
        report.satellites = 14
        return report
    }

    static func locationPacket(_ report: LocationReport = reportWithAutomation, serial: UInt16 = 7)
        -> JT808Packet
    {
        JT808Packet(header: header(0x0200, serial: serial), body: .locationReport(report))
    }

    /// Bytes from a hex string ("7E 02 00 ..." or "7e0200...").
    static func bytes(_ hex: String) -> [UInt8] {
        let digits = hex.filter { !$0.isWhitespace }
        var out: [UInt8] = []
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            out.append(UInt8(digits[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}

/// Collects what a framer reports, copying packet content out of the callback.
struct FramerLog {
    var packets: [(content: [UInt8], offset: Int)] = []
    var errors: [JT808Error] = []

    mutating func record(_ event: JT808FramerEvent) {
        switch event {
        case .packet(let content, let offset): packets.append((Array(content), offset))
        case .error(let error): errors.append(error)
        }
    }
}

extension JT808Framer {
    /// Feeds chunks and returns everything reported (including `finish`).
    static func run(_ chunks: [[UInt8]], maximumPacketLength: Int = JT808Framer.defaultMaximumPacketLength)
        -> FramerLog
    {
        var framer = JT808Framer(maximumPacketLength: maximumPacketLength)
        var log = FramerLog()
        for chunk in chunks { framer.append(chunk) { log.record($0) } }
        framer.finish { log.record($0) }
        return log
    }
}
