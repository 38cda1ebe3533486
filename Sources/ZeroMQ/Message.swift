import CZeroMQ

/// One message frame received from (or to be sent through) a ``Socket``, owning a libzmq
/// `zmq_msg_t`.
///
/// The `zmq_msg_t` lives on the heap and never moves: libzmq keeps the bytes of small messages
/// (up to 33 bytes) inside the struct itself, so it must be neither copied nor moved. `Message`
/// is `~Copyable` and owns exactly one such struct; `deinit` closes it (`zmq_msg_close`) and
/// frees the storage. Bytes are lent in place with ``withUnsafeBytes(_:)``; nothing is copied
/// unless you ask for ``bytes`` or ``string``.
///
/// A message stays valid, with the same bytes, however many other messages arrive later. To
/// receive without a heap allocation per message, keep one `Message` and receive into it again
/// and again (``Socket/receive(into:options:)-(Message,_)``): each receive releases the previous
/// content and reuses the storage.
///
/// `Message` is `Sendable`: it is uniquely owned (non-copyable), and a `zmq_msg_t` may be read
/// and closed from any thread (libzmq reference-counts shared content atomically).
public struct Message: ~Copyable, @unchecked Sendable {
    // @unchecked Sendable: `storage` is owned exclusively by this non-copyable value; libzmq
    // message content is immutable once received and its reference counts are atomic.
    @usableFromInline
    let storage: UnsafeMutablePointer<zmq_msg_t>

    /// Creates an empty message (zero bytes), ready to receive into.
    public init() {
        storage = .allocate(capacity: 1)
        zmq_msg_init(storage)
    }

    /// Creates a message of `count` bytes whose contents are written by `initializer`.
    public init<E: Error>(
        count: Int, initializingWith initializer: (UnsafeMutableRawBufferPointer) throws(E) -> Void
    ) throws(E) {
        storage = .allocate(capacity: 1)
        if zmq_msg_init_size(storage, count) != 0 {
            // Only ENOMEM is possible; treat as allocation failure, like the standard library.
            storage.deallocate()
            fatalError("zmq_msg_init_size(\(count)) failed: out of memory")
        }
        let buffer = UnsafeMutableRawBufferPointer(start: zmq_msg_data(storage), count: count)
        do {
            try initializer(buffer)
        } catch {
            zmq_msg_close(storage)
            storage.deallocate()
            throw error
        }
    }

    /// Creates a message holding a copy of `bytes`.
    public init(bytes: some Collection<UInt8>) {
        self.init(count: bytes.count) { buffer in
            _ = buffer.initializeMemory(as: UInt8.self, from: bytes)
        }
    }

    /// Creates a message holding the UTF-8 bytes of `string`.
    public init(string: String) {
        self.init(bytes: string.utf8)
    }

    deinit {
        zmq_msg_close(storage)
        storage.deallocate()
    }

    /// The number of bytes.
    @inlinable
    public var count: Int { zmq_msg_size(storage) }

    /// Whether the message has no bytes.
    @inlinable
    public var isEmpty: Bool { count == 0 }

    /// Whether more frames of the same multipart message follow this one (`zmq_msg_more`).
    @inlinable
    public var hasMore: Bool { zmq_msg_more(storage) != 0 }

    /// Lends the bytes in place, without copying. The buffer is valid only inside `body`.
    @inlinable
    public func withUnsafeBytes<R, E: Error>(
        _ body: (UnsafeRawBufferPointer) throws(E) -> R
    ) throws(E) -> R {
        try body(UnsafeRawBufferPointer(start: zmq_msg_data(storage), count: zmq_msg_size(storage)))
    }

    /// A copy of the bytes.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// The bytes decoded as UTF-8 (invalid sequences replaced by U+FFFD).
    public var string: String { withUnsafeBytes { String(decoding: $0, as: UTF8.self) } }

    /// Whether the bytes begin with `prefix` (the way SUB sockets match subscriptions).
    public func starts(with prefix: some Sequence<UInt8>) -> Bool {
        withUnsafeBytes { $0.starts(with: prefix) }
    }
}
