/// Alarm flag DWORD of a location report (JT/T 808-2019 table of alarm bits).
public struct AlarmFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let emergency = Self(rawValue: 1 << 0)
    public static let overspeed = Self(rawValue: 1 << 1)
    public static let fatigueDriving = Self(rawValue: 1 << 2)
    public static let dangerWarning = Self(rawValue: 1 << 3)
    public static let gnssModuleFault = Self(rawValue: 1 << 4)
    public static let gnssAntennaDisconnected = Self(rawValue: 1 << 5)
    public static let gnssAntennaShortCircuit = Self(rawValue: 1 << 6)
    public static let mainPowerUndervoltage = Self(rawValue: 1 << 7)
    public static let mainPowerOff = Self(rawValue: 1 << 8)
    public static let displayFault = Self(rawValue: 1 << 9)
    public static let ttsFault = Self(rawValue: 1 << 10)
    public static let cameraFault = Self(rawValue: 1 << 11)
    public static let icCardModuleFault = Self(rawValue: 1 << 12)
    public static let overspeedWarning = Self(rawValue: 1 << 13)
    public static let fatigueDrivingWarning = Self(rawValue: 1 << 14)
    public static let drivingViolation = Self(rawValue: 1 << 15)
    public static let tirePressureWarning = Self(rawValue: 1 << 16)
    public static let rightTurnBlindSpot = Self(rawValue: 1 << 17)
    public static let dailyDrivingTimeExceeded = Self(rawValue: 1 << 18)
    public static let parkingTimeout = Self(rawValue: 1 << 19)
    public static let areaInOut = Self(rawValue: 1 << 20)
    public static let routeInOut = Self(rawValue: 1 << 21)
    public static let routeDrivingTime = Self(rawValue: 1 << 22)
    public static let routeDeviation = Self(rawValue: 1 << 23)
    public static let vssFault = Self(rawValue: 1 << 24)
    public static let fuelAbnormal = Self(rawValue: 1 << 25)
    public static let theft = Self(rawValue: 1 << 26)
    public static let illegalIgnition = Self(rawValue: 1 << 27)
    public static let illegalDisplacement = Self(rawValue: 1 << 28)
    public static let collision = Self(rawValue: 1 << 29)
    public static let rolloverWarning = Self(rawValue: 1 << 30)
    public static let illegalDoorOpen = Self(rawValue: 1 << 31)

    /// JSON names of the bits, indexed by bit number.
    public static let bitNames: [String] = [
        "emergency", "overspeed", "fatigueDriving", "dangerWarning", "gnssModuleFault",
        "gnssAntennaDisconnected", "gnssAntennaShortCircuit", "mainPowerUndervoltage", "mainPowerOff",
        "displayFault", "ttsFault", "cameraFault", "icCardModuleFault", "overspeedWarning",
        "fatigueDrivingWarning", "drivingViolation", "tirePressureWarning", "rightTurnBlindSpot",
        "dailyDrivingTimeExceeded", "parkingTimeout", "areaInOut", "routeInOut", "routeDrivingTime",
        "routeDeviation", "vssFault", "fuelAbnormal", "theft", "illegalIgnition", "illegalDisplacement",
        "collision", "rolloverWarning", "illegalDoorOpen",
    ]
}

/// Status DWORD of a location report (JT/T 808-2019 table of status bits).
public struct StatusFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Bit 0: ACC on.
    public static let accOn = Self(rawValue: 1 << 0)
    /// Bit 1: positioned (the fix is valid).
    public static let positioned = Self(rawValue: 1 << 1)
    /// Bit 2: south latitude.
    public static let southLatitude = Self(rawValue: 1 << 2)
    /// Bit 3: west longitude.
    public static let westLongitude = Self(rawValue: 1 << 3)
    /// Bit 4: out of operation.
    public static let outOfService = Self(rawValue: 1 << 4)
    /// Bit 5: coordinates encrypted by a confidentiality plug-in.
    public static let coordinatesEncrypted = Self(rawValue: 1 << 5)
    /// Bit 6: forward collision warning (ADAS).
    public static let forwardCollisionWarning = Self(rawValue: 1 << 6)
    /// Bit 7: lane departure warning (ADAS).
    public static let laneDepartureWarning = Self(rawValue: 1 << 7)
    /// Bit 10: fuel circuit disconnected.
    public static let fuelCircuitCut = Self(rawValue: 1 << 10)
    /// Bit 11: electric circuit disconnected.
    public static let electricCircuitCut = Self(rawValue: 1 << 11)
    /// Bit 12: doors locked.
    public static let doorsLocked = Self(rawValue: 1 << 12)
    /// Bit 18: GPS used.
    public static let gps = Self(rawValue: 1 << 18)
    /// Bit 19: BeiDou used.
    public static let beidou = Self(rawValue: 1 << 19)
    /// Bit 20: GLONASS used.
    public static let glonass = Self(rawValue: 1 << 20)
    /// Bit 21: Galileo used.
    public static let galileo = Self(rawValue: 1 << 21)
    /// Bit 22: vehicle moving (2019).
    public static let moving = Self(rawValue: 1 << 22)

    /// Load state, bits 8-9: 0 empty, 1 half, 2 reserved, 3 full.
    public var loadState: UInt8 { UInt8((rawValue >> 8) & 0x3) }
}
