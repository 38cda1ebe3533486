import Dispatch
import Synchronization

/// Runs async PostgreSQL work from the synchronous ingest threads (``IngestStore``): the work
/// runs as a task and the calling thread waits for its result.
///
/// Only for threads of their own (the ingest's receiver and processor threads, a command's main
/// thread): blocking a thread of Swift's cooperative pool this way can starve the task it waits
/// for. Async code calls ``PostgresStore`` directly.
enum BlockingCall {
    static func run<Result: Sendable>(_ work: @escaping @Sendable () async throws -> Result) throws -> Result
    {
        let outcome = Mutex<Swift.Result<Result, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let result: Swift.Result<Result, any Error>
            do { result = .success(try await work()) } catch { result = .failure(error) }
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return try outcome.withLock { $0! }.get()
    }
}
