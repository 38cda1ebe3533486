import Foundation
import Synchronization
import TestZoneTestSupport
import Testing
import ZeroMQ

/// CURVE with a ZAP handler over real tcp loopback sockets: admitted keys deliver with their
/// `User-Id`, unknown keys never deliver a frame, and the decision can change while running.
@Suite(.timeLimit(.minutes(10)))
struct ZAPHandlerTests {
    /// A CURVE server PULL socket on an ephemeral loopback port.
    private func curveServer(_ context: Context, _ keys: CurveKeyPair) throws -> (Socket, String) {
        let pull = try Socket(context, .pull)
        try pull.setCurveServer(true)
        try pull.setCurveSecretKey(keys.secretKey)
        try pull.setLinger(.zero)
        try pull.bind("tcp://127.0.0.1:*")
        return (pull, try pull.lastEndpoint)
    }

    /// A CURVE client PUSH socket with `keys`, connected to `endpoint` of the server `serverKey`.
    private func curveClient(
        _ context: Context, _ keys: CurveKeyPair, server serverKey: CurveKey, _ endpoint: String
    ) throws -> Socket {
        let push = try Socket(context, .push)
        try push.setCurveServerKey(serverKey)
        try push.setCurvePublicKey(keys.publicKey)
        try push.setCurveSecretKey(keys.secretKey)
        try push.setLinger(.zero)
        try push.setSendTimeout(.milliseconds(200))
        try push.connect(endpoint)
        return push
    }

    @Test func admittedKeyDeliversWithItsUserIDAndUnknownKeyNever() async throws {
        let context = try Context()
        let server = try CurveKeyPair.generate()
        let known = try CurveKeyPair.generate()
        let stranger = try CurveKeyPair.generate()
        let seen = Mutex<[ZAPRequest]>([])
        let zap = try ZAPHandler(context: context) { request in
            seen.withLock { $0.append(request) }
            guard request.curvePublicKey == known.publicKey else { return .deny(reason: "unknown key") }
            return .allow(userID: "rsu-1")
        }
        defer { zap.stop() }

        try await onThread {
            let (pull, endpoint) = try curveServer(context, server)
            try pull.setReceiveTimeout(.seconds(5))
            // The stranger connects first; its frames are queued client-side but never delivered.
            let intruder = try curveClient(context, stranger, server: server.publicKey, endpoint)
            _ = try? intruder.send(multipart: ["cv2x/rsu-2", "spoofed"].map { Array($0.utf8) })
            let push = try curveClient(context, known, server: server.publicKey, endpoint)
            try push.send(multipart: ["cv2x/rsu-1", "genuine"].map { Array($0.utf8) })

            var frames = MultipartMessage()
            #expect(try pull.receive(into: &frames))
            #expect(frames.string(ofPart: 1) == "genuine")
            #expect(frames.metadata("User-Id") == "rsu-1")
            #expect(frames.metadata("Peer-Address") == "127.0.0.1")
            #expect(frames.metadata("no such property") == nil)
            #expect(frames.metadata("User-Id", ofPart: 7) == nil)
            #expect(frames.withMetadata("User-Id") { $0.map { String(cString: $0) } } == "rsu-1")
            #expect(frames.withMetadata("User-Id", ofPart: 9) { $0 == nil })

            try pull.setReceiveTimeout(.milliseconds(300))
            #expect(try pull.receive(into: &frames) == false, "the unknown key delivered a frame")
            intruder.close()
            push.close()
        }
        #expect(zap.admitted >= 1)
        #expect(zap.denied >= 1)
        let requests = seen.withLock { $0 }
        #expect(requests.allSatisfy { $0.mechanism == "CURVE" && $0.address == "127.0.0.1" })
        #expect(requests.contains { $0.curvePublicKey == stranger.publicKey })
    }

    @Test func aChangedDecisionAppliesToTheNextHandshake() async throws {
        let context = try Context()
        let server = try CurveKeyPair.generate()
        let old = try CurveKeyPair.generate()
        let rotated = try CurveKeyPair.generate()
        let allowed = Mutex<Set<CurveKey>>([old.publicKey])
        let zap = try ZAPHandler(context: context) { request in
            guard let key = request.curvePublicKey, allowed.withLock({ $0.contains(key) }) else {
                return .deny(reason: "not in the zone's key list")
            }
            return .allow(userID: key.z85)
        }
        defer { zap.stop() }

        try await onThread {
            let (pull, endpoint) = try curveServer(context, server)
            try pull.setReceiveTimeout(.seconds(5))
            var frames = MultipartMessage()
            let first = try curveClient(context, old, server: server.publicKey, endpoint)
            try first.send(multipart: ["jt808/013800000001", "before"].map { Array($0.utf8) })
            #expect(try pull.receive(into: &frames))
            #expect(frames.metadata("User-Id") == old.publicKey.z85)

            // The key is rotated: the new key is admitted, the old one is refused from now on.
            allowed.withLock { $0 = [rotated.publicKey] }
            let second = try curveClient(context, rotated, server: server.publicKey, endpoint)
            try second.send(multipart: ["jt808/013800000001", "after"].map { Array($0.utf8) })
            #expect(try pull.receive(into: &frames))
            #expect(frames.string(ofPart: 1) == "after")
            #expect(frames.metadata("User-Id") == rotated.publicKey.z85)

            let retired = try curveClient(context, old, server: server.publicKey, endpoint)
            _ = try? retired.send(multipart: ["jt808/013800000001", "retired"].map { Array($0.utf8) })
            try pull.setReceiveTimeout(.milliseconds(300))
            #expect(try pull.receive(into: &frames) == false, "a retired key delivered a frame")
            for socket in [first, second, retired] { socket.close() }
        }
    }

    @Test func secondHandlerOnTheSameContextIsRefusedAndStopIsIdempotent() throws {
        let context = try Context()
        let zap = try ZAPHandler(context: context) { _ in .deny(reason: "nobody") }
        #expect(throws: ZeroMQError.self) {
            _ = try ZAPHandler(context: context) { _ in .allow(userID: "") }
        }
        zap.stop()
        zap.stop()
        // Once stopped, the endpoint is free again.
        let replacement = try ZAPHandler(context: context) { _ in .allow(userID: "") }
        replacement.stop()
    }

    @Test func malformedRequestsGetStatus500() async throws {
        let context = try Context()
        let zap = try ZAPHandler(context: context) { _ in .allow(userID: "x") }
        defer { zap.stop() }
        try await onThread {
            let request = try Socket(context, .req)
            try request.setLinger(.zero)
            try request.setReceiveTimeout(.seconds(5))
            try request.connect(ZAPHandler.endpoint)
            try request.send(multipart: [Array("2.0".utf8), Array("7".utf8)])
            var reply = MultipartMessage()
            #expect(try request.receive(into: &reply))
            #expect(reply.count == 6)
            #expect(reply.string(ofPart: 1) == "7")
            #expect(reply.string(ofPart: 2) == "500")
            request.close()
        }
        #expect(zap.malformed == 1)
        #expect(zap.admitted == 0)
    }
}
