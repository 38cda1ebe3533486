// PUSH/PULL throughput through the ZeroMQ wrapper: 60-byte messages over tcp loopback and
// inproc, plus TestZone's three-frame message (topic, 60-byte payload, 8-byte time) received
// into a reused MultipartMessage. Each iteration moves `messagesPerIteration` messages; the
// reference C program (Tools/bench/zmq_throughput.c) does exactly the same with libzmq, and
// Tools/bench/zeromq.sh runs both and prints the ratio.

import Benchmark
import Foundation
import ZeroMQ

/// A PUSH socket on its own thread that sends `count` copies of a message each time it is told to.
/// The socket is created, connected and used only on that thread.
final class Sender: @unchecked Sendable {
    // @unchecked Sendable: the mutable state (`batches`, `stopping`) is guarded by `lock`
    // together with the condition variable; the socket never leaves the sender's thread.
    private let lock = NSCondition()
    private var batches = 0
    private var stopping = false
    private let done = DispatchSemaphore(value: 0)

    init(context: Context, endpoint: String, frames: [[UInt8]], count: Int) {
        let ready = DispatchSemaphore(value: 0)
        Thread { [self] in
            do {
                let push = try Socket(context, .push)
                try push.connect(endpoint)
                try push.send(multipart: frames)  // warm-up: the connection is up once it arrives
                ready.signal()
                while waitForBatch() {
                    if frames.count == 1 {
                        let payload = frames[0]
                        for _ in 0..<count { try push.send(payload) }
                    } else {
                        for _ in 0..<count { try push.send(multipart: frames) }
                    }
                    done.signal()
                }
            } catch {
                print("sender failed: \(error)")
                ready.signal()
            }
        }.start()
        ready.wait()
    }

    private func waitForBatch() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        while batches == 0 && !stopping { lock.wait() }
        if stopping { return false }
        batches -= 1
        return true
    }

    /// Starts sending one batch.
    func sendBatch() {
        lock.lock()
        batches += 1
        lock.signal()
        lock.unlock()
    }

    /// Waits until the last batch has been sent.
    func awaitBatch() { done.wait() }

    /// Ends the thread.
    func stop() {
        lock.lock()
        stopping = true
        lock.signal()
        lock.unlock()
    }
}

/// Binds a PULL socket on `transport`, starts a sender of `frames`, and receives its warm-up.
func makePipeline(_ transport: String, frames: [[UInt8]], count: Int) throws -> (Socket, Sender) {
    let context = try Context()
    let pull = try Socket(context, .pull)
    try pull.bind(transport == "tcp" ? "tcp://127.0.0.1:*" : "inproc://benchmark-\(UUID().uuidString)")
    let sender = Sender(context: context, endpoint: try pull.lastEndpoint, frames: frames, count: count)
    var warmUp = MultipartMessage()
    guard try pull.receive(into: &warmUp) else { throw ZeroMQError(code: 0, operation: "warm-up") }
    return (pull, sender)
}

/// Receives `count` single-frame messages into one reused `Message`.
func receiveFrames(_ pull: Socket, count: Int) throws {
    var message = Message()
    for _ in 0..<count {
        guard try pull.receive(into: &message) else { break }
        blackHole(message.count)
    }
}

/// Receives `count` multipart messages into one reused `MultipartMessage`.
func receiveMultipart(_ pull: Socket, count: Int) throws {
    var received = MultipartMessage()
    for _ in 0..<count {
        guard try pull.receive(into: &received) else { break }
        blackHole(received.byteCount(ofPart: 1))
    }
}

let benchmarks: @Sendable () -> Void = {
    // Throughput: wall clock only. The allocation counters of package-benchmark are switched off
    // here because libzmq mallocs the content of every message over 33 bytes in zmq_send, and
    // counting those (from two threads) would tax the wrapper but not the C reference.
    let throughput = Benchmark.Configuration(
        metrics: [.wallClock, .throughput],
        warmupIterations: 1,
        scalingFactor: .mega,  // 1,000,000 messages per iteration (Tools/bench/zeromq.sh)
        maxDuration: .seconds(8),
        maxIterations: 10
    )
    // Allocations per message, counted separately over 1,000 messages per iteration: 0 for the
    // wrapper's receive path; libzmq's own content block for frames over 33 bytes.
    let allocations = Benchmark.Configuration(
        metrics: [.mallocCountTotal],
        warmupIterations: 1,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 20
    )
    let payload = [UInt8](repeating: 0x5A, count: 60)
    let time: [UInt8] = [0, 0x06, 0x2F, 0x1A, 0x3B, 0x4C, 0x5D, 0x6E]
    let testZoneFrames = [Array("cv2x/RSU-0001".utf8), payload, time]

    for transport in ["tcp", "inproc"] {
        Benchmark("PUSH-PULL 60 B \(transport)", configuration: throughput) { benchmark in
            let count = benchmark.scaledIterations.count
            let (pull, sender) = try makePipeline(transport, frames: [payload], count: count)
            defer { sender.stop() }
            benchmark.startMeasurement()
            sender.sendBatch()
            try receiveFrames(pull, count: count)
            benchmark.stopMeasurement()
            sender.awaitBatch()
        }

        Benchmark("PUSH-PULL topic+60 B+time \(transport)", configuration: throughput) { benchmark in
            let count = benchmark.scaledIterations.count
            let (pull, sender) = try makePipeline(transport, frames: testZoneFrames, count: count)
            defer { sender.stop() }
            benchmark.startMeasurement()
            sender.sendBatch()
            try receiveMultipart(pull, count: count)
            benchmark.stopMeasurement()
            sender.awaitBatch()
        }
    }

    for (name, frames) in [
        ("30 B", [[UInt8](repeating: 1, count: 30)]), ("60 B", [payload]),
        ("topic+60 B+time", testZoneFrames),
    ] {
        Benchmark("allocations PUSH-PULL \(name) inproc", configuration: allocations) { benchmark in
            let count = benchmark.scaledIterations.count
            let (pull, sender) = try makePipeline("inproc", frames: frames, count: count)
            defer { sender.stop() }
            benchmark.startMeasurement()
            sender.sendBatch()
            if frames.count == 1 {
                try receiveFrames(pull, count: count)
            } else {
                try receiveMultipart(pull, count: count)
            }
            benchmark.stopMeasurement()
            sender.awaitBatch()
        }
    }
}
