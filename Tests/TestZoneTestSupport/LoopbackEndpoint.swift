import Foundation
import ZeroMQ

/// A loopback TCP endpoint nothing listens on: bound by libzmq on a free port, then released.
public func freeEndpoint() throws -> String {
    let context = try Context()
    defer { context.shutdown() }
    let socket = try Socket(context, .pull)
    try socket.bind("tcp://127.0.0.1:*")
    let endpoint = try socket.lastEndpoint
    socket.close()
    return endpoint
}

/// A unique ipc:// endpoint in the temporary directory (for tests that need a fixed address
/// before anyone binds it).
public func uniqueIPCEndpoint() -> String {
    "ipc://"
        + FileManager.default.temporaryDirectory.appendingPathComponent("tz-\(UUID().uuidString).ipc").path
}

/// Removes the socket file of an endpoint from ``uniqueIPCEndpoint()`` (libzmq leaves it behind
/// when the binding socket goes away without an explicit unbind).
public func removeIPCFile(_ endpoint: String) {
    try? FileManager.default.removeItem(atPath: String(endpoint.dropFirst("ipc://".count)))
}
