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
