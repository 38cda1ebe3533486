import Foundation
import GRDB
import Store

/// The derived tables of a TestZone database as sorted rows of text (without run ids, row ids and
/// journal file names), read from SQLite or PostgreSQL the same way, so that two stores can be
/// compared table by table (live vs replay, one node vs the merged nodes).
public enum DerivedTableDump {
    /// Table and the columns compared: the per-vehicle and per-source tables every store holds.
    /// Callers append what their comparison needs (rejected frames, run-wide counters).
    public static let tables: [(table: String, columns: String)] = [
        ("vehicles", "vin, operator_id, terminal_number, obu_id, registered"),
        (
            "vehicle_runs",
            "vin, fixes, time_gaps, outlier_steps, distance_m, bsm_received, late, open_takeover_requests, first_time_us, last_time_us"
        ),
        ("vehicle_daily", "vin, day, month, level, distance_m, time_s, uplink_covered_m"),
        ("mode_segments", "vin, start_us, end_us, level, status, status_name, distance_m"),
        (
            "events",
            "vin, kind, time_us, day, month, latitude, longitude, speed_mps, link_id, road_class, level, initiator, initiator_code, cause, cause_code, takeover_time_us, closed_requests, takeover_outcome, late, road_name, safety_driver, remote_operator"
        ),
        ("link_coverage", "vin, day, month, link_id"),
        ("grid_coverage", "vin, day, month, cell"),
        ("v2x_reception", "vin, day, month, rsu_id, band, band_index, exposure_s, expected, received"),
        (
            "data_health",
            "source_id, received, decoded, rejected, duplicates, clock_offset_samples, clock_offset_mean_us, clock_offset_min_us, clock_offset_max_us, first_seen_us, last_seen_us, outage_us, malformed_items"
        ),
        ("rejected_reasons", "source_id, reason, count"),
        ("sequence_health", "stream_kind, stream_id, count, gaps, repeats, reordered, resets"),
    ]

    /// A value as text that reads the same from both engines (numbers through `Double`, except
    /// texts with leading zeros such as terminal numbers).
    public static func normalized(_ value: String?) -> String {
        guard let value else { return "NULL" }
        if let number = Double(value), value.first != "0" || value == "0" || value.hasPrefix("0.") {
            return "\(number)"
        }
        return value
    }

    /// The rows of `tables` in an SQLite database (blobs as lower-case hex), sorted.
    public static func dump(sqlite reader: some DatabaseReader, tables: [(table: String, columns: String)])
        throws -> [String: [[String]]]
    {
        try reader.read { db in
            var result: [String: [[String]]] = [:]
            for (table, columns) in tables {
                let rows = try Row.fetchAll(db, sql: "SELECT \(columns) FROM \(table)").map { row in
                    Array(row.databaseValues).map { value -> String in
                        switch value.storage {
                        case .null: "NULL"
                        case .int64(let number): normalized(String(number))
                        case .double(let number): normalized("\(number)")
                        case .string(let text): normalized(text)
                        case .blob(let data): normalized(data.map { hexDigits($0) }.joined())
                        }
                    }
                }
                result[table] = rows.sorted { $0.lexicographicallyPrecedes($1) }
            }
            return result
        }
    }

    /// The rows of `tables` in a PostgreSQL store (`payload` bytea as lower-case hex), sorted.
    public static func dump(_ store: PostgresStore, tables: [(table: String, columns: String)]) async throws
        -> [String: [[String]]]
    {
        var result: [String: [[String]]] = [:]
        for (table, columns) in tables {
            let casts = columns.split(separator: ",").map { column -> String in
                let name = column.trimmingCharacters(in: .whitespaces)
                // bytea as text is \x followed by lower-case hex digits.
                return name == "payload" ? "substr((payload)::text, 3)" : "(\(name))::text"
            }
            let rows = try await store.rows("SELECT \(casts.joined(separator: ", ")) FROM \(table)")
            result[table] = rows.map { $0.map(normalized) }.sorted { $0.lexicographicallyPrecedes($1) }
        }
        return result
    }

    private static func hexDigits(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }
}
