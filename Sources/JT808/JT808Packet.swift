/// Message ids this module decodes.
public enum JT808MessageID {
    /// 0x0002 terminal heartbeat (empty body).
    public static let heartbeat: UInt16 = 0x0002
    /// 0x0100 terminal registration.
    public static let registration: UInt16 = 0x0100
    /// 0x0102 terminal authentication.
    public static let authentication: UInt16 = 0x0102
    /// 0x0200 location report.
    public static let locationReport: UInt16 = 0x0200
    /// 0x0704 batch upload of location data.
    public static let batchLocationUpload: UInt16 = 0x0704
}

/// A body that is kept as received instead of being decoded.
public struct RawBody: Hashable, Sendable {
    /// Why the body was not decoded.
    public enum Kind: Hashable, Sendable {
        /// The message id is not one this module decodes.
        case unsupportedMessage
        /// The body is encrypted (RSA or another scheme); it is never decoded as plain.
        case encrypted
        /// One part of a sub-packaged message; the parts must be reassembled before decoding.
        case subPackage
    }

    /// Why the body was not decoded.
    public var kind: Kind
    /// The body bytes as received (unescaped).
    public var bytes: [UInt8]

    /// Creates a raw body.
    public init(kind: Kind, bytes: [UInt8]) {
        self.kind = kind
        self.bytes = bytes
    }

    /// True for bodies counted as unsupported: unknown message ids and encrypted bodies.
    public var isUnsupported: Bool { kind != .subPackage }
}

/// A decoded message body.
public enum JT808Body: Hashable, Sendable {
    /// 0x0002 heartbeat.
    case heartbeat
    /// 0x0100 registration.
    case registration(TerminalRegistration)
    /// 0x0102 authentication.
    case authentication(TerminalAuthentication)
    /// 0x0200 location report.
    case locationReport(LocationReport)
    /// 0x0704 batch of location reports.
    case batchLocationUpload(BatchLocationUpload)
    /// Not decoded: unknown message id, encrypted body, or one part of a sub-packaged message.
    case raw(RawBody)
}

extension JT808Body {
    /// Decodes the body in `reader.position..<reader.end` for `header` (encryption and sub-package
    /// flags decide whether it is kept raw).
    @inline(__always)
    static func decode(_ reader: inout ByteReader, header: JT808Header) throws(JT808Error) -> JT808Body {
        if header.encryption != 0 {
            return .raw(RawBody(kind: .encrypted, bytes: try reader.byteArray(reader.remaining, "body")))
        }
        if header.subPackage != nil {
            return .raw(RawBody(kind: .subPackage, bytes: try reader.byteArray(reader.remaining, "body")))
        }
        switch header.messageID {
        case JT808MessageID.locationReport:
            return .locationReport(try LocationReport.decode(&reader, end: reader.end))
        case JT808MessageID.batchLocationUpload:
            return .batchLocationUpload(try BatchLocationUpload.decode(&reader))
        case JT808MessageID.heartbeat:
            if !reader.isAtEnd { throw reader.error(.trailingBytes(count: reader.remaining)) }
            return .heartbeat
        case JT808MessageID.registration:
            return .registration(try TerminalRegistration.decode(&reader, version: header.version))
        case JT808MessageID.authentication:
            return .authentication(try TerminalAuthentication.decode(&reader, version: header.version))
        default:
            return .raw(
                RawBody(kind: .unsupportedMessage, bytes: try reader.byteArray(reader.remaining, "body")))
        }
    }

    /// Decodes a complete body (e.g. reassembled from sub-packages) for `header`; error offsets
    /// count from the first body byte.
    public static func decode(_ body: [UInt8], header: JT808Header) throws(JT808Error) -> JT808Body {
        let result = body.withUnsafeBytes { bytes in
            Result { () throws(JT808Error) in
                var reader = ByteReader(bytes, messageID: header.messageID)
                return try decode(&reader, header: header)
            }
        }
        return try result.get()
    }
}

/// A JT/T 808 packet: header and body (flags, escaping and check code are the framer's business).
public struct JT808Packet: Hashable, Sendable {
    /// The header.
    public var header: JT808Header
    /// The body.
    public var body: JT808Body

    /// Creates a packet.
    public init(header: JT808Header, body: JT808Body) {
        self.header = header
        self.body = body
    }

    /// Decodes unescaped packet content: header and body, without flags and without the check code
    /// (as ``JT808Framer`` hands it over). Error offsets count from the first header byte.
    ///
    /// Location reports (0x0200) decode without allocating (see ``LocationReport``). Where only some
    /// message ids matter, ``JT808PacketView`` decodes the header and leaves the body in place.
    public init(decoding content: UnsafeRawBufferPointer) throws(JT808Error) {
        try self.init(decoding: content) { _ in .strict }
    }

