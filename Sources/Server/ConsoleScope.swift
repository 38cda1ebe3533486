import HTTPTypes
import Store
import Synchronization
import Zone

/// What one reader may see of a ``ConsoleSource``: everything, or (operator role) the vehicles
/// of one operator and their events only. Events without a vehicle (RSU and source alarms)
/// are outside an operator's scope.
struct ConsoleScope: Sendable {
    let source: any ConsoleSource
    let identity: ConsoleIdentity
    /// For an operator: VIN -> operator id, refreshed from the source when an unknown VIN shows up
    /// (at most once a second).
    private let owners: VehicleOwners?

    init(_ source: any ConsoleSource, _ identity: ConsoleIdentity) {
        self.source = source
        self.identity = identity
        owners = identity.scope == nil ? nil : VehicleOwners(source: source)
    }

    /// The operator this reader is limited to, if any.
    var operatorID: String? { identity.scope }

    func vehicles() throws -> [ConsoleModel.Vehicle] {
        let all = try source.vehicles()
        guard let operatorID else { return all }
        return all.filter { $0.registered && $0.operatorID == operatorID }
    }

    /// A vehicle's detail; `nil` when unknown or another operator's (the same 404 either way).
    func vehicle(vin: String) throws -> ConsoleModel.VehicleDetail? {
        guard let detail = try source.vehicle(vin: vin) else { return nil }
        guard let operatorID else { return detail }
        return detail.vehicle.registered && detail.vehicle.operatorID == operatorID ? detail : nil
    }

    func includes(_ event: ConsoleModel.Event) -> Bool {
        guard let operatorID, let owners else { return true }
        guard let vin = event.vin else { return false }
        return owners.operatorOf(vin) == operatorID
    }

    /// Up to `limit` events after `since` that the reader may see.
    func events(since: Int64, limit: Int) throws -> [ConsoleModel.Event] {
        guard operatorID != nil else { return try source.events(since: since, limit: limit) }
        var found: [ConsoleModel.Event] = []
        var cursor = since
        while found.count < limit {
            let page = try source.events(since: cursor, limit: 10_000)
            guard let last = page.last else { break }
            found += page.lazy.filter(includes).prefix(limit - found.count)
            cursor = last.id
            if page.count < 10_000 { break }
        }
        return found
    }

    func subscribe(lastEventID: Int64?) -> EventSubscription {
        var subscription = source.subscribe(lastEventID: lastEventID)
        if operatorID != nil { subscription.backlog = subscription.backlog.filter(includes) }
        return subscription
    }

    /// The `/api/v1/metrics` filter: an operator's own figures only (another `operator=` is
    /// refused with 403, another operator's `vehicle=` is answered 404 like an unknown VIN).
    func metricsFilter(month: String?, vin: String?, operatorID requested: String?) throws -> ReportFilter {
        guard let operatorID else { return ReportFilter(month: month, vin: vin, operatorID: requested) }
        if let requested, requested != operatorID {
            throw ConsoleRequestError(
                status: .forbidden, message: "this token reads operator '\(operatorID)' only")
        }
        if let vin, try vehicle(vin: vin) == nil {
            throw ConsoleRequestError(status: .notFound, message: "unknown VIN '\(vin)'")
        }
        return ReportFilter(month: month, vin: vin, operatorID: operatorID)
    }
}

/// VIN -> operator id of the registered vehicles, refreshed on a miss.
final class VehicleOwners: Sendable {
    private struct State {
        var owners: [String: String] = [:]
        var refreshedAt: ContinuousClock.Instant?
    }

    private let source: any ConsoleSource
    private let state = Mutex(State())

    init(source: any ConsoleSource) { self.source = source }

    func operatorOf(_ vin: String) -> String? {
        let now = ContinuousClock.now
        let (known, due) = state.withLock { state in
            (state.owners[vin], state.refreshedAt.map { now - $0 >= .seconds(1) } ?? true)
        }
        if let known { return known }
        guard due else { return nil }
        let vehicles = (try? source.vehicles()) ?? []
        let owners = Dictionary(
            vehicles.filter(\.registered).map { ($0.vin, $0.operatorID) }, uniquingKeysWith: { a, _ in a })
        state.withLock {
            $0.owners = owners
            $0.refreshedAt = now
        }
        return owners[vin]
    }
}

/// What the admin routes do besides reloading tokens (given by the command that serves).
public struct ConsoleAdministration: Sendable {
    /// Reloads the zone configuration (registry, source keys); returns what was done.
    public var reloadZone: @Sendable () throws -> String
    /// The zone's sources (public keys and topics) for `GET /api/v1/admin/keys`.
    public var sources: @Sendable () -> [ZoneSource]

    /// Creates the actions.
    public init(
        reloadZone: @escaping @Sendable () throws -> String, sources: @escaping @Sendable () -> [ZoneSource]
    ) {
        self.reloadZone = reloadZone
        self.sources = sources
    }
}
