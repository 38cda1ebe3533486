/// The correctly rounded sum of finite `Double`s, whatever order they are added in.
///
/// Stored figures are sums of many rows (a month of per-day distances, per-link metres, ...).
/// Floating-point addition is not associative, so SQL's `SUM(x)` depends on the order the engine
/// scans the rows: a live database and a replay of its journal, or several shard nodes and one
/// node, hold the same rows in a different physical order and gave `metrics --json` figures that
/// differed in the last digits. This accumulator keeps the exact sum as a list of non-overlapping
/// partials (Shewchuk's algorithm, as in Python's `math.fsum`) and rounds once at the end, so the
/// same multiset of values always gives the same `Double`.
public struct ExactSum: Sendable {
    /// Non-overlapping partial sums, increasing in magnitude; their exact total is the sum.
    private var partials: [Double] = []

    /// An empty sum (zero).
    public init() {}

    /// The exact sum of `values`, rounded once.
    public init<S: Sequence>(_ values: S) where S.Element == Double {
        for value in values { add(value) }
    }

    /// Adds a finite value.
    public mutating func add(_ value: Double) {
        precondition(value.isFinite, "ExactSum adds finite values only")
        var x = value
        var kept = 0
        for index in partials.indices {
            var y = partials[index]
            if abs(x) < abs(y) { swap(&x, &y) }
            let high = x + y
            let low = y - (high - x)
            if low != 0 {
                partials[kept] = low
                kept += 1
            }
            x = high
        }
        partials.removeSubrange(kept...)
        partials.append(x)
    }

    /// Adds another sum's values.
    public mutating func add(_ other: ExactSum) {
        for partial in other.partials { add(partial) }
    }

    /// The sum, correctly rounded (round half to even) to the nearest `Double`.
    public var value: Double {
        guard var n = partials.indices.last else { return 0 }
        var high = partials[n]
        var low = 0.0
        while n > 0 {
            n -= 1
            let x = high
            let y = partials[n]
            high = x + y
            low = y - (high - x)
            if low != 0 { break }
        }
        // Half-way case: the rest of the partials decides which way the rounding goes.
        if n > 0, (low < 0 && partials[n - 1] < 0) || (low > 0 && partials[n - 1] > 0) {
            let y = low * 2
            let x = high + y
            if y == x - high { high = x }
        }
        return high
    }

    /// `self` plus `value`.
    public static func += (sum: inout ExactSum, value: Double) { sum.add(value) }
}