    /// Decodes unescaped packet content with the location-report item convention that `items`
    /// gives for the packet's header (its terminal: per operator ICV item ids, malformed items
    /// kept raw; see ``ItemDecoding``).
    public init(
        decoding content: UnsafeRawBufferPointer, items: (JT808Header) -> ItemDecoding
    ) throws(JT808Error) {
        var reader = ByteReader(content)
        let (header, declaredLength) = try JT808Header.decode(&reader)
        if declaredLength != reader.remaining {
            throw reader.error(.bodyLengthMismatch(declared: declaredLength, actual: reader.remaining))
        }
        self.header = header
        reader.items = items(header)
        body = try JT808Body.decode(&reader, header: header)
    }

    /// Decodes unescaped packet content (header and body, no check code) from an array.
    public init(decoding content: [UInt8]) throws(JT808Error) {
        let result = content.withUnsafeBytes { bytes in
            Result { () throws(JT808Error) in try JT808Packet(decoding: bytes) }
        }
        self = try result.get()
    }

    /// Decodes exactly one framed packet: `0x7E`, escaped content and check code, `0x7E`.
    /// Framing errors (escape, check code, missing flags, extra bytes) are reported like the framer's.
    public init(framed bytes: [UInt8]) throws(JT808Error) {
        var framer = JT808Framer(maximumPacketLength: max(bytes.count, 16))
        var result: Result<JT808Packet, JT808Error>?
        var count = 0
        bytes.withUnsafeBytes { chunk in
            framer.append(chunk) { event in
                count += 1
                guard count == 1 else { return }
                switch event {
                case .packet(let content, _):
                    do throws(JT808Error) {
                        result = .success(try JT808Packet(decoding: content))
                    } catch {
                        result = .failure(error)
                    }
                case .error(let error):
                    result = .failure(error)
                }
            }
        }
        framer.finish { event in
            if case .error(let error) = event, result == nil { result = .failure(error) }
        }
        guard let result else {
            throw JT808Error(offset: 0, reason: .packetTooShort(length: 0))
        }
        if count > 1, case .success(let packet) = result {
            throw JT808Error(
                offset: 0, messageID: packet.header.messageID, reason: .trailingBytes(count: count - 1))
        }
        self = try result.get()
    }

    // MARK: Encoding

    /// The unescaped content: header (with the body length computed) and body, no check code.
    public func encodedContent() throws(JT808Error) -> [UInt8] {
        var body = ByteWriter(capacity: 64)
        do {
            try encodeBody(into: &body)
        } catch {
            throw JT808Error(offset: error.offset, messageID: header.messageID, reason: error.reason)
        }
        var writer = ByteWriter(capacity: body.count + 24)
        try header.encode(bodyLength: body.count, into: &writer)
        writer.append(body.bytes)
        return writer.bytes
    }

    /// The packet on the wire: 0x7E, escaped header + body + check code, 0x7E.
    public func encoded() throws(JT808Error) -> [UInt8] {
        JT808Escaping.frame(try encodedContent())
    }

    /// The encoded body alone (any length; the header's 10-bit length limit is not applied).
    public func encodedBody() throws(JT808Error) -> [UInt8] {
        var body = ByteWriter(capacity: 64)
        do {
            try encodeBody(into: &body)
        } catch {
            throw JT808Error(offset: error.offset, messageID: header.messageID, reason: error.reason)
        }
        return body.bytes
    }

    /// Encodes the packet as sub-packages of at most `maximumBodyLength` body bytes each: parts
    /// 1...n carry the header's sub-package fields and consecutive serial numbers starting at
    /// `header.serial`. A body that fits in one part still becomes one part (total 1).
    public func encodedSubPackages(maximumBodyLength: Int = JT808Header.maximumBodyLength) throws(JT808Error)
        -> [[UInt8]]
    {
        let limit = min(max(maximumBodyLength, 1), JT808Header.maximumBodyLength)
        let body = try encodedBody()
        let total = max((body.count + limit - 1) / limit, 1)
        guard total <= Int(UInt16.max) else {
            throw JT808Error(
                offset: 0, messageID: header.messageID,
                reason: .notEncodable(field: "body", detail: "needs \(total) sub-packages, more than 65535"))
        }
        var parts: [[UInt8]] = []
        for index in 0..<total {
            var partHeader = header
            partHeader.subPackage = JT808SubPackage(total: UInt16(total), index: UInt16(index + 1))
            partHeader.serial = header.serial &+ UInt16(index)
            let slice = Array(body[min(index * limit, body.count)..<min((index + 1) * limit, body.count)])
            var writer = ByteWriter(capacity: slice.count + 24)
            try partHeader.encode(bodyLength: slice.count, into: &writer)
            writer.append(slice)
            parts.append(JT808Escaping.frame(writer.bytes))
        }
        return parts
    }

