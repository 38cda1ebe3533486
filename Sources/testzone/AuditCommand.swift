import ArgumentParser
import Foundation
import Store

/// `testzone audit`: the console's audit log (who read what, when, with what result).
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Print the console's audit log: token, role, route, parameters, status, client.",
        discussion: """
            Every request to `ingest --http` and `serve` is logged in the database (table \
            audit_log), with the token's id and role (`open` without --tokens, `-` without a valid \
            token). Times are UTC.
            """
    )

    @Option(help: "The database the console wrote to.")
    var db: String

    @Option(
        help: """
            From this time: 2026-12-03, 2026-12-03T08:00:00Z (UTC), or a duration back from now \
            (90s, 30m, 12h, 7d, or plain seconds). Default: everything.
            """)
    var since: String?

    @Option(help: "At most this many rows (the newest).")
    var limit: Int = 1000

    @Flag(help: "JSON lines instead of a table.")
    var json = false

    func validate() throws {
        try InputFiles.require([db], "cannot open the database")
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
        if let since, Self.parseSince(since, now: Date()) == nil {
            throw ValidationError("--since: expected 2026-12-03, 2026-12-03T08:00:00Z or 30m, 12h, 7d")
        }
    }

    /// `--since` as microseconds since the epoch.
    static func parseSince(_ text: String, now: Date) -> Int64? {
        if let back = RecordingArguments.Span.parse(text) {
            return Int64((now.timeIntervalSince1970 - Double(back) / 1e9) * 1_000_000)
        }
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970 * 1_000_000) }
        formatter.formatOptions = [.withFullDate]
        if text.count == 10, let date = formatter.date(from: text) {
            return Int64(date.timeIntervalSince1970 * 1_000_000)
        }
        return nil
    }

    func run() throws {
        guard FileManager.default.fileExists(atPath: db) else {
            throw CurveKeyFiles.failure(
                "audit", "no database", db, "give the --db of `ingest --http` or `serve`")
        }
        let entries: [AuditEntry]
        do {
            entries = try ZoneStore(readingOnly: db).auditEntries(
                sinceMicros: since.flatMap { Self.parseSince($0, now: Date()) } ?? .min, limit: limit)
        } catch {
            throw CurveKeyFiles.failure(
                "audit", "cannot read the audit log", db, CommandFailure.explain(error).why)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            for entry in entries { print(String(decoding: try encoder.encode(entry), as: UTF8.self)) }
            return
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let rows = entries.map { entry in
            [
                formatter.string(from: Date(timeIntervalSince1970: Double(entry.atMicros) / 1_000_000)),
                entry.tokenID, entry.role, entry.method,
                entry.parameters.isEmpty ? entry.route : "\(entry.route)?\(entry.parameters)",
                "\(entry.status)",
                entry.remote,
            ]
        }
        print(
            TextTable.render(
                header: ["time (UTC)", "token", "role", "method", "request", "status", "client"], rows: rows))
        if entries.isEmpty { FileHandle.standardError.write(Data("testzone audit: no entries\n".utf8)) }
    }
}
