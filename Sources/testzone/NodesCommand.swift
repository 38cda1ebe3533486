import ArgumentParser
import Foundation
import Store

/// `testzone nodes`: the ingest nodes of a shared store, with their last commit and lag.
struct NodesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nodes",
        abstract: "List the ingest nodes of a store (--shard K/N) with their last commit and lag.",
        discussion: """
            One row per node: its shard, status, run, frames processed, when it last committed \
            (UTC, and how long ago by this machine's clock), the latest data time it committed and \
            its data lag: how far that is behind the most advanced node's (data time, so a node \
            that stopped receiving or cannot commit falls behind). --db is an SQLite file or \
            postgres://user@host[:port]/database.
            """
    )

    @Option(help: "The database: an SQLite file or postgres://user@host[:port]/database.")
    var db: String

    @Flag(help: "Print JSON lines instead of a table.")
    var json = false

    func run() throws {
        let nodes: [NodeRecord]
        do {
            nodes = try NodeList.read(try StoreLocation(db))
        } catch {
            throw CommandFailure.from(error, what: "cannot read the nodes", path: db).report("nodes")
        }
        let now = Int64(Date().timeIntervalSince1970 * 1e6)
        let newest = nodes.compactMap(\.lastDataTime).max()
        if json {
            for node in nodes {
                var object: [String: Any] = [
                    "node": node.id, "shard": "\(node.shard)/\(node.shards)", "status": node.status,
                    "frames": node.frames, "session": node.session, "host": node.host,
                ]
                object["run"] = node.runID
                object["last_commit_us"] = node.lastCommitAt
                object["last_data_time_us"] = node.lastDataTime
                if let newest, let last = node.lastDataTime {
                    object["data_lag_s"] = Double(newest - last) / 1e6
                }
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            }
            return
        }
        if nodes.isEmpty {
            print("no nodes: the store has no sharded ingest (testzone ingest --shard K/N)")
            return
        }
        let rows = nodes.map { node -> [String] in
            [
                node.id, "\(node.shard)/\(node.shards)", node.status, node.runID.map(String.init) ?? "-",
                "\(node.frames)", node.lastCommitAt.map(Self.utc) ?? "never",
                node.lastCommitAt.map { Self.seconds(now - $0) } ?? "-",
                node.lastDataTime.map(Self.utc) ?? "-",
                both(newest, node.lastDataTime).map { pair in Self.seconds(pair.0 - pair.1) } ?? "-",
            ]
        }
        print(
            TextTable.render(
                header: [
                    "NODE", "SHARD", "STATUS", "RUN", "FRAMES", "LAST COMMIT (UTC)", "AGO", "DATA TIME (UTC)",
                    "DATA LAG",
                ], rows: rows))
    }

    static func utc(_ micros: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: Double(micros) / 1e6))
    }

    static func seconds(_ micros: Int64) -> String { String(format: "%.1f s", Double(micros) / 1e6) }
}

/// Both values, or nil.
private func both<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
