/// A path that cannot hold a TestZone database, named with the reason (SQLite's own errors
/// say neither the path nor why: "SQLite error 14: unable to open database file").
public struct ZoneStoreError: Error, CustomStringConvertible {
    /// The path given as the database.
    public var path: String
    /// Why it cannot be used.
    public var reason: String

    /// `PATH: reason`.
    public var description: String { "\(path): \(reason)" }
}
