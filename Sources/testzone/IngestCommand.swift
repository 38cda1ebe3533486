import ArgumentParser
import Dispatch
import Foundation
import Logging
import Metrics
import Pipeline
import Recording
import Server
import Store
import ZeroMQ
import Zone

/// `testzone ingest`: the operators' main job — live ingest over ZeroMQ into journal and database.
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Live ingest: ZeroMQ -> MCAP journal -> decode -> metrics -> SQLite or PostgreSQL.",
        discussion: """
            Binds PULL sockets (--listen, gateways PUSH there; senders block at the high-water \
            mark instead of losing frames) and/or connects SUB sockets (--subscribe; drops show up \
            as sequence gaps). Every message is journaled first (MCAP files in --journal, rotated \
            by time, size and at Asia/Shanghai midnight of the data time), then decoded and \
            aggregated; every --commit-interval what changed is committed to the database. One \
            process owns a journal directory and a database (a second start exits 2 naming the \
            holder's pid). SIGHUP, or a change of --config, reloads the zone registry. \
            SIGINT/SIGTERM: stop receiving, drain, finish the journal, write the final metrics, \
            exit 0. After a kill, the next start recovers the unfinished journal and applies what \
            the database had not committed, exactly once.
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

    @Option(
        help: "The database: an SQLite file, or postgres://user@host[:port]/database shared by several nodes."
    )
    var db: String

    @Option(
        help: ArgumentHelp(
            "Run as node K of N (0-based, e.g. 0/3): commit only the vehicles and sources of shard K.",
            discussion: """
                Every node receives and journals the whole feed; a vehicle (by VIN) and a source \
                (cv2x/<rsu>, jt808/<terminal>) belong to the shard FNV-1a(key) mod N. The nodes \
                share one PostgreSQL --db; metrics and report over it give the merged result. \
                `testzone nodes --db` lists the nodes with their last commit and lag.
                """, valueName: "K/N"))
    var shard: String?

    @Option(help: "The node id of a sharded ingest (default shard-K-of-N).")
    var node: String?

    @Option(help: "The journal directory (MCAP files).")
    var journal: String

    @Option(help: "Rotate the journal file after this long (30m, 1h, or seconds).")
    var rotateInterval: RecordingArguments.Span = .init(nanoseconds: 3_600_000_000_000)

    @Option(help: "Rotate the journal file at this size (1GB, 512MB decimal; 1GiB binary; or bytes).")
    var rotateSize: String = "1GB"

    @Option(help: "Commit to the database this often (2s, 500ms, or seconds).")
    var commitInterval: RecordingArguments.Span = .init(nanoseconds: 2_000_000_000)

    @Option(help: "Write the open journal chunk to the file at least this often (what a kill -9 can lose).")
    var flushInterval: RecordingArguments.Span = .init(nanoseconds: 1_000_000_000)

    @Option(help: "A status line this often (0: none).")
    var statusInterval: RecordingArguments.Span = .init(nanoseconds: 5_000_000_000)

    // Old spellings, kept one release (hidden; each prints a deprecation note).
    @Option(help: .hidden) var rotateMinutes: Double?
    @Option(help: .hidden) var commitSeconds: Double?
    @Option(help: .hidden) var flushSeconds: Double?
    @Option(help: .hidden) var statusSeconds: Double?

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

    @Option(
        help: """
            Refuse to start, and log an alarm while running, when the journal's file system has \
            less free space than this (1GB, 500MB; 0: no check).
            """)
    var minFreeSpace: String = "1GB"

    @Option(
        help: ArgumentHelp(
            "Turn CURVE on for every ingest socket with this server key (NAME.key_secret).",
            discussion: """
                Only the sources listed in the zone's [[sources]] (public key and topics) can \
                connect, gateways pushing to --listen and feeds that --subscribe reaches alike \
                (they are CURVE clients with this key as server key); a message on a topic its key may not publish is rejected as \
                'unauthorized source'. Make keys with `testzone keys generate`.
                """,
            valueName: "file"))
    var curveSecretKey: String?

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

    @OptionGroup var console: ConsoleTokensOption

    func validate() throws {
        for (old, new, value) in [
            ("--rotate-minutes", "--rotate-interval", rotateMinutes),
            ("--commit-seconds", "--commit-interval", commitSeconds),
            ("--flush-seconds", "--flush-interval", flushSeconds),
            ("--status-seconds", "--status-interval", statusSeconds),
        ] where value != nil {
            CommandFailure.deprecated("ingest", old, use: new)
        }
        try InputFiles.require([config], "cannot read the zone configuration")
        try InputFiles.require(map, "cannot read the road network")
        if listen.isEmpty && subscribe.isEmpty { throw ValidationError("give --listen and/or --subscribe") }
        if Self.parseSize(rotateSize) == nil {
            throw ValidationError("--rotate-size: expected e.g. 1GB, 512MB")
        }
        if Self.parseSize(minFreeSpace) == nil {
            throw ValidationError("--min-free-space: expected e.g. 1GB, 500MB or 0")
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
        if console.tokens != nil, http == nil { throw ValidationError("--tokens goes with --http") }
        let location: StoreLocation
        do {
            location = try StoreLocation(db)
        } catch {
            throw ValidationError("--db: \(error)")
        }
        if let shard {
            do {
                _ = try Shard(parsing: shard)
            } catch {
                throw ValidationError("--shard: \(error)")
            }
        }
        if node != nil, shard == nil { throw ValidationError("--node goes with --shard") }
        if let node, node.isEmpty || node.contains("/") || node.contains(where: \.isWhitespace) {
            throw ValidationError("--node: a name without spaces or '/', e.g. zone-a-1")
        }
        if case .postgres = location, http != nil {
            throw ValidationError("--http needs an SQLite --db (the console does not read PostgreSQL yet)")
        }
        if rotateSeconds <= 0 || commitEvery <= 0 || flushEvery <= 0 {
            throw ValidationError("--rotate-interval, --commit-interval and --flush-interval must be > 0")
        }
    }

    /// The durations in seconds, from the new spelling or the old one.
    var rotateSeconds: Double { rotateMinutes.map { $0 * 60 } ?? rotateInterval.seconds }
    var commitEvery: Double { commitSeconds ?? commitInterval.seconds }
    var flushEvery: Double { flushSeconds ?? flushInterval.seconds }
    var statusEvery: Double { statusSeconds ?? statusInterval.seconds }

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
        ZoneTimeZone.check(zone, path: config, command: "ingest")
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
        if let shard, let parsed = try? Shard(parsing: shard) {
            options.shard = parsed
            options.node = node ?? parsed.defaultNodeID
        }
        options.listen = listen
        options.subscribe = subscribe
        options.rotateSeconds = rotateSeconds
        options.rotateBytes = Self.parseSize(rotateSize) ?? 1 << 30
        options.commitSeconds = commitEvery
        options.flushSeconds = flushEvery
        options.statusSeconds = statusEvery
        options.threads = threads
        options.zoneName = zone.name
        options.softwareVersion = TestZone.softwareVersion
        options.configurationDescription = "\(config) (\(configurationBytes.count) bytes)"
        options.compression = compression == "zstd" ? .zstd : compression == "none" ? .none : .lz4
        options.adaptiveCompression = compression == "auto"
        options.minimumFreeBytes = Self.parseSize(minFreeSpace) ?? 0
        if let curveSecretKey {
            let serverKeys = try CurveKeyFiles.readKeyPair(curveSecretKey, command: "ingest")
            if zone.sources.isEmpty {
                throw CurveKeyFiles.failure(
                    "ingest", "CURVE without sources", config,
                    "list each source's public key and topics in [[sources]], or leave out --curve-secret-key"
                )
            }
            options.curve = CurveSettings(
                serverKeys: serverKeys, keyring: SourceKeyring(sources: zone.sources))
            logger.info(
                "CURVE on",
                metadata: ["server key": "\(serverKeys.publicKey.z85)", "sources": "\(zone.sources.count)"])
        } else {
            let hint =
                zone.sources.isEmpty
                ? "list [[sources]] in zone.toml and give --curve-secret-key" : "give --curve-secret-key"
            logger.warning(
                "plain ZeroMQ: anyone who reaches the ingest sockets can publish as any source",
                metadata: ["hint": "\(hint)"])
        }
        // SIGHUP (or a change of zone.toml, noticed at the next commit) reloads the registry
        // (and, with CURVE, the source keys).
        let reload = ZoneReload(path: config, logger: logger, keyring: options.curve?.keyring)
        options.reload = reload
        let stop = IngestStop()
        let signals = TerminationSignals { _ in stop.request() }
        defer { signals.cancel() }
        var server: RunningConsoleServer?
        var access: ConsoleAccess?
        if let http, let address = ConsoleServer.parseAddress(http) {
            let consoleAccess = try console.access(command: "ingest")
            access = consoleAccess
            let store = try ZoneStore(path: db)
            let live = LiveConsole(
                zone: ConsoleZone(zone: zone, configuration: options.configuration), store: store)
            options.observer = live
            let configPath = config
            let administration = ConsoleAdministration(
                reloadZone: {
                    reload.request()
                    return "requested (applied at the next commit)"
                },
                sources: {
                    (try? ZoneConfiguration.load(contentsOf: URL(fileURLWithPath: configPath)))?.sources
                        ?? zone.sources
                })
            do {
                server = try ConsoleServer.launch(
                    source: live, address: address, command: "ingest", logger: logger, access: consoleAccess,
                    audit: AuditTrail(store: store, logger: logger), administration: administration)
            } catch {
                throw CommandFailure("cannot serve at \(http)", nil, CommandFailure.explain(error).why)
                    .report("ingest")
            }
        }
        defer { server?.stop() }
        let hangup = ReloadSignal { [access, logger] in
            reload.request()
            access?.reload(logger: logger)
        }
        defer { hangup.cancel() }
        let summary: IngestSummary
        do {
            summary = try LiveIngest(options: options, logger: logger, stop: stop).run()
        } catch let error as IngestError {
            // Environment problems (lock held, port busy, disk full, journal or database not
            // writable): exit 2 with the reason.
            CommandFailure.printError("ingest", error.description)
            throw ExitCode(2)
        }
        logger.info(
            "ingest finished",
            metadata: [
                "run": "\(summary.runID)", "messages": "\(summary.messages)",
                "recovered": "\(summary.recovered)",
                "files": "\(summary.files.count)",
            ])
    }
}

/// SIGHUP as a request to reload the zone configuration (every signal, on a dispatch queue).
final class ReloadSignal {
    private let source: any DispatchSourceSignal

    init(onSignal: @escaping @Sendable () -> Void) {
        signal(SIGHUP, SIG_IGN)
        source = DispatchSource.makeSignalSource(
            signal: SIGHUP, queue: DispatchQueue(label: "testzone.reload"))
        source.setEventHandler { onSignal() }
        source.resume()
    }

    /// Stops catching SIGHUP (default action again).
    func cancel() {
        source.cancel()
        signal(SIGHUP, SIG_DFL)
    }
}
