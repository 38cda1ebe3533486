import Foundation
import TestZoneTestSupport
import Testing

@testable import Server

/// Roles over real HTTP (issue 19): `ingest --http --tokens` with tokens made by
/// `testzone tokens add`; every route for every role, SSE included; 401/403 bodies; audit rows.
extension ConsoleTests {
    /// A token made by the real `testzone tokens add`.
    private func addToken(_ file: String, id: String, role: String, operatorID: String? = nil, zone: String)
        async throws -> String
    {
        var arguments = ["tokens", "add", "--file", file, "--id", id, "--role", role, "--config", zone]
        if let operatorID { arguments += ["--operator", operatorID] }
        let outcome = try await TestZoneBinary.run(arguments)
        try #require(outcome.status == 0, "tokens add: \(outcome.standardError)")
        let token = outcome.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.hasPrefix("tz_") && token.count == 46)
        return token
    }

    private func errorBody(_ response: LoopbackResponse) -> (status: Int?, message: String?) {
        let object = (try? response.json()) as? [String: Any]
        let error = object?["error"] as? [String: Any]
        return (error?["status"] as? Int, error?["message"] as? String)
    }

    @Test(
        "tokens and roles: each role sees exactly its scope on every route, SSE included; 401/403; audit rows"
    )
    func roles() async throws {
        let simulation = try await Simulation.make(duration: 120, vehicles: 6)
        defer { simulation.remove() }
        let total = try simulation.messageCount
        let tokensFile = simulation.directory.appendingPathComponent("console-tokens.toml").path

        // The simulated zone has two operators (vehicles alternate between them).
        let zoneText = try String(contentsOfFile: simulation.zone, encoding: .utf8)
        let operatorIDs = zoneText.split(separator: "\n").filter { $0.hasPrefix("[[operators]]") == false }
            .compactMap { line -> String? in
                guard line.hasPrefix("operator = ") else { return nil }
                return String(line.dropFirst("operator = ".count)).trimmingCharacters(
                    in: CharacterSet(charactersIn: "\""))
            }
        let operators = Array(Set(operatorIDs)).sorted()
        try #require(operators.count == 2, "expected two operators in \(simulation.zone)")
        let mine = operators[0]

        let operatorToken = try await addToken(
            tokensFile, id: "ops-a", role: "operator", operatorID: mine, zone: simulation.zone)
        let engineerToken = try await addToken(tokensFile, id: "eng", role: "engineer", zone: simulation.zone)
        let regulatorToken = try await addToken(
            tokensFile, id: "reg", role: "regulator", zone: simulation.zone)
        let adminToken = try await addToken(tokensFile, id: "root", role: "admin", zone: simulation.zone)
        let mode = try #require(
            try FileManager.default.attributesOfItem(atPath: tokensFile)[.posixPermissions] as? Int)
        #expect(mode & 0o777 == 0o600)
        let fileText = try String(contentsOfFile: tokensFile, encoding: .utf8)
        for token in [operatorToken, engineerToken, regulatorToken, adminToken] {
            #expect(!fileText.contains(token), "the tokens file must hold hashes only")
        }
        // Bad input: unknown operator, missing --operator, duplicate id.
        let unknown = try await TestZoneBinary.run([
            "tokens", "add", "--file", tokensFile, "--id", "x", "--role", "operator", "--operator", "NOPE",
            "--config", simulation.zone,
        ])
        #expect(unknown.status == 2 && unknown.standardError.contains("unknown operator 'NOPE'"))
        let duplicate = try await TestZoneBinary.run([
            "tokens", "add", "--file", tokensFile, "--id", "eng", "--role", "engineer",
        ])
        #expect(duplicate.status == 2 && duplicate.standardError.contains("exists"))
        let listed = try await TestZoneBinary.run(["tokens", "list", "--file", tokensFile])
        #expect(
            listed.status == 0 && listed.standardOutput.contains("ops-a")
                && listed.standardOutput.contains(mine))

        let endpoint = try freeEndpoint()
        let run = try TestZoneBinary.Run([
            "ingest", "--config", simulation.zone, "--listen", endpoint, "--db", simulation.database,
            "--journal",
            simulation.journal, "--map", simulation.recording, "--commit-seconds", "0.2", "--status-seconds",
            "0",
            "--log-level", "notice", "--http", "127.0.0.1:0", "--tokens", tokensFile,
        ])
        let port = try await consolePort(run, command: "ingest")
        // An operator's stream opened before any data: only its own vehicles' events arrive.
        let operatorStream = try SSEStream(
            port: port, path: "/api/v1/events/stream?state=1&access_token=\(operatorToken)")
        #expect(operatorStream.status == 200)
        try await simulation.push(to: endpoint)
        try await waitUntil("all \(total) frames committed", timeout: .seconds(120)) {
            Database.liveFrames(simulation.database) >= total
        }

        // Without a token, or with a wrong one: 401 with a JSON body, on every data route.
        for path in [
            "/api/v1/zone", "/api/v1/vehicles", "/api/v1/events", "/api/v1/health", "/metrics",
            "/api/v1/admin/keys",
        ] {
            let anonymous = try LoopbackHTTP.send(port: port, path)
            #expect(anonymous.status == 401, "\(path) without a token: \(anonymous.status)")
            #expect(
                errorBody(anonymous).status == 401
                    && errorBody(anonymous).message?.contains("bearer token") == true)
            #expect(anonymous.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
            let wrong = try LoopbackHTTP.send(port: port, path, token: "tz_not-a-token")
            #expect(wrong.status == 401 && errorBody(wrong).message == "unknown or revoked token")
        }

        // The engineer's view: every vehicle of both operators.
        let all = try #require(
            try LoopbackHTTP.send(port: port, "/api/v1/vehicles", token: engineerToken).json()
                as? [[String: Any]])
        let owners = Dictionary(
            all.compactMap { v in (v["vin"] as? String).map { ($0, v["operatorID"] as? String ?? "") } },
            uniquingKeysWith: { a, _ in a })
        let myVINs = Set(owners.filter { $0.value == mine }.keys)
        let otherVINs = Set(owners.filter { $0.value != mine }.keys)
        try #require(!myVINs.isEmpty && !otherVINs.isEmpty)

        // The operator: its vehicles and events only, on every route it may read.
        func operatorGet(_ path: String, expect status: Int = 200) throws -> LoopbackResponse {
            let response = try LoopbackHTTP.send(port: port, path, token: operatorToken)
            #expect(
                response.status == status, "operator \(path): \(response.status) \(response.text.prefix(200))"
            )
            for vin in otherVINs { #expect(!response.text.contains(vin), "operator saw \(vin) on \(path)") }
            return response
        }
        let vehicles = try #require(try operatorGet("/api/v1/vehicles").json() as? [[String: Any]])
        #expect(Set(vehicles.compactMap { $0["vin"] as? String }) == myVINs)
        let events = try #require(
            try operatorGet("/api/v1/events?since=0&limit=10000").json() as? [[String: Any]])
        #expect(!events.isEmpty && events.allSatisfy { myVINs.contains($0["vin"] as? String ?? "") })
        let engineerEvents = try #require(
            try LoopbackHTTP.send(port: port, "/api/v1/events?since=0&limit=10000", token: engineerToken)
                .json()
                as? [[String: Any]])
        #expect(events.count == engineerEvents.filter { myVINs.contains($0["vin"] as? String ?? "") }.count)
        _ = try operatorGet("/api/v1/events?since=0&limit=2")
        _ = try operatorGet("/api/v1/zone")
        _ = try operatorGet("/api/v1/rsus")
        _ = try operatorGet("/api/v1/vehicles/\(myVINs.sorted()[0])")
        _ = try operatorGet("/?access_token=\(operatorToken)")
        let metrics = try #require(try operatorGet("/api/v1/metrics").json() as? [String: Any])
        #expect(metrics["operatorID"] as? String == mine)
        let metricVehicles = metrics["vehicles"] as? [[String: Any]] ?? []
        #expect(!metricVehicles.isEmpty && metricVehicles.allSatisfy { $0["operatorID"] as? String == mine })
        _ = try operatorGet("/api/v1/metrics?operator=\(mine)")
        let other = otherVINs.sorted()[0]
        let hidden = try LoopbackHTTP.send(port: port, "/api/v1/vehicles/\(other)", token: operatorToken)
        #expect(hidden.status == 404)
        let otherMetrics = try LoopbackHTTP.send(
            port: port, "/api/v1/metrics?vehicle=\(other)", token: operatorToken)
        #expect(otherMetrics.status == 404)
        let otherOperator = try LoopbackHTTP.send(
            port: port, "/api/v1/metrics?operator=\(operators[1])", token: operatorToken)
        #expect(otherOperator.status == 403 && errorBody(otherOperator).status == 403)
        for path in ["/api/v1/health", "/metrics", "/api/v1/admin/keys"] {
            let refused = try LoopbackHTTP.send(port: port, path, token: operatorToken)
            #expect(
                refused.status == 403 && errorBody(refused).message?.contains("role operator") == true,
                "\(path)")
        }
        // Its stream: its own vehicles' events (all of them, in order), states without other VINs.
        // (With ?state=1 a state record comes every second: read until every event has come.)
        var streamed: [SSEMessage] = []
        let deadline = Date().addingTimeInterval(60)
        while streamed.filter({ $0.event == nil }).count < events.count
            || !streamed.contains(where: { $0.event == "state" }),
            Date() < deadline, let message = try operatorStream.next(timeout: 5)
        {
            streamed.append(message)
        }
        for message in streamed {
            for vin in otherVINs { #expect(!message.data.contains(vin), "operator's SSE carried \(vin)") }
        }
        let streamedIDs = streamed.filter { $0.event == nil }.compactMap { $0.id.flatMap { Int64($0) } }
        #expect(streamedIDs == events.compactMap { ($0["id"] as? NSNumber)?.int64Value })
        #expect(streamed.contains { $0.event == "state" })

        // Engineer, regulator, admin.
        func status(_ path: String, _ token: String, method: String = "GET") throws -> Int {
            try LoopbackHTTP.send(port: port, path, method: method, token: token).status
        }
        #expect(try status("/api/v1/health", engineerToken) == 200)
        #expect(try status("/metrics", engineerToken) == 200)
        #expect(try status("/api/v1/admin/keys", engineerToken) == 403)
        #expect(try status("/api/v1/health", regulatorToken) == 200)
        #expect(try status("/api/v1/events?since=0", regulatorToken) == 200)
        #expect(try status("/metrics", regulatorToken) == 403)
        #expect(try status("/api/v1/admin/reload", regulatorToken, method: "POST") == 403)
        let keys = try LoopbackHTTP.send(port: port, "/api/v1/admin/keys", token: adminToken)
        #expect(keys.status == 200 && keys.text.contains("\"ops-a\"") && !keys.text.contains("sha256"))
        #expect(try status("/api/v1/admin/reload", adminToken, method: "POST") == 200)

        // Revoking a token and SIGHUP: the next request with it is refused.
        let revoked = try await TestZoneBinary.run(["tokens", "revoke", "--file", tokensFile, "--id", "eng"])
        #expect(revoked.status == 0)
        run.signal(SIGHUP)
        try await waitUntil("the engineer's token refused after SIGHUP", timeout: .seconds(20)) {
            try status("/api/v1/vehicles", engineerToken) == 401
        }
        #expect(try status("/api/v1/vehicles", regulatorToken) == 200)

        run.signal(SIGINT)
        let outcome = try await run.finish(timeout: .seconds(60))
        #expect(outcome.status == 0, "ingest: \(outcome.standardError.suffix(2000))")

        // The audit log: who, what, result; never a token.
        let audit = try await TestZoneBinary.run([
            "audit", "--db", simulation.database, "--json", "--limit", "100000",
        ])
        #expect(audit.status == 0)
        let rows = audit.standardOutput.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        func count(_ token: String, _ route: String, _ status: Int) -> Int {
            rows.filter {
                $0["tokenID"] as? String == token && $0["route"] as? String == route
                    && $0["status"] as? Int == status
            }
            .count
        }
        #expect(count("ops-a", "/api/v1/health", 403) == 1)
        #expect(count("ops-a", "/api/v1/vehicles", 200) == 1)
        #expect(count("-", "/api/v1/zone", 401) == 2)
        #expect(count("root", "/api/v1/admin/reload", 200) == 1)
        #expect(
            rows.contains { $0["role"] as? String == "regulator" && $0["route"] as? String == "/metrics" })
        for token in [operatorToken, engineerToken, regulatorToken, adminToken] {
            #expect(!audit.standardOutput.contains(token), "a token leaked into the audit log")
        }
        let table = try await TestZoneBinary.run(["audit", "--db", simulation.database, "--since", "1h"])
        #expect(table.status == 0 && table.standardOutput.contains("ops-a"))
    }
}
