import Foundation
import GRDB
import Synchronization
import TestZoneTestSupport
import Testing

@testable import Server

@Suite("Operations console over real sockets", .serialized)
struct ConsoleTests {
    private func json(_ port: Int, _ path: String) throws -> Any {
        let response = try LoopbackHTTP.get(port: port, path)
        #expect(response.status == 200, "GET \(path): \(response.status) \(response.text)")
        return try response.json()
    }

    /// Reads SSE records until `done` holds or nothing arrives for `quiet` seconds.
    private func collect(
        _ stream: SSEStream, quiet: TimeInterval = 5, until done: ([SSEMessage]) -> Bool = { _ in false }
    ) throws -> [SSEMessage] {
        var messages: [SSEMessage] = []
        while !done(messages), let message = try stream.next(timeout: quiet) { messages.append(message) }
        return messages
    }

    @Test(
        "ingest --http: vehicles, events in order on SSE, Last-Event-ID, Prometheus = accounting, metrics = CLI, errors"
    )
    func liveIngest() async throws {
        let simulation = try await Simulation.make(duration: 180, vehicles: 6)
        defer { simulation.remove() }
        let total = try simulation.messageCount
        let ingest = try await simulation.startIngest()
        let port = ingest.port

        // A client connected before any data sees every event as it is derived.
        let early = try SSEStream(port: port)
        #expect(early.status == 200)
        try await simulation.push(to: ingest.endpoint)
        try await waitUntil("all \(total) frames committed", timeout: .seconds(120)) {
            Database.liveFrames(simulation.database) >= total
        }
        // Prometheus frame counters follow the commits: wait for the one that saw every frame.
        try await waitUntil("Prometheus counters at \(total) frames") {
            let text = try LoopbackHTTP.get(port: port, "/metrics").text
            return prometheusValues(text, name: "testzone_frames_received_total").values.reduce(0, +)
                == Double(total)
        }

        // The register and the stream: same events, ids 1, 2, 3, ... in order.
        let register = try #require(try json(port, "/api/v1/events?since=0&limit=10000") as? [[String: Any]])
        #expect(!register.isEmpty)
        // The recording's data time (November 2026) is far from the receive time of this push:
        // RSU silence compares receive times only, so no RSU that keeps sending is reported
        // silent (the alarm used to flap on every batch, hundreds of rsu-silent/rsu-resumed pairs).
        let silent = register.filter { $0["kind"] as? String == "rsu-silent" }
        #expect(silent.count <= 4, "rsu-silent raised \(silent.count) times: \(silent.prefix(3))")
        let streamed = try collect(early) { $0.count >= register.count }
        let ids = streamed.compactMap { $0.id.flatMap { Int64($0) } }
        #expect(
            ids == Array(1...Int64(register.count)),
            "SSE ids \(ids.prefix(20))... vs \(register.count) events")
        let streamedEvents = try streamed.map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.data.utf8)) as? [String: Any])
        }
        #expect(streamedEvents.map { $0["kind"] as? String } == register.map { $0["kind"] as? String })

        // Every event type of the simulation's script arrives, per vehicle in the order of the
        // database's event register (derived independently by the metrics engine).
        let stored = try Database.rows(
            simulation.database, "SELECT vin, kind, time_us FROM events ORDER BY vin, time_us, id")
        var storedByVehicle: [String: [String]] = [:]
        for row in stored { storedByVehicle[row["vin"], default: []].append(row["kind"]) }
        var liveByVehicle: [String: [String]] = [:]
        for event in streamedEvents
        where (event["alarm"] as? Bool) == false && event["kind"] as? String != "takeover" {
            liveByVehicle[event["vin"] as? String ?? "", default: []].append(event["kind"] as? String ?? "")
        }
        #expect(liveByVehicle == storedByVehicle)
        let kinds = Set(stored.map { $0["kind"] as String })
        // (This seed's script has no MRM; MRM events go through the same comparison when present.)
        for kind in ["engagement", "disengagement", "takeover-request"] {
            #expect(kinds.contains(kind), "the simulation produced no \(kind); kinds: \(kinds.sorted())")
        }
        if kinds.contains("takeover-request") {
            #expect(streamedEvents.contains { $0["kind"] as? String == "takeover" && $0["outcome"] != nil })
        }

        // Resumption: a client that saw up to id k gets k+1, k+2, ... (nothing twice, no hole).
        let k = Int64(register.count / 2)
        let resumed = try SSEStream(port: port, lastEventID: k)
        let rest = try collect(resumed, quiet: 3) { $0.count >= register.count - Int(k) }
        #expect(rest.compactMap { $0.id.flatMap { Int64($0) } } == Array((k + 1)...Int64(register.count)))
        #expect(rest.allSatisfy { $0.event == nil })

        // Vehicles and their states: the registry's six, each with its last fix and the state
        // of the database's last mode segment.
        let vehicles = try #require(try json(port, "/api/v1/vehicles") as? [[String: Any]])
        #expect(vehicles.count == 6)
        let segments = try Database.rows(
            simulation.database,
            """
            SELECT vin, status_name, level FROM mode_segments m
            WHERE end_us = (SELECT MAX(end_us) FROM mode_segments n WHERE n.vin = m.vin)
            """)
        let names = [
            "off": "off", "available": "available", "active": "active",
            "takeoverRequested": "takeover-requested", "minimalRiskManoeuvre": "mrm",
        ]
        for vehicle in vehicles {
            let vin = try #require(vehicle["vin"] as? String)
            #expect(vehicle["lastFix"] is [String: Any], "\(vin) has no last fix")
            if let segment = segments.first(where: { $0["vin"] == vin }) {
                #expect(vehicle["state"] as? String == names[segment["status_name"] as String])
            }
            let detail = try #require(try json(port, "/api/v1/vehicles/\(vin)") as? [String: Any])
            #expect(((detail["track"] as? [Any])?.count ?? 0) > 0)
            #expect(detail["events"] is [Any])
        }

        // Prometheus frame counters equal the ingest's own accounting (data_health).
        let text = try LoopbackHTTP.get(port: port, "/metrics").text
        let frames = prometheusValues(text, name: "testzone_frames_total")
        func sum(_ result: String) -> Double {
            frames.filter { $0.key.contains("result=\"\(result)\"") }.values.reduce(0, +)
        }
        #expect(
            sum("decoded")
                == Double(try Database.scalar(simulation.database, "SELECT SUM(decoded) FROM data_health")))
        #expect(
            sum("rejected")
                == Double(try Database.scalar(simulation.database, "SELECT SUM(rejected) FROM data_health")))
        #expect(
            sum("duplicate")
                == Double(try Database.scalar(simulation.database, "SELECT SUM(duplicates) FROM data_health"))
        )
        #expect(sum("decoded") + sum("rejected") + sum("duplicate") == Double(total))
        let reasons = prometheusValues(text, name: "testzone_frames_rejected_total").values.reduce(0, +)
        #expect(
            reasons
                == Double(try Database.scalar(simulation.database, "SELECT SUM(count) FROM rejected_reasons"))
        )
        #expect(text.contains("testzone_ingest_batch_seconds_bucket"))
        #expect(text.contains("testzone_vehicles{state=\""))

        // /api/v1/metrics is `testzone metrics --json`.
        let month = try #require(
            try Database.rows(simulation.database, "SELECT MIN(month) AS m FROM vehicle_daily").first?["m"]
                as String?)
        let cli = try await TestZoneBinary.run([
            "metrics", "--db", simulation.database, "--month", month, "--json",
        ])
        #expect(cli.status == 0)
        #expect(try LoopbackHTTP.get(port: port, "/api/v1/metrics?month=\(month)").text == cli.standardOutput)
        let cliOperator = try await TestZoneBinary.run([
            "metrics", "--db", simulation.database, "--month", month, "--operator", "JDRT", "--json",
        ])
        #expect(
            try LoopbackHTTP.get(port: port, "/api/v1/metrics?month=\(month)&operator=JDRT").text
                == cliOperator.standardOutput)

        // Health and RSUs.
        let health = try #require(try json(port, "/api/v1/health") as? [String: Any])
        #expect(
            (health["received"] as? Int64).map { $0 == total } ?? ((health["received"] as? Int) == Int(total))
        )
        let rsus = try #require(try json(port, "/api/v1/rsus") as? [[String: Any]])
        #expect(rsus.count == 4)
        #expect(rsus.allSatisfy { ($0["frames"] as? Int ?? 0) > 0 })
        let zone = try #require(try json(port, "/api/v1/zone") as? [String: Any])
        #expect(((zone["roadLinks"] as? [String: Any])?["features"] as? [Any])?.isEmpty == false)

        // Bad requests: JSON errors with status and message.
        let unknown = try LoopbackHTTP.get(port: port, "/api/v1/vehicles/NOSUCHVIN")
        #expect(unknown.status == 404)
        let unknownBody = try #require((try unknown.json() as? [String: Any])?["error"] as? [String: Any])
        #expect(unknownBody["status"] as? Int == 404)
        #expect((unknownBody["message"] as? String)?.contains("NOSUCHVIN") == true)
        let badMonth = try LoopbackHTTP.get(port: port, "/api/v1/metrics?month=2026-13")
        #expect(badMonth.status == 400)
        #expect(
            ((try badMonth.json() as? [String: Any])?["error"] as? [String: Any])?["status"] as? Int == 400)
        #expect(try LoopbackHTTP.get(port: port, "/api/v1/events?limit=abc").status == 400)

        // The dashboard page is served by the binary.
        let page = try LoopbackHTTP.get(port: port, "/")
        #expect(page.status == 200 && page.text.contains("EventSource"))

        ingest.run.signal(SIGINT)
        let outcome = try await ingest.run.finish(timeout: .seconds(60))
        #expect(outcome.status == 0, "ingest: \(outcome.standardError)")

        // `testzone serve` over the same database: the same metrics JSON and event register.
        let serve = try TestZoneBinary.Run([
            "serve", "--db", simulation.database, "--config", simulation.zone, "--map", simulation.recording,
            "--http", "127.0.0.1:0",
        ])
        let servePort = try await consolePort(serve, command: "serve")
        let finalCLI = try await TestZoneBinary.run([
            "metrics", "--db", simulation.database, "--month", month, "--json",
        ])
        #expect(
            try LoopbackHTTP.get(port: servePort, "/api/v1/metrics?month=\(month)").text
                == finalCLI.standardOutput)
        let served = try #require(try json(servePort, "/api/v1/events?limit=10000") as? [[String: Any]])
        #expect(served.count == Int(try Database.scalar(simulation.database, "SELECT COUNT(*) FROM events")))
        let servedVehicles = try #require(try json(servePort, "/api/v1/vehicles") as? [[String: Any]])
        #expect(servedVehicles.count == 6)
        #expect(try LoopbackHTTP.get(port: servePort, "/api/v1/vehicles/NOSUCHVIN").status == 404)
        let servedText = try LoopbackHTTP.get(port: servePort, "/metrics").text
        #expect(
            prometheusValues(servedText, name: "testzone_frames_received_total").values.reduce(0, +)
                == Double(total))
        let thirdLast = try #require(served.dropLast(2).last?["id"] as? Int)
        let resumedFromDatabase = try SSEStream(port: servePort, lastEventID: Int64(thirdLast))
        #expect(try collect(resumedFromDatabase, quiet: 2).count == 2)
        serve.signal(SIGINT)
        let serveOutcome = try await serve.finish(timeout: .seconds(30))
        #expect(serveOutcome.status == 0, "serve: \(serveOutcome.standardError)")
    }
}

