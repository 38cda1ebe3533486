import Foundation
import TestZoneTestSupport
import Testing
import ZeroMQ

@Suite(.timeLimit(.minutes(10)))
struct OptionsAndErrorsTests {
    @Test func optionsReadBackWhatWasSet() throws {
        let context = try Context()
        let socket = try Socket(context, .push)
        #expect(socket.type == .push)
        try socket.setSendHighWaterMark(123)
        try socket.setReceiveHighWaterMark(456)
        try socket.setLinger(.milliseconds(250))
        try socket.setSendTimeout(.seconds(2))
        try socket.setReceiveTimeout(nil)
        try socket.setImmediate(true)
        #expect(try socket.sendHighWaterMark == 123)
        #expect(try socket.receiveHighWaterMark == 456)
        #expect(try socket.linger == .milliseconds(250))
        #expect(try socket.sendTimeout == .seconds(2))
        #expect(try socket.receiveTimeout == nil)
        #expect(try socket.immediate)
        // A positive sub-millisecond timeout is rounded up, never turned into "do not wait".
        try socket.setReceiveTimeout(.microseconds(10))
        #expect(try socket.receiveTimeout == .milliseconds(1))
        #expect(try socket.lastEndpoint == "")
    }

    @Test func receiveTimesOutWithNil() throws {
        let context = try Context()
        let pull = try Socket(context, .pull)
        try pull.bind("inproc://nobody-sends-\(UUID().uuidString)")
        try pull.setReceiveTimeout(.milliseconds(30))
        #expect(try pull.receiveBytes() == nil)
        var message = Message(string: "stale")
        #expect(try pull.receive(into: &message) == false)
        var frames = MultipartMessage()
        #expect(try pull.receive(into: &frames) == false)
        #expect(frames.isEmpty == true)
        try pull.setReceiveTimeout(nil)
        #expect(try pull.receive(options: .dontWait)?.bytes == nil)
    }

    @Test func sendTimeoutThrowsWouldBlock() throws {
        let context = try Context()
        let push = try Socket(context, .push)
        try push.bind("tcp://127.0.0.1:*")  // bound, nobody connected: nowhere to queue
        try push.setSendTimeout(.milliseconds(30))
        let error = #expect(throws: ZeroMQError.self) { try push.send("lost?") }
        #expect(error?.isWouldBlock == true)
        #expect(error?.code == ZeroMQError.wouldBlockCode)
    }

    @Test func nonBlockingSendStopsAtTheHighWaterMark() throws {
        let context = try Context()
        let endpoint = uniqueIPCEndpoint()
        defer { removeIPCFile(endpoint) }
        let push = try Socket(context, .push)
        try push.setSendHighWaterMark(5)
        try push.setLinger(.zero)
        try push.connect(endpoint)  // no receiver yet: messages queue on the pending pipe

        var accepted = 0
        while accepted < 100 {
            do throws(ZeroMQError) {
                try push.send(sequencedPayload(accepted), options: .dontWait)
                accepted += 1
            } catch {
                #expect(error.isWouldBlock)
                break
            }
        }
        #expect(accepted == 5)

        // The queued messages are delivered once a receiver appears, and sending resumes.
        let pull = try Socket(context, .pull)
        try pull.setReceiveTimeout(.seconds(10))
        try pull.bind(endpoint)
        var message = Message()
        for expected in 0..<5 {
            #expect(try pull.receive(into: &message))
            #expect(message.withUnsafeBytes(sequence(of:)) == expected)
        }
        try push.setSendTimeout(.seconds(10))
        try push.send(sequencedPayload(5))
        #expect(try pull.receive(into: &message))
        #expect(message.withUnsafeBytes(sequence(of:)) == 5)
    }

    @Test func immediateRefusesToQueueWithoutAPeer() throws {
        let context = try Context()
        let push = try Socket(context, .push)
        try push.setImmediate(true)
        try push.setLinger(.zero)
        try push.connect(uniqueIPCEndpoint())
        let error = #expect(throws: ZeroMQError.self) { try push.send("x", options: .dontWait) }
        #expect(error?.isWouldBlock == true)
    }

    @Test func closingWithLingerDeliversPendingMessages() async throws {
        let context = try Context()
        let endpoint = uniqueIPCEndpoint()
        defer { removeIPCFile(endpoint) }
        let push = try Socket(context, .push)
        try push.setLinger(.seconds(10))
        try push.connect(endpoint)
        for sequence in 0..<100 { try push.send(sequencedPayload(sequence)) }
        push.close()
        #expect(push.isClosed)
        push.close()  // closing twice is harmless

        let pull = try Socket(context, .pull)
        try pull.setReceiveTimeout(.seconds(10))
        try pull.bind(endpoint)
        var message = Message()
        var received: [Int] = []
        while received.count < 100, try pull.receive(into: &message) {
            received.append(message.withUnsafeBytes(sequence(of:)) ?? -1)
        }
        #expect(received == Array(0..<100))
    }

