#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file's bytes, mapped read-only (or copied, for in-memory recordings). The size is fixed at
/// opening time: a recording still being written is read up to where it was then.
/// Immutable after init (the mapping is never written or remapped).
final class MappedFile {
    let path: String
    /// Start of the bytes (nil when empty).
    private let start: UnsafeRawPointer?
    let size: Int
    private let mapped: Bool

    init(path: String) throws(MCAPError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw .io(path: path, operation: "open", reason: errnoText()) }
        defer { _ = close(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 { throw .io(path: path, operation: "stat", reason: errnoText()) }
        size = Int(info.st_size)
        mapped = size > 0
        if size > 0 {
            let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
            if address == MAP_FAILED || address == nil {
                throw .io(path: path, operation: "mmap", reason: errnoText())
            }
            start = UnsafeRawPointer(address)
        } else {
            start = nil
        }
    }

    init(bytes: [UInt8], name: String) {
        path = name
        size = bytes.count
        mapped = false
        if bytes.isEmpty {
            start = nil
        } else {
            let copy = UnsafeMutableRawPointer.allocate(byteCount: bytes.count, alignment: 16)
            bytes.withUnsafeBytes { copy.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
            start = UnsafeRawPointer(copy)
        }
    }

    deinit {
        guard let start else { return }
        if mapped {
            munmap(UnsafeMutableRawPointer(mutating: start), size)
        } else {
            start.deallocate()
        }
    }

    /// All bytes (valid while this object lives).
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: start, count: size) }

    /// `count` bytes at `offset`, or nil when that range is not inside the file.
    func slice(_ offset: UInt64, _ count: UInt64) -> UnsafeRawBufferPointer? {
        guard offset <= UInt64(size), count <= UInt64(size) - offset else { return nil }
        return UnsafeRawBufferPointer(rebasing: bytes[Int(offset)..<Int(offset + count)])
    }
}
