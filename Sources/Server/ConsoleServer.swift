import CoreMetrics
import Dispatch
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics
import NIOCore
import Prometheus
import Store
import Synchronization

/// A request the API refuses, answered as `{"error": {"status": ..., "message": ...}}`.
struct ConsoleRequestError: Error {
    var status: HTTPResponse.Status
    var message: String
}

/// The HTTP side of the console (Hummingbird): the JSON API under `/api/v1`, the SSE event
/// stream, Prometheus text at `/metrics` and the dashboard page at `/`, over a
/// ``ConsoleSource`` (a live ingest or a database).
public struct ConsoleServer: Sendable {
    /// What the API reads.
    public let source: any ConsoleSource
    /// Host to bind (e.g. `127.0.0.1`).
    public let host: String
    /// Port to bind (0: any free port; the bound one is reported when running).
    public let port: Int
    /// Items an SSE client may have queued before it is dropped.
    public let clientQueue: Int
    /// Who may read what (open, or the tokens of a tokens file).
    public let access: ConsoleAccess
    /// The audit log writer; `nil`: no audit log.
    public let audit: AuditTrail?
    /// What the admin routes do; `nil`: they reload tokens only and list no keys.
    public let administration: ConsoleAdministration?

    /// Creates a server.
    public init(
        source: any ConsoleSource, host: String, port: Int, clientQueue: Int = 512,
        access: ConsoleAccess = .open(), audit: AuditTrail? = nil,
        administration: ConsoleAdministration? = nil
    ) {
        self.source = source
        self.host = host
        self.port = port
        self.clientQueue = clientQueue
        self.access = access
        self.audit = audit
        self.administration = administration
    }

    /// Parses `HOST:PORT` (`127.0.0.1:8080`, `[::1]:8080`, `:8080` = all interfaces).
    public static func parseAddress(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }

