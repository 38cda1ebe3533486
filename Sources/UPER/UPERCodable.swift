/// A type that decodes itself from unaligned PER.
public protocol UPERDecodable: Sendable {
    /// Reads a value at the reader's position; throws ``UPERError`` on malformed input.
    init(from reader: inout UPERReader) throws(UPERError)
}

/// A type that encodes itself as unaligned PER.
public protocol UPEREncodable: Sendable {
    /// Appends the value's encoding; throws ``UPERError`` when the value violates a constraint.
    func encode(to writer: inout UPERWriter) throws(UPERError)
}

/// A type that both decodes and encodes unaligned PER.
public typealias UPERCodable = UPERDecodable & UPEREncodable
