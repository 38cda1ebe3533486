import Foundation
import Testing

@testable import Zone

/// `[[sources]]`: the CURVE keys admitted by ingest and the topics each may publish.
@Suite struct ZoneSourceTests {
    static let keyA = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
    static let keyB = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"

    static let zone =
        ZoneConfigurationTests.good + """

            [[sources]]
            name = "RSU-1"
            public_key = "\(keyA)"
            topics = ["cv2x/RSU-1"]

            [[sources]]
            name = "terminal-gateway"
            public_key = "\(keyB)"
            topics = ["jt808/"]

            """

    @Test func sourcesAreReadWithTheirTopicsAndRenderedBack() throws {
        let configuration = try ZoneConfiguration.parse(Self.zone, fileName: "zone.toml")
        #expect(
            configuration.sources == [
                ZoneSource(name: "RSU-1", publicKey: Self.keyA, topics: ["cv2x/RSU-1"]),
                ZoneSource(name: "terminal-gateway", publicKey: Self.keyB, topics: ["jt808/"]),
            ])
        let rsu = configuration.sources[0]
        #expect(rsu.mayPublish(Array("cv2x/RSU-1".utf8)))
        #expect(!rsu.mayPublish(Array("cv2x/RSU-2".utf8)))
        #expect(!rsu.mayPublish(Array("cv2x/RSU-10".utf8)), "a whole topic must not act as a prefix")
        #expect(!rsu.mayPublish(Array("cv2x/RSU".utf8)))
        #expect(!rsu.mayPublish(Array("jt808/013900000001".utf8)))
        #expect(configuration.sources[1].mayPublish(Array("jt808/013900000001".utf8)))
        #expect(
            try ZoneConfiguration.parse(configuration.tomlText(), fileName: "again.toml") == configuration)
        // A zone without keys has no sources.
        #expect(try ZoneConfiguration.parse(ZoneConfigurationTests.good, fileName: "z.toml").sources.isEmpty)
    }

    @Test(arguments: [
        ("name = \"RSU-1\"", "name = \"\"", "sources[0].name"),
        ("name = \"terminal-gateway\"", "name = \"RSU-1\"", "sources[1].name"),
        ("public_key = \"\(keyA)\"", "public_key = \"short\"", "sources[0].public_key"),
        ("public_key = \"\(keyB)\"", "public_key = \"\(keyA)\"", "sources[1].public_key"),
        ("topics = [\"cv2x/RSU-1\"]", "topics = []", "sources[0].topics"),
        ("topics = [\"cv2x/RSU-1\"]", "topics = [\"rsu/RSU-1\"]", "sources[0].topics"),
        ("topics = [\"cv2x/RSU-1\"]", "topics = \"cv2x/RSU-1\"", "sources[0].topics"),
        ("topics = [\"cv2x/RSU-1\"]", "topic = [\"cv2x/RSU-1\"]", "sources[0].topic"),
    ])
    func badSourcesAreLocated(replace: String, with replacement: String, field: String) throws {
        let text = Self.zone.replacingOccurrences(of: replace, with: replacement)
        #expect(text != Self.zone)
        do {
            _ = try ZoneConfiguration.parse(text, fileName: "keys.toml")
            Issue.record("accepted: \(replacement)")
        } catch {
            #expect(error.field == field, "\(error)")
            #expect(error.line != nil, "\(error)")
        }
    }

    @Test func z85KeyShape() {
        #expect(ZoneSource.isZ85Key(Self.keyA))
        #expect(!ZoneSource.isZ85Key(String(Self.keyA.dropLast())))
        #expect(!ZoneSource.isZ85Key(String(Self.keyA.dropLast()) + "\""))
    }
}
