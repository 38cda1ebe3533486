import GRDB
import Store

/// Counts, per road link, the distinct (vehicle, day) pairs of `link_coverage` rows in one
/// ordered pass.
///
/// `COUNT(DISTINCT vin || day) ... GROUP BY link_id` builds a temporary B-tree per link: about
/// 2.4 s for a month of 500 vehicles (1.5 M rows). The rows are read instead in the order of the
/// covering index `link_coverage_link (month, link_id, vin, day, run_id)` (migration
/// `v3-issue18-report-indexes`), where a (vehicle, day) pair repeats only on consecutive rows (the
/// same day recorded by several runs), and counted by comparing each row's bytes with the
/// previous row's: no value is converted to a Swift string except each link's id once.
/// A day belongs to one month, so the per-month counts of a link add up exactly.
enum LinkUsageScan {
    /// The vehicle-days per link id of the rows matching `condition` (an SQL condition on
    /// `link_coverage`), sorted by link id.
    static func vehicleDays(
        _ session: any StoreReadSession, condition: String, arguments: [any DatabaseValueConvertible]
    ) throws
        -> [(linkID: String, vehicleDays: Int)]
    {
        var counts: [String: Int] = [:]
        var group: [UInt8] = []  // month and link id of the current group
        var pair: [UInt8] = []  // vin and day of the previous row
        var scratch: [UInt8] = []
        var groupLink = ""
        var groupCount = 0
        func flush() {
            if groupCount > 0 { counts[groupLink, default: 0] += groupCount }
        }
        let b = session.dialect.bytewise
        try session.forEach(
            """
            SELECT month, link_id, vin, day FROM link_coverage \(
                try session.indexHint(table: "link_coverage", index: "link_coverage_link"))
            WHERE \(condition) ORDER BY month\(b), link_id\(b), vin\(b), day\(b)
            """, arguments
        ) { row in
            Self.columns(row, 0, 1, into: &scratch)
            if scratch != group {
                flush()
                swap(&group, &scratch)
                groupLink = row.text(at: 1)
                groupCount = 0
                pair.removeAll(keepingCapacity: true)
            }
            Self.columns(row, 2, 3, into: &scratch)
            if scratch != pair {
                swap(&pair, &scratch)
                groupCount += 1
            }
        }
        flush()
        return counts.sorted { $0.key < $1.key }.map { (linkID: $0.key, vehicleDays: $0.value) }
    }

    /// The bytes of two text columns, separated by a zero byte (never part of a TestZone id).
    private static func columns(_ row: StoreRow, _ a: Int, _ b: Int, into bytes: inout [UInt8]) {
        bytes.removeAll(keepingCapacity: true)
        row.withUTF8(at: a) { bytes.append(contentsOf: $0) }
        bytes.append(0)
        row.withUTF8(at: b) { bytes.append(contentsOf: $0) }
        bytes.append(0)
    }
}
