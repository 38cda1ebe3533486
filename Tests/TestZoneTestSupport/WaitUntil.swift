import Testing

/// Waits until `condition` holds, polling every 50 ms; records a test issue and throws after
/// `timeout` (for tests that watch a running `testzone` process through its files or sockets).
public func waitUntil(_ what: String, timeout: Duration = .seconds(60), _ condition: () throws -> Bool)
    async throws
{
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while try !condition() {
        if clock.now >= deadline {
            Issue.record("timed out waiting for \(what)")
            throw CancellationError()
        }
        try await Task.sleep(for: .milliseconds(50))
    }
}
