import Store

/// What the HTTP API reads: a running ingest (``LiveConsole``) or a database
/// (``DatabaseConsole``, `testzone serve`). Both answer with the same documents.
public protocol ConsoleSource: Sendable {
    /// `live` or `database`.
    var mode: String { get }
    /// The database (for `/api/v1/metrics`, the same query as `testzone metrics`).
    var store: ZoneStore { get }
    /// `GET /api/v1/zone`.
    func zoneInfo() throws -> ConsoleModel.Zone
    /// `GET /api/v1/vehicles`.
    func vehicles() throws -> [ConsoleModel.Vehicle]
    /// `GET /api/v1/vehicles/{vin}`; `nil` for an unknown VIN.
    func vehicle(vin: String) throws -> ConsoleModel.VehicleDetail?
    /// `GET /api/v1/events`.
    func events(since: Int64, limit: Int) throws -> [ConsoleModel.Event]
    /// `GET /api/v1/events/stream`.
    func subscribe(lastEventID: Int64?) -> EventSubscription
    /// `GET /api/v1/rsus`.
    func rsus() throws -> [ConsoleModel.RSU]
    /// `GET /api/v1/health`.
    func health() throws -> ConsoleModel.Health
    /// `GET /metrics`.
    func prometheusText() -> String
    /// The Prometheus registry behind `/metrics`.
    var prometheus: ConsolePrometheus { get }
}
