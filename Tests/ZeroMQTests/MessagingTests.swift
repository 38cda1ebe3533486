import Foundation
import TestZoneTestSupport
import Testing
import ZeroMQ

@Suite(.timeLimit(.minutes(10)))
struct MessagingTests {
    @Test(arguments: Transport.allCases)
    func pushPullDeliversFramesInPlace(over transport: Transport) throws {
        let context = try Context()
        let (pull, push, _) = try connectedPair(context, .pull, .push, over: transport)
        try push.send("hello")
        try push.send([UInt8]([0, 1, 2, 255]))
        try push.send([UInt8]())

        let first = try pull.receiveRequired()
        #expect(first.string == "hello")
        #expect(first.count == 5)
        #expect(first.hasMore == false)
        #expect(first.starts(with: "he".utf8) == true)

        var message = Message()
        #expect(try pull.receive(into: &message))
        message.withUnsafeBytes { #expect(Array($0) == [0, 1, 2, 255]) }
        #expect(try pull.receive(into: &message))
        #expect(message.isEmpty == true)
    }

    @Test(arguments: Transport.allCases)
    func subscriberGetsOnlyItsPrefixes(over transport: Transport) throws {
        let context = try Context()
        let (publisher, subscriber, _) = try connectedPair(context, .pub, .sub, over: transport)
        try subscriber.subscribe("cv2x/")
        try subscriber.subscribe("jt808/R")
        try subscriber.setReceiveTimeout(.milliseconds(20))

        // Subscriptions reach the publisher asynchronously: publish probes until one arrives.
        var joined = false
        for _ in 0..<500 where !joined {
            try publisher.send(multipart: [Array("cv2x/probe".utf8)])
            joined = try subscriber.receiveBytes() != nil
        }
        #expect(joined)

        for topic in ["cv2x/RSU-1", "jt808/013800", "jt808/R9", "other/cv2x/", "cv2x", "cv2x/end"] {
            try publisher.send(multipart: [Array(topic.utf8), Array("payload of \(topic)".utf8)])
        }
        try subscriber.setReceiveTimeout(.seconds(10))
        var received: [String] = []
        var frames = MultipartMessage()
        while received.last != "cv2x/end", try subscriber.receive(into: &frames) {
            let topic = frames.string(ofPart: 0)
            if topic == "cv2x/probe" { continue }
            #expect(frames.count == 2)
            #expect(frames.string(ofPart: 1) == "payload of \(topic)")
            received.append(topic)
        }
        #expect(received == ["cv2x/RSU-1", "jt808/R9", "cv2x/end"])
    }

    @Test func multipartRoundTripKeepsFramesAndBoundaries() throws {
        let context = try Context()
        let (pull, push, _) = try connectedPair(context, .pull, .push)
        let time: [UInt8] = [0, 0x06, 0x2F, 0x1A, 0x3B, 0x4C, 0x5D, 0x6E]
        try push.send(multipart: [Array("cv2x/RSU-0001".utf8), [0x30, 0x81, 0x02], time])
        try push.send(multipart: [[UInt8]](repeating: [7], count: 10) + [[]])
        try push.send(multipart: [Array("jt808/1".utf8), Array(repeating: 0x7E, count: 200)])
        try push.send("single")

        var frames = MultipartMessage(capacity: 1)
        #expect(try pull.receive(into: &frames))
        #expect(frames.parts == [Array("cv2x/RSU-0001".utf8), [0x30, 0x81, 0x02], time])
        #expect(frames.byteCount(ofPart: 2) == 8)
        #expect(frames.totalByteCount == 13 + 3 + 8)

        // Growing past the initial capacity moves the frames with zmq_msg_move.
        #expect(try pull.receive(into: &frames))
        #expect(frames.count == 11)
        #expect(frames.parts == [[UInt8]](repeating: [7], count: 10) + [[]])

        // Reusing the container for fewer frames hides the stale ones.
        #expect(try pull.receive(into: &frames))
        #expect(frames.count == 2)
        #expect(frames.bytes(ofPart: 1) == Array(repeating: 0x7E, count: 200))
        #expect(frames.byteCount(ofPart: 2) == 0)
        frames.withUnsafeBytes(ofPart: 5) { #expect($0.isEmpty) }

        #expect(try pull.receiveParts() == [Array("single".utf8)])
    }

    @Test func framesOfAMultipartMessageCarryTheMoreFlag() throws {
        let context = try Context()
        let (pull, push, _) = try connectedPair(context, .pull, .push, over: .inproc)
        try push.send("topic", options: .more)
        try push.send("payload")
        let topic = try pull.receiveRequired()
        let payload = try pull.receiveRequired()
        #expect(topic.hasMore && topic.string == "topic")
        #expect(!payload.hasMore && payload.string == "payload")
    }

    @Test func oneMebibyteMessageArrivesIntact() throws {
        let context = try Context()
        let (pull, push, _) = try connectedPair(context, .pull, .push)
        var generator = SystemRandomNumberGenerator()
        let payload = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try push.send(payload)
        let message = try pull.receiveRequired()
        #expect(message.count == 1 << 20)
        message.withUnsafeBytes { #expect($0.elementsEqual(payload)) }
    }

    @Test func twoHundredThousandMessagesArriveAllAndInOrder() async throws {
        let total = 200_000
        let context = try Context()
        let endpoint = try await onThread { () throws -> String in
            let probe = try Socket(context, .pull)
            try probe.bind("tcp://127.0.0.1:*")
            defer { probe.close() }
            return try probe.lastEndpoint
        }
        // Sender and receiver each block on a thread of their own (never on the cooperative pool,
        // which other tests share), and neither can block for ever: on a loaded machine a stalled
        // side ends with a timeout error instead of keeping the test process alive.
        let receiver = StartedThread { () throws -> (count: Int, inOrder: Bool) in
            let pull = try Socket(context, .pull)
            try pull.setLinger(.zero)
            try pull.setReceiveTimeout(.seconds(30))
            try pull.bind(endpoint)
            var message = Message()
            var count = 0
            var inOrder = true
            while count < total, try pull.receive(into: &message) {
                if message.withUnsafeBytes(sequence(of:)) != count || message.count != 60 { inOrder = false }
                count += 1
            }
            pull.close()
            return (count, inOrder)
        }
        let sender = StartedThread { () throws -> Int in
            let push = try Socket(context, .push)
            try push.setLinger(.seconds(30))  // deliver what is queued at close, but not for ever
            try push.setSendTimeout(.seconds(30))
            try push.connect(endpoint)
            var sent = 0
            for sequence in 0..<total {
                do {
                    try push.send(sequencedPayload(sequence))
                } catch {
                    break  // the receiver gave up (receive timeout) and closed
                }
                sent += 1
            }
            push.close()
            return sent
        }
        let outcome = try await receiver.value
        #expect(try await sender.value == total)
        #expect(outcome.count == total)
        #expect(outcome.inOrder)
    }

    @Test func receivedBytesStayValidWhileLaterMessagesArrive() throws {
        let context = try Context()
        let (pull, push, _) = try connectedPair(context, .pull, .push)
        let small = Array("cv2x/RSU-1".utf8)  // kept inside the zmq_msg_t by libzmq
        let large = (0..<4000).map { UInt8(truncatingIfNeeded: $0 &* 31) }  // kept in receive buffers
        try push.send(small)
        try push.send(large)
        let first = try pull.receiveRequired()
        let second = try pull.receiveRequired()

        var later = Message()
        for sequence in 0..<5000 {
            try push.send(sequence.isMultiple(of: 2) ? sequencedPayload(sequence) : large.reversed())
            #expect(try pull.receive(into: &later))
        }
        first.withUnsafeBytes { #expect(Array($0) == small) }
        second.withUnsafeBytes { #expect(Array($0) == large) }
    }

    @Test func routerAndDealerExchangeByRoutingID() throws {
        let context = try Context()
        let router = try Socket(context, .router)
        try router.bind("inproc://router-\(UUID().uuidString)")
        let dealer = try Socket(context, .dealer)
        try dealer.setRoutingID(Array("gateway-7".utf8))
        try dealer.connect(try router.lastEndpoint)
        for socket in [router, dealer] { try socket.setReceiveTimeout(.seconds(10)) }

        try dealer.send("register")
        #expect(try router.receiveParts() == [Array("gateway-7".utf8), Array("register".utf8)])
        try router.send(multipart: [Array("gateway-7".utf8), Array("welcome".utf8)])
        #expect(try dealer.receiveString() == "welcome")
    }

    @Test func pairSocketsTalkBothWays() throws {
        let context = try Context()
        let (left, right, _) = try connectedPair(context, .pair, .pair, over: .inproc)
        try left.send("ping")
        #expect(try right.receiveString() == "ping")
        try right.send("pong")
        #expect(try left.receiveString() == "pong")
    }

    @Test func xpubSeesSubscriptionsAndPublishes() throws {
        let context = try Context()
        let (xpub, subscriber, _) = try connectedPair(context, .xpub, .sub)
        try subscriber.subscribe("jt808/")
        #expect(try xpub.receiveBytes() == [1] + Array("jt808/".utf8))
        try xpub.send(multipart: [Array("cv2x/1".utf8), [1]])
        try xpub.send(multipart: [Array("jt808/1".utf8), [2]])
        #expect(try subscriber.receiveParts() == [Array("jt808/1".utf8), [2]])
        try subscriber.unsubscribe("jt808/")
        #expect(try xpub.receiveBytes() == [0] + Array("jt808/".utf8))
    }

    @Test func zeroCopySendOfAMessageEmptiesIt() throws {
        let context = try Context()
        let (pull, push, _) = try connectedPair(context, .pull, .push, over: .inproc)
        var message = Message(string: "forwarded")
        try push.send(&message)
        #expect(message.isEmpty == true)
        #expect(try pull.receiveString() == "forwarded")
        var built = Message(count: 3) { buffer in buffer.copyBytes(from: [UInt8]([1, 2, 3])) }
        try push.send(&built)
        #expect(try pull.receiveBytes() == [1, 2, 3])
    }

    @Test func socketCanBeTransferredToATask() async throws {
        let context = try Context()
        let pull = try Socket(context, .pull)
        try pull.bind("inproc://transfer-\(UUID().uuidString)")
        try pull.setReceiveTimeout(.seconds(10))
        let push = try Socket(context, .push)
        try push.connect(try pull.lastEndpoint)
        // `push` is disconnected from this task's region after the capture: region isolation
        // lets it move into the task without making Socket Sendable.
        let sender = Task { try push.send("from a task") }
        try await sender.value
        #expect(try pull.receiveString() == "from a task")
    }
}
