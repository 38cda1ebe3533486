import Foundation
import Recording
import TestZoneTestSupport
import Testing
import ZeroMQ
import Zone

@testable import Pipeline

/// `testzone ingest --curve-secret-key` over real tcp loopback with real keys: only the zone's
/// `[[sources]]` deliver, each only on its own topics, and a rotated key takes effect on reload.
@Suite("CURVE sources", .serialized)
struct CurveIngestTests {
    /// Key files and a zone.toml with `[[sources]]` beside a simulated run.
    struct KeyedZone {
        let server = try! CurveKeyPair.generate()
        let rsuGateway = try! CurveKeyPair.generate()
        let terminalGateway = try! CurveKeyPair.generate()
        let spoofer = try! CurveKeyPair.generate()
        let stranger = try! CurveKeyPair.generate()
        let zone: ZoneConfiguration
        let rsuTopics: [String]

        init(simulated: SimulatedRun) throws {
            var zone = try ZoneConfiguration.load(contentsOf: URL(fileURLWithPath: simulated.zone))
            rsuTopics = zone.rsus.map { "cv2x/\($0.id)" }
            try #require(rsuTopics.count >= 2)
            zone.sources = [
                ZoneSource(name: "rsu-gateway", publicKey: rsuGateway.publicKey.z85, topics: rsuTopics),
                ZoneSource(
                    name: "terminal-gateway", publicKey: terminalGateway.publicKey.z85, topics: ["jt808/"]),
                // Listed, but only for the first RSU's topic.
                ZoneSource(name: "rsu-first", publicKey: spoofer.publicKey.z85, topics: [rsuTopics[0]]),
            ]
            self.zone = zone
        }

