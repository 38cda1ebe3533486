import ArgumentParser
import Foundation
import Logging
import Metrics
import Pipeline
import Recording
import Server
import Store
import Zone

/// `testzone ingest`: the operators' main job — live ingest over ZeroMQ into journal and database.
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Live ingest: ZeroMQ -> MCAP journal -> decode -> metrics -> SQLite.",
        discussion: """
            Binds PULL sockets (--listen, gateways PUSH there; senders block at the high-water \
            mark instead of losing frames) and/or connects SUB sockets (--subscribe; drops show up \
            as sequence gaps). Every message is journaled first (MCAP files in --journal, rotated \
            by time and size), then decoded and aggregated; the database is committed every \
            --commit-seconds. SIGINT/SIGTERM: stop receiving, drain, finish the journal, write the \
            final metrics, exit 0. After a kill, the next start recovers the unfinished journal \
            and applies what the database had not committed, exactly once.
            """
    )

    @Option(help: "The zone configuration (zone.toml).")
    var config: String

    @Option(parsing: .singleValue, help: "Bind a PULL socket at this endpoint (repeatable).")
    var listen: [String] = []

    @Option(parsing: .singleValue, help: "Connect a SUB socket to this PUB endpoint (repeatable).")
    var subscribe: [String] = []

    @Option(
        parsing: .upToNextOption,
        help: "Recordings whose MAP frames give the road network (link and grid coverage); none: no coverage."
    )
    var map: [String] = []

    @Option(help: "The SQLite database.")
    var db: String

    @Option(help: "The journal directory (MCAP files).")
    var journal: String

    @Option(help: "Rotate the journal file after this many minutes.")
    var rotateMinutes: Double = 60

    @Option(help: "Rotate the journal file at this size (1GB, 512MB decimal; 1GiB binary; or bytes).")
    var rotateSize: String = "1GB"

    @Option(help: "Commit to the database every this many seconds.")
    var commitSeconds: Double = 2

    @Option(
        help:
            "Write the open journal chunk to the file at least every this many seconds (what a kill -9 can lose)."
    )
    var flushSeconds: Double = 1

    @Option(help: "Status line every this many seconds (0: none).")
    var statusSeconds: Double = 5

    @Option(help: "Threads: 2 (receiver + processor) or 1.")
    var threads: Int = 2

    @Option(
        help: """
            Journal compression: auto (lz4, but chunks closed while the processor is behind are \
            stored, so compression never takes CPU from it at peak rates), lz4, zstd (~25 % \
            smaller files, ~3x the CPU per message) or none.
            """
    )
    var compression: String = "auto"

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @Option(
        help: """
            Serve the operations console (JSON API, event stream, dashboard, Prometheus /metrics) \
            at HOST:PORT while ingesting, e.g. 127.0.0.1:8080 (port 0: any free port, printed on \
            stderr). Default: off.
            """
    )
    var http: String?

    func validate() throws {
        if listen.isEmpty && subscribe.isEmpty { throw ValidationError("give --listen and/or --subscribe") }
        if Self.parseSize(rotateSize) == nil {
            throw ValidationError("--rotate-size: expected e.g. 1GB, 512MB")
        }
        if Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level: unknown level \(logLevel)")
        }
        if ![1, 2].contains(threads) { throw ValidationError("--threads must be 1 or 2") }
        if !["auto", "zstd", "lz4", "none"].contains(compression) {
            throw ValidationError("--compression: auto, lz4, zstd or none")
        }
        if let http, ConsoleServer.parseAddress(http) == nil {
            throw ValidationError("--http: expected HOST:PORT, e.g. 127.0.0.1:8080")
        }
        if rotateMinutes <= 0 || commitSeconds <= 0 || flushSeconds <= 0 {
            throw ValidationError("--rotate-minutes, --commit-seconds and --flush-seconds must be > 0")
        }
    }

    static func parseSize(_ text: String) -> UInt64? {
        let upper = text.uppercased()
        let units: [(String, UInt64)] = [
            ("GIB", 1 << 30), ("MIB", 1 << 20), ("KIB", 1 << 10), ("GB", 1_000_000_000), ("MB", 1_000_000),
            ("KB", 1000),
            ("B", 1),
        ]
        for (suffix, factor) in units where upper.hasSuffix(suffix) {
            return Double(upper.dropLast(suffix.count)).map { UInt64($0 * Double(factor)) }
        }
        return UInt64(upper)
    }

    func run() throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        var logger = Logger(label: "testzone.ingest") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = level
        let zone = try ZoneConfiguration.load(contentsOf: URL(fileURLWithPath: config))
        let configurationBytes = (try? Data(contentsOf: URL(fileURLWithPath: config))) ?? Data()
        let network = try ZoneSetup.roadNetwork(fromRecordings: map)
        logger.info(
            "road network from MAP",
            metadata: [
                "links": "\(network.links.count)", "metres": "\(Int(network.totalLength))",
                "recordings": "\(map)",
            ])
        var options = IngestOptions(
            configuration: ZoneSetup.metricsConfiguration(zone: zone, network: network), databasePath: db,
            journalDirectory: journal)
        options.operatorNames = ZoneSetup.operatorNames(zone: zone)
        options.listen = listen
        options.subscribe = subscribe
        options.rotateSeconds = rotateMinutes * 60
        options.rotateBytes = Self.parseSize(rotateSize) ?? 1 << 30
        options.commitSeconds = commitSeconds
        options.flushSeconds = flushSeconds
        options.statusSeconds = statusSeconds
        options.threads = threads
        options.zoneName = zone.name
        options.softwareVersion = TestZone.softwareVersion
        options.configurationDescription = "\(config) (\(configurationBytes.count) bytes)"
        options.compression = compression == "zstd" ? .zstd : compression == "none" ? .none : .lz4
        options.adaptiveCompression = compression == "auto"
        let stop = IngestStop()
        let signals = TerminationSignals { _ in stop.request() }
        defer { signals.cancel() }
        var server: RunningConsoleServer?
        if let http, let address = ConsoleServer.parseAddress(http) {
            let console = LiveConsole(
                zone: ConsoleZone(zone: zone, configuration: options.configuration),
                store: try ZoneStore(path: db))
            options.observer = console
            do {
                server = try ConsoleServer.launch(
                    source: console, address: address, command: "ingest", logger: logger)
            } catch {
                FileHandle.standardError.write(
                    Data("testzone ingest: error: cannot serve at \(http): \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
        defer { server?.stop() }
        let summary = try LiveIngest(options: options, logger: logger, stop: stop).run()
        logger.info(
            "ingest finished",
            metadata: [
                "run": "\(summary.runID)", "messages": "\(summary.messages)",
                "recovered": "\(summary.recovered)",
                "files": "\(summary.files.count)",
            ])
    }
}