    @Test func closingWithZeroLingerDiscardsPendingMessages() throws {
        let endpoint = uniqueIPCEndpoint()
        defer { removeIPCFile(endpoint) }
        do {
            // A context of its own: its termination at the end of this scope waits until the
            // closed socket is really gone, so no reconnect can race the receiver's bind.
            let senderContext = try Context()
            let push = try Socket(senderContext, .push)
            try push.setLinger(.zero)
            try push.connect(endpoint)
            for sequence in 0..<100 { try push.send(sequencedPayload(sequence)) }
            push.close()
        }
        let context = try Context()
        let pull = try Socket(context, .pull)
        try pull.setReceiveTimeout(.milliseconds(200))
        try pull.bind(endpoint)
        #expect(try pull.receiveBytes() == nil)
    }

    @Test func closingAReceiverWithQueuedMessagesIsClean() throws {
        let context = try Context()
        let (pull, push, _) = try connectedPair(context, .pull, .push, over: .inproc)
        for sequence in 0..<50 { try push.send(sequencedPayload(sequence)) }
        let kept = try pull.receiveRequired()
        pull.close()
        // A message received before the close stays readable.
        #expect(kept.withUnsafeBytes(sequence(of:)) == 0)
        let error = #expect(throws: ZeroMQError.self) { _ = try pull.receive() }
        #expect(error?.isClosedSocket == true)
    }

    @Test(arguments: ["tcp://", "nonsense", "tcp://127.0.0.1:notaport", "bogus://x", "tcp://256.1.1.1:5"])
    func badEndpointGivesAClearError(endpoint: String) throws {
        let context = try Context()
        let socket = try Socket(context, .pull)
        let error = try #require(throws: ZeroMQError.self) { try socket.bind(endpoint) }
        #expect(error.endpoint == endpoint)
        #expect(error.operation == "zmq_bind")
        #expect(!error.message.isEmpty)
        #expect(error.description.hasPrefix("zmq_bind \(endpoint): "))
        #expect(error.description.hasSuffix("(errno \(error.code))"))
    }

    @Test func portAlreadyBoundGivesAddressInUse() throws {
        let context = try Context()
        let first = try Socket(context, .pull)
        try first.bind("tcp://127.0.0.1:*")
        let endpoint = try first.lastEndpoint
        #expect(endpoint.hasPrefix("tcp://127.0.0.1:"))
        let second = try Socket(context, .pull)
        let error = try #require(throws: ZeroMQError.self) { try second.bind(endpoint) }
        #expect(error.code == EADDRINUSE)
        #expect(error.description == "zmq_bind \(endpoint): Address already in use (errno \(EADDRINUSE))")
    }

    @Test func unbindAndDisconnect() async throws {
        let context = try Context()
        let (pull, push, endpoint) = try connectedPair(context, .pull, .push)
        try push.disconnect(endpoint)
        try pull.unbind(endpoint)
        let error = try #require(throws: ZeroMQError.self) { try pull.unbind(endpoint) }
        #expect(error.code == ENOENT)
        // The port is released (asynchronously, by the I/O thread) and can be bound again.
        let again = try Socket(context, .pull)
        var rebound = false
        for _ in 0..<200 where !rebound {
            do throws(ZeroMQError) {
                try again.bind(endpoint)
                rebound = true
            } catch {
                #expect(error.code == EADDRINUSE)
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        #expect(rebound)
    }

    @Test func curveSecuredSocketsExchangeMessages() throws {
        let server = try CurveKeyPair.generate()
        let client = try CurveKeyPair.generate()
        #expect(server.publicKey != client.publicKey)
        #expect(server.publicKey.z85.count == 40)
        #expect(CurveKey(z85: server.secretKey.z85) == server.secretKey)
        #expect(try CurveKeyPair(secretKey: server.secretKey) == server)
        #expect(CurveKey(z85: "too short") == nil)
        #expect(CurveKey(bytes: [1, 2, 3]) == nil)

        let context = try Context()
        let pull = try Socket(context, .pull)
        try pull.setCurveServer(true)
        try pull.setCurveSecretKey(server.secretKey)
        try pull.setReceiveTimeout(.seconds(10))
        try pull.bind("tcp://127.0.0.1:*")
        let push = try Socket(context, .push)
        try push.setCurveServerKey(server.publicKey)
        try push.setCurvePublicKey(client.publicKey)
        try push.setCurveSecretKey(client.secretKey)
        try push.setLinger(.zero)
        try push.connect(try pull.lastEndpoint)
        try push.send("encrypted")
        #expect(try pull.receiveString() == "encrypted")
    }
}
