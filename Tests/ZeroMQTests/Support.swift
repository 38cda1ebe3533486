import Foundation
import Testing
import ZeroMQ

/// The transports a test runs over.
enum Transport: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case tcp
    case inproc

    /// A bind endpoint: an ephemeral loopback port, or a unique inproc name.
    func bindEndpoint() -> String {
        switch self {
        case .tcp: "tcp://127.0.0.1:*"
        case .inproc: "inproc://test-\(UUID().uuidString)"
        }
    }

    var testDescription: String { rawValue }
}

/// Binds a socket of `bindType` and connects one of `connectType` to it.
func connectedPair(
    _ context: Context, _ bindType: SocketType, _ connectType: SocketType, over transport: Transport = .tcp
) throws -> (bound: Socket, connected: Socket, endpoint: String) {
    let bound = try Socket(context, bindType)
    try bound.bind(transport.bindEndpoint())
    let endpoint = try bound.lastEndpoint
    let connected = try Socket(context, connectType)
    try connected.connect(endpoint)
    for socket in [bound, connected] {
        try socket.setReceiveTimeout(.seconds(10))
        try socket.setSendTimeout(.seconds(10))
        try socket.setLinger(.zero)
    }
    return (bound, connected, endpoint)
}

/// Sixty bytes whose first eight hold `sequence` little-endian (the benchmark message size).
func sequencedPayload(_ sequence: Int) -> [UInt8] {
    var bytes = [UInt8](repeating: 0x5A, count: 60)
    withUnsafeBytes(of: UInt64(sequence).littleEndian) { bytes.replaceSubrange(0..<8, with: $0) }
    return bytes
}

/// Reads the sequence number written by `sequencedPayload`.
func sequence(of buffer: UnsafeRawBufferPointer) -> Int? {
    guard buffer.count >= 8 else { return nil }
    return Int(UInt64(littleEndian: buffer.loadUnaligned(as: UInt64.self)))
}

/// Copying receives for assertions (`#expect` cannot hold non-copyable values).
extension Socket {
    /// The next frame's bytes, or `nil` on timeout.
    func receiveBytes() throws -> [UInt8]? {
        guard let message = try receive() else { return nil }
        return message.bytes
    }

    /// The next frame as UTF-8 text, or `nil` on timeout.
    func receiveString() throws -> String? {
        guard let message = try receive() else { return nil }
        return message.string
    }

    /// All frames of the next multipart message, or `nil` on timeout.
    func receiveParts() throws -> [[UInt8]]? {
        guard let frames = try receiveMultipart() else { return nil }
        return frames.parts
    }
}

/// A failed expectation about a receive that returned nothing.
struct NothingReceived: Error, CustomStringConvertible {
    var description: String { "no message arrived before the receive timeout" }
}

extension Socket {
    /// The next frame, or a thrown ``NothingReceived`` on timeout.
    func receiveRequired() throws -> Message {
        guard let message = try receive() else { throw NothingReceived() }
        return message
    }
}
