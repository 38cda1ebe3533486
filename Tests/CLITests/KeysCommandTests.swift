import Foundation
import TestZoneTestSupport
import Testing
import ZeroMQ

/// `testzone keys generate` / `keys show` with the real binary and real files.
@Suite(.timeLimit(.minutes(10)))
struct KeysCommandTests {
    /// A fresh directory under the temporary directory, removed by `body`'s end.
    func withDirectory(_ body: (URL) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tz-keys-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await body(directory)
    }

    func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int)
    }

    @Test func generateWritesAPublicAndASecretCertificate() async throws {
        try await withDirectory { directory in
            let outcome = try await TestZoneBinary.run([
                "keys", "generate", "rsu-0001", "--dir", directory.path,
            ])
            #expect(outcome.status == 0, "\(outcome.standardError)")
            let publicPath = directory.appendingPathComponent("rsu-0001.key").path
            let secretPath = directory.appendingPathComponent("rsu-0001.key_secret").path
            #expect(try mode(secretPath) == 0o600)
            #expect(try mode(publicPath) == 0o644)
            let secret = try CurveCertificate(text: String(contentsOfFile: secretPath, encoding: .utf8))
            let pair = try #require(secret.keyPair)
            let published = try CurveCertificate(text: String(contentsOfFile: publicPath, encoding: .utf8))
            #expect(published.publicKey == pair.publicKey)
            #expect(published.secretKey == nil)
            #expect(outcome.standardOutput.contains("public key \(pair.publicKey.z85)"))

            // `show` prints the public key of either file.
            for path in [publicPath, secretPath] {
                let shown = try await TestZoneBinary.run(["keys", "show", path])
                #expect(shown.status == 0)
                #expect(shown.standardOutput == pair.publicKey.z85 + "\n")
            }

            // An existing pair is never overwritten without --force.
            let again = try await TestZoneBinary.run([
                "keys", "generate", "rsu-0001", "--dir", directory.path,
            ])
            #expect(again.status == 2)
            #expect(again.standardError.hasPrefix("testzone keys generate: error: file exists ("))
            #expect(
                try CurveCertificate(text: String(contentsOfFile: secretPath, encoding: .utf8)).keyPair
                    == pair)
            let forced = try await TestZoneBinary.run([
                "keys", "generate", "rsu-0001", "--dir", directory.path, "--force",
            ])
            #expect(forced.status == 0)
            #expect(
                try CurveCertificate(text: String(contentsOfFile: secretPath, encoding: .utf8)).keyPair
                    != pair)
        }
    }

    @Test func showRefusesMissingForeignAndExposedFiles() async throws {
        try await withDirectory { directory in
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let missing = try await TestZoneBinary.run([
                "keys", "show", directory.appendingPathComponent("nope.key").path,
            ])
            #expect(missing.status == 2)
            #expect(missing.standardError.contains("error: no such key file ("))

            let asDirectory = try await TestZoneBinary.run(["keys", "show", directory.path])
            #expect(asDirectory.status == 2)
            #expect(asDirectory.standardError.contains("error: not a key file ("))

            let foreign = directory.appendingPathComponent("notes.txt")
            try "hello\n".write(to: foreign, atomically: true, encoding: .utf8)
            let notKey = try await TestZoneBinary.run(["keys", "show", foreign.path])
            #expect(notKey.status == 2)
            #expect(notKey.standardError.contains("error: not a CURVE certificate ("))

            _ = try await TestZoneBinary.run(["keys", "generate", "gw", "--dir", directory.path])
            let secretPath = directory.appendingPathComponent("gw.key_secret").path
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: secretPath)
            let exposed = try await TestZoneBinary.run(["keys", "show", secretPath])
            #expect(exposed.status == 2)
            #expect(exposed.standardError.contains("error: secret key file is readable by others ("))
        }
    }
}
