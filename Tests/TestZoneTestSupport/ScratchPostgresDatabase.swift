import Foundation
import Store

/// A database of its own on the test server for one test: created empty before `body`, dropped
/// after it (also when it throws).
public enum ScratchPostgresDatabase {
    /// Creates a uniquely named database through `admin`'s server, runs `body` with its location,
    /// and drops it.
    public static func with(admin: PostgresLocation, _ body: (PostgresLocation) async throws -> Void)
        async throws
    {
        let name = "testzone_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        var location = admin
        location.database = name
        // One plain connection each time (no pool): nothing of the test server's own database
        // stays open or is migrated, and nothing waits for a pool to stop.
        try await PostgresStore.administer(admin, ["CREATE DATABASE \(name)"])
        do {
            try await body(location)
        } catch {
            try? await PostgresStore.administer(admin, ["DROP DATABASE IF EXISTS \(name) WITH (FORCE)"])
            throw error
        }
        try? await PostgresStore.administer(admin, ["DROP DATABASE IF EXISTS \(name) WITH (FORCE)"])
    }
}
