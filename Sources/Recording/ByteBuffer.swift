/// A growable byte buffer on the heap with little-endian appends: the writer's chunk and output
/// buffers and the reader's decompression buffer. Reused across chunks so the hot paths do not
/// allocate once it has grown to its working size.
///
/// A reference type because it owns raw memory (freed in `deinit`); it is never shared across
/// threads (the writer and the cursors that own one are not `Sendable`).
final class ByteBuffer {
    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    /// Bytes in use.
    var count: Int = 0

    init(capacity: Int = 4096) {
        self.capacity = max(capacity, 64)
        base = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    /// The bytes in use, valid until the next mutation.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Makes room for `additional` more bytes past `count`.
    @inline(__always)
    func reserve(_ additional: Int) {
        if count + additional > capacity { grow(count + additional) }
    }

    /// Makes the capacity at least `total` bytes (contents kept).
    func reserveTotal(_ total: Int) {
        if total > capacity { grow(total) }
    }

    private func grow(_ needed: Int) {
        var newCapacity = capacity
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        newBase.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    func append<T: FixedWidthInteger>(_ value: T) {
        reserve(MemoryLayout<T>.size)
        base.storeBytes(of: value.littleEndian, toByteOffset: count, as: T.self)
        count += MemoryLayout<T>.size
    }

    /// Appends two little-endian `UInt64`s with one capacity check (a message index entry).
    @inline(__always)
    func append(_ first: UInt64, _ second: UInt64) {
        reserve(16)
        base.storeBytes(of: first.littleEndian, toByteOffset: count, as: UInt64.self)
        base.storeBytes(of: second.littleEndian, toByteOffset: count + 8, as: UInt64.self)
        count += 16
    }

    @inline(__always)
    func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (base + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// Appends a uint32-length-prefixed UTF-8 string.
    func appendString(_ string: String) {
        var s = string
        s.withUTF8 { utf8 in
            append(UInt32(utf8.count))
            append(UnsafeRawBufferPointer(utf8))
        }
    }

    /// Appends a uint32-byte-length-prefixed map of strings, in key order (deterministic output).
    func appendStringMap(_ map: [String: String]) {
        let keys = map.keys.sorted()
        var length = 0
        for key in keys { length += 8 + key.utf8.count + map[key]!.utf8.count }
        append(UInt32(length))
        for key in keys {
            appendString(key)
            appendString(map[key]!)
        }
    }

    /// Overwrites a little-endian value at `offset` (already within `count`).
    func store<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        base.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
    }

    func removeAll() { count = 0 }
}
