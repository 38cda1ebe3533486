import Store

/// The canonical serialisation of ``ReportRecords`` and its SHA-256 digest.
///
/// Definition (version 2; version 1 had neither the register fields of `events` nor the run tables), so that anyone holding the same rows can recompute the digest:
/// - The text is UTF-8. It starts with the line `testzone-report-records v1`.
/// - Then, for each table in this fixed order — `operators vehicles driving events links link_usage
///   grid grid_cells hours rsus reception sources rejects sequences track_gaps unattributed
///   zone run_files run_warnings` — a line
///   `#<table> <row count>` followed by its rows, one line per row, the lines sorted by byte-wise
///   comparison of their UTF-8 text (so the order in which rows were read does not matter).
/// - A row is its fields in the order of the record's declaration, separated by a tab (U+0009),
///   ended by a line feed (U+000A). Strings: `\` becomes `\\`, tab `\t`, line feed `\n`, carriage
///   return `\r`. Integers: decimal. Floating-point values: the shortest text that round-trips
///   (Swift's `description`, e.g. `1234.5`, `0.1`, `1e-07`). Absent values: `\N`. Booleans: `0`/`1`.
///   Points: `lat,lon` pairs joined by `;`.
/// - A report's digest covers the report month and the previous month (whose rows feed the
///   change column): the text `month YYYY-MM\n` + canonical(month rows) + `month YYYY-MM\n` +
///   canonical(previous-month rows), hashed with SHA-256 and written as 64 lowercase hex digits.
public enum RecordDigest {
    /// The version line that opens the canonical text.
    public static let versionLine = "testzone-report-records v2"

    /// The digest of a report's inputs: the month's rows and the previous month's rows.
    public static func digest(
        month: ReportPeriod, records: ReportRecords, previousMonth: ReportPeriod, previous: ReportRecords
    ) -> String {
        var hasher = SHA256()
        hasher.update("month \(month)\n")
        hasher.update(canonicalText(records))
        hasher.update("month \(previousMonth)\n")
        hasher.update(canonicalText(previous))
        return hasher.finalizeHex()
    }

