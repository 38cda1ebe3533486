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

    @Test(
        "a month of a source that sends 2 h a day: settled days are runs, not bitmaps; late marks count once; the value is the same however stored"
    )
    func settledDaysAreCompact() throws {
        let width = ActivityWindows.width
        let day: Int64 = 86_400_000_000
        var windows = ActivityWindows()
        var marked = Set<Int64>()
        for index in Int64(0)..<30 {
            // 08:00-10:00 UTC with a 5-minute gap each day, a frame every second.
            for second in stride(from: Int64(8 * 3_600), to: 10 * 3_600, by: 1) where second % 1_800 >= 300 {
                let time = index * day + second * 1_000_000
                windows.mark(time)
                marked.insert(time / width)
            }
        }
        let (bitmaps, runs) = windows.representation
        #expect(bitmaps == 2 && runs == 28, "\(bitmaps) bitmaps, \(runs) run days")
        let whole: (Int64, Int64) = (0, 30 * day)
        func expected(_ from: Int64, _ to: Int64) -> Int64 {
            let first = from / width + 1
            let last = to / width
            return (last - first - Int64(marked.filter { $0 >= first && $0 < last }.count)) * width
        }
        #expect(windows.silence(from: whole.0, to: whole.1) == expected(whole.0, whole.1))
        #expect(windows.silence(from: 3 * day + 5, to: 12 * day + 7) == expected(3 * day + 5, 12 * day + 7))

        // A late frame into a settled day: a new window counts, a marked one does not.
        let silentWindow = 2 * day + 20 * 3_600 * 1_000_000  // 20:00, silent
        let markedWindow = 2 * day + (9 * 3_600 + 600) * 1_000_000  // 09:10, sent
        var late = windows
        late.mark(markedWindow)
        #expect(late == windows)
        late.mark(silentWindow)
        marked.insert(silentWindow / width)
        #expect(late != windows)
        #expect(late.silence(from: whole.0, to: whole.1) == expected(whole.0, whole.1))
        #expect(late.silence(from: 2 * day, to: 3 * day) == expected(2 * day, 3 * day))

        // The same marks in another order (days settled at other times) are the same value, also after
        // a JSON round trip and a merge with nothing.
        var shuffled = ActivityWindows()
        var random = SplitMix64(state: 7)
        for window in marked.sorted().shuffled(using: &random) {
            shuffled.mark(window * width)
        }
        #expect(shuffled == late)
        #expect(shuffled.hashValue == late.hashValue)
        let decoded = try JSONDecoder().decode(ActivityWindows.self, from: JSONEncoder().encode(late))
        #expect(decoded == late)
        #expect(decoded.silence(from: 2 * day, to: 3 * day) == expected(2 * day, 3 * day))
        var merged = ActivityWindows()
        merged.add(late)
        #expect(merged == late)
        #expect(merged.silence(from: whole.0, to: whole.1) == expected(whole.0, whole.1))
    }

    @Test("malformed activity JSON is refused with the day it names")
    func malformedJSON() {
        let json = Data(#"{"days":{"3":[1,2]},"lastWindow":0}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ActivityWindows.self, from: json) }
        let runs = Data(#"{"days":{},"runs":{"3":[5,2]},"lastWindow":0}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ActivityWindows.self, from: runs) }
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
