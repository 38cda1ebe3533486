import Foundation
import GRDB

/// The ingest nodes of a store and how far each has committed (`testzone nodes`, issue 20).
public enum NodeList {
    /// Every node recorded in the store at `location`, by id. An SQLite file written before
    /// migration `v4-issue20-nodes`, or by an unsharded ingest, has none. Call from a thread of
    /// its own (a command's main thread), not from async code.
    public static func read(_ location: StoreLocation) throws -> [NodeRecord] {
        switch location {
        case .sqlite(let path):
            return try ZoneStore(readingOnly: path).nodes()
        case .postgres(let postgres):
            return try BlockingCall.run {
                let store = try await PostgresStore.open(postgres)
                do {
                    let nodes = try await store.nodes()
                    await store.close()
                    return nodes
                } catch {
                    await store.close()
                    throw error
                }
            }
        }
    }
}

extension ZoneStore {
    /// Every node recorded in the `nodes` table, by id (none before migration `v4-issue20-nodes`).
    public func nodes() throws -> [NodeRecord] {
        try pool.read { db in
            guard try db.tableExists("nodes") else { return [] }
            return try Row.fetchAll(db, sql: "SELECT * FROM nodes ORDER BY id").map { row in
                NodeRecord(
                    id: row["id"], shard: row["shard"], shards: row["shards"], runID: row["run_id"],
                    session: row["session"], host: row["host"], startedAt: row["started_at_us"],
                    lastCommitAt: row["last_commit_at_us"], frames: row["frames"],
                    lastDataTime: row["last_data_time_us"], status: row["status"])
            }
        }
    }
}
