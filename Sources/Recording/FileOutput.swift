#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file opened for writing through a POSIX descriptor (no Foundation buffering: the writer
/// buffers itself and decides when bytes reach the kernel).
struct FileOutput: ~Copyable {
    let path: String
    private var descriptor: Int32

    init(path: String) throws(MCAPError) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if descriptor < 0 { throw .io(path: path, operation: "open", reason: errnoText()) }
    }

    var isOpen: Bool { descriptor >= 0 }

    /// Writes all of `bytes` (retrying partial writes and EINTR).
    func write(_ bytes: UnsafeRawBufferPointer) throws(MCAPError) {
        guard var pointer = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            #if canImport(Glibc)
                let n = Glibc.write(descriptor, pointer, remaining)
            #else
                let n = Darwin.write(descriptor, pointer, remaining)
            #endif
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, operation: "write", reason: errnoText())
            }
            pointer += n
            remaining -= n
        }
    }

    /// Asks the kernel to put the written bytes on disk.
    func sync() throws(MCAPError) {
        if fsync(descriptor) != 0 { throw .io(path: path, operation: "fsync", reason: errnoText()) }
    }

    mutating func close() throws(MCAPError) {
        guard descriptor >= 0 else { return }
        let status = closeDescriptor(descriptor)
        descriptor = -1
        if status != 0 { throw .io(path: path, operation: "close", reason: errnoText()) }
    }

    deinit {
        if descriptor >= 0 { _ = closeDescriptor(descriptor) }
    }
}

private func closeDescriptor(_ fd: Int32) -> Int32 {
    #if canImport(Glibc)
        return Glibc.close(fd)
    #else
        return Darwin.close(fd)
    #endif
}

func errnoText() -> String {
    String(cString: strerror(errno))
}
