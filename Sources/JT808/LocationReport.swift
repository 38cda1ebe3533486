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
    /// Items whose length or value did not parse, kept as received (only when decoding with
    /// ``ItemDecoding/keepsMalformedItems``; a cut-off last item keeps the rest of the body).
    public var malformedItems: [RawItem] = []

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
    public init(
        decoding body: UnsafeRawBufferPointer, messageID: UInt16? = 0x0200, items: ItemDecoding = .strict
    ) throws(JT808Error) {
        var reader = ByteReader(body, messageID: messageID, items: items)
        self = try Self.decode(&reader, end: body.count)
    }

    /// Decodes a location report occupying `reader.position..<end` and leaves the reader at `end`.
    /// (A static function rather than an initializer: the result is then built in place in the
    /// caller's storage instead of being copied out of a temporary `self`.)
    static func decode(_ reader: inout ByteReader, end: Int) throws(JT808Error) -> LocationReport {
        var sub = ByteReader(
            reader.bytes, from: reader.position, to: end, messageID: reader.messageID, items: reader.items)
        guard sub.remaining >= fixedLength else {
            // Read field by field so that the error names the first field that is cut off.
            _ = try sub.uint32("alarm flags")
            _ = try sub.uint32("status")
            _ = try sub.uint32("latitude")
            _ = try sub.uint32("longitude")
            _ = try sub.uint16("altitude")
            _ = try sub.uint16("speed")
            _ = try sub.uint16("direction")
            _ = try sub.timestamp("time")
            throw sub.error(
                .truncated(field: "location report", needed: fixedLength, available: sub.remaining))
        }
        let start = sub.position
        let latitude = sub.dword(at: start + 8)
        if _slowPath(latitude > maximumLatitude) {
            throw sub.error(
                .valueOutOfRange(
                    field: "latitude", value: Int64(latitude), range: 0...Int64(maximumLatitude)),
                at: start + 8)
        }
        let longitude = sub.dword(at: start + 12)
        if _slowPath(longitude > maximumLongitude) {
            throw sub.error(
                .valueOutOfRange(
                    field: "longitude", value: Int64(longitude), range: 0...Int64(maximumLongitude)),
                at: start + 12)
        }
        let direction = sub.word(at: start + 20)
        if _slowPath(direction > 359) {
            throw sub.error(
                .valueOutOfRange(field: "direction", value: Int64(direction), range: 0...359), at: start + 20)
        }
        var report = LocationReport(
            alarm: AlarmFlags(rawValue: sub.dword(at: start)),
            status: StatusFlags(rawValue: sub.dword(at: start + 4)),
            latitudeMagnitude: latitude, longitudeMagnitude: longitude, altitude: sub.word(at: start + 16),
            speed: sub.word(at: start + 18), direction: direction,
            time: try sub.timestamp(at: start + 22, "time"))
        sub.position = start + fixedLength
        while !sub.isAtEnd {
            let itemStart = sub.position
            do {
                try report.decodeItem(&sub)
            } catch {
                guard sub.items.keepsMalformedItems else { throw error }
                report.keepMalformedItem(at: itemStart, &sub)
            }
        }
        reader.position = end
        return report
    }

    /// Keeps the item at `start` raw (the rest of the body when its length runs past the end)
    /// and moves the reader past it.
    private mutating func keepMalformedItem(at start: Int, _ reader: inout ByteReader) {
        let id = reader.bytes[start]
        var valueStart = min(start + 2, reader.end)
        var valueEnd = reader.end
        if start + 2 <= reader.end {
            let length = Int(reader.bytes[start + 1])
            if valueStart + length <= reader.end {
                valueEnd = valueStart + length
            } else {
                valueStart = start + 1
            }
        }
        malformedItems.append(
            RawItem(
                id: id, value: Array(UnsafeRawBufferPointer(rebasing: reader.bytes[valueStart..<valueEnd]))))
        reader.position = valueEnd
    }

    private mutating func decodeItem(_ reader: inout ByteReader) throws(JT808Error) {
        let itemOffset = reader.position
        let id = try reader.uint8("additional item id")
        let length = Int(try reader.uint8("additional item length"))
        try reader.need(length, "additional item value")
        // The whole value is in bounds: its fields are read unchecked below.
        let v = reader.position
        reader.position = v + length

        func expect(_ allowed: Int) throws(JT808Error) {
            if _slowPath(length != allowed) {
                throw reader.error(
                    .invalidItemLength(id: id, length: length, expected: "\(allowed)"), at: itemOffset)
            }
        }

        switch id {
        case reader.items.automationEventID:
            try expect(AutomationEvent.itemLength)
            let time = try reader.timestamp(at: v + 4, "automation event time")
            let milliseconds = reader.word(at: v + 10)
            if _slowPath(milliseconds > 999) {
                throw reader.error(
                    .valueOutOfRange(
                        field: "automation event milliseconds", value: Int64(milliseconds), range: 0...999),
                    at: v + 10)
            }
            automationEvents.append(
                AutomationEvent(
                    type: AutomationEventType(rawValue: reader.byte(at: v)),
                    initiator: AutomationEventInitiator(rawValue: reader.byte(at: v + 1)),
                    cause: AutomationEventCause(rawValue: reader.byte(at: v + 2)),
                    levelBefore: reader.byte(at: v + 3),
                    time: time, milliseconds: milliseconds))
        case reader.items.automationStateID where automationState == nil:
            try expect(AutomationState.itemLength)
            automationState = AutomationState(
                level: reader.byte(at: v), mode: AutomationMode(rawValue: reader.byte(at: v + 1)),
                flags: AutomationFlags(rawValue: reader.word(at: v + 2)))
        case 0x01 where mileage == nil:
            try expect(4)
            mileage = reader.dword(at: v)
        case 0x02 where fuel == nil:
            try expect(2)
            fuel = reader.word(at: v)
        case 0x03 where recorderSpeed == nil:
            try expect(2)
            recorderSpeed = reader.word(at: v)
        case 0x04 where alarmEventID == nil:
            try expect(2)
            alarmEventID = reader.word(at: v)
        case 0x11 where overspeedAlarm == nil:
            guard length == 1 || length == 5 else {
                throw reader.error(
                    .invalidItemLength(id: id, length: length, expected: "1 or 5"), at: itemOffset)
            }
            overspeedAlarm = OverspeedAlarm(
                locationType: reader.byte(at: v), areaID: length == 5 ? reader.dword(at: v + 1) : nil)
        case 0x12 where areaRouteAlarm == nil:
            try expect(6)
            areaRouteAlarm = AreaRouteAlarm(
                locationType: reader.byte(at: v), areaID: reader.dword(at: v + 1),
                direction: reader.byte(at: v + 5))
        case 0x13 where routeDrivingTimeAlarm == nil:
            try expect(7)
            routeDrivingTimeAlarm = RouteDrivingTimeAlarm(
                segmentID: reader.dword(at: v), drivingTime: reader.word(at: v + 4),
                result: reader.byte(at: v + 6))
        case 0x25 where extendedVehicleSignals == nil:
            try expect(4)
            extendedVehicleSignals = reader.dword(at: v)
        case 0x2A where ioStatus == nil:
            try expect(2)
            ioStatus = reader.word(at: v)
        case 0x2B where analog == nil:
            try expect(4)
            analog = reader.dword(at: v)
        case 0x30 where signalStrength == nil:
            try expect(1)
            signalStrength = reader.byte(at: v)
        case 0x31 where satellites == nil:
            try expect(1)
            satellites = reader.byte(at: v)
        default:
            otherItems.append(
                RawItem(
                    id: id, value: Array(UnsafeRawBufferPointer(rebasing: reader.bytes[v..<(v + length)]))))
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
