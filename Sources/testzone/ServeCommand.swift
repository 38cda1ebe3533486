import ArgumentParser
import Dispatch
import Foundation
import Logging
import Pipeline
import Server
import Store
import Zone

/// `testzone serve`: the operations console read-only over a database (no ingest).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the operations console (API, event register, dashboard, /metrics) over a database.",
        discussion: """
            The same JSON API, dashboard and Prometheus text as `testzone ingest --http`, read-only \
            over the runs stored in a database (after a replay, or past months). With --tokens, \
            every request needs a bearer token (roles operator, engineer, regulator, admin) and \
            is written to the audit log (`testzone audit`). SIGHUP reloads the tokens. Runs until \
            SIGINT/SIGTERM.
            """
    )

    @Option(help: "The database written by `testzone replay --db` or live ingest.")
    var db: String

    @Option(help: "The zone configuration (zone.toml).")
    var config: String

    @Option(
        parsing: .upToNextOption,
        help: "Recordings whose MAP frames give the road network drawn on the map; none: no roads.")
    var map: [String] = []

    @Option(help: "Address to serve at, HOST:PORT (port 0: any free port, printed on stderr).")
    var http: String = "127.0.0.1:8080"

    @OptionGroup var console: ConsoleTokensOption

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "notice"

    func validate() throws {
        if ConsoleServer.parseAddress(http) == nil {
            throw ValidationError("--http: expected HOST:PORT, e.g. 127.0.0.1:8080")
        }
        try InputFiles.require([db], "cannot open the database")
        try InputFiles.require([config], "cannot read the zone configuration")
        try InputFiles.require(map, "cannot read the road network")
        if Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level: unknown level \(logLevel)")
        }
    }

    func run() throws {
        var logger = Logger(label: "testzone.serve") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .notice
        let zone: ZoneConfiguration
        do {
            zone = try ZoneConfiguration.load(contentsOf: URL(fileURLWithPath: config))
        } catch {
            throw CommandFailure.from(error, what: "cannot read the zone configuration", path: config)
                .report("serve")
        }
        ZoneTimeZone.check(zone, path: config, command: "serve")
        let network = try ZoneSetup.roadNetwork(fromRecordings: map)
        let access = try console.access(command: "serve")
        // serve shows what is there: a file that is not a TestZone database yet (empty, or
        // another program's) is refused before the writer (the audit log) touches it.
        do {
            _ = try ZoneStore(readingOnly: db)
        } catch {
            throw CommandFailure.from(error, what: "cannot open the database", path: db).report("serve")
        }
        let store = try ZoneStore(path: db)
        let database = DatabaseConsole(
            zone: ConsoleZone(
                zone: zone, configuration: ZoneSetup.metricsConfiguration(zone: zone, network: network)),
            store: store)
        let stopped = DispatchSemaphore(value: 0)
        let signals = TerminationSignals { _ in stopped.signal() }
        defer { signals.cancel() }
        let server: RunningConsoleServer
        do {
            server = try ConsoleServer.launch(
                source: database, address: ConsoleServer.parseAddress(http)!, command: "serve",
                logger: logger,
                access: access, audit: AuditTrail(store: store, logger: logger),
                administration: ConsoleAdministration(
                    reloadZone: { "not reloaded: serve reads the zone once (restart it)" },
                    sources: { zone.sources }))
        } catch {
            throw CommandFailure("cannot serve at \(http)", nil, CommandFailure.explain(error).why).report(
                "serve")
        }
        let hangup = ReloadSignal { [logger] in access.reload(logger: logger) }
        defer { hangup.cancel() }
        stopped.wait()
        server.stop()
    }
}
