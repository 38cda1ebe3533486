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
