import Foundation
import TestZoneTestSupport
import Testing

@testable import Metrics

@Suite("Source activity windows (outages in data time)")
struct ActivityWindowTests {
    @Test("silence counts the 10 s windows without a frame between the first and the last")
    func silenceBetweenFrames() {
        var health = SourceHealth()
        for time: Int64 in [0, 5_000_000, 35_000_000] { health.receive(at: time) }
        #expect(health.outage == 20_000_000)  // windows 10-20 s and 20-30 s
        // Across days, with whole silent days and a partly marked word.
        var long = ActivityWindows()
        let day: Int64 = 86_400_000_000
        long.mark(0)
        long.mark(3 * day + 640_000_000)  // window 64 of day 3
        for window in 1...100 { long.mark(Int64(window) * 10_000_000) }
        let windows = (3 * day + 640_000_000) / 10_000_000
        #expect(long.silence(from: 0, to: 3 * day + 640_000_000) == (windows - 1 - 100) * 10_000_000)
    }

    @Test(
        "silence over any span equals a window-by-window count (the whole-span shortcut, merges, JSON round trip)",
        arguments: [1, 2, 3])
    func silenceMatchesBruteForce(seed: UInt64) throws {
        var random = SplitMix64(state: seed)
        let width = ActivityWindows.width
        var windows = ActivityWindows()
        var other = ActivityWindows()
        var marked = Set<Int64>()
        for _ in 0..<400 {
            // Spread over ~40 days, some before the epoch, clustered like a source's active hours.
            let window = Int64(random.next() % 345_600) - 8_640
            let time = window * width + Int64(random.next() % UInt64(width))
            if random.next() % 3 == 0 { other.mark(time) } else { windows.mark(time) }
            marked.insert(window)
        }
        windows.add(other)
        let decoded = try JSONDecoder().decode(ActivityWindows.self, from: JSONEncoder().encode(windows))
        let lowest = marked.min()!
        let highest = marked.max()!
        var spans: [(Int64, Int64)] = [
            (lowest * width, highest * width + 1), (lowest * width + 5, highest * width),
        ]
        for _ in 0..<50 {
            let a = Int64(random.next() % 400_000) - 20_000
            let b = Int64(random.next() % 400_000) - 20_000
            spans.append((min(a, b) * width + 7, max(a, b) * width + 3))
        }
        for (start, end) in spans {
            let first = (start >= 0 ? start / width : (start - width + 1) / width) + 1
            let last = end >= 0 ? end / width : (end - width + 1) / width
            let expected =
                last > first
                ? (last - first - Int64(marked.filter { $0 >= first && $0 < last }.count)) * width : 0
            #expect(windows.silence(from: start, to: end) == expected, "span \(start)..\(end)")
            #expect(decoded.silence(from: start, to: end) == expected, "decoded, span \(start)..\(end)")
        }
    }

    @Test("shards by source content merge to the whole")
    func merging() {
        var whole = SourceHealth()
        var a = SourceHealth()
        var b = SourceHealth()
        for second in stride(from: Int64(0), to: 600, by: 3) {
            let time = second * 1_000_000
            whole.receive(at: time)
            if second % 2 == 0 { a.receive(at: time) } else { b.receive(at: time) }
        }
        whole.receive(at: 900_000_000)
        b.receive(at: 900_000_000)
        var merged = a
        merged.add(b)
        #expect(merged == whole)
        #expect(merged.outage == whole.outage)
        #expect(whole.outage == 300_000_000)  // windows 60..<90 (600-900 s) are silent
    }
}
