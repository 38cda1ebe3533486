import CZeroMQ

/// A reusable container for the frames of one multipart message.
///
/// Receive into the same `MultipartMessage` over and over
/// (``Socket/receive(into:options:)-(MultipartMessage,_)``): the `zmq_msg_t` slots are allocated
/// once and reused, so a steady stream of messages costs no heap allocation in this wrapper
/// (libzmq itself keeps small frames inside the slot and larger ones in its receive buffers).
/// Each receive replaces all frames; bytes lent by ``withUnsafeBytes(ofPart:_:)`` are valid until
/// the next receive into this container. Use separate ``Message`` values when frames must outlive
/// the next message.
///
/// This fits the TestZone wire contract (DESIGN.md section 3): part 0 topic, part 1 payload,
/// optional part 2 receive time.
///
/// ```swift
/// var frames = MultipartMessage()
/// while try socket.receive(into: &frames) {
///     let topic = frames.withUnsafeBytes(ofPart: 0) { String(decoding: $0, as: UTF8.self) }
///     frames.withUnsafeBytes(ofPart: 1) { payload in decode(payload) }
/// }
/// ```
public struct MultipartMessage: ~Copyable, @unchecked Sendable {
    // @unchecked Sendable: the slots are owned exclusively by this non-copyable value; see
    // ``Message`` for why zmq_msg_t content may be read and closed on any thread.
    @usableFromInline
    var slots: UnsafeMutablePointer<zmq_msg_t>
    @usableFromInline
    var capacity: Int
    /// The number of frames of the message last received (0 before the first receive).
    public internal(set) var count: Int

    /// Creates an empty container with room for `capacity` frames before it has to grow.
    public init(capacity: Int = 4) {
        let capacity = max(1, capacity)
        slots = .allocate(capacity: capacity)
        for index in 0..<capacity { zmq_msg_init(slots + index) }
        self.capacity = capacity
        count = 0
    }

    deinit {
        for index in 0..<capacity { zmq_msg_close(slots + index) }
        slots.deallocate()
    }

    /// Whether there are no frames.
    public var isEmpty: Bool { count == 0 }

    /// The slot for frame `index`, growing the storage when needed. Frames already held are moved
    /// with `zmq_msg_move` (never by copying the struct).
    @usableFromInline
    mutating func slot(at index: Int) -> UnsafeMutablePointer<zmq_msg_t> {
        if index >= capacity {
            let newCapacity = max(capacity * 2, index + 1)
            let newSlots = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: newCapacity)
            for slot in 0..<newCapacity { zmq_msg_init(newSlots + slot) }
            for slot in 0..<capacity {
                zmq_msg_move(newSlots + slot, slots + slot)
                zmq_msg_close(slots + slot)
            }
            slots.deallocate()
            slots = newSlots
            capacity = newCapacity
        }
        return slots + index
    }

    /// Empties the slots `start..<end` (those past the current message), releasing their content.
    @usableFromInline
    mutating func releaseSlots(from start: Int, upTo end: Int) {
        guard start < end else { return }
        for index in start..<min(end, capacity) {
            zmq_msg_close(slots + index)
            zmq_msg_init(slots + index)
        }
    }

    /// The number of bytes of frame `index` (0 when `index` is out of range).
    @inlinable
    public func byteCount(ofPart index: Int) -> Int {
        guard index >= 0 && index < count else { return 0 }
        return zmq_msg_size(slots + index)
    }

    /// The total number of bytes of all frames.
    public var totalByteCount: Int {
        var total = 0
        for index in 0..<count { total += zmq_msg_size(slots + index) }
        return total
    }

    /// Lends the bytes of frame `index` in place. An index past the last frame lends an empty
    /// buffer, so optional frames can be read without a separate bounds check.
    @inlinable
    public func withUnsafeBytes<R, E: Error>(
        ofPart index: Int, _ body: (UnsafeRawBufferPointer) throws(E) -> R
    ) throws(E) -> R {
        guard index >= 0 && index < count else {
            return try body(UnsafeRawBufferPointer(start: nil, count: 0))
        }
        let slot = slots + index
        return try body(UnsafeRawBufferPointer(start: zmq_msg_data(slot), count: zmq_msg_size(slot)))
    }

    /// A copy of the bytes of frame `index` (empty when out of range).
    public func bytes(ofPart index: Int) -> [UInt8] { withUnsafeBytes(ofPart: index) { Array($0) } }

    /// The bytes of frame `index` decoded as UTF-8 (empty when out of range).
    public func string(ofPart index: Int) -> String {
        withUnsafeBytes(ofPart: index) { String(decoding: $0, as: UTF8.self) }
    }

    /// Copies of all frames.
    public var parts: [[UInt8]] { (0..<count).map { bytes(ofPart: $0) } }
}

extension MultipartMessage {
    /// A metadata property of the connection frame `index` arrived on (`zmq_msg_gets(3)`):
    /// `User-Id` (the user id the ZAP handler gave the peer, ``ZAPDecision/allow(userID:)``),
    /// `Peer-Address`, `Socket-Type`, or a property the peer sent. `nil` when the frame does not
    /// exist or the property is not set.
    public func metadata(_ property: String, ofPart index: Int = 0) -> String? {
        guard index >= 0 && index < count, let value = zmq_msg_gets(slots + index, property) else {
            return nil
        }
        return String(cString: value)
    }
}

extension MultipartMessage {
    /// Lends the metadata property `property` of frame `index`'s connection as a C string, in
    /// place (no allocation; `nil` when absent): for a receive loop that checks, say, the
    /// `User-Id` of every CURVE message against a value it resolved once. The pointer is valid
    /// only inside `body`.
    @inlinable
    public func withMetadata<R>(
        _ property: StaticString, ofPart index: Int = 0, _ body: (UnsafePointer<CChar>?) -> R
    ) -> R {
        guard index >= 0 && index < count else { return body(nil) }
        // A StaticString literal is stored NUL-terminated.
        let value = property.utf8Start.withMemoryRebound(
            to: CChar.self, capacity: property.utf8CodeUnitCount + 1
        ) {
            zmq_msg_gets(slots + index, $0)
        }
        return body(value)
    }
}
