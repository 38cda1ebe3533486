/// A location report: the body of message 0x0200 and of each 0x0704 batch item.
///
/// Layout: DWORD alarm flags, DWORD status, DWORD latitude and DWORD longitude (magnitudes in
/// 1e-6 degrees; the hemispheres are status bits 2 and 3), WORD altitude (m), WORD speed
/// (0.1 km/h), WORD direction (0-359, clockwise from north), BCD[6] time (UTC+8); then
/// additional-information items, each BYTE id, BYTE length, value.
///
/// Decoding reads the bytes in place and does not allocate, except to keep unknown or repeated
/// items (``otherItems``) and 0xE2 events beyond ``AutomationEvents/inlineCapacity``.
public struct LocationReport: Hashable, Sendable {
    /// Alarm flags.
    public var alarm: AlarmFlags
    /// Status flags (fix validity, hemispheres, ...).
    public var status: StatusFlags
    /// Latitude magnitude in 1e-6 degrees (0...90,000,000); south when `status` has `.southLatitude`.
    public var latitudeMagnitude: UInt32
    /// Longitude magnitude in 1e-6 degrees (0...180,000,000); west when `status` has `.westLongitude`.
    public var longitudeMagnitude: UInt32
    /// Altitude above sea level, metres.
    public var altitude: UInt16
    /// Speed in 0.1 km/h.
    public var speed: UInt16
    /// Heading in degrees clockwise from north, 0-359.
    public var direction: UInt16
    /// Fix time.
    public var time: JT808Timestamp

    /// 0x01: odometer mileage in 0.1 km.
    public var mileage: UInt32?
    /// 0x02: fuel in 0.1 L.
    public var fuel: UInt16?
    /// 0x03: speed from the driving recorder in 0.1 km/h.
    public var recorderSpeed: UInt16?
    /// 0x04: id of an alarm event that needs manual confirmation.
    public var alarmEventID: UInt16?
    /// 0x11: overspeed alarm details.
    public var overspeedAlarm: OverspeedAlarm?
    /// 0x12: area/route entry or exit alarm details.
    public var areaRouteAlarm: AreaRouteAlarm?
    /// 0x13: route driving time alarm details.
    public var routeDrivingTimeAlarm: RouteDrivingTimeAlarm?
    /// 0x25: extended vehicle signal status bits.
    public var extendedVehicleSignals: UInt32?
    /// 0x2A: IO status bits.
    public var ioStatus: UInt16?
    /// 0x2B: analog quantities (bits 0-15 AD0, bits 16-31 AD1).
    public var analog: UInt32?
    /// 0x30: wireless signal strength.
    public var signalStrength: UInt8?
    /// 0x31: number of GNSS satellites.
    public var satellites: UInt8?
    /// 0xE1: automation state.
    public var automationState: AutomationState?
    /// 0xE2: automation events, in wire order.
    public var automationEvents: AutomationEvents
    /// Items kept as received: unknown ids, and repeats of known single-valued items.
    public var otherItems: [RawItem]

    /// Creates a report without additional items.
    public init(
        alarm: AlarmFlags = [], status: StatusFlags = [], latitudeMagnitude: UInt32 = 0,
        longitudeMagnitude: UInt32 = 0, altitude: UInt16 = 0, speed: UInt16 = 0, direction: UInt16 = 0,
        time: JT808Timestamp
    ) {
        self.alarm = alarm
        self.status = status
        self.latitudeMagnitude = latitudeMagnitude
        self.longitudeMagnitude = longitudeMagnitude
        self.altitude = altitude
        self.speed = speed
        self.direction = direction
        self.time = time
        automationEvents = AutomationEvents()
        otherItems = []
    }

    /// Largest latitude magnitude, 1e-6 degrees.
    public static let maximumLatitude: UInt32 = 90_000_000
    /// Largest longitude magnitude, 1e-6 degrees.
    public static let maximumLongitude: UInt32 = 180_000_000

    /// True when the fix is valid (status bit 1).
    public var isPositioned: Bool { status.contains(.positioned) }

