import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A minimal HTTP/1.1 client over a POSIX socket on 127.0.0.1 (real requests to a real server;
/// no proxy, no connection reuse): plain requests and Server-Sent Events streams.
final class LoopbackConnection {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(fd)
            throw Failure(description: "connect to 127.0.0.1:\(port): errno \(errno)")
        }
    }

    deinit { close(fd) }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard n > 0 else { throw Failure(description: "send: errno \(errno)") }
            offset += n
        }
    }

    /// Reads more bytes into the buffer; false at end of stream or timeout.
    private func fill(deadline: Date) throws -> Bool {
        let remaining = deadline.timeIntervalSinceNow
        guard remaining > 0 else { return false }
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, Int32(remaining * 1000) + 1) > 0 else { return false }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return false }
        buffer += chunk[..<n]
        return true
    }

    private func line(deadline: Date) throws -> String? {
        while true {
            if let index = buffer.firstIndex(of: 10) {
                var line = Array(buffer[..<index])
                buffer.removeFirst(index + 1)
                if line.last == 13 { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            guard try fill(deadline: deadline) else { return nil }
        }
    }

    private func bytes(_ count: Int, deadline: Date) throws -> [UInt8]? {
        while buffer.count < count { guard try fill(deadline: deadline) else { return nil } }
        defer { buffer.removeFirst(count) }
        return Array(buffer[..<count])
    }

    /// Sends a request (GET unless told) and reads the status line and headers.
    func request(
        _ path: String, method: String = "GET", headers: [String: String] = [:], timeout: TimeInterval = 20
    ) throws -> (status: Int, headers: [String: String]) {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if method == "POST" { text += "Content-Length: 0\r\n" }
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        try send(text + "\r\n")
        let deadline = Date().addingTimeInterval(timeout)
        guard let statusLine = try line(deadline: deadline) else {
            throw Failure(description: "no response to \(path)")
        }
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else {
            throw Failure(description: "bad status line \(statusLine)")
        }
        var fields: [String: String] = [:]
        while let header = try line(deadline: deadline), !header.isEmpty {
            if let colon = header.firstIndex(of: ":") {
                fields[header[..<colon].lowercased()] = header[header.index(after: colon)...]
                    .trimmingCharacters(in: .whitespaces)
            }
        }
        chunked = fields["transfer-encoding"]?.lowercased() == "chunked"
        return (status, fields)
    }

    private var chunked = false

    /// The next piece of the body (a chunk, or everything up to Content-Length); nil at the end.
    func bodyPiece(contentLength: Int?, timeout: TimeInterval) throws -> [UInt8]? {
        let deadline = Date().addingTimeInterval(timeout)
        if !chunked {
            guard let length = contentLength else { return nil }
            return try bytes(length, deadline: deadline)
        }
        guard let sizeLine = try line(deadline: deadline),
            let size = Int(sizeLine.split(separator: ";")[0], radix: 16)
        else { return nil }
        if size == 0 { return nil }
        let data = try bytes(size, deadline: deadline)
        _ = try line(deadline: deadline)
        return data
    }
}

/// A whole response.
struct LoopbackResponse {
    var status: Int
    var headers: [String: String]
    var body: Data

    func json() throws -> Any { try JSONSerialization.jsonObject(with: body) }
    var text: String { String(decoding: body, as: UTF8.self) }
}

enum LoopbackHTTP {
    /// GET `path` and read the whole body.
    static func get(port: Int, _ path: String, timeout: TimeInterval = 30) throws -> LoopbackResponse {
        try send(port: port, path, timeout: timeout)
    }

    /// Sends a request (with a bearer token when given) and reads the whole body.
    static func send(
        port: Int, _ path: String, method: String = "GET", token: String? = nil, timeout: TimeInterval = 30
    ) throws -> LoopbackResponse {
        let connection = try LoopbackConnection(port: port)
        var headers = ["Connection": "close"]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        let head = try connection.request(path, method: method, headers: headers, timeout: timeout)
        var body: [UInt8] = []
        let length = head.headers["content-length"].flatMap { Int($0) }
        while let piece = try connection.bodyPiece(contentLength: length, timeout: timeout) {
            body += piece
            if length != nil { break }
        }
        return LoopbackResponse(status: head.status, headers: head.headers, body: Data(body))
    }
}

/// One Server-Sent Events record.
struct SSEMessage {
    var id: String?
    var event: String?
    var data: String
}

/// An open SSE stream.
final class SSEStream {
    let connection: LoopbackConnection
    let status: Int
    private var pending = ""

    init(port: Int, path: String = "/api/v1/events/stream", lastEventID: Int64? = nil) throws {
        connection = try LoopbackConnection(port: port)
        var headers = ["Accept": "text/event-stream"]
        if let lastEventID { headers["Last-Event-ID"] = String(lastEventID) }
        status = try connection.request(path, headers: headers).status
    }

    /// The next record (comments and `retry:` skipped), or nil after `timeout` seconds.
    func next(timeout: TimeInterval) throws -> SSEMessage? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let range = pending.range(of: "\n\n") {
                let record = String(pending[..<range.lowerBound])
                pending.removeSubrange(..<range.upperBound)
                var message = SSEMessage(id: nil, event: nil, data: "")
                var hasData = false
                for line in record.split(separator: "\n", omittingEmptySubsequences: false) {
                    if line.hasPrefix("id: ") { message.id = String(line.dropFirst(4)) }
                    if line.hasPrefix("event: ") { message.event = String(line.dropFirst(7)) }
                    if line.hasPrefix("data: ") {
                        message.data += String(line.dropFirst(6))
                        hasData = true
                    }
                }
                if hasData { return message }
                continue
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0, let piece = try connection.bodyPiece(contentLength: nil, timeout: remaining)
            else {
                return nil
            }
            pending += String(decoding: piece, as: UTF8.self)
        }
    }
}
