import UPER

/// Decodes a stream of C-V2X frames into values it keeps: one generated `MessageFrameDecoder`
/// per set.
///
/// Each frame is decoded into the kept value of its set and alternative, where it is stored: the
/// decoded value is not copied, and a frame reuses the list storage of the previous frame of the
/// same kind, so steady traffic (BSM, SPAT, MAP, RSM) decodes without allocating, where
/// `CV2XFrame(uper:schema:)` builds every value and list anew. After `decode`, read the frame from
/// the set's decoder (its `alternative` names the property that holds it) before the next call.
public struct CV2XFrameDecoder: Sendable {
    // swift-format-ignore: AlwaysUseLowerCamelCase
    /// The frames decoded with the 2020 set.
    public private(set) var csae53_2020 = CSAE53_2020.MessageFrameDecoder()
    // swift-format-ignore: AlwaysUseLowerCamelCase
    /// The frames decoded with the 2019 set.
    public private(set) var csae53_2019 = CSAE53_2019.MessageFrameDecoder()
    // swift-format-ignore: AlwaysUseLowerCamelCase
    /// The frames decoded with the 2017 set.
    public private(set) var csae53_2017 = CSAE53_2017.MessageFrameDecoder()

    /// Creates a decoder that holds no frame yet.
    public init() {}

    /// Decodes one complete UPER-encoded `MessageFrame` with `schema` into that set's value.
    public mutating func decode(uper buffer: UnsafeRawBufferPointer, schema: CV2XSchema) throws(UPERError) {
        switch schema {
        case .csae53_2020: try csae53_2020.decode(uper: buffer)
        case .csae53_2019: try csae53_2019.decode(uper: buffer)
        case .csae53_2017: try csae53_2017.decode(uper: buffer)
        }
    }

    /// Decodes with `preferred` first, then with the other sets in the `auto` order, exactly as
    /// `CV2XFrame(autoDetecting:preferring:)` does, and returns the set that decoded the frame.
    /// When no set accepts it, the error is the 2020 one.
    public mutating func decode(
        autoDetecting buffer: UnsafeRawBufferPointer, preferring preferred: CV2XSchema
    )
        throws(UPERError) -> CV2XSchema
    {
        try preferred.tryingSetsInAutoOrder { (schema) throws(UPERError) -> CV2XSchema in
            try decode(uper: buffer, schema: schema)
            return schema
        }
    }

    /// The last frame decoded with `schema`, as a `CV2XFrame` (a copy); `nil` before the first
    /// decode with that set and after a failed one.
    public func frame(of schema: CV2XSchema) -> CV2XFrame? {
        switch schema {
        case .csae53_2020: csae53_2020.frame.map(CV2XFrame.csae53_2020)
        case .csae53_2019: csae53_2019.frame.map(CV2XFrame.csae53_2019)
        case .csae53_2017: csae53_2017.frame.map(CV2XFrame.csae53_2017)
        }
    }
}
