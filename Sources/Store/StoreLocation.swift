import Foundation

/// Where the TestZone database is, as given to `--db`: an SQLite file (the embedded default) or
/// a PostgreSQL server shared by several ingest nodes (issue 20).
public enum StoreLocation: Sendable, Hashable, CustomStringConvertible {
    /// An SQLite file (created when missing).
    case sqlite(path: String)
    /// A PostgreSQL database: `postgres://user[:password]@host[:port]/database`.
    case postgres(PostgresLocation)

    /// Parses a `--db` argument: a `postgres://` or `postgresql://` URL, else a file path.
    /// Throws ``ZoneStoreError`` for a malformed URL or another scheme (`mysql://...`).
    public init(_ argument: String) throws {
        let lowered = argument.lowercased()
        if lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") {
            self = .postgres(try PostgresLocation(url: argument))
        } else if let range = argument.range(of: "://"),
            argument[..<range.lowerBound].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" })
        {
            throw ZoneStoreError(
                path: argument,
                reason:
                    "unsupported database URL scheme \(argument[..<range.lowerBound]) (give an SQLite file or postgres://user@host/database)"
            )
        } else {
            self = .sqlite(path: argument)
        }
    }

    /// The path, or the URL without its password.
    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let location): location.description
        }
    }
}