@Suite("Event register and SSE queues")
struct EventHubTests {
    private func event(_ kind: String) -> ConsoleModel.Event {
        ConsoleModel.Event(id: 0, kind: kind, alarm: false, time: "", timeMicros: 0)
    }

    @Test("a client behind the retained window gets a gap, then what is retained")
    func gap() {
        let hub = EventHub(capacity: 5, clientQueue: 100)
        hub.append((1...10).map { _ in event("engagement") })
        let subscription = hub.subscribe(lastEventID: 2)
        #expect(subscription.gap?.lastEventID == 2)
        #expect(subscription.gap?.firstRetained == 6)
        #expect(subscription.backlog.map(\.id) == [6, 7, 8, 9, 10])
        #expect(hub.events(since: 0, limit: 3).map(\.id) == [6, 7, 8])
        #expect(hub.subscribe(lastEventID: 7).gap == nil)
    }

    @Test("a client that does not read is dropped when its queue is full; appending never waits")
    func slowClient() async {
        let hub = EventHub(capacity: 100, clientQueue: 3)
        let slow = hub.subscribe(lastEventID: nil)
        let reader = hub.subscribe(lastEventID: nil)
        #expect(hub.subscriberCount == 2)
        var received: [Int64] = []
        for batch in 0..<5 {
            hub.append([event("engagement"), event("collision")])
            _ = batch
        }
        #expect(hub.droppedClients == 2)  // neither read: both queues overflowed
        var slowCount = 0
        for await _ in slow.stream { slowCount += 1 }
        #expect(slowCount == 3)
        for await event in reader.stream { received.append(event.id) }
        #expect(received == [1, 2, 3])
        #expect(hub.subscriberCount == 0)
    }

