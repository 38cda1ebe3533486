/// Identity linking through the zone registry: OBU id (BSM), terminal number (JT/T 808) and VIN
/// all resolve to one dense ``VehicleRef``. Vehicles that report over JT/T 808 without being
/// registered get an identity of their own (key ``VehicleIdentity/unregisteredKey(terminal:)``),
/// so their telemetry is never dropped; BSMs from unregistered OBUs (background traffic) are
/// counted in data health but attributed to no vehicle.
public struct VehicleDirectory: Sendable {
    /// All identities; a ``VehicleRef`` is an index into this table.
    public private(set) var identities: [VehicleIdentity]
    private var byTerminal: [String: VehicleRef] = [:]
    private var byOBU: [UInt64: VehicleRef] = [:]
    private var byVIN: [String: VehicleRef] = [:]

    /// Creates a directory from the registry's vehicles (order defines the refs).
    public init(_ vehicles: [VehicleIdentity]) {
        identities = []
        for vehicle in vehicles { _ = add(vehicle) }
    }

    private mutating func add(_ identity: VehicleIdentity) -> VehicleRef {
        if let existing = byVIN[identity.vin] { return existing }
        let ref = identities.count
        identities.append(identity)
        byVIN[identity.vin] = ref
        // A registry vehicle takes over its terminal from an earlier unregistered identity.
        let terminal = Self.normalized(identity.terminalNumber)
        if !identity.terminalNumber.isEmpty && (identity.registered || byTerminal[terminal] == nil) {
            byTerminal[terminal] = ref
        }
        if let obu = identity.obuID { byOBU[obu] = ref }
        return ref
    }

    /// Terminal numbers compare without leading zeros (a 2013 header carries 12 BCD digits, a
    /// 2019 header 20, for the same terminal).
    static func normalized(_ terminal: String) -> String {
        let trimmed = terminal.drop { $0 == "0" }
        return trimmed.isEmpty ? "0" : String(trimmed)
    }

    /// Adds a registry vehicle (a zone reload) or updates the identity of a listed one (same VIN);
    /// its terminal and OBU now resolve to it. A terminal seen before as unregistered keeps its
    /// earlier data under the unregistered key; what it sends from now on is the vehicle's.
    public mutating func register(_ identity: VehicleIdentity) -> VehicleRef {
        if let existing = byVIN[identity.vin] {
            identities[existing] = identity
            if !identity.terminalNumber.isEmpty {
                byTerminal[Self.normalized(identity.terminalNumber)] = existing
            }
            if let obu = identity.obuID { byOBU[obu] = existing }
            return existing
        }
        return add(identity)
    }

    /// The vehicle of a JT/T 808 terminal number, registering an unlisted terminal on first sight.
    public mutating func vehicle(forTerminal terminal: String) -> VehicleRef {
        if let ref = byTerminal[Self.normalized(terminal)] { return ref }
        return add(
            VehicleIdentity(
                vin: VehicleIdentity.unregisteredKey(terminal: terminal), operatorID: "",
                terminalNumber: terminal,
                obuID: nil, registered: false))
    }

    /// The vehicle of a terminal number if known (no registration).
    public func existingVehicle(forTerminal terminal: String) -> VehicleRef? {
        byTerminal[Self.normalized(terminal)]
    }

    /// The vehicle of an OBU id, or `nil` for an OBU not in the registry.
    public func vehicle(forOBU obu: UInt64) -> VehicleRef? { byOBU[obu] }

    /// The vehicle of a VIN.
    public func vehicle(forVIN vin: String) -> VehicleRef? { byVIN[vin] }
}
