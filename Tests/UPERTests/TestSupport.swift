import UPER

/// Decodes with a reader over `bytes`, returning the value and the reader's final bit offset.
func read<T>(
    _ bytes: [UInt8], _ body: (inout UPERReader) throws(UPERError) -> T
) throws(UPERError) -> T {
    try UPERReader.withReader(bytes: bytes) { (reader) throws(UPERError) in try body(&reader) }
}

/// The error thrown by `body` on `bytes`, or nil if it succeeded.
func readError<T>(_ bytes: [UInt8], _ body: (inout UPERReader) throws(UPERError) -> T) -> UPERError? {
    do {
        _ = try read(bytes, body)
        return nil
    } catch {
        return error
    }
}

/// Encodes with a fresh writer and returns the padded octets.
func write(_ body: (inout UPERWriter) throws(UPERError) -> Void) throws(UPERError) -> [UInt8] {
    var writer = UPERWriter()
    try body(&writer)
    return writer.finish()
}

/// The error thrown by `body` while writing, or nil.
func writeError(_ body: (inout UPERWriter) throws(UPERError) -> Void) -> UPERError? {
    var writer = UPERWriter()
    do {
        try body(&writer)
        return nil
    } catch {
        return error
    }
}

/// Octets from hex ("0a ff", spaces ignored); the tests only pass valid hex.
func hex(_ text: String) -> [UInt8] {
    let digits = text.utf8.compactMap { byte -> UInt8? in
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
    return stride(from: 0, to: digits.count - 1, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
}

/// Lower-case hex of octets.
func hexString(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef")
    return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
}

/// Octet i = (seed + 7 i) mod 251: the long values of the asn1tools fixtures.
func pattern(_ count: Int, seed: Int = 1) -> [UInt8] {
    (0..<count).map { UInt8((seed + 7 * $0) % 251) }
}

/// Bits from a string of 0/1 (other characters ignored), padded to octets.
func bits(_ text: String) -> [UInt8] {
    var writer = UPERWriter()
    for character in text where character == "0" || character == "1" { writer.writeBool(character == "1") }
    return writer.finish()
}

/// A deterministic pseudo-random generator (SplitMix64) for reproducible round trips.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