    private func encodeBody(into writer: inout ByteWriter) throws(JT808Error) {
        switch body {
        case .heartbeat:
            break
        case .registration(let registration):
            try registration.encode(into: &writer, version: header.version)
        case .authentication(let authentication):
            try authentication.encode(into: &writer, version: header.version)
        case .locationReport(let report):
            try report.encode(into: &writer)
        case .batchLocationUpload(let batch):
            try batch.encode(into: &writer)
        case .raw(let raw):
            writer.append(raw.bytes)
        }
    }
}

/// A packet whose header is decoded and whose body is still the bytes in place: the cheapest way
/// to look at the message id and terminal, and to decode only the bodies that matter.
///
/// The view borrows `content`, so it is only valid while those bytes are (e.g. inside a
/// ``JT808Framer`` callback).
public struct JT808PacketView {
    /// The decoded header.
    public let header: JT808Header
    /// The whole unescaped content: header and body, no check code.
    public let content: UnsafeRawBufferPointer
    /// Offset of the first body byte in `content`.
    public let bodyOffset: Int

    /// Decodes the header and checks the declared body length against the bytes present.
    public init(content: UnsafeRawBufferPointer) throws(JT808Error) {
        var reader = ByteReader(content)
        let (header, declaredLength) = try JT808Header.decode(&reader)
        if declaredLength != reader.remaining {
            throw reader.error(.bodyLengthMismatch(declared: declaredLength, actual: reader.remaining))
        }
        self.header = header
        self.content = content
        self.bodyOffset = reader.position
    }

    /// The body bytes.
    public var body: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: content[bodyOffset...]) }

    /// True when the body is plain (not encrypted) and complete (not one part of a sub-packaged message).
    public var isPlainAndComplete: Bool { header.encryption == 0 && header.subPackage == nil }

    /// Decodes the body according to the message id (error offsets count from the first header byte).
    public func decodeBody() throws(JT808Error) -> JT808Body {
        var reader = ByteReader(content, from: bodyOffset, messageID: header.messageID)
        return try JT808Body.decode(&reader, header: header)
    }

    /// True when the body is a location report that ``decodeLocationReport()`` can decode:
    /// message 0x0200, plain and complete.
    public var isLocationReport: Bool {
        header.messageID == JT808MessageID.locationReport && isPlainAndComplete
    }

    /// Decodes the body as a location report in place, without going through ``JT808Body`` (the
    /// hot path: no allocation, no copy of the report). Throws `unexpectedMessage` unless
    /// ``isLocationReport``.
    public func decodeLocationReport() throws(JT808Error) -> LocationReport {
        guard isLocationReport else {
            throw JT808Error(
                offset: 0, messageID: header.messageID,
                reason: .unexpectedMessage(expected: JT808MessageID.locationReport))
        }
        var reader = ByteReader(content, from: bodyOffset, messageID: header.messageID)
        return try LocationReport.decode(&reader, end: reader.end)
    }
}

/// Check code and escaping of JT/T 808 frames.
public enum JT808Escaping {
    /// The flag byte that starts and ends every packet.
    public static let flag: UInt8 = 0x7E
    /// The escape byte: 0x7D 0x01 stands for 0x7D, 0x7D 0x02 for 0x7E.
    public static let escape: UInt8 = 0x7D

    /// XOR of all bytes: the check code of packet content (header and body).
    public static func checkCode(_ content: some Sequence<UInt8>) -> UInt8 {
        content.reduce(0, ^)
    }

    /// Frames unescaped content: appends the check code, escapes, and adds the flags.
    public static func frame(_ content: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(content.count + content.count / 8 + 4)
        out.append(flag)
        for byte in content { appendEscaped(byte, to: &out) }
        appendEscaped(checkCode(content), to: &out)
        out.append(flag)
        return out
    }

    private static func appendEscaped(_ byte: UInt8, to out: inout [UInt8]) {
        switch byte {
        case flag: out.append(contentsOf: [escape, 0x02])
        case escape: out.append(contentsOf: [escape, 0x01])
        default: out.append(byte)
        }
    }

    /// The offset in escaped `wire` bytes of unescaped content offset `contentOffset`, for a packet
    /// whose opening flag is at `flagOffset`. Used to point error messages at the bytes as received.
    public static func wireOffset(ofContentOffset contentOffset: Int, flagOffset: Int, in wire: [UInt8])
        -> Int
    {
        var position = flagOffset + 1
        var unescaped = 0
        while position < wire.count, unescaped < contentOffset {
            position += wire[position] == escape ? 2 : 1
            unescaped += 1
        }
        return min(position, wire.count)
    }
}
