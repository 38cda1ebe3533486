import CZeroMQ

/// The ZeroMQ socket patterns this wrapper supports.
public enum SocketType: Int32, Sendable, CaseIterable, CustomStringConvertible {
    /// Sends to connected PULL sockets, round-robin; blocks at the high-water mark (lossless).
    case push
    /// Receives from PUSH sockets, fair-queued.
    case pull
    /// Publishes to all matching SUB sockets; drops messages for subscribers at their
    /// high-water mark.
    case pub
    /// Receives messages whose first frame starts with a subscribed prefix.
    case sub
    /// A PUB that also receives subscription messages (byte 1 = subscribe, 0 = unsubscribe,
    /// followed by the prefix).
    case xpub
    /// Routes by peer identity: each received message is prefixed with the sender's routing id.
    case router
    /// Asynchronous request/reply peer of ROUTER; round-robin out, fair-queued in.
    case dealer
    /// Exclusive one-to-one pair (mostly for inproc signalling between threads).
    case pair
    /// Synchronous reply side of request/reply: receive a request, then send its reply (the ZAP
    /// handler, ``ZAPHandler``, serves libzmq's authentication requests this way).
    case rep
    /// Synchronous request side of request/reply: send a request, then receive its reply.
    case req

    public var rawValue: Int32 {
        switch self {
        case .push: ZMQ_PUSH
        case .pull: ZMQ_PULL
        case .pub: ZMQ_PUB
        case .sub: ZMQ_SUB
        case .xpub: ZMQ_XPUB
        case .router: ZMQ_ROUTER
        case .dealer: ZMQ_DEALER
        case .pair: ZMQ_PAIR
        case .rep: ZMQ_REP
        case .req: ZMQ_REQ
        }
    }

    public init?(rawValue: Int32) {
        guard let type = Self.allCases.first(where: { $0.rawValue == rawValue }) else { return nil }
        self = type
    }

    public var description: String {
        switch self {
        case .push: "PUSH"
        case .pull: "PULL"
        case .pub: "PUB"
        case .sub: "SUB"
        case .xpub: "XPUB"
        case .router: "ROUTER"
        case .dealer: "DEALER"
        case .pair: "PAIR"
        case .rep: "REP"
        case .req: "REQ"
        }
    }
}
