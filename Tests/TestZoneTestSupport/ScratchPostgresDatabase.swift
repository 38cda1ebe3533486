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
        let store = try await PostgresStore.open(admin)
        var location = admin
        location.database = name
        do {
            _ = try await store.rows("CREATE DATABASE \(name)")
            try await body(location)
        } catch {
            _ = try? await store.rows("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            await store.close()
            throw error
        }
        _ = try? await store.rows("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        await store.close()
    }
}
