import Foundation
import NIOCore
import Synchronization

/// The SSE records (`id:` + `data:` JSON) of recent events, encoded once per server and shared
/// by every client's stream (ByteBuffers are copy-on-write: sharing costs nothing). Bounded: it
/// keeps the records of the newest `capacity` event ids.
final class SSERecords: Sendable {
    private struct State {
        var records: [Int64: ByteBuffer] = [:]
        var newest: Int64 = 0
    }

    private let state = Mutex(State())
    let capacity: Int64

    init(capacity: Int = 4096) { self.capacity = Int64(max(1, capacity)) }

    /// The record of `event`, encoded at its first request.
    func record(_ event: ConsoleModel.Event) -> ByteBuffer {
        if let cached = state.withLock({ $0.records[event.id] }) { return cached }
        let record = Self.encode(event)
        state.withLock { s in
            s.records[event.id] = record
            if event.id > s.newest { s.newest = event.id }
            if s.records.count > Int(capacity) * 2 {
                let oldest = s.newest - capacity
                s.records = s.records.filter { $0.key > oldest }
            }
        }
        return record
    }

    static func encode(_ event: ConsoleModel.Event) -> ByteBuffer {
        let data = (try? ConsoleText.encoder.encode(event)) ?? Data()
        var buffer = ByteBuffer(string: "id: \(event.id)\ndata: ")
        buffer.writeBytes(data)
        buffer.writeString("\n\n")
        return buffer
    }
}
