import ArgumentParser
import Foundation
import Pipeline
import Recording
import Store

/// `testzone clip`: an evidence clip of the journals around an incident, with its SHA-256,
/// stored with the event in the database.
struct ClipCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clip",
        abstract: "Cut an evidence clip (MCAP) out of journals around an event or a time, with its SHA-256.",
        discussion: """
            Copies every message logged from --before ahead of the incident to --after past it \
            (defaults 90 s and 30 s: the road-test rules ask for at least 90 s before an accident \
            or failure) from the journals into CLIP.mcap, channels, schemas and times unchanged, \
            with a `testzone-clip` metadata record naming the incident and the source files. \
            --event takes the id of a row of the events table of --db (the event's time is its \
            data time); the clip is then stored with the event in the table event_clips (key: \
            vin, time, kind). Prints the clip's SHA-256. Exit status: 0 done, 1 the clip is \
            empty or an input had problems, 2 usage or file errors.
            """
    )

    @Option(help: "Id of the event (events table of --db) to clip around.")
    var event: Int64?

    @Option(help: "Time to clip around (ISO 8601, or offset from the journals' start: 90, 2m30s).")
    var at: RecordingArguments.TimePoint?

    @Option(help: "How much before the incident to keep (30s, 5m, 1h or seconds).")
    var before: RecordingArguments.Span = .init(nanoseconds: 90_000_000_000)

    @Option(help: "How much after the incident to keep.")
    var after: RecordingArguments.Span = .init(nanoseconds: 30_000_000_000)

    @Option(help: "The clip to write (MCAP).")
    var out: String

    @Option(help: "The database: looks up --event and stores the clip with it.")
    var db: String?

    @Argument(help: "Journals (MCAP files or directories holding them).")
    var journals: [String]

    func validate() throws {
        if journals.isEmpty { throw ValidationError("give at least one journal (MCAP file or directory)") }
        try InputFiles.require(journals, "cannot read the recording", kind: .fileOrDirectory)
        try InputFiles.require(db, "cannot open the database")
        try InputFiles.requireWritable(out, "cannot write the clip")
        if (event == nil) == (at == nil) {
            throw ValidationError("give exactly one of --event ID or --at TIME")
        }
        if event != nil && db == nil {
            throw ValidationError("--event needs --db (the database holding the event)")
        }
        if at != nil && db != nil {
            throw ValidationError("--db stores clips of events: use --event ID with it, not --at")
        }
    }

    func run() throws {
        let files: [String]
        do {
            files = try JournalFiles.expand(journals)
        } catch {
            throw CommandFailure.from(error, what: "cannot read the recording").report("clip")
        }
        var store: ZoneStore?
        var incident: StoredEvent?
        if let db, let event {
            guard FileManager.default.fileExists(atPath: db) else {
                throw CommandFailure("cannot open the database", db, "no such file").report("clip")
            }
            do {
                store = try ZoneStore(path: db)
                incident = try store?.event(id: event)
            } catch {
                throw CommandFailure.from(error, what: "cannot read the database", path: db).report("clip")
            }
            guard incident != nil else {
                throw CommandFailure("no event with id \(event)", db, "see the events table").report("clip")
            }
        }
        let clip: EvidenceClip.Result
        do {
            let merged = try MergedJournals(files: files)
            let centre =
                incident.map { UInt64(max(0, $0.time)) * 1_000 } ?? at!.resolve(start: merged.recordingStart)
            clip = try EvidenceClip(
                journals: merged, centre: centre, before: before.nanoseconds, after: after.nanoseconds
            )
            .write(to: out, incident: incident)
        } catch {
            let failure = CommandFailure.from(error, what: "cannot write the clip")
            throw CommandFailure(failure.what, failure.path ?? out, failure.why).report("clip")
        }
        print(
            "clip: \(RecordingArguments.formatCount(clip.messages)) messages from "
                + "\(RecordingArguments.formatTime(clip.start)) to \(RecordingArguments.formatTime(clip.end)) "
                + "in \(out) (\(RecordingArguments.formatBytes(UInt64(clip.file.bytes))))")
        print("sha256: \(clip.file.sha256)")
        if let store, let incident {
            do {
                try store.saveEventClip(
                    EventClip(
                        vin: incident.vin, time: incident.time, kind: incident.kind, path: out,
                        sha256: clip.file.sha256,
                        bytes: clip.file.bytes, messages: Int64(clip.messages),
                        start: Int64(clip.start / 1_000),
                        end: Int64(clip.end / 1_000)),
                    at: Int64(JournalFormat.now() / 1_000))
            } catch {
                throw CommandFailure.from(error, what: "cannot store the clip", path: db).report("clip")
            }
            print("stored with event \(incident.id) (\(incident.kind), \(incident.vin)) in \(db ?? "")")
        }
        for warning in clip.warnings { StandardError.line("testzone clip: warning: \(warning)") }
        if clip.messages == 0 {
            StandardError.line("testzone clip: warning: no message in the clip's time range")
        }
        if clip.messages == 0 || !clip.warnings.isEmpty { throw ExitCode(1) }
    }
}

/// Writes an evidence clip: the journals' messages in [centre - before, centre + after).
struct EvidenceClip {
    let journals: MergedJournals
    let start: UInt64
    let end: UInt64
    let centre: UInt64

    init(journals: MergedJournals, centre: UInt64, before: UInt64, after: UInt64) {
        self.journals = journals
        self.centre = centre
        start = centre >= before ? centre - before : 0
        end = centre &+ after < centre ? .max : centre + after
    }

    struct Result {
        var messages: UInt64
        var start: UInt64
        var end: UInt64
        var file: RunFile
        var warnings: [String]
    }

    func write(to path: String, incident: StoredEvent?) throws -> Result {
        let writer = try MCAPWriter(
            path: path,
            options: MCAPWriter.Options(
                compression: .zstd, library: "testzone \(TestZone.softwareVersion) clip"))
        var entries = [
            "version": TestZone.softwareVersion,
            "sources": journals.readers.map { URL(fileURLWithPath: $0.path).lastPathComponent }.joined(
                separator: " "),
            "centre": RecordingArguments.formatTime(centre),
            "start": RecordingArguments.formatTime(start),
            "end": RecordingArguments.formatTime(end),
        ]
        if let incident {
            entries["event_id"] = String(incident.id)
            entries["vin"] = incident.vin
            entries["kind"] = incident.kind
            entries["event_time_us"] = String(incident.time)
        }
        try writer.addMetadata(MCAPMetadata(name: "testzone-clip", entries: entries))
        // The journals' own description (zone, software version) comes along.
        if let journal = journals.readers.lazy.flatMap({ $0.metadata() }).first(where: {
            $0.name == JournalFormat.metadataName
        }) {
            try writer.addMetadata(journal)
        }
        let copier = ChannelCopier(writer: writer)
        try journals.forEach(MCAPQuery(startTime: start, endTime: end)) { message, cursor, file in
            try copier.copy(message, cursor: cursor, file: file)
        }
        try writer.finish()
        return Result(
            messages: copier.messages, start: start, end: end, file: try DatabaseReplay.fileHash(path: path),
            warnings: journals.warnings)
    }
}
