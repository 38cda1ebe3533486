import Foundation
import Logging
import Synchronization
import Zone

/// Reloading the zone registry while live ingest runs (SIGHUP, or zone.toml changed on disk,
/// noticed at the next commit): new vehicles, RSUs, permits and ICV item ids take effect without
/// a restart; with CURVE, so do added, removed and rotated source keys.
///
/// A reload is journaled: the receiver appends the zone.toml text that loaded as a message on
/// ``topic``, and ``FrameProcessor`` applies it where it lies in the journal, so a replay of the
/// journal (given the zone.toml the session started with) reproduces the live result. A text
/// that does not load is logged with its file and line, and the running configuration stays.
public final class ZoneReload: Sendable {
    /// The journal topic of reloaded zone.toml texts.
    public static let topic = "zone/config"

    /// The zone.toml file.
    public let path: String
    private let logger: Logger
    /// With CURVE: the admitted sources, replaced by each reload that loads (rotated keys take
    /// effect at the next handshake, changed topics at the next message).
    private let keyring: SourceKeyring?
    private let requested = Atomic<Bool>(false)
    private let modified = Mutex<Date?>(nil)

    /// Watches `path` (its modification time now is the loaded one).
    public init(path: String, logger: Logger, keyring: SourceKeyring? = nil) {
        self.path = path
        self.logger = logger
        self.keyring = keyring
        modified.withLock { $0 = Self.modificationDate(path) }
    }

    private static func modificationDate(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    /// Asks for a reload (SIGHUP; any thread).
    public func request() { requested.store(true, ordering: .releasing) }

    /// Requests a reload when the file's modification time changed (called at each commit).
    func checkModified() {
        let now = Self.modificationDate(path)
        let changed = modified.withLock { last -> Bool in
            defer { last = now }
            return now != nil && now != last
        }
        if changed { request() }
    }

    /// The text to journal when a reload was requested and the file loads; `nil` otherwise (a
    /// file that does not load is logged and the running configuration kept).
    func takePayload() -> [UInt8]? {
        guard requested.load(ordering: .acquiring) else { return nil }
        requested.store(false, ordering: .relaxed)
        modified.withLock { $0 = Self.modificationDate(path) }
        guard let data = FileManager.default.contents(atPath: path) else {
            logger.error(
                "zone reload failed, keeping the running configuration",
                metadata: ["file": "\(path)", "error": "cannot read the file"])
            return nil
        }
        do {
            let zone = try ZoneConfiguration.parse(String(decoding: data, as: UTF8.self), fileName: path)
            keyring?.replace(with: zone.sources)
            logger.notice(
                "zone configuration reloaded",
                metadata: [
                    "file": "\(path)", "vehicles": "\(zone.vehicles.count)", "rsus": "\(zone.rsus.count)",
                    "operators": "\(zone.operators.count)",
                ])
            return [UInt8](data)
        } catch {
            logger.error(
                "zone reload failed, keeping the running configuration",
                metadata: ["error": "\(error.description)"])
            return nil
        }
    }
}
