/// One node's share of a sharded ingest (`testzone ingest --shard K/N`, issue 20): the vehicles
/// whose key hashes to K modulo N, and the data sources that hash there.
///
/// The hash is FNV-1a (64 bit) of the key's UTF-8 bytes, so every machine and every release
/// assigns a vehicle to the same shard (Swift's `Hasher` is seeded per process). Vehicles are
/// keyed by VIN (`UNREGISTERED-<terminal>` outside the registry), sources by their name
/// (`cv2x/<rsu>`, `jt808/<terminal>`).
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    /// K, 0-based.
    public let index: Int
    /// N, at least 1.
    public let count: Int

    /// The largest N accepted.
    public static let maximumCount = 1024

    /// The whole: one node holds everything.
    public static let whole = Shard(uncheckedIndex: 0, count: 1)

    private init(uncheckedIndex index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Shard `index` of `count`; throws ``ShardError`` unless 0 ≤ index < count ≤ 1024.
    public init(index: Int, count: Int) throws {
        guard count >= 1, count <= Self.maximumCount else {
            throw ShardError(spec: "\(index)/\(count)", reason: "N must be 1 to \(Self.maximumCount)")
        }
        guard index >= 0, index < count else {
            throw ShardError(
                spec: "\(index)/\(count)", reason: "K must be 0 to \(count - 1) (K/N counts from 0)")
        }
        self.init(uncheckedIndex: index, count: count)
    }

    /// Parses `K/N` (e.g. `0/3`).
    public init(parsing spec: String) throws {
        let parts = spec.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw ShardError(spec: spec, reason: "expected K/N, two whole numbers such as 0/3")
        }
        try self.init(index: index, count: count)
    }

    /// `K/N`.
    public var description: String { "\(index)/\(count)" }

    /// The node id a shard gets unless named: `shard-K-of-N`.
    public var defaultNodeID: String { count == 1 ? "" : "shard-\(index)-of-\(count)" }

    /// Whether this shard holds `key` (a VIN or a source name).
    public func owns(_ key: String) -> Bool {
        count == 1 || Int(Self.hash(key) % UInt64(count)) == index
    }

    /// FNV-1a, 64 bit, of the UTF-8 bytes of `key`.
    public static func hash(_ key: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }
}

/// A `--shard` value that is not `K/N` with 0 ≤ K < N.
public struct ShardError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The value as given.
    public var spec: String
    /// What is wrong with it.
    public var reason: String

    /// `bad shard K/N: reason`.
    public var description: String { "bad shard \(spec): \(reason)" }
}

extension ZoneMetrics {
    /// The part of the aggregate that `shard` commits: its vehicles, the sequence streams of its
    /// vehicles (a BSM `msgCnt` stream by the OBU's vehicle, a JT/T 808 serial stream by the
    /// terminal's vehicle; an OBU or terminal outside the registry by its own id), the health of
    /// the sources it owns, and, on shard 0 only, the run-wide unattributed counts. The parts of
    /// all N shards are disjoint and their union is the whole, so merging them is exact.
    public func restricted(to shard: Shard) -> ZoneMetrics {
        guard shard.count > 1 else { return self }
        var result = self
        result.vehicles = vehicles.filter { shard.owns($0.key) }
        result.sources = sources.filter { shard.owns($0.key) }
        var vinByStream: [String: String] = [:]
        for vehicle in configuration.vehicles {
            vinByStream[vehicle.terminalNumber] = vehicle.vin
            if let obu = vehicle.obuID { vinByStream[Self.streamID(obu: obu)] = vehicle.vin }
        }
        for vehicle in vehicles.values {
            vinByStream[vehicle.identity.terminalNumber] = vehicle.identity.vin
            if let obu = vehicle.identity.obuID {
                vinByStream[Self.streamID(obu: obu)] = vehicle.identity.vin
            }
        }
        result.sequences = sequences.filter { shard.owns(vinByStream[$0.key.id] ?? $0.key.id) }
        if shard.index != 0 { result.unattributed = UnattributedCounts() }
        return result
    }

    /// The sequence stream id of an OBU: its 8 octets as 16 lower-case hex digits.
    static func streamID(obu: UInt64) -> String {
        let digits = String(obu, radix: 16)
        return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
    }
}
