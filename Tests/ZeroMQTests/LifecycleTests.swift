import Foundation
import TestZoneTestSupport
import Testing
import ZeroMQ

@Suite(.timeLimit(.minutes(10)))
struct LifecycleTests {
    @Test func contextShutdownUnblocksABlockedReceive() async throws {
        let context = try Context()
        let endpoint = "inproc://blocked-\(UUID().uuidString)"
        let bound = AsyncStream<Void>.makeStream()
        let blocked = StartedThread { () throws -> ZeroMQError? in
            let pull = try Socket(context, .pull)
            try pull.bind(endpoint)
            bound.continuation.yield()
            do throws(ZeroMQError) {
                _ = try pull.receive()  // no timeout: blocks until the shutdown
                return nil
            } catch {
                return error
            }
        }
        for await _ in bound.stream { break }
        try await Task.sleep(for: .milliseconds(50))
        context.shutdown()
        let error = try await blocked.value
        #expect(error?.isContextTerminated == true)
        #expect(error?.code == ZeroMQError.contextTerminatedCode)
    }

    @Test func contextShutdownUnblocksAPoll() async throws {
        let context = try Context()
        let ready = AsyncStream<Void>.makeStream()
        let polling = StartedThread { () throws -> Bool in
            let pull = try Socket(context, .pull)
            try pull.bind("inproc://polled-\(UUID().uuidString)")
            let poller = Poller()
            poller.add(pull)
            ready.continuation.yield()
            do throws(ZeroMQError) {
                try poller.poll(timeout: nil)
                return false
            } catch {
                return error.isContextTerminated
            }
        }
        for await _ in ready.stream { break }
        try await Task.sleep(for: .milliseconds(50))
        context.shutdown()
        #expect(try await polling.value)
    }

    @Test func afterShutdownNewCallsFailWithETERM() throws {
        let context = try Context()
        let pull = try Socket(context, .pull)
        context.shutdown()
        context.shutdown()  // idempotent
        let error = try #require(throws: ZeroMQError.self) { _ = try pull.receive(options: .dontWait) }
        #expect(error.isContextTerminated)
        #expect(throws: ZeroMQError.self) { try Socket(context, .push) }
    }

    @Test func pollerReportsWhichSocketIsReadable() throws {
        let context = try Context()
        let (firstPull, firstPush, _) = try connectedPair(context, .pull, .push, over: .inproc)
        let (secondPull, secondPush, _) = try connectedPair(context, .pull, .push)
        let poller = Poller()
        let first = poller.add(firstPull)
        let second = poller.add(secondPull)
        let writable = poller.add(firstPush, events: .writable)
        #expect(poller.count == 3)
        #expect(poller.socket(at: second) === secondPull)

        poller.setEvents([], at: writable)
        #expect(try poller.poll(timeout: .milliseconds(20)) == 0)

        try secondPush.send("to the second")
        #expect(try poller.poll(timeout: .seconds(10)) == 1)
        #expect(poller.readyEvents(at: second) == .readable)
        #expect(poller.readyEvents(at: first).isEmpty)
        #expect(try secondPull.receiveString() == "to the second")

        try firstPush.send("to the first")
        #expect(try poller.poll(timeout: .seconds(10)) == 1)
        #expect(poller.readyEvents(at: first).contains(.readable))

        poller.setEvents(.writable, at: writable)
        #expect(try poller.poll(timeout: .zero) == 2)
        #expect(poller.readyEvents(at: writable) == .writable)

        firstPull.close()
        let error = try #require(throws: ZeroMQError.self) { try poller.poll(timeout: .zero) }
        #expect(error.isClosedSocket)
    }

    @Test func pollerWatchesFileDescriptors() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer {
            close(fds[0])
            close(fds[1])
        }
        let poller = Poller()
        let index = poller.add(fileDescriptor: fds[0])
        #expect(try poller.poll(timeout: .zero) == 0)
        #expect(write(fds[1], "x", 1) == 1)
        #expect(try poller.poll(timeout: .seconds(5)) == 1)
        #expect(poller.readyEvents(at: index) == .readable)
        #expect(poller.socket(at: index) == nil)
    }

    @Test func contextWithSeveralIOThreads() throws {
        let context = try Context(ioThreads: 2)
        let (pull, push, _) = try connectedPair(context, .pull, .push)
        try push.send("via two io threads")
        #expect(try pull.receiveString() == "via two io threads")
    }
}
