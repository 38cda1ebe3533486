import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Free space of the file system that holds the journal (`statvfs`).
public enum DiskSpace {
    /// Bytes available to an unprivileged writer in the file system of `path`, or `nil` when it
    /// cannot be read.
    public static func free(at path: String) -> UInt64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return UInt64(info.f_bavail) &* UInt64(info.f_frsize)
    }

    /// Throws ``IngestError/lowDiskSpace(path:free:minimum:)`` when `directory`'s file system has
    /// less than `minimum` bytes free (0: no check).
    public static func check(directory: String, minimum: UInt64) throws {
        guard minimum > 0, let free = free(at: directory), free < minimum else { return }
        throw IngestError.lowDiskSpace(path: directory, free: free, minimum: minimum)
    }
}

/// The running check of the journal's free space: logs an alarm when it falls below the
/// threshold (and a notice when it recovers); the status line shows it. Ingest goes on (every
/// frame received is still journaled and counted while the disk lasts).
final class DiskAlarm: Sendable {
    let directory: String
    let minimum: UInt64
    private let state = Mutex<(checked: UInt64, free: UInt64?, low: Bool)>((0, nil, false))

    init(directory: String, minimum: UInt64) {
        self.directory = directory
        self.minimum = minimum
    }

    /// Free bytes when below the threshold at the last check, else `nil`.
    var lowFreeBytes: UInt64? { state.withLock { $0.low ? $0.free : nil } }

    /// Checks at most every 10 s (`now`: ns, any monotonic clock).
    func check(now: UInt64, logger: Logger) {
        guard minimum > 0 else { return }
        let due = state.withLock { s -> Bool in
            guard s.checked == 0 || now &- s.checked >= 10_000_000_000 else { return false }
            s.checked = now
            return true
        }
        guard due, let free = DiskSpace.free(at: directory) else { return }
        let low = free < minimum
        let changed = state.withLock { s -> Bool in
            defer {
                s.free = free
                s.low = low
            }
            return s.low != low
        }
        guard changed else { return }
        if low {
            logger.error(
                "free disk space below the threshold",
                metadata: [
                    "journal": "\(directory)", "free MB": "\(free / 1_000_000)",
                    "minimum MB": "\(minimum / 1_000_000)",
                ])
        } else {
            logger.notice(
                "free disk space back above the threshold", metadata: ["free MB": "\(free / 1_000_000)"])
        }
    }
}
