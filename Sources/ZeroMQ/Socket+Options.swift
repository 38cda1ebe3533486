import CZeroMQ

// Socket options (zmq_setsockopt(3) / zmq_getsockopt(3)). Setters are throwing methods;
// getters are throwing properties. Durations are in milliseconds on the wire; `nil` means
// "no limit" (libzmq's -1).

extension Socket {
    // MARK: Queues

    /// Sets the send high-water mark (`ZMQ_SNDHWM`): how many messages may queue per peer before
    /// PUSH/DEALER/PAIR block and PUB/XPUB drop; 0 means no limit. Default 1000. Set before
    /// bind/connect for it to apply to those peers.
    public func setSendHighWaterMark(_ messages: Int) throws(ZeroMQError) {
        try setInt(ZMQ_SNDHWM, messages, "ZMQ_SNDHWM")
    }

    /// The send high-water mark (`ZMQ_SNDHWM`).
    public var sendHighWaterMark: Int { get throws(ZeroMQError) { try getInt(ZMQ_SNDHWM, "ZMQ_SNDHWM") } }

    /// Sets the receive high-water mark (`ZMQ_RCVHWM`); 0 means no limit. Default 1000.
    public func setReceiveHighWaterMark(_ messages: Int) throws(ZeroMQError) {
        try setInt(ZMQ_RCVHWM, messages, "ZMQ_RCVHWM")
    }

    /// The receive high-water mark (`ZMQ_RCVHWM`).
    public var receiveHighWaterMark: Int {
        get throws(ZeroMQError) { try getInt(ZMQ_RCVHWM, "ZMQ_RCVHWM") }
    }

    /// Sets `ZMQ_IMMEDIATE`: when `true`, messages are queued only to completed connections, so
    /// a PUSH with no live peer blocks (or fails with `EAGAIN`) instead of queueing for a peer
    /// that may never come.
    public func setImmediate(_ immediate: Bool) throws(ZeroMQError) {
        try setInt(ZMQ_IMMEDIATE, immediate ? 1 : 0, "ZMQ_IMMEDIATE")
    }

    /// `ZMQ_IMMEDIATE`.
    public var immediate: Bool { get throws(ZeroMQError) { try getInt(ZMQ_IMMEDIATE, "ZMQ_IMMEDIATE") != 0 } }

    // MARK: Timing

    /// Sets how long unsent messages are kept after ``close()`` (`ZMQ_LINGER`): `nil` waits until
    /// they are delivered (libzmq's default, -1), `.zero` discards them at once. The context's
    /// termination waits for it.
    public func setLinger(_ linger: Duration?) throws(ZeroMQError) {
        try setInt(ZMQ_LINGER, Self.milliseconds(linger), "ZMQ_LINGER")
    }

    /// `ZMQ_LINGER` (`nil`: wait until delivered).
    public var linger: Duration? {
        get throws(ZeroMQError) { Self.duration(try getInt(ZMQ_LINGER, "ZMQ_LINGER")) }
    }

    /// Sets how long a send may block (`ZMQ_SNDTIMEO`): `nil` blocks without limit (default),
    /// `.zero` never blocks. A send that times out throws ``ZeroMQError/isWouldBlock``.
    public func setSendTimeout(_ timeout: Duration?) throws(ZeroMQError) {
        try setInt(ZMQ_SNDTIMEO, Self.milliseconds(timeout), "ZMQ_SNDTIMEO")
    }

    /// `ZMQ_SNDTIMEO` (`nil`: no limit).
    public var sendTimeout: Duration? {
        get throws(ZeroMQError) { Self.duration(try getInt(ZMQ_SNDTIMEO, "ZMQ_SNDTIMEO")) }
    }

    /// Sets how long a receive may block (`ZMQ_RCVTIMEO`): `nil` blocks without limit (default),
    /// `.zero` never blocks. A receive that times out returns `nil`/`false`.
    public func setReceiveTimeout(_ timeout: Duration?) throws(ZeroMQError) {
        try setInt(ZMQ_RCVTIMEO, Self.milliseconds(timeout), "ZMQ_RCVTIMEO")
    }

    /// `ZMQ_RCVTIMEO` (`nil`: no limit).
    public var receiveTimeout: Duration? {
        get throws(ZeroMQError) { Self.duration(try getInt(ZMQ_RCVTIMEO, "ZMQ_RCVTIMEO")) }
    }

    // MARK: Subscriptions (SUB)

    /// Subscribes a SUB socket to messages whose first frame starts with `prefix`; the empty
    /// prefix subscribes to everything. Subscriptions add up.
    public func subscribe(_ prefix: some Collection<UInt8>) throws(ZeroMQError) {
        try setBytes(ZMQ_SUBSCRIBE, Array(prefix), "ZMQ_SUBSCRIBE")
    }

    /// Subscribes to topics starting with the UTF-8 bytes of `prefix` (`""` for all).
    public func subscribe(_ prefix: String) throws(ZeroMQError) { try subscribe(prefix.utf8) }

    /// Removes one earlier ``subscribe(_:)-(String)`` of the same prefix.
    public func unsubscribe(_ prefix: some Collection<UInt8>) throws(ZeroMQError) {
        try setBytes(ZMQ_UNSUBSCRIBE, Array(prefix), "ZMQ_UNSUBSCRIBE")
    }

