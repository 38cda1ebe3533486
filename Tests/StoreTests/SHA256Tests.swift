import Store
import Testing

/// FIPS 180-4 / NIST CSRC example vectors for SHA-256.
@Suite struct SHA256Tests {
    @Test func abc() {
        #expect(
            SHA256.hexDigest(of: "abc")
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func emptyMessage() {
        #expect(
            SHA256.hexDigest(of: "")
                == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func twoBlockMessage448Bits() {
        #expect(
            SHA256.hexDigest(of: "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func message896Bits() {
        let message =
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
        #expect(
            SHA256.hexDigest(of: message)
                == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    }

    @Test func oneMillionA() {
        var hasher = SHA256()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { hasher.update(chunk) }
        #expect(hasher.finalizeHex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func rawBufferUpdatesMatchTheByteWisePath() {
        // The buffer path compresses whole blocks in place; chunk sizes that start, end and
        // straddle block boundaries must give the digest of the byte-wise path.
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 17) }
        let expected = SHA256.hash(bytes.map { $0 })
        for chunk in [1, 7, 63, 64, 65, 128, 200, 1000] {
            var hasher = SHA256()
            var index = 0
            while index < bytes.count {
                let end = min(bytes.count, index + chunk)
                bytes[index..<end].withUnsafeBytes { hasher.update($0) }
                index = end
            }
            #expect(hasher.finalize() == expected, "chunks of \(chunk) bytes")
        }
        var million = SHA256()
        let block = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { block.withUnsafeBytes { million.update($0) } }
        #expect(million.finalizeHex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func paddingBoundaries() {
        // 55, 56 and 64 bytes exercise the one-block / two-block padding edges; compare the
        // streamed result (odd chunking) with the one-shot result.
        for length in [55, 56, 63, 64, 65, 119, 120] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            var streamed = SHA256()
            var index = 0
            while index < bytes.count {
                let end = min(bytes.count, index + 7)
                streamed.update(bytes[index..<end])
                index = end
            }
            #expect(streamed.finalize() == SHA256.hash(bytes))
        }
        #expect(
            SHA256.hexDigest(of: String(repeating: "a", count: 55))
                == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        #expect(
            SHA256.hexDigest(of: String(repeating: "a", count: 56))
                == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
    }
}
