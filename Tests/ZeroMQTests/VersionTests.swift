import Testing
import ZeroMQ

@Suite struct VersionTests {
    @Test func linkedLibraryIsVersion4() {
        let version = LibraryVersion.current
        #expect(version.major == 4)
        #expect(version.description == "\(version.major).\(version.minor).\(version.patch)")
    }
}
