import Foundation
import Testing
import ZeroMQ

@testable import Simulator

/// `--publish`: the frames go out as ZeroMQ multipart messages (topic, payload, 8-byte
/// big-endian receive time in µs) over a real tcp loopback socket, in the same order and with
/// the same bytes as the in-memory run.
@Suite struct PublishTests {
    @Test func pushSinkDeliversEveryFrameWithTheWireContract() throws {
        var parameters = busyParameters()
        parameters.durationSeconds = 20
        let expected = try simulate(parameters).frames

        let context = try Context()
        let pull = try Socket(context, .pull)
        defer { pull.close() }
        try pull.setReceiveHighWaterMark(0)  // unbounded: the sender never blocks in this one-thread test
        try pull.bind("tcp://127.0.0.1:*")
        try pull.setReceiveTimeout(.seconds(10))
        var sink = try ZeroMQFrameSink(endpoint: pull.lastEndpoint, mode: .push, speed: nil, timeFrame: true)
        var simulation = TrafficSimulation(parameters: parameters)
        _ = try SimulationRunner.run(simulation: &simulation, sink: &sink)

        for frame in expected {
            guard let message = try pull.receiveMultipart() else {
                Issue.record("no message for \(frame.topic) at \(frame.receiveMicroseconds)")
                return
            }
            let parts = message.parts
            #expect(parts.count == 3)
            #expect(String(decoding: parts[0], as: UTF8.self) == frame.topic)
            #expect(parts[1] == frame.payload)
            let time = parts[2].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            #expect(time == UInt64(frame.receiveMicroseconds))
        }
    }
}