    // MARK: Responses

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? ConsoleText.encoder.encode(value)) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        json(
            ConsoleModel.ErrorBody(error: .init(status: status.code, message: message)), status: status)
    }

    /// Runs a handler, mapping refusals and failures to JSON errors.
    static func answer(_ body: () throws -> Response) -> Response {
        do {
            return try body()
        } catch let refusal as ConsoleRequestError {
            return error(refusal.status, refusal.message)
        } catch {
            return Self.error(.internalServerError, "\(error)")
        }
    }

    static func integer(_ request: Request, _ name: String, default value: Int64, range: ClosedRange<Int64>)
        throws
        -> Int64
    {
        guard let text = request.uri.queryParameters[Substring(name)] else { return value }
        guard let number = Int64(text), range.contains(number) else {
            throw ConsoleRequestError(
                status: .badRequest,
                message:
                    "\(name) must be an integer in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
        }
        return number
    }

    // MARK: Routes

    /// The router with every route. Each route needs a ``ConsolePermission``; an operator's
    /// token reads only its operator's vehicles and events (``ConsoleScope``).
    public func makeRouter() -> Router<ConsoleRequestContext> {
        let router = Router(context: ConsoleRequestContext.self)
        // Request counts and durations (swift-metrics, exported with the console's figures).
        router.middlewares.add(MetricsMiddleware())
        router.middlewares.add(ConsoleAuthenticator(access: access, audit: audit))
        let source = self.source
        let clientQueue = self.clientQueue
        let records = SSERecords()
        // The page itself is public; the data inlined into it is the reader's (none without one).
        router.get("/") { _, context in
            Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-cache"],
                body: ResponseBody(
                    byteBuffer: ByteBuffer(
                        string: Self.dashboard(
                            source, scope: context.identity.map { ConsoleScope(source, $0) }))))
        }
        let live = router.group().add(middleware: ConsolePermissionMiddleware(permission: .liveData))
        live.get("/api/v1/zone") { _, _ in Self.answer { Self.json(try source.zoneInfo()) } }
        live.get("/api/v1/vehicles") { _, context in
            Self.answer { Self.json(try Self.scope(source, context).vehicles()) }
        }
        live.get("/api/v1/vehicles/:vin") { _, context in
            Self.answer {
                let vin = context.parameters.get("vin") ?? ""
                guard let detail = try Self.scope(source, context).vehicle(vin: vin) else {
                    throw ConsoleRequestError(status: .notFound, message: "unknown VIN '\(vin)'")
                }
                return Self.json(detail)
            }
        }
        live.get("/api/v1/events") { request, context in
            Self.answer {
                let since = try Self.integer(request, "since", default: 0, range: 0...Int64.max)
                let limit = try Self.integer(request, "limit", default: 1000, range: 1...10_000)
                return Self.json(try Self.scope(source, context).events(since: since, limit: Int(limit)))
            }
        }
        live.get("/api/v1/events/stream") { request, context in
            Self.answer {
                let header = request.headers[HTTPField.Name("Last-Event-ID")!]
                let query = request.uri.queryParameters["lastEventId"].map(String.init)
                var last: Int64?
                if let text = header ?? query {
                    guard let id = Int64(text.trimmingCharacters(in: .whitespaces)), id >= 0 else {
                        throw ConsoleRequestError(
                            status: .badRequest, message: "Last-Event-ID must be an event id")
                    }
                    last = id
                }
                let state = request.uri.queryParameters["state"].map { $0 == "1" || $0 == "true" } ?? false
                let scope = try Self.scope(source, context)
                return Self.stream(
                    scope.subscribe(lastEventID: last), after: last ?? 0, scope: scope, state: state,
                    queue: clientQueue, records: records)
            }
        }
        live.get("/api/v1/rsus") { _, _ in Self.answer { Self.json(try source.rsus()) } }
        live.get("/api/v1/metrics") { request, context in
            Self.answer {
                let month = request.uri.queryParameters["month"].map(String.init)
                if let month, ShanghaiCalendar.dayRange(month: month) == nil {
                    throw ConsoleRequestError(
                        status: .badRequest, message: "month must be YYYY-MM, got '\(month)'")
                }
                let scope = try Self.scope(source, context)
                let filter = try scope.metricsFilter(
                    month: month, vin: request.uri.queryParameters["vehicle"].map(String.init),
                    operatorID: request.uri.queryParameters["operator"].map(String.init))
                let text = try MetricsJSON.render(
                    vehicles: try source.store.vehicleSummaries(filter),
                    zone: try source.store.zoneSummary(filter),
                    filter: filter)
                return Response(
                    status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: text + "\n")))
            }
        }
        router.group().add(middleware: ConsolePermissionMiddleware(permission: .dataHealth))
            .get("/api/v1/health") { _, _ in Self.answer { Self.json(try source.health()) } }
        router.group().add(middleware: ConsolePermissionMiddleware(permission: .prometheus))
            .get("/metrics") { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: source.prometheusText())))
            }
        let admin = router.group().add(middleware: ConsolePermissionMiddleware(permission: .administration))
        let access = self.access
        let administration = self.administration
        admin.post("/api/v1/admin/reload") { _, _ in
            Self.answer {
                var reloaded: [String: String] = [:]
                if access.requiresTokens {
                    do {
                        reloaded["tokens"] = "\(try access.reload()) tokens"
                    } catch {
                        throw ConsoleRequestError(status: .unprocessableContent, message: "tokens: \(error)")
                    }
                }
                if let administration {
                    do {
                        reloaded["zone"] = try administration.reloadZone()
                    } catch {
                        throw ConsoleRequestError(status: .unprocessableContent, message: "zone: \(error)")
                    }
                }
                return Self.json(["reloaded": reloaded])
            }
        }
        admin.get("/api/v1/admin/keys") { _, _ in
            Self.answer {
                Self.json(
                    ConsoleModel.Keys(
                        sources: administration?.sources() ?? [],
                        tokens: access.entries.map {
                            ConsoleModel.TokenInfo(
                                id: $0.id, role: $0.role.rawValue, operatorID: $0.operatorID,
                                created: $0.created)
                        }))
            }
        }
        return router
    }

    /// The reader's scope (routes behind ``ConsolePermissionMiddleware`` always have a reader).
    static func scope(_ source: any ConsoleSource, _ context: ConsoleRequestContext) throws -> ConsoleScope {
        guard let identity = context.identity else {
            throw ConsoleRequestError(status: .unauthorized, message: "a bearer token is required")
        }
        return ConsoleScope(source, identity)
    }

    enum StreamItem: Sendable {
        case event(ConsoleModel.Event)
        case tick
    }

    /// The live state pushed to dashboards (`?state=1`) once a second with the events.
    struct LiveState: Encodable {
        var dataTime: String?
        var frames: Int64
        var framesByKind: [String: Int64]
        var vehicles: [ConsoleModel.Vehicle]
        var rsus: [ConsoleModel.RSU]
        var health: ConsoleModel.Health
    }

    static func state(_ scope: ConsoleScope) -> ByteBuffer {
        guard let state = try? liveState(scope) else { return ByteBuffer(string: ": state unavailable\n\n") }
        var buffer = ByteBuffer(string: "event: state\ndata: ")
        buffer.writeBytes((try? ConsoleText.encoder.encode(state)) ?? Data("{}".utf8))
        buffer.writeString("\n\n")
        return buffer
    }

    /// The state a reader sees: its vehicles; the data health totals and the sources with
    /// problems when its role may read data health (empty otherwise).
    static func liveState(_ scope: ConsoleScope) throws -> LiveState {
        let source = scope.source
        let zone = try source.zoneInfo()
        var health = try source.health()
        if scope.identity.role.allows(.dataHealth) {
            // Dashboards show the sources with problems; the totals cover the rest.
            health.sources = health.sources.filter { $0.rejected > 0 || $0.sequenceGaps > 0 }
        } else {
            health = ConsoleModel.Health(
                mode: health.mode, frames: health.frames, received: 0, decoded: 0, rejected: 0, duplicates: 0,
                unattributedBSMs: 0, sources: [])
        }
        return LiveState(
            dataTime: zone.dataTime, frames: zone.frames, framesByKind: zone.framesByKind,
            vehicles: try scope.vehicles(), rsus: try source.rsus(), health: health)
    }

    struct InitialPage: Encodable {
        var zone: ConsoleModel.Zone
        var events: [ConsoleModel.Event]
        var state: LiveState
    }

    /// The dashboard with the zone, the reader's latest 300 events and its current state inlined
    /// (drawn at load; the page then follows the event stream from the last inlined event).
    /// Without a reader (tokens required, none given) the page carries no data and asks for a
    /// token.
    static func dashboard(_ source: any ConsoleSource, scope: ConsoleScope?) -> String {
        guard let scope, let zone = try? source.zoneInfo(), let state = try? liveState(scope) else {
            return DashboardPage.html
        }
        var events: [ConsoleModel.Event] = []
        var since: Int64 = 0
        while let page = try? scope.events(since: since, limit: 10_000), let last = page.last {
            events = Array((events + page).suffix(300))
            since = last.id
            if page.count < 10_000 { break }
        }
        guard
            let data = try? ConsoleText.encoder.encode(InitialPage(zone: zone, events: events, state: state))
        else {
            return DashboardPage.html
        }
        // Inside <script>: "</" must not close the element.
        let json = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "</", with: "<\\/")
        return DashboardPage.html.replacingOccurrences(of: "/*INITIAL*/null", with: json)
    }

    /// What a client's stream has to write next: events (in order) and state ticks, and
    /// whether its queue overflowed; filled by the stream's tasks, emptied by its writer.
    private final class PendingSSE: Sendable {
        struct Items {
            var items: [StreamItem] = []
            var overflowed = false
        }
        let items = Mutex(Items())
    }

    /// The SSE response of a subscription: the missed events (or a `gap` event first), then
    /// each new event, as `id:` + `data:` (JSON) records; with `state` also an `event: state`
    /// record (vehicles, RSUs, counters) every second, else a keep-alive comment every 15 s
    /// (so that a vanished client is noticed). Records are encoded once per server
    /// (``SSERecords``) and what has piled up while the client was being written to goes out
    /// in one write. The client's queue is bounded: when it is full the stream ends (the client
    /// reconnects with `Last-Event-ID`).
    static func stream(
        _ subscription: EventSubscription, after last: Int64, scope: ConsoleScope, state: Bool,
        queue: Int, records: SSERecords
    ) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                var head = ByteBuffer(string: "retry: 2000\n\n")
                if let gap = subscription.gap {
                    head.writeString(
                        "event: gap\ndata: {\"lastEventID\":\(gap.lastEventID),\"firstRetained\":\(gap.firstRetained),\"message\":\"events \(gap.lastEventID + 1)-\(gap.firstRetained - 1) are no longer retained\"}\n\n"
                    )
                }
                var sent = last
                for event in subscription.backlog {
                    var record = records.record(event)
                    head.writeBuffer(&record)
                    sent = event.id
                }
                if state { head.writeImmutableBuffer(Self.state(scope)) }
                try await writer.write(head)
                let pending = PendingSSE()
                let (wake, waker) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
                let forward = Task {
                    for await event in subscription.stream where scope.includes(event) {
                        let accepted = pending.items.withLock { p -> Bool in
                            guard p.items.count < queue else {
                                p.overflowed = true
                                return false
                            }
                            p.items.append(.event(event))
                            return true
                        }
                        waker.yield()
                        if !accepted { break }
                    }
                    waker.finish()
                }
                let ticker = Task {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: state ? .seconds(1) : .seconds(15))
                        pending.items.withLock { $0.items.append(.tick) }
                        waker.yield()
                    }
                }
                defer {
                    forward.cancel()
                    ticker.cancel()
                }
                for await _ in wake {
                    let (items, overflowed) = pending.items.withLock { p in
                        defer { p.items.removeAll(keepingCapacity: true) }
                        return (p.items, p.overflowed)
                    }
                    var buffer = ByteBuffer()
                    var ticked = false
                    for item in items {
                        switch item {
                        case .event(let event) where event.id > sent:
                            var record = records.record(event)
                            buffer.writeBuffer(&record)
                            sent = event.id
                        case .event:
                            break
                        case .tick:
                            ticked = true
                        }
                    }
                    // One state record per write, however many ticks piled up.
                    if ticked {
                        buffer.writeImmutableBuffer(
                            state ? Self.state(scope) : ByteBuffer(string: ": keep-alive\n\n"))
                    }
                    if buffer.readableBytes > 0 { try await writer.write(buffer) }
                    if overflowed { break }
                }
                try await writer.finish(nil)
            })
    }

    // MARK: Running

    /// Starts a console for a command and prints its address on stderr
    /// (`testzone ingest: console at http://127.0.0.1:8080/`). Without tokens (an open console)
    /// it warns that anyone who reaches the port reads every operator's data.
    public static func launch(
        source: any ConsoleSource, address: (host: String, port: Int), command: String, logger: Logger,
        access: ConsoleAccess = .open(), audit: AuditTrail? = nil,
        administration: ConsoleAdministration? = nil
    ) throws -> RunningConsoleServer {
        var serverLogger = logger
        serverLogger.logLevel = max(logger.logLevel, .notice)
        let running = try ConsoleServer(
            source: source, host: address.host, port: address.port, access: access, audit: audit,
            administration: administration
        )
        .start(logger: serverLogger)
        let shown = address.host.contains(":") ? "[\(address.host)]" : address.host
        FileHandle.standardError.write(
            Data("testzone \(command): console at http://\(shown):\(running.port)/\n".utf8))
        if let path = access.tokensPath {
            logger.notice(
                "console tokens", metadata: ["file": "\(path)", "tokens": "\(access.entries.count)"])
            if ConsoleTokens.isShared(path: path) {
                logger.warning(
                    "the tokens file can be read by other users; chmod 600 it", metadata: ["file": "\(path)"])
            }
        } else {
            logger.warning(
                "console without tokens: anyone who reaches the port reads every operator's data",
                metadata: ["hint": "make tokens with `testzone tokens add` and give --tokens FILE"])
        }
        return running
    }

    private static let metricsBootstrapped = Atomic<Bool>(false)

    /// Routes swift-metrics (Hummingbird's request metrics) into the console's Prometheus
    /// registry; once per process (the metrics system can be bootstrapped only once).
    static func bootstrapMetrics(_ registry: PrometheusCollectorRegistry) {
        guard !metricsBootstrapped.exchange(true, ordering: .relaxed) else { return }
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }

    /// Starts serving in the background; returns once the socket is bound (or failed).
    public func start(logger: Logger) throws -> RunningConsoleServer {
        Self.bootstrapMetrics(source.prometheus.registry)
        let running = RunningConsoleServer(source: source, audit: audit)
        let app = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(host, port: port), serverName: "testzone"),
            onServerRunning: { channel in running.bound(port: channel.localAddress?.port ?? 0) },
            logger: logger)
        running.launch(app)
        return try running.waitUntilBound()
    }
}