    /// Signed latitude in 1e-6 degrees (negative south).
    public var latitudeMicrodegrees: Int32 {
        status.contains(.southLatitude) ? -Int32(latitudeMagnitude) : Int32(latitudeMagnitude)
    }

    /// Signed longitude in 1e-6 degrees (negative west).
    public var longitudeMicrodegrees: Int32 {
        status.contains(.westLongitude) ? -Int32(longitudeMagnitude) : Int32(longitudeMagnitude)
    }

    /// Signed latitude in degrees.
    public var latitude: Double { Double(latitudeMicrodegrees) / 1e6 }
    /// Signed longitude in degrees.
    public var longitude: Double { Double(longitudeMicrodegrees) / 1e6 }
    /// Speed in km/h.
    public var speedKilometresPerHour: Double { Double(speed) / 10 }

    /// Sets both coordinates from signed microdegrees, including the hemisphere status bits.
    public mutating func setCoordinates(latitudeMicrodegrees: Int32, longitudeMicrodegrees: Int32) {
        latitudeMagnitude = latitudeMicrodegrees.magnitude
        longitudeMagnitude = longitudeMicrodegrees.magnitude
        if latitudeMicrodegrees < 0 { status.insert(.southLatitude) } else { status.remove(.southLatitude) }
        if longitudeMicrodegrees < 0 { status.insert(.westLongitude) } else { status.remove(.westLongitude) }
    }

    /// Length of the fixed part before the additional items.
    public static let fixedLength = 28

    // MARK: Decoding

    /// Decodes a location report body from its bytes (offsets in errors are relative to `body`).
    public init(decoding body: UnsafeRawBufferPointer, messageID: UInt16? = 0x0200) throws(JT808Error) {
        var reader = ByteReader(body, messageID: messageID)
        self = try Self.decode(&reader, end: body.count)
    }

    /// Decodes a location report occupying `reader.position..<end` and leaves the reader at `end`.
    static func decode(_ reader: inout ByteReader, end: Int) throws(JT808Error) -> LocationReport {
        var sub = ByteReader(reader.bytes, from: reader.position, to: end, messageID: reader.messageID)
        let alarm = AlarmFlags(rawValue: try sub.uint32("alarm flags"))
        let status = StatusFlags(rawValue: try sub.uint32("status"))
        let latitudeOffset = sub.position
        let latitude = try sub.uint32("latitude")
        if latitude > maximumLatitude {
            throw sub.error(
                .valueOutOfRange(
                    field: "latitude", value: Int64(latitude), range: 0...Int64(maximumLatitude)),
                at: latitudeOffset)
        }
        let longitude = try sub.uint32("longitude")
        if longitude > maximumLongitude {
            throw sub.error(
                .valueOutOfRange(
                    field: "longitude", value: Int64(longitude), range: 0...Int64(maximumLongitude)),
                at: latitudeOffset + 4)
        }
        let altitude = try sub.uint16("altitude")
        let speed = try sub.uint16("speed")
        let direction = try sub.uint16("direction")
        if direction > 359 {
            throw sub.error(
                .valueOutOfRange(field: "direction", value: Int64(direction), range: 0...359),
                at: sub.position - 2)
        }
        let time = try sub.timestamp("time")
        var report = LocationReport(
            alarm: alarm, status: status, latitudeMagnitude: latitude, longitudeMagnitude: longitude,
            altitude: altitude, speed: speed, direction: direction, time: time)
        while !sub.isAtEnd {
            try report.decodeItem(&sub)
        }
        reader.position = end
        return report
    }