    /// Regression: `append` used to yield while holding the hub's lock, and a client task
    /// cancelled at that moment (its termination handler takes the same lock, under the
    /// runtime's task lock) deadlocked ingest at shutdown with the dashboard open.
    @Test("clients that come and go while events are appended: appending finishes, each sees ids in order")
    func clientsComeAndGo() async {
        let hub = EventHub(capacity: 1_000, clientQueue: 100_000)
        let readersDone = Atomic<Bool>(false)
        let appended = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let event = ConsoleModel.Event(id: 0, kind: "engagement", alarm: false, time: "", timeMicros: 0)
            while !readersDone.load(ordering: .relaxed) { hub.append([event]) }
            appended.signal()
        }
        await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<500 {
                // Cancelled while suspended in the stream, after its first event, as the
                // console's stream task is when a client goes away or the server stops.
                let started = Atomic<Bool>(false)
                let reader = Task {
                    var last: Int64 = 0
                    var ordered = true
                    for await event in hub.subscribe(lastEventID: nil).stream {
                        if last != 0, event.id != last + 1 { ordered = false }
                        last = event.id
                        started.store(true, ordering: .relaxed)
                    }
                    return ordered
                }
                group.addTask { await reader.value }
                while !started.load(ordering: .relaxed) { await Task.yield() }
                reader.cancel()
            }
            for await ordered in group { #expect(ordered, "a client saw ids out of order or with a hole") }
        }
        readersDone.store(true, ordering: .relaxed)
        #expect(appended.wait(timeout: .now() + 120) == .success, "append did not finish: deadlock")
        hub.close()
    }
}
