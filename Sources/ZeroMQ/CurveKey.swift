import CZeroMQ

/// A 32-byte CURVE (Curve25519) key, public or secret, as used by ZeroMQ's CurveZMQ security.
///
/// Keys travel as 40-character Z85 text (zmq_z85_encode(3)); ``init(z85:)`` and ``z85`` convert.
public struct CurveKey: Sendable, Hashable, CustomStringConvertible {
    /// The 32 key bytes.
    public let bytes: [UInt8]

    /// Creates a key from its 32 bytes; `nil` for any other length.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        self.bytes = Array(bytes)
    }

    /// Decodes a 40-character Z85 key; `nil` when the text is not valid Z85 of that length.
    public init?(z85: String) {
        guard z85.utf8.count == 40 else { return nil }
        var bytes = [UInt8](repeating: 0, count: 32)
        guard zmq_z85_decode(&bytes, z85) != nil else { return nil }
        self.bytes = bytes
    }

    /// The key as 40 characters of Z85 text.
    public var z85: String {
        var text = [CChar](repeating: 0, count: 41)
        _ = zmq_z85_encode(&text, bytes, 32)
        return String(decoding: text.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The Z85 text (note: prints secret keys too; do not log those).
    public var description: String { z85 }
}

/// A CURVE key pair: a public key to hand out and the matching secret key.
public struct CurveKeyPair: Sendable, Hashable {
    /// The public key.
    public let publicKey: CurveKey
    /// The secret key.
    public let secretKey: CurveKey

    /// Generates a new random key pair (`zmq_curve_keypair`). Throws `ENOTSUP` when libzmq was
    /// built without CURVE support.
    public static func generate() throws(ZeroMQError) -> CurveKeyPair {
        var publicText = [CChar](repeating: 0, count: 41)
        var secretText = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&publicText, &secretText) == 0 else {
            throw ZeroMQError.last("zmq_curve_keypair")
        }
        return try pair(publicText, secretText, "zmq_curve_keypair")
    }

    /// Derives the key pair of an existing secret key (`zmq_curve_public`).
    public init(secretKey: CurveKey) throws(ZeroMQError) {
        var publicText = [CChar](repeating: 0, count: 41)
        let secretText = Array(secretKey.z85.utf8CString)
        guard zmq_curve_public(&publicText, secretText) == 0 else {
            throw ZeroMQError.last("zmq_curve_public")
        }
        self = try Self.pair(publicText, secretText, "zmq_curve_public")
    }

    private init(publicKey: CurveKey, secretKey: CurveKey) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    private static func pair(_ publicText: [CChar], _ secretText: [CChar], _ operation: String)
        throws(ZeroMQError) -> CurveKeyPair
    {
        func key(_ text: [CChar]) -> CurveKey? {
            CurveKey(z85: String(decoding: text.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        guard let publicKey = key(publicText), let secretKey = key(secretText) else {
            throw ZeroMQError(code: EINVAL, operation: operation)
        }
        return CurveKeyPair(publicKey: publicKey, secretKey: secretKey)
    }
}