    private mutating func decodeItem(_ reader: inout ByteReader) throws(JT808Error) {
        let itemOffset = reader.position
        let id = try reader.uint8("additional item id")
        let length = Int(try reader.uint8("additional item length"))
        try reader.need(length, "additional item value")
        let valueStart = reader.position
        let valueEnd = valueStart + length
        defer { reader.position = valueEnd }

        func expect(_ allowed: Int) throws(JT808Error) {
            if length != allowed {
                throw reader.error(
                    .invalidItemLength(id: id, length: length, expected: "\(allowed)"), at: itemOffset)
            }
        }

        switch id {
        case 0x01 where mileage == nil:
            try expect(4)
            mileage = try reader.uint32("mileage")
        case 0x02 where fuel == nil:
            try expect(2)
            fuel = try reader.uint16("fuel")
        case 0x03 where recorderSpeed == nil:
            try expect(2)
            recorderSpeed = try reader.uint16("recorder speed")
        case 0x04 where alarmEventID == nil:
            try expect(2)
            alarmEventID = try reader.uint16("alarm event id")
        case 0x11 where overspeedAlarm == nil:
            guard length == 1 || length == 5 else {
                throw reader.error(
                    .invalidItemLength(id: id, length: length, expected: "1 or 5"), at: itemOffset)
            }
            let type = try reader.uint8("overspeed location type")
            overspeedAlarm = OverspeedAlarm(
                locationType: type, areaID: length == 5 ? try reader.uint32("overspeed area id") : nil)
        case 0x12 where areaRouteAlarm == nil:
            try expect(6)
            let type = try reader.uint8("area alarm location type")
            let area = try reader.uint32("area alarm area id")
            let direction = try reader.uint8("area alarm direction")
            areaRouteAlarm = AreaRouteAlarm(locationType: type, areaID: area, direction: direction)
        case 0x13 where routeDrivingTimeAlarm == nil:
            try expect(7)
            let segment = try reader.uint32("route segment id")
            let time = try reader.uint16("route driving time")
            let result = try reader.uint8("route driving time result")
            routeDrivingTimeAlarm = RouteDrivingTimeAlarm(
                segmentID: segment, drivingTime: time, result: result)
        case 0x25 where extendedVehicleSignals == nil:
            try expect(4)
            extendedVehicleSignals = try reader.uint32("extended vehicle signals")
        case 0x2A where ioStatus == nil:
            try expect(2)
            ioStatus = try reader.uint16("IO status")
        case 0x2B where analog == nil:
            try expect(4)
            analog = try reader.uint32("analog")
        case 0x30 where signalStrength == nil:
            try expect(1)
            signalStrength = try reader.uint8("signal strength")
        case 0x31 where satellites == nil:
            try expect(1)
            satellites = try reader.uint8("GNSS satellites")
        case AutomationState.itemID where automationState == nil:
            try expect(AutomationState.itemLength)
            let level = try reader.uint8("automation level")
            let mode = try reader.uint8("automation state")
            let flags = try reader.uint16("automation flags")
            automationState = AutomationState(
                level: level, mode: AutomationMode(rawValue: mode), flags: AutomationFlags(rawValue: flags))
        case AutomationEvent.itemID:
            try expect(AutomationEvent.itemLength)
            let type = try reader.uint8("automation event type")
            let initiator = try reader.uint8("automation event initiator")
            let cause = try reader.uint8("automation event cause")
            let level = try reader.uint8("automation event level before")
            let time = try reader.timestamp("automation event time")
            let milliseconds = try reader.uint16("automation event milliseconds")
            if milliseconds > 999 {
                throw reader.error(
                    .valueOutOfRange(
                        field: "automation event milliseconds", value: Int64(milliseconds), range: 0...999),
                    at: reader.position - 2)
            }
            automationEvents.append(
                AutomationEvent(
                    type: AutomationEventType(rawValue: type),
                    initiator: AutomationEventInitiator(rawValue: initiator),
                    cause: AutomationEventCause(rawValue: cause), levelBefore: level, time: time,
                    milliseconds: milliseconds))
        default:
            otherItems.append(RawItem(id: id, value: try reader.byteArray(length, "additional item value")))
        }
    }

    // MARK: Encoding

    /// The encoded body bytes.
    public func encodedBody() throws(JT808Error) -> [UInt8] {
        var writer = ByteWriter(capacity: 64)
        try encode(into: &writer)
        return writer.bytes
    }

