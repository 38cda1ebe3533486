import Logging
import Synchronization
import ZeroMQ
import Zone

/// The CURVE keys a zone admits (`[[sources]]` in zone.toml) and the topics each may publish:
/// what the ingest's ZAP handler asks about every connecting peer, and what the receiver asks
/// about every message's topic. Replaced whole when the zone reloads (SIGHUP), so a rotated
/// key takes effect at the next handshake.
public final class SourceKeyring: Sendable {
    private struct Entries: Sendable {
        var byKey: [CurveKey: ZoneSource] = [:]
        var byName: [String: ZoneSource] = [:]
        var generation = 0
    }

    private let entries = Mutex(Entries())
    private let currentGeneration = Atomic<Int>(0)
    private let logger: Logger
    private let refusedCount = Atomic<Int>(0)

    /// A keyring of `sources` (see ``replace(with:)``).
    public init(sources: [ZoneSource], logger: Logger = Logger(label: "testzone.ingest.keys")) {
        self.logger = logger
        replace(with: sources)
    }

    /// Replaces the admitted sources. Connections already admitted stay open; the topics they
    /// may publish follow the new list from the next message on (``generation`` changes).
    public func replace(with sources: [ZoneSource]) {
        var next = Entries()
        for source in sources {
            guard let key = CurveKey(z85: source.publicKey) else { continue }  // validated by Zone
            next.byKey[key] = source
            next.byName[source.name] = source
        }
        let generation = entries.withLock { current in
            next.generation = current.generation + 1
            current = next
            return next.generation
        }
        currentGeneration.store(generation, ordering: .releasing)
    }

    /// Changes whenever the list is replaced (receivers drop what they cached); lock-free.
    public var generation: Int { currentGeneration.load(ordering: .acquiring) }

    /// How many handshakes were refused (unknown or non-CURVE peers).
    public var refused: Int { refusedCount.load(ordering: .relaxed) }

    /// The ZAP decision for a connecting peer: a listed key is admitted with its source name as
    /// `User-Id`; anything else is refused, counted and logged with the peer's address.
    public func decide(_ request: ZAPRequest) -> ZAPDecision {
        if let key = request.curvePublicKey, let source = entries.withLock({ $0.byKey[key] }) {
            return .allow(userID: source.name)
        }
        refusedCount.add(1, ordering: .relaxed)
        logger.warning(
            "refused a source with an unknown key",
            metadata: [
                "address": "\(request.address)", "mechanism": "\(request.mechanism)",
                "key": "\(request.curvePublicKey?.z85 ?? "-")",
            ])
        return .deny(reason: "key not listed in the zone's [[sources]]")
    }

    /// Logs that the source `name` sent a message on `topic`, which its key may not publish
    /// (once per change of the topic's sender, not per message).
    func logRefused(source name: String, topic: String) {
        logger.warning(
            "rejecting frames of a source on a topic its key may not publish",
            metadata: ["source": "\(name)", "topic": "\(topic)", "reason": "unauthorized source"])
    }

    /// Whether the source named `name` (a `User-Id`) may publish `topic`; `nil` when no source
    /// of that name is listed (any more).
    public func mayPublish(source name: String, topic: some Collection<UInt8>) -> Bool? {
        entries.withLock { $0.byName[name] }?.mayPublish(topic)
    }
}

/// CURVE on live ingest's PULL sockets (`IngestOptions.curve`).
public struct CurveSettings: Sendable {
    /// The ingest server's key pair (`--curve-secret-key`); sources need its public key.
    public var serverKeys: CurveKeyPair
    /// The sources admitted and the topics each may publish (reloaded with the zone).
    public var keyring: SourceKeyring

    /// CURVE with `serverKeys`, admitting the sources of `keyring`.
    public init(serverKeys: CurveKeyPair, keyring: SourceKeyring) {
        self.serverKeys = serverKeys
        self.keyring = keyring
    }
}
