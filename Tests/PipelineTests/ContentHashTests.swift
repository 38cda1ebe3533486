import Testing

@testable import Pipeline

/// The duplicate filter's content hash is XXH64 with seed 0.
@Suite struct ContentHashTests {
    private func hash(_ text: String) -> UInt64 {
        Array(text.utf8).withUnsafeBytes { ContentHash.hash($0) }
    }

    @Test func knownXXH64Values() {
        #expect(hash("") == 0xEF46_DB37_51D8_E999)
        #expect(hash("a") == 0xD24E_C4F1_A98C_6E5B)
        #expect(hash("abc") == 0x44BC_2CF5_AD77_0999)
    }

    @Test func everyLengthAndEveryByteCounts() {
        // Lengths around the 4-, 8- and 32-byte steps; changing any one byte changes the hash.
        for length in [1, 3, 4, 7, 8, 9, 31, 32, 33, 45, 63, 64, 65, 100] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let base = bytes.withUnsafeBytes { ContentHash.hash($0) }
            #expect(base == bytes.withUnsafeBytes { ContentHash.hash($0) })
            for index in 0..<length {
                var changed = bytes
                changed[index] ^= 0x01
                #expect(
                    changed.withUnsafeBytes { ContentHash.hash($0) } != base,
                    "length \(length), byte \(index)")
            }
            #expect(bytes.dropLast().withUnsafeBytes { ContentHash.hash($0) } != base)
        }
    }
}
