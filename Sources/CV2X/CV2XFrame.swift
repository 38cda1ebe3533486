import UPER

/// The CSAE 53 message sets this module decodes. Their `MessageFrame`s share names but differ on
/// the wire (see Tools/asn1swift/README.md and `../shared/reference/README.md`).
public enum CV2XSchema: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    // swift-format-ignore: AlwaysUseLowerCamelCase
    /// T/CSAE 53-2020 / YD/T 3709-2020 phase 1: the default.
    case csae53_2020 = "csae53-2020"
    // swift-format-ignore: AlwaysUseLowerCamelCase
    /// The 2019 interim set (still sent by RSUs deployed in 2020, notably RSI).
    case csae53_2019 = "csae53-2019"
    // swift-format-ignore: AlwaysUseLowerCamelCase
    /// T/CSAE 53-2017.
    case csae53_2017 = "csae53-2017"

    /// The order in which `auto` detection tries the sets: 2020, then 2019, then 2017.
    public static let autoOrder: [CV2XSchema] = [.csae53_2020, .csae53_2019, .csae53_2017]

    /// The set's name as used on the command line, e.g. `csae53-2020`.
    public var description: String { rawValue }

    /// Runs `decode` with this set first, then with the other sets in the `auto` order, and returns
    /// the first result. When every set fails, throws the 2020 set's error (the default set).
    func tryingSetsInAutoOrder<Result>(_ decode: (CV2XSchema) throws(UPERError) -> Result)
        throws(UPERError) -> Result
    {
        var defaultError: UPERError?
        do {
            return try decode(self)
        } catch {
            if self == .csae53_2020 { defaultError = error }
        }
        // No array per frame: the preferred set, then the static order without it.
        for schema in Self.autoOrder where schema != self {
            do {
                return try decode(schema)
            } catch {
                if schema == .csae53_2020 { defaultError = error }
            }
        }
        throw defaultError ?? UPERError(.unsupported("no schema"), bitOffset: 0)
    }
}

/// A decoded `MessageFrame` of one of the CSAE 53 sets.
///
/// The generated types live in one namespace per set (`CSAE53_2020`, `CSAE53_2019`,
/// `CSAE53_2017`); this enum is the set-agnostic handle the decode entry points return.
public enum CV2XFrame: Sendable, Hashable, JERRenderable {
    // swift-format-ignore: AlwaysUseLowerCamelCase
    /// A frame of the 2020 set.
    case csae53_2020(CSAE53_2020.MessageFrame)
    // swift-format-ignore: AlwaysUseLowerCamelCase
    /// A frame of the 2019 set.
    case csae53_2019(CSAE53_2019.MessageFrame)
    // swift-format-ignore: AlwaysUseLowerCamelCase
    /// A frame of the 2017 set.
    case csae53_2017(CSAE53_2017.MessageFrame)

    /// Decodes one complete UPER-encoded `MessageFrame` of `schema`.
    ///
    /// Errors carry the bit offset and the field path (`MessageFrame.bsmFrame.pos.lat`); more than
    /// seven bits left after the frame is a `trailingData` error.
    public init(uper buffer: UnsafeRawBufferPointer, schema: CV2XSchema) throws(UPERError) {
        switch schema {
        case .csae53_2020: self = .csae53_2020(try CSAE53_2020.MessageFrame(uper: buffer))
        case .csae53_2019: self = .csae53_2019(try CSAE53_2019.MessageFrame(uper: buffer))
        case .csae53_2017: self = .csae53_2017(try CSAE53_2017.MessageFrame(uper: buffer))
        }
    }

    /// Decodes one complete UPER-encoded `MessageFrame` of `schema` from an array.
    public init(uper bytes: [UInt8], schema: CV2XSchema) throws(UPERError) {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(UPERError) -> CV2XFrame in try CV2XFrame(uper: buffer, schema: schema) }
        }
        self = try result.get()
    }

    /// Decodes with the first set that accepts the frame, trying 2020, then 2019, then 2017.
    /// When no set accepts it, the error is the 2020 one (the default set).
    public init(autoDetecting buffer: UnsafeRawBufferPointer) throws(UPERError) {
        try self.init(autoDetecting: buffer, preferring: .csae53_2020)
    }

    /// Decodes with `preferred` first, then with the other sets in the `auto` order (2020, 2019,
    /// 2017). A stream that keeps to one set (an RSU of the 2019 set, say) then decodes each frame
    /// once instead of failing 2020 first; a frame valid in several sets takes the preferred
    /// reading. When no set accepts the frame, the error is the 2020 one, as for `auto`.
    public init(autoDetecting buffer: UnsafeRawBufferPointer, preferring preferred: CV2XSchema)
        throws(UPERError)
    {
        self = try preferred.tryingSetsInAutoOrder { (schema) throws(UPERError) in
            try CV2XFrame(uper: buffer, schema: schema)
        }
    }

    /// Decodes with the first set that accepts the frame (2020, 2019, 2017), from an array.
    public init(autoDetecting bytes: [UInt8]) throws(UPERError) {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(UPERError) -> CV2XFrame in try CV2XFrame(autoDetecting: buffer) }
        }
        self = try result.get()
    }

    /// The set this frame was decoded with.
    public var schema: CV2XSchema {
        switch self {
        case .csae53_2020: .csae53_2020
        case .csae53_2019: .csae53_2019
        case .csae53_2017: .csae53_2017
        }
    }

    /// The frame's UPER encoding (padded to whole octets).
    public func uperEncoded() throws(UPERError) -> [UInt8] {
        switch self {
        case .csae53_2020(let frame): try frame.uperEncoded()
        case .csae53_2019(let frame): try frame.uperEncoded()
        case .csae53_2017(let frame): try frame.uperEncoded()
        }
    }

    /// Renders the frame's JER (the same JSON asn1tools' `jer` codec gives for the same set).
    public func writeJER(to writer: inout JERWriter) {
        switch self {
        case .csae53_2020(let frame): frame.writeJER(to: &writer)
        case .csae53_2019(let frame): frame.writeJER(to: &writer)
        case .csae53_2017(let frame): frame.writeJER(to: &writer)
        }
    }
}