        /// Writes zone.toml and the server's secret certificate (0600) into `directory`.
        func write(into directory: URL) throws -> (zone: String, serverKey: String) {
            let zonePath = directory.appendingPathComponent("zone-keys.toml").path
            try zone.tomlText().write(toFile: zonePath, atomically: true, encoding: .utf8)
            let keyPath = directory.appendingPathComponent("ingest.key_secret").path
            let text = CurveCertificate(publicKey: server.publicKey, secretKey: server.secretKey)
                .text(includingSecret: true)
            #expect(
                FileManager.default.createFile(
                    atPath: keyPath, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]))
            return (zonePath, keyPath)
        }

        /// A CURVE PUSH gateway with `keys`.
        func gateway(_ keys: CurveKeyPair, endpoint: String) throws -> Gateway {
            try Gateway(endpoint: endpoint) { socket in
                try socket.setCurveServerKey(server.publicKey)
                try socket.setCurvePublicKey(keys.publicKey)
                try socket.setCurveSecretKey(keys.secretKey)
                // An unadmitted gateway never completes the handshake: do not wait for it at exit.
                try socket.setLinger(.milliseconds(200))
            }
        }
    }

    @Test(
        "unknown keys never deliver; a listed key is rejected off its topics; accounting closes; replay agrees"
    )
    func sourcesAreAuthenticatedAndAttributed() async throws {
        let simulated = try await SimulatedRun.make(duration: 60, vehicles: 2)
        defer { try? FileManager.default.removeItem(at: simulated.directory) }
        let keys = try KeyedZone(simulated: simulated)
        let (zonePath, serverKey) = try keys.write(into: simulated.directory)
        let messages = try simulated.messages()
        let cv2x = messages.filter { $0[0].starts(with: Array("cv2x/".utf8)) }
        let jt808 = messages.filter { !$0[0].starts(with: Array("cv2x/".utf8)) }
        // The spoofer sends real frames of the first RSU under the second RSU's topic.
        let spoofed = cv2x.prefix(25).map { [Array(keys.rsuTopics[1].utf8), $0[1], $0[2]] }
        let own = cv2x.filter { $0[0] == Array(keys.rsuTopics[0].utf8) }.prefix(5).map { $0 }

        let instance = try IngestInstance(zone: zonePath)
        defer { try? FileManager.default.removeItem(at: instance.directory) }
        let run = try instance.start(map: simulated.recording, extra: ["--curve-secret-key", serverKey])

        let stranger = try keys.gateway(keys.stranger, endpoint: instance.endpoint)
        for message in cv2x.prefix(50) { try stranger.send(message) }
        let rsus = try keys.gateway(keys.rsuGateway, endpoint: instance.endpoint)
        let terminals = try keys.gateway(keys.terminalGateway, endpoint: instance.endpoint)
        let spoofer = try keys.gateway(keys.spoofer, endpoint: instance.endpoint)
        for message in cv2x { try rsus.send(message) }
        for message in jt808 { try terminals.send(message) }
        for message in spoofed { try spoofer.send(message) }
        for message in own { try spoofer.send(message) }
        let expected = Int64(messages.count + spoofed.count + own.count)
        try await waitUntil("all admitted frames committed") {
            DatabaseView.liveFrames(instance.database) >= expected
        }
        // Give the stranger's frames every chance to (wrongly) arrive.
        try await Task.sleep(for: .milliseconds(500))
        run.signal(SIGINT)
        let outcome = try await run.finish(timeout: .seconds(60))
        for gateway in [stranger, rsus, terminals, spoofer] { gateway.close() }
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardError.contains("refused a source with an unknown key"))
        #expect(outcome.standardError.contains(keys.stranger.publicKey.z85))
        #expect(
            outcome.standardError.contains("rejecting frames of a source on a topic its key may not publish"))

        let database = instance.database
        #expect(DatabaseView.liveFrames(database) == expected, "the unknown key delivered frames")
        #expect(
            try DatabaseView.scalar(
                database,
                "SELECT COALESCE(SUM(count), 0) FROM rejected_reasons WHERE reason = 'unauthorized source'")
                == Int64(spoofed.count))
        #expect(
            try DatabaseView.scalar(
                database,
                "SELECT COUNT(*) FROM rejected_frames WHERE reason LIKE 'unauthorized source:%' AND topic = '\(keys.rsuTopics[1])'"
            )
                == Int64(spoofed.count))
        // Accounting closes per source, unauthorized frames included.
        #expect(
            try DatabaseView.scalar(
                database, "SELECT COUNT(*) FROM data_health WHERE received != decoded + rejected + duplicates"
            ) == 0)
        #expect(try DatabaseView.scalar(database, "SELECT SUM(received) FROM data_health") == expected)

        // The decision is journaled: a replay of the journal rejects exactly the same frames.
        let replayed = try instance.replayJournal(configuration: try simulated.configuration())
        let live = try DatabaseView.contents(database)
        let again = try DatabaseView.contents(replayed)
        for table in ["rejected_reasons", "data_health", "events", "vehicle_daily"] {
            #expect(live[table] == again[table], "\(table) differs between live and replay")
        }
    }

    @Test("a rotated key takes effect on SIGHUP: the new key delivers, the retired one never again")
    func rotatedKeyTakesEffectOnReload() async throws {
        let simulated = try await SimulatedRun.make(duration: 30, vehicles: 1)
        defer { try? FileManager.default.removeItem(at: simulated.directory) }
        let keys = try KeyedZone(simulated: simulated)
        let (zonePath, serverKey) = try keys.write(into: simulated.directory)
        let jt808 = try simulated.messages().filter { $0[0].starts(with: Array("jt808/".utf8)) }
        try #require(jt808.count >= 20)

        let instance = try IngestInstance(zone: zonePath)
        defer { try? FileManager.default.removeItem(at: instance.directory) }
        let run = try instance.start(map: simulated.recording, extra: ["--curve-secret-key", serverKey])
        let before = try keys.gateway(keys.terminalGateway, endpoint: instance.endpoint)
        for message in jt808.prefix(10) { try before.send(message) }
        try await waitUntil("first frames") { DatabaseView.liveFrames(instance.database) >= 10 }
        before.close()

        // Rotate the terminal gateway's key.
        let rotated = try CurveKeyPair.generate()
        var zone = keys.zone
        zone.sources[1].publicKey = rotated.publicKey.z85
        try zone.tomlText().write(toFile: zonePath, atomically: true, encoding: .utf8)
        run.signal(SIGHUP)
        try await waitUntil("reload applied") {
            run.standardErrorSoFar.contains("zone configuration reloaded")
        }

        let retired = try keys.gateway(keys.terminalGateway, endpoint: instance.endpoint)
        for message in jt808[10..<15] { try retired.send(message) }
        let after = try keys.gateway(rotated, endpoint: instance.endpoint)
        for message in jt808[15..<20] { try after.send(message) }
        // The reload itself is journaled as one message of the ingest's own.
        try await waitUntil("rotated key's frames") { DatabaseView.liveFrames(instance.database) >= 16 }
        try await Task.sleep(for: .milliseconds(500))
        run.signal(SIGINT)
        let outcome = try await run.finish(timeout: .seconds(60))
        for gateway in [retired, after] { gateway.close() }
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(DatabaseView.liveFrames(instance.database) == 16, "the retired key delivered frames")
    }

    @Test("CURVE needs [[sources]] and a private secret key file")
    func misconfigurationIsRefused() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "curve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let zonePath = directory.appendingPathComponent("zone.toml").path
        try FileManager.default.copyItem(atPath: try demoZone(), toPath: zonePath)
        let keyPath = directory.appendingPathComponent("ingest.key_secret").path
        let pair = try CurveKeyPair.generate()
        try CurveCertificate(publicKey: pair.publicKey, secretKey: pair.secretKey).text(includingSecret: true)
            .write(toFile: keyPath, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyPath)
        let instance = try IngestInstance(zone: zonePath)
        defer { try? FileManager.default.removeItem(at: instance.directory) }
        let noSources = try await instance.start(
            map: try demoRecording(), extra: ["--curve-secret-key", keyPath]
        )
        .finish(timeout: .seconds(60))
        #expect(noSources.status == 2)
        #expect(noSources.standardError.contains("testzone ingest: error: CURVE without sources ("))

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: keyPath)
        let exposed = try await instance.start(
            map: try demoRecording(), extra: ["--curve-secret-key", keyPath]
        )
        .finish(timeout: .seconds(60))
        #expect(exposed.status == 2)
        #expect(exposed.standardError.contains("error: secret key file is readable by others ("))
        // Nothing was created by the refused starts.
        #expect(!FileManager.default.fileExists(atPath: instance.database))
    }

    @Test(
        "record and tap as CURVE servers: a client with the server's key delivers every frame, a wrong key none"
    )
    func recordAndTapWithCurve() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "curve-record-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let keys = directory.appendingPathComponent("keys").path
        for name in ["server", "source", "other-server"] {
            let made = try await TestZoneBinary.run(["keys", "generate", name, "--dir", keys])
            try #require(made.status == 0, "keys generate: \(made.standardError)")
        }
        let demo = try demoRecording()
        let expected = try #require(try Recording.MCAPReader(path: demo).summary?.statistics?.messageCount)

        // record --listen with the server's key pair; replay --push as a CURVE client.
        let endpoint = try freeEndpoint()
        let output = directory.appendingPathComponent("recorded.mcap").path
        let record = try TestZoneBinary.Run([
            "record", "--listen", endpoint, "-o", output, "--quiet", "--curve-secret-key",
            "\(keys)/server.key_secret",
        ])
        let replay = try await TestZoneBinary.run([
            "replay", demo, "--push", endpoint, "--speed", "max", "--quiet", "--curve-secret-key",
            "\(keys)/source.key_secret", "--curve-server-key", "\(keys)/server.key",
        ])
        #expect(replay.status == 0, "replay: \(replay.standardError)")
        // record may still be writing what it has received (slowly on a loaded machine): stop it
        // once its file has not grown for 2 s (it writes a chunk every second while it has data).
        var lastSize = -1
        var stableSince = ContinuousClock.now
        try await waitUntil("record has written what it received", timeout: .seconds(120)) {
            let size = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
            if size != lastSize {
                lastSize = size
                stableSince = ContinuousClock.now
            }
            return ContinuousClock.now - stableSince >= .seconds(2)
        }
        record.signal(SIGINT)
        let recorded = try await record.finish(timeout: .seconds(60))
        #expect(recorded.status == 0, "record: \(recorded.standardError)")
        #expect(try Recording.MCAPReader(path: output).summary?.statistics?.messageCount == expected)

        // tap --listen with the server's key: a client holding another server's public key never
        // completes the handshake, so tap counts nothing; one with the right key is counted.
        let tapEndpoint = try freeEndpoint()
        // A generous --duration: on a loaded 2-core machine the handshakes and the frames must
        // land inside tap's window; tap says when it listens, and only then do the gateways send.
        let tap = try TestZoneBinary.Run([
            "tap", "--listen", "--json", "--duration", "15", "--curve-secret-key",
            "\(keys)/server.key_secret",
            tapEndpoint,
        ])
        try await waitUntil("tap listens", timeout: .seconds(60)) {
            tap.standardErrorSoFar.contains("tap: listening on ")
        }
        func certificate(_ name: String) throws -> CurveCertificate {
            try CurveCertificate(text: try String(contentsOfFile: "\(keys)/\(name)", encoding: .utf8))
        }
        let source = try certificate("source.key_secret")
        let otherServer = try certificate("other-server.key")
        let rightServer = try certificate("server.key")
        // The wrong key never completes a handshake: its frames wait out the linger and are
        // dropped. The right key gets time to complete it on a loaded machine.
        for (server, count, linger) in [
            (otherServer, 50, Duration.milliseconds(1500)), (rightServer, 7, Duration.seconds(10)),
        ] {
            let gateway = try Gateway(endpoint: tapEndpoint) { socket in
                try socket.setCurveServerKey(server.publicKey)
                try socket.setCurvePublicKey(source.publicKey)
                try socket.setCurveSecretKey(try #require(source.secretKey))
                try socket.setLinger(linger)
            }
            for index in 0..<count { try gateway.send([Array("cv2x/RSU-1".utf8), [UInt8(index)]]) }
            gateway.close()
        }
        let tapped = try await tap.finish(timeout: .seconds(60))
        let totals = tapped.standardOutput.split(separator: "\n").compactMap { line -> Int? in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return object?["total_messages"] as? Int
        }
        #expect(totals.last == 7, "tap should count the 7 frames of the right key only: \(totals)")
    }

    private func demoZone() throws -> String { try repositoryFile("Replays/demo/zone.toml") }
    private func demoRecording() throws -> String { try repositoryFile("Replays/demo/demo.mcap") }

    private func repositoryFile(_ relative: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let path = root.appendingPathComponent(relative).path
        try #require(FileManager.default.fileExists(atPath: path), "missing \(relative)")
        return path
    }
}
