import Foundation
import TestZoneTestSupport
import Testing
import ZeroMQ

/// End-to-end runs of `testzone tap` against publishers and pushers in the test process.
@Suite(.timeLimit(.minutes(10)))
struct TapCommandTests {
    /// A PUB-like feed (an XPUB, so the test knows when `tap` has subscribed).
    struct Feed {
        let context: Context
        let socket: Socket
        let endpoint: String

        init() throws {
            context = try Context()
            socket = try Socket(context, .xpub)
            try socket.setLinger(.zero)
            try socket.setReceiveTimeout(.seconds(15))
            try socket.bind("tcp://127.0.0.1:*")
            endpoint = try socket.lastEndpoint
        }

        /// Waits until `count` subscriptions have arrived; returns their prefixes.
        func awaitSubscriptions(_ count: Int) throws -> [String] {
            var prefixes: [String] = []
            while prefixes.count < count {
                let message = try #require(try socket.receiveSubscription())
                prefixes.append(message)
            }
            return prefixes
        }

        /// Publishes the standard test traffic: 300 cv2x (10 RSUs), 200 jt808 (4 terminals) and
        /// 50 "status" messages, in TestZone's topic/payload/time layout.
        func publishStandardTraffic() throws {
            let time: [UInt8] = [0, 0x06, 0x2F, 0, 0, 0, 0, 1]
            for index in 0..<300 {
                try socket.send(multipart: [
                    Array("cv2x/RSU-000\(index % 10)".utf8), [UInt8](repeating: 0x30, count: 60), time,
                ])
            }
            for index in 0..<200 {
                try socket.send(multipart: [
                    Array("jt808/01390000000\(index % 4)".utf8), [UInt8](repeating: 0x7E, count: 120), time,
                ])
            }
            for _ in 0..<50 {
                try socket.send(multipart: [Array("status".utf8), [UInt8](repeating: 1, count: 10)])
            }
        }
    }

    @Test func countsMessagesAndBytesPerTopicPrefix() async throws {
        let feed = try Feed()
        let run = try TestZoneBinary.Run(["tap", "--duration", "3", "--json", feed.endpoint])
        #expect(try feed.awaitSubscriptions(1) == [""])
        try feed.publishStandardTraffic()
        let outcome = try await run.finish()

        #expect(outcome.status == 0, "stderr: \(outcome.standardError)")
        let lines = outcome.jsonLines
        try #require(lines.count >= 3, "output: \(outcome.standardOutput)")
        #expect(lines.last?["final"] as? Bool == true)
        #expect(lines.dropLast().allSatisfy { $0["final"] == nil })
        #expect(lines.last?["total_messages"] as? Int == 550)
        #expect(lines.last?["total_bytes"] as? Int == 300 * (13 + 60 + 8) + 200 * (18 + 120 + 8) + 50 * 16)

        var messages: [String: Int] = [:]
        var bytes: [String: Int] = [:]
        for line in lines {
            let topics = try #require(line["topics"] as? [String: [String: Int]])
            for (key, counts) in topics {
                messages[key, default: 0] += counts["messages"] ?? 0
                bytes[key, default: 0] += counts["bytes"] ?? 0
            }
            let intervalMessages = topics.values.reduce(0) { $0 + ($1["messages"] ?? 0) }
            #expect(line["messages"] as? Int == intervalMessages)
        }
        #expect(messages == ["cv2x": 300, "jt808": 200, "status": 50])
        #expect(bytes == ["cv2x": 300 * 81, "jt808": 200 * 146, "status": 50 * 16])
        #expect(lines.reduce(0) { $0 + ($1["messages"] as? Int ?? 0) } == 550)
    }

