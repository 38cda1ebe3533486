/// Fixed-decimal number formatting shared by every renderer, so that the HTML, CSV, JSON and
/// Markdown outputs show exactly the same digits for the same value.
///
/// Values are rounded half away from zero at the requested number of decimals; the text uses
/// `.` as the decimal separator and no grouping (locale-independent, byte-stable). Negative zero
/// prints as `0`. Non-finite values have no text (the renderers show them as missing).
public enum NumberFormat {
    /// `value` with exactly `decimals` digits after the point, or nil when it is not finite.
    public static func fixed(_ value: Double, decimals: Int) -> String? {
        guard value.isFinite else { return nil }
        let scale = pow10(decimals)
        let scaled = (abs(value) * scale).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9.0e15, decimals <= 30 else {
            // Beyond exact integer range: fall back to Swift's shortest round-trip text.
            return "\(value)"
        }
        let units = UInt64(scaled)
        let negative = value < 0 && units != 0
        // Digits written backwards into a stack buffer, one String made at the end: the
        // renderers format millions of values on a large zone.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { buffer in
            var end = buffer.count
            func put(_ byte: UInt8) {
                end -= 1
                buffer[end] = byte
            }
            var rest = units
            for _ in 0..<max(0, decimals) {
                put(48 + UInt8(rest % 10))
                rest /= 10
            }
            if decimals > 0 { put(46) }  // "."
            repeat {
                put(48 + UInt8(rest % 10))
                rest /= 10
            } while rest > 0
            if negative { put(45) }  // "-"
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[end...]), as: UTF8.self)
        }
    }

    /// The signed text of a change, e.g. `+12.5` or `-3.0`; `0` prints without a sign.
    public static func signed(_ value: Double, decimals: Int) -> String? {
        guard let text = fixed(value, decimals: decimals) else { return nil }
        if text.hasPrefix("-") { return text }
        let isZero = text.allSatisfy { $0 == "0" || $0 == "." }
        return isZero ? text : "+" + text
    }

    private static func pow10(_ exponent: Int) -> Double {
        var result = 1.0
        for _ in 0..<max(0, exponent) { result *= 10 }
        return result
    }
}
