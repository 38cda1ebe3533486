/// Value of additional item 0x11 (overspeed alarm): BYTE location type (0 none, 1 circle,
/// 2 rectangle, 3 polygon, 4 route), DWORD area or route id when the type is not 0 (length 1 or 5).
public struct OverspeedAlarm: Hashable, Sendable {
    /// 0 no specific location, 1 circular area, 2 rectangular area, 3 polygonal area, 4 route.
    public var locationType: UInt8
    /// Area or route id; absent when the item is 1 byte long.
    public var areaID: UInt32?

    /// Creates the item value.
    public init(locationType: UInt8, areaID: UInt32? = nil) {
        self.locationType = locationType
        self.areaID = areaID
    }
}

/// Value of additional item 0x12 (area/route entry or exit alarm), 6 bytes: BYTE location type
/// (1 circle, 2 rectangle, 3 polygon, 4 route), DWORD area or route id, BYTE direction (0 in, 1 out).
public struct AreaRouteAlarm: Hashable, Sendable {
    /// 1 circular area, 2 rectangular area, 3 polygonal area, 4 route.
    public var locationType: UInt8
    /// Area or route id.
    public var areaID: UInt32
    /// 0 entering, 1 leaving.
    public var direction: UInt8

    /// Creates the item value.
    public init(locationType: UInt8, areaID: UInt32, direction: UInt8) {
        self.locationType = locationType
        self.areaID = areaID
        self.direction = direction
    }
}

/// Value of additional item 0x13 (route segment driving time too short / too long), 7 bytes:
/// DWORD route segment id, WORD driving time in seconds, BYTE result (0 too short, 1 too long).
public struct RouteDrivingTimeAlarm: Hashable, Sendable {
    /// Route segment id.
    public var segmentID: UInt32
    /// Driving time on the segment, seconds.
    public var drivingTime: UInt16
    /// 0 too short, 1 too long.
    public var result: UInt8

    /// Creates the item value.
    public init(segmentID: UInt32, drivingTime: UInt16, result: UInt8) {
        self.segmentID = segmentID
        self.drivingTime = drivingTime
        self.result = result
    }
}

/// An additional-information item kept as received (unknown id, or a repeat of a known one).
public struct RawItem: Hashable, Sendable {
    /// Item id.
    public var id: UInt8
    /// Item value bytes (at most 255).
    public var value: [UInt8]

    /// Creates a raw item.
    public init(id: UInt8, value: [UInt8]) {
        self.id = id
        self.value = value
    }
}
