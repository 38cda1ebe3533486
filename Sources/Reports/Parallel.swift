import Foundation
import Synchronization

/// Independent pieces of report work run on the machine's cores: the record digest is computed
/// while the report is built, and the formats (and their tables or sections) are rendered side
/// by side. Each piece
/// owns its inputs (values) and its result; nothing is shared but the results, handed back under
/// a lock.
///
/// The calls nest (a format rendered in parallel renders its tables in parallel), which is why
/// this does not use `DispatchQueue.concurrentPerform`: libdispatch runs a nested apply serially.
/// Each call starts its own threads instead, at most one fewer than the active processors, and
/// the calling thread works too.
enum Parallel {
    /// `work` applied to every item, concurrently, results in the items' order.
    static func map<Item: Sendable, Result: Sendable>(
        _ items: [Item], _ work: @escaping @Sendable (Item) -> Result
    ) -> [Result] {
        let results = Mutex<[Result?]>(Array(repeating: nil, count: items.count))
        let next = Mutex(0)
        let drain: @Sendable () -> Void = {
            while true {
                let index = next.withLock { value in
                    defer { value += 1 }
                    return value
                }
                guard index < items.count else { return }
                let result = work(items[index])
                results.withLock { $0[index] = result }
            }
        }
        let helpers = min(items.count, ProcessInfo.processInfo.activeProcessorCount) - 1
        let done = DispatchGroup()
        for _ in 0..<max(0, helpers) {
            done.enter()
            let thread = Thread {
                drain()
                done.leave()
            }
            thread.start()
        }
        drain()
        done.wait()
        return results.withLock { $0.map { $0! } }
    }

    /// `first` and `second`, run concurrently.
    static func both<A: Sendable, B: Sendable>(
        _ first: @escaping @Sendable () -> A, _ second: @escaping @Sendable () -> B
    ) -> (A, B) {
        let b = Mutex<B?>(nil)
        let done = DispatchGroup()
        done.enter()
        let thread = Thread {
            let result = second()
            b.withLock { $0 = result }
            done.leave()
        }
        thread.start()
        let a = first()
        done.wait()
        return (a, b.withLock { $0! })
    }
}
