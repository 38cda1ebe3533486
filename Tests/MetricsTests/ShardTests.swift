import Metrics
import Testing
import Zone

@Suite("Shard")
struct ShardTests {
    @Test func parsesShardSpecs() throws {
        let shard = try Shard(parsing: "2/3")
        #expect(shard.index == 2 && shard.count == 3)
        #expect(shard.description == "2/3")
        #expect(shard.defaultNodeID == "shard-2-of-3")
        #expect(try Shard(parsing: "0/1") == .whole)
    }

    @Test(arguments: [
        ("3/3", "K must be 0 to 2"), ("-1/3", "K must be 0 to 2"), ("0/0", "N must be 1 to 1024"),
        ("0/5000", "N must be 1 to 1024"), ("1", "expected K/N"), ("a/b", "expected K/N"),
        ("1/2/3", "expected K/N"),
        ("", "expected K/N"),
    ])
    func refusesBadSpecs(spec: String, reason: String) {
        let error = #expect(throws: ShardError.self) { try Shard(parsing: spec) }
        #expect(error?.description.contains(reason) == true, "\(String(describing: error))")
        #expect(error?.description.hasPrefix("bad shard \(spec):") == true)
    }

    @Test func everyKeyHasExactlyOneShard() throws {
        // FNV-1a 64 reference values (stable across processes and releases).
        #expect(Shard.hash("") == 0xcbf2_9ce4_8422_2325)
        #expect(Shard.hash("a") == 0xaf63_dc4c_8601_ec8c)
        let shards = try (0..<3).map { try Shard(index: $0, count: 3) }
        var counts = [0, 0, 0]
        for number in 0..<300 {
            let vin = "LSVAU2180N21\(String(number + 10_000))"
            let owners = shards.filter { $0.owns(vin) }
            #expect(owners.count == 1)
            counts[owners[0].index] += 1
        }
        #expect(counts.allSatisfy { $0 > 60 }, "\(counts)")
    }
}

extension ShardTests {
    @Test func partsOfAllShardsAreDisjointAndCoverTheWhole() throws {
        let vehicles = (0..<12).map { number in
            VehicleIdentity(
                vin: "LSVAU2180N2\(100_000 + number)", operatorID: "saic",
                terminalNumber: "0138000000\(10 + number)", obuID: UInt64(0x0100 + number))
        }
        var aggregator = ZoneAggregator(configuration: MetricsConfiguration(vehicles: vehicles))
        let t0: Microseconds = 1_793_500_000_000_000
        for (index, _) in vehicles.enumerated() {
            let source = aggregator.source(named: "jt808/0138000000\(10 + index)")
            for second in 0..<5 {
                let time = t0 + Microseconds(second) * 1_000_000
                aggregator.received(source: source, at: time)
                aggregator.record(.decoded, source: source)
                aggregator.observe(
                    VehicleFix(
                        vehicle: index, time: time, latitude: 31.28,
                        longitude: 121.16 + Double(second) * 0.0001,
                        automation: AutomationState(level: 4, status: .active)))
            }
        }
        let whole = aggregator.finish()
        let parts = try (0..<3).map { whole.restricted(to: try Shard(index: $0, count: 3)) }
        #expect(parts.map(\.vehicles.count).reduce(0, +) == whole.vehicles.count)
        #expect(Set(parts.flatMap(\.vehicles.keys)) == Set(whole.vehicles.keys))
        #expect(parts.map(\.sources.count).reduce(0, +) == whole.sources.count)
        #expect(Set(parts.flatMap(\.sources.keys)) == Set(whole.sources.keys))
        #expect(parts.map(\.sequences.count).reduce(0, +) == whole.sequences.count)
        #expect(parts.filter { !$0.vehicles.isEmpty }.count > 1, "12 vehicles over 3 shards")
        #expect(whole.restricted(to: .whole).vehicles.count == whole.vehicles.count)
    }
}