    /// Appends the body: fixed part, then known items by ascending id, 0xE1, the 0xE2 events in
    /// order, and `otherItems` in order.
    func encode(into writer: inout ByteWriter) throws(JT808Error) {
        func fail(_ field: String, _ detail: String) -> JT808Error {
            JT808Error(offset: writer.count, reason: .notEncodable(field: field, detail: detail))
        }
        guard latitudeMagnitude <= Self.maximumLatitude else { throw fail("latitude", "above 90000000") }
        guard longitudeMagnitude <= Self.maximumLongitude else { throw fail("longitude", "above 180000000") }
        guard direction <= 359 else { throw fail("direction", "above 359") }
        writer.uint32(alarm.rawValue)
        writer.uint32(status.rawValue)
        writer.uint32(latitudeMagnitude)
        writer.uint32(longitudeMagnitude)
        writer.uint16(altitude)
        writer.uint16(speed)
        writer.uint16(direction)
        try writer.timestamp(time, field: "time")
        if let mileage { writer.item(0x01, 4) { $0.uint32(mileage) } }
        if let fuel { writer.item(0x02, 2) { $0.uint16(fuel) } }
        if let recorderSpeed { writer.item(0x03, 2) { $0.uint16(recorderSpeed) } }
        if let alarmEventID { writer.item(0x04, 2) { $0.uint16(alarmEventID) } }
        if let overspeedAlarm {
            writer.item(0x11, overspeedAlarm.areaID == nil ? 1 : 5) {
                $0.uint8(overspeedAlarm.locationType)
                if let area = overspeedAlarm.areaID { $0.uint32(area) }
            }
        }
        if let areaRouteAlarm {
            writer.item(0x12, 6) {
                $0.uint8(areaRouteAlarm.locationType)
                $0.uint32(areaRouteAlarm.areaID)
                $0.uint8(areaRouteAlarm.direction)
            }
        }
        if let routeDrivingTimeAlarm {
            writer.item(0x13, 7) {
                $0.uint32(routeDrivingTimeAlarm.segmentID)
                $0.uint16(routeDrivingTimeAlarm.drivingTime)
                $0.uint8(routeDrivingTimeAlarm.result)
            }
        }
        if let extendedVehicleSignals { writer.item(0x25, 4) { $0.uint32(extendedVehicleSignals) } }
        if let ioStatus { writer.item(0x2A, 2) { $0.uint16(ioStatus) } }
        if let analog { writer.item(0x2B, 4) { $0.uint32(analog) } }
        if let signalStrength { writer.item(0x30, 1) { $0.uint8(signalStrength) } }
        if let satellites { writer.item(0x31, 1) { $0.uint8(satellites) } }
        if let automationState {
            writer.item(AutomationState.itemID, AutomationState.itemLength) {
                $0.uint8(automationState.level)
                $0.uint8(automationState.mode.rawValue)
                $0.uint16(automationState.flags.rawValue)
            }
        }
        for event in automationEvents {
            guard event.milliseconds <= 999 else { throw fail("automation event milliseconds", "above 999") }
            writer.uint8(AutomationEvent.itemID)
            writer.uint8(UInt8(AutomationEvent.itemLength))
            writer.uint8(event.type.rawValue)
            writer.uint8(event.initiator.rawValue)
            writer.uint8(event.cause.rawValue)
            writer.uint8(event.levelBefore)
            try writer.timestamp(event.time, field: "automation event time")
            writer.uint16(event.milliseconds)
        }
        for item in otherItems {
            guard item.value.count <= 255 else {
                throw fail("additional item \(hexID(item.id))", "longer than 255")
            }
            writer.uint8(item.id)
            writer.uint8(UInt8(item.value.count))
            writer.append(item.value)
        }
    }
}

extension ByteWriter {
    /// Writes an item header and its value (the closure must write exactly `length` bytes).
    fileprivate mutating func item(_ id: UInt8, _ length: Int, _ value: (inout ByteWriter) -> Void) {
        uint8(id)
        uint8(UInt8(length))
        value(&self)
    }
}