/// A console server running in the background (``ConsoleServer/start(logger:)``).
public final class RunningConsoleServer: Sendable {
    private struct State {
        var port: Int?
        var failure: String?
        var task: Task<Void, Never>?
    }

    private let source: any ConsoleSource
    private let audit: AuditTrail?
    private let state = Mutex(State())
    private let started = DispatchSemaphore(value: 0)
    private let ended = DispatchSemaphore(value: 0)

    init(source: any ConsoleSource, audit: AuditTrail?) {
        self.source = source
        self.audit = audit
    }

    func bound(port: Int) {
        state.withLock { $0.port = port }
        started.signal()
    }

    func launch(_ app: some ApplicationProtocol) {
        let task = Task {
            do {
                try await app.runService(gracefulShutdownSignals: [])
            } catch {
                self.state.withLock { $0.failure = "\(error)" }
            }
            self.started.signal()
            self.ended.signal()
        }
        state.withLock { $0.task = task }
    }

    func waitUntilBound() throws -> RunningConsoleServer {
        started.wait()
        let (port, failure) = state.withLock { ($0.port, $0.failure) }
        if port == nil { throw ConsoleServerError(detail: failure ?? "the server stopped") }
        return self
    }

    /// The bound port.
    public var port: Int { state.withLock { $0.port ?? 0 } }

    /// Ends the event streams and stops the server (waits until it has stopped).
    public func stop() {
        (source as? LiveConsole)?.hub.close()
        (source as? DatabaseConsole)?.close()
        let task = state.withLock { $0.task }
        task?.cancel()
        _ = ended.wait(timeout: .now() + 10)
        audit?.close()
    }
}

/// The server could not start (address in use, bad host).
public struct ConsoleServerError: Error, CustomStringConvertible {
    /// What failed.
    public var detail: String
    /// The message.
    public var description: String { detail }
}
