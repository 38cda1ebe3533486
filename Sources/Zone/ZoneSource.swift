/// A source that may publish into the zone's ingest when CURVE is on: an RSU, an OBU gateway or
/// a JT/T 808 terminal gateway, known by its CURVE public key (`[[sources]]` in `zone.toml`).
///
/// ```toml
/// [[sources]]
/// name = "RSU-JD-01"
/// public_key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"   # testzone keys show rsu-jd-01.key
/// topics = ["cv2x/RSU-JD-01"]                               # topic prefixes it may publish
/// ```
public struct ZoneSource: Sendable, Hashable, Codable {
    /// A name for logs and evidence (unique in the zone), e.g. the RSU id or the gateway's name.
    public var name: String
    /// The source's CURVE public key as 40 characters of Z85 text.
    public var publicKey: String
    /// The topics it may publish: a whole topic (`cv2x/<id>`, `jt808/<terminal>`), or a prefix
    /// ending in `/` (`jt808/` for a gateway that forwards many terminals). A whole topic matches
    /// only itself, so `cv2x/RSU-1` never admits `cv2x/RSU-10`.
    public var topics: [String]

    /// Creates a source entry.
    public init(name: String, publicKey: String, topics: [String]) {
        self.name = name
        self.publicKey = publicKey
        self.topics = topics
    }

    /// Whether this source may publish `topic`: it equals one of ``topics``, or starts with one
    /// that ends in `/`.
    public func mayPublish(_ topic: some Collection<UInt8>) -> Bool {
        topics.contains { allowed in
            allowed.utf8.last == UInt8(ascii: "/")
                ? topic.starts(with: allowed.utf8) : topic.elementsEqual(allowed.utf8)
        }
    }

    /// Whether `text` has the shape of a Z85-encoded 32-byte key: 40 characters of the Z85
    /// alphabet (ZeroMQ RFC 32).
    public static func isZ85Key(_ text: String) -> Bool {
        text.utf8.count == 40 && text.utf8.allSatisfy { z85Alphabet.contains($0) }
    }

    private static let z85Alphabet = Set(
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#".utf8)
}
