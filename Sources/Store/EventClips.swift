import GRDB
import Metrics

/// An event as stored in `events`, as much as an evidence clip needs to find and name it.
public struct StoredEvent: Sendable, Hashable {
    /// Row id in `events` (changes when a live commit rewrites the run's events).
    public var id: Int64
    /// The vehicle.
    public var vin: String
    /// Event kind (`collision`, `disengagement`, ...; see the Store README).
    public var kind: String
    /// Event time (data time, UTC).
    public var time: Microseconds

    /// Creates an event reference.
    public init(id: Int64, vin: String, kind: String, time: Microseconds) {
        self.id = id
        self.vin = vin
        self.kind = kind
        self.time = time
    }
}

/// An evidence clip of an event (table `event_clips`, written by `testzone clip`).
public struct EventClip: Sendable, Hashable {
    /// The event's vehicle, time and kind: the key (event row ids are not stable).
    public var vin: String
    public var time: Microseconds
    public var kind: String
    /// Path of the clip (MCAP) as written.
    public var path: String
    /// Lower-case hex SHA-256 of the clip file.
    public var sha256: String
    /// Size of the clip file in bytes.
    public var bytes: Int64
    /// Messages in the clip.
    public var messages: Int64
    /// The clip's time range (journal log time, [start, end)).
    public var start: Microseconds
    public var end: Microseconds

    /// Creates a clip record.
    public init(
        vin: String, time: Microseconds, kind: String, path: String, sha256: String, bytes: Int64,
        messages: Int64, start: Microseconds, end: Microseconds
    ) {
        self.vin = vin
        self.time = time
        self.kind = kind
        self.path = path
        self.sha256 = sha256
        self.bytes = bytes
        self.messages = messages
        self.start = start
        self.end = end
    }
}

extension ZoneStore {
    /// The event with this row id, if any.
    public func event(id: Int64) throws -> StoredEvent? {
        try pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT id, vin, kind, time_us FROM events WHERE id = ?", arguments: [id]
            )
            .map { StoredEvent(id: $0["id"], vin: $0["vin"], kind: $0["kind"], time: $0["time_us"]) }
        }
    }

    /// Events in time order, of one kind when `kind` is given (at most `limit`).
    public func storedEvents(kind: String? = nil, limit: Int = 1_000) throws -> [StoredEvent] {
        try pool.read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT id, vin, kind, time_us FROM events WHERE ? IS NULL OR kind = ? ORDER BY time_us, id LIMIT ?",
                arguments: [kind, kind, limit]
            ).map { StoredEvent(id: $0["id"], vin: $0["vin"], kind: $0["kind"], time: $0["time_us"]) }
        }
    }

    /// Stores a clip with its event (replacing an earlier clip of the same event).
    public func saveEventClip(_ clip: EventClip, at now: Microseconds) throws {
        try pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO event_clips
                    (vin, time_us, kind, path, sha256, bytes, messages, start_us, end_us, created_at_us)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(vin, time_us, kind) DO UPDATE SET path = excluded.path,
                      sha256 = excluded.sha256, bytes = excluded.bytes, messages = excluded.messages,
                      start_us = excluded.start_us, end_us = excluded.end_us,
                      created_at_us = excluded.created_at_us
                    """,
                arguments: [
                    clip.vin, clip.time, clip.kind, clip.path, clip.sha256, clip.bytes, clip.messages,
                    clip.start,
                    clip.end, now,
                ])
        }
    }

    /// The clip stored with an event's vehicle, time and kind.
    public func eventClip(vin: String, time: Microseconds, kind: String) throws -> EventClip? {
        try pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM event_clips WHERE vin = ? AND time_us = ? AND kind = ?",
                arguments: [vin, time, kind]
            ).map {
                EventClip(
                    vin: $0["vin"], time: $0["time_us"], kind: $0["kind"], path: $0["path"],
                    sha256: $0["sha256"],
                    bytes: $0["bytes"], messages: $0["messages"], start: $0["start_us"], end: $0["end_us"])
            }
        }
    }
}