    /// The canonical text of one period's rows (definition above).
    public static func canonicalText(_ records: ReportRecords) -> String {
        var text = versionLine + "\n"
        func table(_ name: String, _ rows: [[Field]]) {
            let lines = rows.map(line).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            text += "#\(name) \(lines.count)\n"
            for line in lines { text += line }
        }
        table(
            "operators",
            records.operators.map {
                [.text($0.id), .text($0.name), .text($0.manufacturer), .text($0.permitNumber)]
            })
        table(
            "vehicles",
            records.vehicles.map {
                [
                    .text($0.vin), .text($0.plate), .text($0.operatorID), .text($0.permit),
                    .bool($0.registered), .optionalBool($0.driverlessCapable),
                ]
            })
        table(
            "driving",
            records.driving.map {
                [
                    .text($0.vin), .text($0.day), .int($0.level), .real($0.meters), .real($0.seconds),
                    .real($0.uplinkMeters),
                ]
            })
        table(
            "events",
            records.events.map {
                [
                    .int64($0.micros), .text($0.vin), .text($0.kind.rawValue), .int($0.level),
                    .text($0.initiator),
                    .text($0.cause), .optionalReal($0.latitude), .optionalReal($0.longitude),
                    .optionalText($0.linkID), .optionalText($0.roadClass), .optionalReal($0.speed),
                    .optionalReal($0.takeoverSeconds), .optionalText($0.takeoverOutcome),
                    .optionalText($0.roadName), .optionalBool($0.safetyDriver),
                    .optionalBool($0.remoteOperator),
                    .optionalText($0.clipFile), .optionalText($0.clipSHA256),
                ]
            })
        table(
            "links",
            records.links.map {
                [
                    .text($0.id), .text($0.name), .text($0.roadClass), .real($0.lengthMeters),
                    .points($0.points),
                ]
            })
        table(
            "link_usage",
            records.linkUsage.map {
                [.text($0.linkID), .int($0.vehicleDays), .optionalReal($0.automatedMeters)]
            })
        table("grid", [[.real(records.grid.cellMeters), .int(records.grid.totalCells)]])
        table("grid_cells", records.grid.visitedCells.map { [.int($0.column), .int($0.row)] })
        table(
            "hours",
            records.hours.map { [.text($0.vin), .int($0.hour), .real($0.seconds), .real($0.meters)] })
        table(
            "rsus",
            records.rsus.map {
                [
                    .text($0.id), .text($0.name), .optionalReal($0.position?.latitude),
                    .optionalReal($0.position?.longitude), .real($0.availableSeconds),
                    .real($0.expectedSeconds),
                ]
            })
        table(
            "reception",
            records.reception.map {
                [
                    .text($0.rsuID), .int($0.bandLower), .int($0.bandUpper), .int($0.received),
                    .real($0.expected),
                ]
            })
        table(
            "sources",
            records.sources.map {
                [
                    .text($0.source), .text($0.kind), .int($0.received), .int($0.decoded), .int($0.rejected),
                    .int($0.duplicates), .optionalReal($0.clockOffsetMillis),
                ]
            })
        table("rejects", records.rejects.map { [.text($0.source), .text($0.reason), .int($0.count)] })
        table(
            "sequences",
            records.sequences.map {
                [
                    .text($0.streamKind), .text($0.streamID), .int($0.count), .int($0.gaps), .int($0.repeats),
                    .int($0.reordered), .int($0.resets),
                ]
            })
        table(
            "track_gaps", records.trackGaps.map { [.text($0.vin), .int($0.timeGaps), .int($0.outlierSteps)] })
        table(
            "unattributed",
            [
                [
                    .int(records.unattributed.bsmFromUnregisteredOBU),
                    .int(records.unattributed.unknownVehicleObservations),
                ]
            ])
        table(
            "zone",
            [
                [
                    .text(records.zone.name), .text(records.zone.reportingEntity),
                    .text(records.zone.defaultCategory),
                ]
            ])
        // Provenance: the journal files (by content) and what the reader reported about them. Run
        // ids, kinds and paths are left out, so live ingest and a replay of its journal agree.
        table(
            "run_files",
            records.runs.flatMap { run in run.files.map { [.text($0.sha256), .int64($0.bytes)] } })
        table(
            "run_warnings",
            records.runs.flatMap { run in run.warnings.map { [.text(RunRecord.withoutPath($0))] } })
        return text
    }

    private enum Field {
        case text(String)
        case optionalText(String?)
        case int(Int)
        case int64(Int64)
        case real(Double)
        case optionalReal(Double?)
        case bool(Bool)
        case optionalBool(Bool?)
        case points([GeoPoint])
    }

    private static func line(_ fields: [Field]) -> String {
        var line = ""
        for (index, field) in fields.enumerated() {
            if index > 0 { line += "\t" }
            switch field {
            case .text(let value): line += escape(value)
            case .optionalText(let value): line += value.map(escape) ?? "\\N"
            case .int(let value): line += String(value)
            case .int64(let value): line += String(value)
            case .real(let value): line += value.description
            case .optionalReal(let value): line += value?.description ?? "\\N"
            case .bool(let value): line += value ? "1" : "0"
            case .optionalBool(let value): line += value.map { $0 ? "1" : "0" } ?? "\\N"
            case .points(let points):
                line += points.map { "\($0.latitude.description),\($0.longitude.description)" }
                    .joined(separator: ";")
            }
        }
        return line + "\n"
    }

    private static func escape(_ value: String) -> String {
        let special: (Unicode.Scalar) -> Bool = { $0 == "\\" || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard value.unicodeScalars.contains(where: special) else { return value }
        var out = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out.append(contentsOf: "\\\\".unicodeScalars)
            case "\t": out.append(contentsOf: "\\t".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            case "\r": out.append(contentsOf: "\\r".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }
}
