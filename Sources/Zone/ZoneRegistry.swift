/// Lookups of a zone's vehicles by the identifiers that appear on the wire.
public struct ZoneRegistry: Sendable {
    /// The configuration the registry indexes.
    public let configuration: ZoneConfiguration
    private let byOBU: [OBUIdentifier: Int]
    private let byTerminal: [String: Int]
    private let byVIN: [String: Int]
    private let operatorsByID: [String: ZoneOperator]
    private let rsusByID: [String: Int]

    /// Indexes a (validated) configuration.
    public init(configuration: ZoneConfiguration) {
        self.configuration = configuration
        var byOBU: [OBUIdentifier: Int] = [:]
        var byTerminal: [String: Int] = [:]
        var byVIN: [String: Int] = [:]
        for (index, vehicle) in configuration.vehicles.enumerated() {
            byOBU[vehicle.obuID] = byOBU[vehicle.obuID] ?? index
            byTerminal[Self.normaliseTerminal(vehicle.terminal)] =
                byTerminal[Self.normaliseTerminal(vehicle.terminal)] ?? index
            byVIN[vehicle.vin] = byVIN[vehicle.vin] ?? index
        }
        self.byOBU = byOBU
        self.byTerminal = byTerminal
        self.byVIN = byVIN
        var operators: [String: ZoneOperator] = [:]
        for op in configuration.operators { operators[op.id] = operators[op.id] ?? op }
        self.operatorsByID = operators
        var rsus: [String: Int] = [:]
        for (index, rsu) in configuration.rsus.enumerated() { rsus[rsu.id] = rsus[rsu.id] ?? index }
        self.rsusByID = rsus
    }

    /// The vehicle whose OBU sends BSMs with this `id`.
    public func vehicle(obuID: OBUIdentifier) -> ZoneVehicle? {
        byOBU[obuID].map { configuration.vehicles[$0] }
    }

    /// The vehicle with this JT/T 808 terminal number. Leading zeros are ignored, so the
    /// 12-digit (2013) and 20-digit (2019) BCD renderings of the same number both match.
    public func vehicle(terminal: some StringProtocol) -> ZoneVehicle? {
        byTerminal[Self.normaliseTerminal(terminal)].map { configuration.vehicles[$0] }
    }

    /// The vehicle with this VIN.
    public func vehicle(vin: String) -> ZoneVehicle? { byVIN[vin].map { configuration.vehicles[$0] } }

    /// The operator with this id.
    public func `operator`(id: String) -> ZoneOperator? { operatorsByID[id] }

    /// The RSU with this id.
    public func rsu(id: some StringProtocol) -> ZoneRSU? {
        rsusByID[String(id)].map { configuration.rsus[$0] }
    }

    /// Index of a vehicle in ``ZoneConfiguration/vehicles`` by OBU id.
    public func vehicleIndex(obuID: OBUIdentifier) -> Int? { byOBU[obuID] }

    /// Index of a vehicle in ``ZoneConfiguration/vehicles`` by terminal number.
    public func vehicleIndex(terminal: some StringProtocol) -> Int? {
        byTerminal[Self.normaliseTerminal(terminal)]
    }

    /// A terminal number without leading zeros (`"0"` for all zeros).
    public static func normaliseTerminal(_ terminal: some StringProtocol) -> String {
        let trimmed = terminal.drop { $0 == "0" }
        return trimmed.isEmpty ? "0" : String(trimmed)
    }
}
