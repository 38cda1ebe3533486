/// SHA-256 (FIPS 180-4, section 6.2) in plain Swift: identifies journal files by content (so that
/// reprocessing a recording replaces its run) and digests the records behind a report.
///
/// Streaming: feed bytes with ``update(_:)`` any number of times, then call ``finalize()`` once.
/// The implementation keeps a 64-byte block buffer and processes full blocks in place, so hashing
/// a large serialisation does not copy it.
public struct SHA256: Sendable {
    /// The initial hash value H(0): the first 32 bits of the fractional parts of the square roots
    /// of the first eight primes (FIPS 180-4, 5.3.3).
    private static let initialState: [UInt32] = [
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a,
        0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
    ]

    /// The round constants K: the first 32 bits of the fractional parts of the cube roots of the
    /// first sixty-four primes (FIPS 180-4, 4.2.2).
    private static let roundConstants: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4,
        0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7,
        0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc,
        0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351,
        0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e,
        0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585,
        0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f,
        0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7,
        0xc671_78f2,
    ]

    private var state: [UInt32] = SHA256.initialState
    private var block: [UInt8] = [UInt8](repeating: 0, count: 64)
    private var blockCount = 0
    private var messageLength: UInt64 = 0
    private var schedule: [UInt32] = [UInt32](repeating: 0, count: 64)

    /// A hasher with the initial hash value.
    public init() {}

    /// Hashes `bytes` in one call and returns the 32-byte digest.
    public static func hash<Bytes: Sequence>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Hashes `bytes` in one call and returns the digest as 64 lowercase hex digits.
    public static func hex(_ bytes: [UInt8]) -> String {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalizeHex()
    }

    /// Hashes the UTF-8 bytes of `string` and returns the digest as 64 lowercase hex digits.
    public static func hexDigest(of string: String) -> String {
        var hasher = SHA256()
        hasher.update(string)
        return hasher.finalizeHex()
    }

    /// Appends `bytes` to the message.
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        var count: UInt64 = 0
        for byte in bytes {
            block[blockCount] = byte
            blockCount += 1
            count &+= 1
            if blockCount == 64 {
                compressBlock()
                blockCount = 0
            }
        }
        messageLength &+= count
    }

    /// Appends `bytes` to the message: whole 64-byte blocks are compressed straight from the
    /// buffer (the fast path for files), only a partial block at either end is buffered.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var p = bytes.baseAddress, bytes.count > 0 else { return }
        var n = bytes.count
        messageLength &+= UInt64(n)
        if blockCount > 0 {
            let take = min(64 - blockCount, n)
            for i in 0..<take { block[blockCount + i] = p.load(fromByteOffset: i, as: UInt8.self) }
            blockCount += take
            p += take
            n -= take
            guard blockCount == 64 else { return }
            compressBlock()
            blockCount = 0
        }
        while n >= 64 {
            compress(p)
            p += 64
            n -= 64
        }
        for i in 0..<n { block[i] = p.load(fromByteOffset: i, as: UInt8.self) }
        blockCount = n
    }

    /// Appends the UTF-8 bytes of `string` to the message.
    public mutating func update(_ string: String) {
        var string = string
        string.withUTF8 { buffer in
            for byte in buffer {
                block[blockCount] = byte
                blockCount += 1
                if blockCount == 64 {
                    compressBlock()
                    blockCount = 0
                }
            }
            messageLength &+= UInt64(buffer.count)
        }
    }

    /// Pads the message (FIPS 180-4, 5.1.1), processes the last block(s) and returns the digest.
    public mutating func finalize() -> [UInt8] {
        let bitLength = messageLength &* 8
        block[blockCount] = 0x80
        blockCount += 1
        if blockCount > 56 {
            while blockCount < 64 {
                block[blockCount] = 0
                blockCount += 1
            }
            compressBlock()
            blockCount = 0
        }
        while blockCount < 56 {
            block[blockCount] = 0
            blockCount += 1
        }
        for index in 0..<8 {
            block[56 + index] = UInt8(truncatingIfNeeded: bitLength >> (56 - 8 * UInt64(index)))
        }
        compressBlock()
        blockCount = 0
        var digest = [UInt8]()
        digest.reserveCapacity(32)
        for word in state {
            digest.append(UInt8(truncatingIfNeeded: word >> 24))
            digest.append(UInt8(truncatingIfNeeded: word >> 16))
            digest.append(UInt8(truncatingIfNeeded: word >> 8))
            digest.append(UInt8(truncatingIfNeeded: word))
        }
        return digest
    }

    /// ``finalize()`` rendered as 64 lowercase hexadecimal digits.
    public mutating func finalizeHex() -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(64)
        for byte in finalize() {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Processes the 64-byte `block` (FIPS 180-4, 6.2.2).
    private mutating func compressBlock() {
        let bytes = block
        bytes.withUnsafeBytes { compress($0.baseAddress!) }
    }

    /// Processes the 64 bytes at `input` (FIPS 180-4, 6.2.2): message schedule and the 64
    /// rounds on local variables, no bounds checks in the loops.
    private mutating func compress(_ input: UnsafeRawPointer) {
        var a = state[0]
        var b = state[1]
        var c = state[2]
        var d = state[3]
        var e = state[4]
        var f = state[5]
        var g = state[6]
        var h = state[7]
        schedule.withUnsafeMutableBufferPointer { w in
            SHA256.roundConstants.withUnsafeBufferPointer { k in
                for t in 0..<16 {
                    w[t] = UInt32(bigEndian: input.loadUnaligned(fromByteOffset: 4 * t, as: UInt32.self))
                }
                for t in 16..<64 {
                    let w15 = w[t - 15]
                    let w2 = w[t - 2]
                    let sigma0 = rotateRight(w15, 7) ^ rotateRight(w15, 18) ^ (w15 >> 3)
                    let sigma1 = rotateRight(w2, 17) ^ rotateRight(w2, 19) ^ (w2 >> 10)
                    w[t] = sigma1 &+ w[t - 7] &+ sigma0 &+ w[t - 16]
                }
                for t in 0..<64 {
                    let bigSigma1 = rotateRight(e, 6) ^ rotateRight(e, 11) ^ rotateRight(e, 25)
                    let choose = (e & f) ^ (~e & g)
                    let t1 = h &+ bigSigma1 &+ choose &+ k[t] &+ w[t]
                    let bigSigma0 = rotateRight(a, 2) ^ rotateRight(a, 13) ^ rotateRight(a, 22)
                    let majority = (a & b) ^ (a & c) ^ (b & c)
                    let t2 = bigSigma0 &+ majority
                    h = g
                    g = f
                    f = e
                    e = d &+ t1
                    d = c
                    c = b
                    b = a
                    a = t1 &+ t2
                }
            }
        }
        state[0] &+= a
        state[1] &+= b
        state[2] &+= c
        state[3] &+= d
        state[4] &+= e
        state[5] &+= f
        state[6] &+= g
        state[7] &+= h
    }
}

@inline(__always)
private func rotateRight(_ value: UInt32, _ count: UInt32) -> UInt32 {
    (value >> count) | (value << (32 - count))
}
