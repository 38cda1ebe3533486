import Foundation
import Testing

/// Runs the built `testzone` executable end to end, for the test targets that exercise the
/// command-line tool as a separate process (`CLITests`, `IngestTests`).
///
/// The binary is looked up in `TESTZONE_BIN`, then next to the test bundle (SwiftPM puts the
/// `testzone` product in the same folder, e.g. `.build/debug/`), then in `.build/debug` and
/// `.build/release` of the repository that holds this file.
public enum TestZoneBinary {
    /// Where the `testzone` executable is, or nil when it has not been built.
    public static let url: URL? = {
        var candidates: [URL] = []
        if let path = ProcessInfo.processInfo.environment["TESTZONE_BIN"] {
            candidates.append(URL(fileURLWithPath: path))
        }
        let runner = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        candidates.append(runner.deletingLastPathComponent().appendingPathComponent("testzone"))
        if let bundle = Bundle.main.executableURL?.deletingLastPathComponent() {
            candidates.append(bundle.appendingPathComponent("testzone"))
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/testzone"))
        candidates.append(root.appendingPathComponent(".build/release/testzone"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    /// What a finished run printed and how it ended.
    public struct Outcome: Sendable {
        /// The process's exit status (or the signal number when it was killed by one).
        public var status: Int32
        /// Everything the process wrote to standard output.
        public var standardOutput: String
        /// Everything the process wrote to standard error.
        public var standardError: String

        /// The standard output lines parsed as JSON objects (non-JSON lines are skipped).
        public var jsonLines: [[String: Any]] {
            standardOutput.split(separator: "\n").compactMap { line in
                try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            }
        }
    }

    /// A started `testzone` process whose output goes to temporary files (no pipe to drain).
    public final class Run: @unchecked Sendable {
        // @unchecked Sendable: all stored properties are constants; `process` is configured
        // before it starts and afterwards only signalled and waited for, which Foundation's
        // Process supports from any thread.
        /// The underlying process (already running once `init` returns).
        public let process = Process()
        private let outputURL: URL
        private let errorURL: URL
        private let exited = DispatchSemaphore(value: 0)

        /// Starts `testzone` with `arguments`; records a test issue and throws when the binary
        /// has not been built. With `unprivileged` and when the tests run as root, the command
        /// runs as `nobody` (``TestZoneBinary/unprivilegedPrefix``), for whom file modes count.
        public init(_ arguments: [String], environment: [String: String] = [:], unprivileged: Bool = false)
            throws
        {
            let url = try #require(TestZoneBinary.url, "testzone binary not found; run `swift build` first")
            let directory = FileManager.default.temporaryDirectory
            outputURL = directory.appendingPathComponent("testzone-\(UUID().uuidString).out")
            errorURL = directory.appendingPathComponent("testzone-\(UUID().uuidString).err")
            _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
            _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
            if unprivileged, geteuid() == 0, let prefix = TestZoneBinary.unprivilegedPrefix {
                process.executableURL = URL(fileURLWithPath: prefix[0])
                process.arguments = Array(prefix.dropFirst()) + [url.path] + arguments
            } else {
                process.executableURL = url
                process.arguments = arguments
            }
            if !environment.isEmpty {
                process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            }
            // Nothing on standard input: a command that reads it (decode without files) sees its end.
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = try FileHandle(forWritingTo: outputURL)
            process.standardError = try FileHandle(forWritingTo: errorURL)
            let exited = exited
            process.terminationHandler = { _ in exited.signal() }
            try process.run()
        }

        deinit {
            try? FileManager.default.removeItem(at: outputURL)
            try? FileManager.default.removeItem(at: errorURL)
        }

        /// Sends `signal` (e.g. SIGINT) to the process.
        public func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

        /// What the process has printed to standard output so far.
        public var standardOutputSoFar: String {
            String(decoding: (try? Data(contentsOf: outputURL)) ?? Data(), as: UTF8.self)
        }

        /// What the process has printed to standard error so far.
        public var standardErrorSoFar: String {
            String(decoding: (try? Data(contentsOf: errorURL)) ?? Data(), as: UTF8.self)
        }

        /// Waits for the process to end (terminating it after `timeout`) and collects its output.
        public func finish(timeout: Duration = .seconds(20)) async throws -> Outcome {
            let clock = ContinuousClock()
            let deadline = clock.now + timeout
            while exited.wait(timeout: .now()) == .timedOut {
                if clock.now >= deadline {
                    process.terminate()
                    Issue.record("testzone did not finish within \(timeout); terminated")
                    exited.wait()
                    break
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            return Outcome(
                status: process.terminationStatus,
                standardOutput: standardOutputSoFar,
                standardError: String(decoding: (try? Data(contentsOf: errorURL)) ?? Data(), as: UTF8.self))
        }
    }

    /// How a root test process runs a command as `nobody` (uid and gid 65534, no supplementary
    /// groups): `setpriv` (util-linux), or `nil` when it is not installed. Root reads a file of
    /// mode 000 anyway (CAP_DAC_OVERRIDE); `nobody` does not, which makes "permission denied"
    /// testable in a container that runs everything as root.
    public static let unprivilegedPrefix: [String]? = {
        for path in ["/usr/bin/setpriv", "/bin/setpriv"]
        where FileManager.default.isExecutableFile(atPath: path) {
            return [path, "--reuid=65534", "--regid=65534", "--clear-groups"]
        }
        return nil
    }()

    /// Runs `testzone` with `arguments` to completion.
    public static func run(_ arguments: [String]) async throws -> Outcome {
        try await Run(arguments).finish()
    }
}
