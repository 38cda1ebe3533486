import ZeroMQ

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The receiver's per-message check of CURVE sources: may the key that sent this message
/// (its `User-Id`, the source name the ZAP handler gave it) publish this topic?
///
/// The answer is cached per receiver topic id together with the `User-Id` it was computed for,
/// so the steady state (each topic sent by one source) costs one metadata lookup and one
/// `strcmp` per message, without allocation; the cache is dropped when the keyring changes.
struct SourceAuthorization {
    private let keyring: SourceKeyring
    private var generation: Int
    /// Per topic id: the NUL-terminated `User-Id` the verdict was computed for, and the verdict.
    private var cache: [(userID: [CChar], allowed: Bool)?] = []
    /// Messages refused because their source may not publish their topic.
    private(set) var unauthorized = 0

    init(keyring: SourceKeyring) {
        self.keyring = keyring
        generation = keyring.generation
    }

    /// Whether the message in `message` (received on a CURVE socket) may be published on the
    /// topic `topicID` (`topic` its bytes). A message without a `User-Id` (not from a CURVE
    /// socket with the ZAP handler) is refused.
    mutating func allows(
        _ message: borrowing MultipartMessage, topicID: Int, topic: UnsafeRawBufferPointer
    ) -> Bool {
        let current = keyring.generation
        if current != generation {
            generation = current
            for index in cache.indices { cache[index] = nil }
        }
        if topicID >= cache.count {
            cache.append(contentsOf: repeatElement(nil, count: topicID + 1 - cache.count))
        }
        let verdict: Bool = message.withMetadata("User-Id") { userID in
            guard let userID else { return false }
            if let cached = cache[topicID],
                cached.userID.withUnsafeBufferPointer({ strcmp($0.baseAddress!, userID) }) == 0
            {
                return cached.allowed
            }
            let name = String(cString: userID)
            let allowed = keyring.mayPublish(source: name, topic: topic) ?? false
            if !allowed { keyring.logRefused(source: name, topic: String(decoding: topic, as: UTF8.self)) }
            cache[topicID] = (Array(name.utf8CString), allowed)
            return allowed
        }
        if !verdict { unauthorized += 1 }
        return verdict
    }
}
