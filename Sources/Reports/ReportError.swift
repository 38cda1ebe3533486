/// Why a report could not be produced.
public enum ReportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `--month` is not `YYYY-MM` with a month 1...12 (years 1992...9999).
    case malformedMonth(String)
    /// `--period`, `--from`/`--to` or `--year` is not a period (`YYYY-H1`, `YYYY-MM-DD`, a year).
    case malformedPeriod(String)
    /// The options name no period, or more than one (`--month`, `--period`, `--from/--to`, `--dmv --year`).
    case ambiguousPeriod(String)
    /// The database file does not exist or cannot be opened.
    case databaseUnavailable(path: String, reason: String)
    /// The database has no TestZone schema (tables missing), e.g. an empty file.
    case missingSchema(path: String, missingTables: [String])
    /// The database has the schema but holds no runs at all: nothing was ever ingested.
    case emptyDatabase(path: String)
    /// `--operator` names an operator the database does not know.
    case unknownOperator(String, known: [String])
    /// A query failed; `query` names what was being read.
    case queryFailed(query: String, reason: String)
    /// `--format` lists something other than html, csv, json, md.
    case unknownFormat(String)
    /// `--generated-at` is not an ISO 8601 date-time with an offset.
    case malformedTimestamp(String)
    /// Writing an output file failed.
    case writeFailed(path: String, reason: String)
    /// `--zone` names a zone configuration that does not load.
    case zoneUnavailable(path: String, reason: String)
    /// `--map-from` names a recording that cannot be read.
    case mapUnavailable(path: String, reason: String)

    public var description: String {
        switch self {
        case .malformedMonth(let text):
            return
                "malformed month '\(text)': expected YYYY-MM with a month 01-12 and a year from 1992, e.g. 2026-10"
        case .malformedPeriod(let text):
            return
                "malformed period '\(text)': expected YYYY-MM, YYYY-H1 or YYYY-H2, or days YYYY-MM-DD (--from/--to)"
        case .ambiguousPeriod(let text):
            return text
        case .databaseUnavailable(let path, let reason):
            return "cannot open database '\(path)': \(reason)"
        case .missingSchema(let path, let tables):
            return "'\(path)' is not a TestZone database: tables missing: \(tables.joined(separator: ", "))"
                + " (the database is written when recordings are processed; is this the right file?)"
        case .emptyDatabase(let path):
            return
                "database '\(path)' holds no runs: nothing has been ingested yet, so there is nothing to report"
        case .unknownOperator(let id, let known):
            return "unknown operator '\(id)'; operators in the database: "
                + (known.isEmpty ? "(none)" : known.joined(separator: ", "))
        case .queryFailed(let query, let reason):
            return "reading \(query) failed: \(reason)"
        case .unknownFormat(let text):
            return "unknown format '\(text)': expected a comma-separated list of html, csv, json, md"
        case .malformedTimestamp(let text):
            return
                "malformed --generated-at '\(text)': expected ISO 8601 with an offset, e.g. 2026-11-01T09:00:00+08:00"
        case .writeFailed(let path, let reason):
            return "cannot write '\(path)': \(reason)"
        case .zoneUnavailable(let path, let reason):
            return "cannot use zone configuration '\(path)': \(reason)"
        case .mapUnavailable(let path, let reason):
            return "cannot read the road network from '\(path)': \(reason)"
        }
    }
}
