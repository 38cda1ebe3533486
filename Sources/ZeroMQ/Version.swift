import CZeroMQ

/// The version of the libzmq library this process is linked against.
public struct LibraryVersion: Sendable, Equatable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int

    /// Asks the linked libzmq for its version.
    public static var current: LibraryVersion {
        var major: Int32 = 0
        var minor: Int32 = 0
        var patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return LibraryVersion(major: Int(major), minor: Int(minor), patch: Int(patch))
    }

    public init(major: Int, minor: Int, patch: Int) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    public var description: String { "\(major).\(minor).\(patch)" }
}