    @Test func topicFiltersAndWholeTopicCounting() async throws {
        let feed = try Feed()
        let run = try TestZoneBinary.Run([
            "tap", "--duration", "3", "--json", "--by-topic", "--topic", "cv2x/RSU-0001", "--topic",
            "jt808/", feed.endpoint,
        ])
        #expect(Set(try feed.awaitSubscriptions(2)) == ["cv2x/RSU-0001", "jt808/"])
        try feed.publishStandardTraffic()
        let outcome = try await run.finish()

        #expect(outcome.status == 0, "stderr: \(outcome.standardError)")
        var messages: [String: Int] = [:]
        for line in outcome.jsonLines {
            for (key, counts) in line["topics"] as? [String: [String: Int]] ?? [:] {
                messages[key, default: 0] += counts["messages"] ?? 0
            }
        }
        #expect(
            messages == [
                "cv2x/RSU-0001": 30, "jt808/013900000000": 50, "jt808/013900000001": 50,
                "jt808/013900000002": 50, "jt808/013900000003": 50,
            ])
    }

    @Test func manyOddAndLongTopicsAreCountedAndEscaped() async throws {
        let feed = try Feed()
        let run = try TestZoneBinary.Run(["tap", "--duration", "2", "--json", "--by-topic", feed.endpoint])
        _ = try feed.awaitSubscriptions(1)
        // 300 distinct topics (the key table grows several times), JSON-hostile characters, a
        // topic longer than the 64-byte key limit, and an empty topic frame.
        for index in 0..<300 { try feed.socket.send(multipart: [Array("jt808/\(index)".utf8), [0]]) }
        let odd: [UInt8] = Array("quote\"back\\slash\ttab".utf8) + [0x01, 0xFF]
        try feed.socket.send(multipart: [odd, [0]])
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: 100)
        try feed.socket.send(multipart: [long, [0]])
        try feed.socket.send(multipart: [[], [0]])
        let outcome = try await run.finish()

        #expect(outcome.status == 0, "stderr: \(outcome.standardError)")
        var messages: [String: Int] = [:]
        for line in outcome.jsonLines {
            for (key, counts) in line["topics"] as? [String: [String: Int]] ?? [:] {
                messages[key, default: 0] += counts["messages"] ?? 0
            }
        }
        #expect(messages.count == 303)
        #expect((0..<300).allSatisfy { messages["jt808/\($0)"] == 1 })
        #expect(messages["quote\"back\\slash\ttab\u{01}\u{FFFD}"] == 1)
        #expect(messages[String(repeating: "x", count: 64)] == 1)
        #expect(messages[""] == 1)
        #expect(outcome.jsonLines.last?["total_messages"] as? Int == 303)
    }

    @Test func listenBindsAPullSocketForPushers() async throws {
        let endpoint = uniqueIPCEndpoint()
        defer { removeIPCFile(endpoint) }
        let context = try Context()
        let push = try Socket(context, .push)
        try push.setLinger(.seconds(10))
        try push.connect(endpoint)  // queues until tap binds
        for index in 0..<500 { try push.send(multipart: [Array("jt808/\(index % 5)".utf8), [1, 2, 3]]) }

        let outcome = try await TestZoneBinary.run(["tap", "--listen", "--duration", "3", "--json", endpoint])
        #expect(outcome.status == 0, "stderr: \(outcome.standardError)")
        #expect(outcome.standardError.contains("tap: listening on \(endpoint)"))
        #expect(outcome.jsonLines.last?["total_messages"] as? Int == 500)
        #expect(outcome.jsonLines.last?["total_bytes"] as? Int == 500 * (7 + 3))
    }

    @Test func interruptStopsCleanlyWithAFinalReport() async throws {
        let feed = try Feed()
        let run = try TestZoneBinary.Run(["tap", "--json", feed.endpoint])
        _ = try feed.awaitSubscriptions(1)
        for index in 0..<10 { try feed.socket.send(multipart: [Array("cv2x/\(index)".utf8), [0]]) }

        // Wait for a per-second report that includes the ten messages, then interrupt.
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(15)
        while !run.standardOutputSoFar.contains("\"total_messages\":10,") && clock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        run.signal(SIGINT)
        let outcome = try await run.finish()

        #expect(outcome.status == 0, "stderr: \(outcome.standardError)")
        let last = try #require(outcome.jsonLines.last)
        #expect(last["final"] as? Bool == true)
        #expect(last["total_messages"] as? Int == 10)
    }

    @Test func tableOutputNamesEachPrefix() async throws {
        let feed = try Feed()
        let run = try TestZoneBinary.Run(["tap", "--duration", "1.5", feed.endpoint])
        _ = try feed.awaitSubscriptions(1)
        try feed.publishStandardTraffic()
        let outcome = try await run.finish()
        #expect(outcome.status == 0, "stderr: \(outcome.standardError)")
        #expect(outcome.standardOutput.contains("total 550 msg"))
        for prefix in ["  cv2x ", "  jt808 ", "  status "] {
            #expect(outcome.standardOutput.contains(prefix), "output: \(outcome.standardOutput)")
        }
    }

    @Test func helpExplainsTheCommand() async throws {
        let outcome = try await TestZoneBinary.run(["tap", "--help"])
        #expect(outcome.status == 0)
        for text in [
            "Show the message and byte rates of a ZeroMQ feed", "--listen", "--topic <PREFIX>", "--by-topic",
            "--duration <duration>", "--json", "EXAMPLES", "SIGINT", "testzone tap tcp://",
        ] {
            #expect(outcome.standardOutput.contains(text), "missing \(text)")
        }
        let root = try await TestZoneBinary.run(["--help"])
        #expect(root.standardOutput.contains("tap"))
        let version = try await TestZoneBinary.run(["--version"])
        #expect(version.standardOutput.hasPrefix("testzone "))
        #expect(version.standardOutput.contains("libzmq \(LibraryVersion.current)"))
    }

    @Test func badInputGivesClearErrors() async throws {
        let badEndpoint = try await TestZoneBinary.run(["tap", "--duration", "1", "not-an-endpoint"])
        #expect(badEndpoint.status == 2)
        #expect(badEndpoint.standardError.hasPrefix("testzone tap: error: "))
        #expect(badEndpoint.standardError.contains("zmq_connect not-an-endpoint: Invalid argument"))

        let topicWithListen = try await TestZoneBinary.run([
            "tap", "--listen", "--topic", "cv2x", "tcp://*:1",
        ])
        #expect(topicWithListen.status == 2)
        #expect(topicWithListen.standardError.contains("--topic"))

        let badDuration = try await TestZoneBinary.run(["tap", "--duration", "0", "tcp://127.0.0.1:1"])
        #expect(badDuration.status == 2)
        #expect(badDuration.standardError.hasPrefix("testzone tap: error: --duration must be more than 0"))

        let noEndpoint = try await TestZoneBinary.run(["tap"])
        #expect(noEndpoint.status == 2)
    }
}

extension Socket {
    /// The prefix of the next subscription an XPUB receives (`nil` on timeout).
    fileprivate func receiveSubscription() throws -> String? {
        guard let message = try receive() else { return nil }
        return message.withUnsafeBytes { bytes in
            bytes.first == 1 ? String(decoding: bytes.dropFirst(), as: UTF8.self) : "unsubscribe?"
        }
    }
}