    /// Removes one earlier subscription to the UTF-8 bytes of `prefix`.
    public func unsubscribe(_ prefix: String) throws(ZeroMQError) { try unsubscribe(prefix.utf8) }

    // MARK: Identity and endpoints

    /// The endpoint last bound or connected (`ZMQ_LAST_ENDPOINT`), with a wildcard port resolved,
    /// e.g. `tcp://127.0.0.1:41234`. Empty when none.
    public var lastEndpoint: String {
        get throws(ZeroMQError) {
            let handle = try openHandle("zmq_getsockopt(ZMQ_LAST_ENDPOINT)")
            var buffer = [CChar](repeating: 0, count: 1024)
            var size = buffer.count
            guard zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size) == 0 else {
                throw ZeroMQError.last("zmq_getsockopt(ZMQ_LAST_ENDPOINT)")
            }
            let bytes = buffer.prefix(size).prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Sets the routing id this socket presents to ROUTER peers (`ZMQ_ROUTING_ID`, 1-255 bytes).
    public func setRoutingID(_ id: some Collection<UInt8>) throws(ZeroMQError) {
        try setBytes(ZMQ_ROUTING_ID, Array(id), "ZMQ_ROUTING_ID")
    }

    /// Sets `ZMQ_XPUB_VERBOSE`: an XPUB passes on every subscription message, not only the first
    /// for each prefix.
    public func setXPubVerbose(_ verbose: Bool) throws(ZeroMQError) {
        try setInt(ZMQ_XPUB_VERBOSE, verbose ? 1 : 0, "ZMQ_XPUB_VERBOSE")
    }

    // MARK: CURVE security

    /// Makes this socket a CURVE server (`ZMQ_CURVE_SERVER`); it also needs its
    /// ``setCurveSecretKey(_:)``. Clients then need this server's public key.
    public func setCurveServer(_ isServer: Bool) throws(ZeroMQError) {
        try setInt(ZMQ_CURVE_SERVER, isServer ? 1 : 0, "ZMQ_CURVE_SERVER")
    }

    /// Sets this socket's long-term public key (`ZMQ_CURVE_PUBLICKEY`; clients).
    public func setCurvePublicKey(_ key: CurveKey) throws(ZeroMQError) {
        try setBytes(ZMQ_CURVE_PUBLICKEY, key.bytes, "ZMQ_CURVE_PUBLICKEY")
    }

    /// Sets this socket's long-term secret key (`ZMQ_CURVE_SECRETKEY`; servers and clients).
    public func setCurveSecretKey(_ key: CurveKey) throws(ZeroMQError) {
        try setBytes(ZMQ_CURVE_SECRETKEY, key.bytes, "ZMQ_CURVE_SECRETKEY")
    }

    /// Sets the server's public key that a client authenticates (`ZMQ_CURVE_SERVERKEY`).
    public func setCurveServerKey(_ key: CurveKey) throws(ZeroMQError) {
        try setBytes(ZMQ_CURVE_SERVERKEY, key.bytes, "ZMQ_CURVE_SERVERKEY")
    }

    // MARK: Raw access

    /// Sets an integer (C `int`) option by its libzmq number, for options without a wrapper.
    public func setOption(_ option: Int32, _ value: Int) throws(ZeroMQError) {
        try setInt(option, value, "zmq_setsockopt(\(option))")
    }

    /// Reads an integer (C `int`) option by its libzmq number.
    public func option(_ option: Int32) throws(ZeroMQError) -> Int {
        try getInt(option, "zmq_getsockopt(\(option))")
    }

    // MARK: Helpers

    private func setInt(_ option: Int32, _ value: Int, _ name: String) throws(ZeroMQError) {
        let handle = try openHandle("zmq_setsockopt(\(name))")
        var value = Int32(clamping: value)
        guard zmq_setsockopt(handle, option, &value, MemoryLayout<Int32>.size) == 0 else {
            throw ZeroMQError.last("zmq_setsockopt(\(name))")
        }
    }

    private func getInt(_ option: Int32, _ name: String) throws(ZeroMQError) -> Int {
        let handle = try openHandle("zmq_getsockopt(\(name))")
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        guard zmq_getsockopt(handle, option, &value, &size) == 0 else {
            throw ZeroMQError.last("zmq_getsockopt(\(name))")
        }
        return Int(value)
    }

    private func setBytes(_ option: Int32, _ bytes: [UInt8], _ name: String) throws(ZeroMQError) {
        let handle = try openHandle("zmq_setsockopt(\(name))")
        let rc = bytes.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
        guard rc == 0 else { throw ZeroMQError.last("zmq_setsockopt(\(name))") }
    }

    static func milliseconds(_ duration: Duration?) -> Int {
        guard let duration else { return -1 }
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        let milliseconds = seconds.multipliedReportingOverflow(by: 1000)
        if milliseconds.overflow { return Int(Int32.max) }
        // Round up, so that a positive duration never becomes "do not wait".
        let fraction = (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int(clamping: milliseconds.partialValue + fraction)
    }

    static func duration(_ milliseconds: Int) -> Duration? {
        milliseconds < 0 ? nil : .milliseconds(milliseconds)
    }
}
