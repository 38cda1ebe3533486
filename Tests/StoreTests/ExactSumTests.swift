import Store
import TestZoneTestSupport
import Testing

@Suite("ExactSum: the correctly rounded sum, whatever the order")
struct ExactSumTests {
    @Test("known sums where adding in order rounds wrongly (values checked with Python's math.fsum)")
    func knownSums() {
        #expect(ExactSum(Array(repeating: 0.1, count: 10)).value == 1.0)
        #expect(ExactSum([1e100, 1.0, -1e100, 1e-100, 1e50, -1.0, -1e50]).value == 1e-100)
        // Half-way cases: the partials below the rounding point decide the direction.
        #expect(ExactSum([1.0, 0x1p-53, 0x1p-105]).value == 1.0000000000000002)
        #expect(ExactSum([1.0, 0x1p-53, -0x1p-105]).value == 1.0)
        #expect(ExactSum([0x1p53, -0.5, -0x1p-54]).value == 9_007_199_254_740_991.0)
        #expect(ExactSum([Double]()).value == 0)
        #expect(ExactSum([-3.5]).value == -3.5)
    }

    @Test("the same values in any order, or split into sums added together, give the same bits")
    func orderIndependent() {
        var generator = SplitMix64(state: 16)
        // Distances like stored daily rows: metres with fractions over six orders of magnitude.
        let values = (0..<2_000).map { _ in
            Double(generator.next() % 1_000_000) / 1_000 * pow10(Int(generator.next() % 4))
        }
        let reference = ExactSum(values).value
        var naive: Set<UInt64> = []
        for round in 0..<20 {
            var shuffled = values
            shuffled.shuffle(using: &generator)
            #expect(ExactSum(shuffled).value.bitPattern == reference.bitPattern)
            naive.insert(shuffled.reduce(0, +).bitPattern)
            // Split like rows on several shard nodes, summed per node and then merged.
            let cut = (round + 1) * 97
            var merged = ExactSum(shuffled[..<cut])
            merged.add(ExactSum(shuffled[cut...]))
            #expect(merged.value.bitPattern == reference.bitPattern)
        }
        // The problem it solves: plain addition order changes the last bits.
        #expect(naive.count > 1)
    }

    @Test("sums that are exact in plain addition stay the same")
    func exactWhenPlainIsExact() {
        var generator = SplitMix64(state: 3)
        // Multiples of 1/1024 below 2^30: every partial sum is representable.
        let values = (0..<500).map { _ in Double(generator.next() % (1 << 30)) / 1_024 }
        #expect(ExactSum(values).value == values.reduce(0, +))
    }

    private func pow10(_ exponent: Int) -> Double { (0..<exponent).reduce(1) { x, _ in x * 10 } }
}
