import Foundation
import TestZoneTestSupport
import Testing
import ZeroMQ

/// Issue 21: `replay --push` to an endpoint where nobody listens says that it waits for a peer
/// and gives up after `--connect-timeout` (exit 2, the one error line) instead of hanging
/// silently; when a peer comes within the time, every frame reaches it. `--publish` says that
/// it waits for a subscriber and then publishes anyway.
@Suite(.timeLimit(.minutes(10)))
struct ReplayPeerTests {
    private let recording = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
            "Replays/demo/demo.mcap"
        )
        .path

    @Test func pushWithoutAPeerSaysSoAndGivesUpAfterTheConnectTimeout() async throws {
        let endpoint = try freeEndpoint()
        let clock = ContinuousClock()
        let started = clock.now
        let outcome = try await TestZoneBinary.Run([
            "replay", recording, "--push", endpoint, "--speed", "max", "--connect-timeout", "3s", "--quiet",
        ]).finish(timeout: .seconds(90))
        let took = clock.now - started
        #expect(outcome.status == 2, "\(outcome.standardError)")
        // Given up, not hanging (the upper bound leaves room for a loaded machine's slow start).
        #expect(took >= .seconds(3) && took < .seconds(60), "gave up after \(took)")
        let lines = outcome.standardError.split(separator: "\n")
        #expect(
            lines.first
                == "replay: waiting for a peer at \(endpoint) (testzone ingest --listen or record --listen); giving up after 3s (--connect-timeout)",
            "\(outcome.standardError)")
        CommandMatrixTests.expectOneErrorLine(outcome, command: "replay", path: endpoint)
        #expect(
            outcome.standardError.contains(
                "testzone replay: error: no peer (\(endpoint)): nothing took the connection within 3s"))
        #expect(!outcome.standardError.contains("replayed "), "nothing was sent")
    }

    @Test func aPeerThatComesLateGetsEveryFrame() async throws {
        let endpoint = try freeEndpoint()
        let replay = try TestZoneBinary.Run([
            "replay", recording, "--push", endpoint, "--speed", "max", "--to", "60s", "--connect-timeout",
            "2m",
            "--quiet",
        ])
        try await waitUntil("replay says it waits", timeout: .seconds(20)) {
            replay.standardErrorSoFar.contains("replay: waiting for a peer at \(endpoint)")
        }
        // The peer comes after the note (a limit of 2 minutes: this test's peer may be slow to
        // come on a loaded machine; the give-up itself is the test above).
        let context = try Context()
        defer { context.shutdown() }
        let pull = try Socket(context, .pull)
        defer { pull.close() }
        try pull.setReceiveTimeout(.seconds(5))
        try pull.bind(endpoint)
        var frames = MultipartMessage()
        var received = 0
        while try pull.receive(into: &frames) { received += 1 }
        let outcome = try await replay.finish(timeout: .seconds(60))
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardError.contains("replay: connected to \(endpoint) after "))
        let line = outcome.standardError.split(separator: "\n").first { $0.hasPrefix("replayed ") } ?? ""
        let sent = Int(
            line.dropFirst("replayed ".count).prefix { $0 != " " }.replacingOccurrences(of: ",", with: ""))
        #expect(sent != nil && sent == received, "\(received) received; \(outcome.standardError)")
        #expect(received > 1000, "more than one send queue of frames")
    }

    @Test func aPeerThatStopsTakingFramesIsNamedAndStillGetsEveryFrame() async throws {
        let endpoint = try freeEndpoint()
        let context = try Context()
        defer { context.shutdown() }
        let pull = try Socket(context, .pull)
        defer { pull.close() }
        try pull.setReceiveHighWaterMark(100)
        try pull.setReceiveTimeout(.seconds(5))
        try pull.bind(endpoint)
        // The whole demo (17 MB): more than the socket buffers hold while the peer takes nothing.
        let replay = try TestZoneBinary.Run([
            "replay", recording, "--push", endpoint, "--speed", "max", "--quiet",
        ])
        var frames = MultipartMessage()
        var received = 0
        #expect(try pull.receive(into: &frames))
        received += 1
        // The peer takes nothing for a while: replay says so after 10 s instead of hanging silently.
        try await waitUntil("replay names the stalled peer", timeout: .seconds(30)) {
            replay.standardErrorSoFar.contains("replay: the peer has taken no frame for 10s (slow, or gone)")
        }
        while try pull.receive(into: &frames) { received += 1 }
        let outcome = try await replay.finish(timeout: .seconds(60))
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardError.contains("replay: the peer takes frames again after "))
        let line = outcome.standardError.split(separator: "\n").first { $0.hasPrefix("replayed ") } ?? ""
        let sent = Int(
            line.dropFirst("replayed ".count).prefix { $0 != " " }.replacingOccurrences(of: ",", with: ""))
        #expect(sent == received, "\(received) received; \(outcome.standardError)")
    }

    @Test func publishSaysItWaitsForASubscriberAndPublishesAnyway() async throws {
        let outcome = try await TestZoneBinary.Run([
            "replay", recording, "--publish", "tcp://127.0.0.1:0", "--wait", "2s", "--speed", "max", "--to",
            "5s",
            "--quiet",
        ]).finish(timeout: .seconds(60))
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(
            outcome.standardError.contains(
                "replay: waiting up to 2s for a first subscriber on tcp://127.0.0.1:0 (--wait)"))
        #expect(
            outcome.standardError.contains(
                "replay: no subscriber within 2s; publishing anyway (a PUB socket drops what no subscriber takes)"
            ))
    }
}
