import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive advisory lock (`flock`) on a lock file, held for the life of the process that
/// owns a journal directory or a database. The file holds the owner's pid, so a refused start
/// can name it. The kernel releases the lock when the process ends (also after kill -9), so a
/// stale file never blocks a restart.
public final class OwnerLock {
    /// The lock file.
    public let path: String
    private var descriptor: Int32

    /// Takes the lock or throws ``IngestError/locked(path:holder:)`` naming the holder.
    /// - Parameters:
    ///   - path: the lock file (created when missing; never removed).
    ///   - what: what is owned (for the error message), e.g. "journal directory /x".
    public init(path: String, what: String) throws {
        self.path = path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw IngestError.lock(path: path, detail: "cannot open: \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            var holder = ""
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = pread(fd, &buffer, buffer.count, 0)
            if count > 0 { holder = String(decoding: buffer[..<count], as: UTF8.self) }
            close(fd)
            if code == EWOULDBLOCK {
                throw IngestError.locked(
                    what: what, path: path, holder: holder.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            throw IngestError.lock(path: path, detail: "flock: \(String(cString: strerror(code)))")
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
        descriptor = fd
    }

    /// Releases the lock (also done when the process ends).
    public func release() {
        guard descriptor >= 0 else { return }
        _ = ftruncate(descriptor, 0)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
