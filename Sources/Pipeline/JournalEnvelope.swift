/// How live ingest turns a received ZeroMQ message (DESIGN.md 3) into a journal entry, and how
/// envelope defects survive in the journal so that a replay rejects exactly what live ingest
/// rejected (principle 1: the metrics are a function of the journal alone).
///
/// An unknown topic prefix, a missing payload (journaled empty) and a payload over 64 KiB are
/// visible in the journal as they are. A time frame that is not 8 bytes, and a message with more
/// than three frames, are journaled with a reserved publish time (a time frame of
/// `UInt64.max / 1000` µs, resp. one µs less, which no gateway clock reaches before the year
/// 2554); ``FrameProcessor`` rejects messages carrying these values. So is a message that a
/// CURVE-authenticated source sent on a topic its key may not publish (two µs less).
public enum JournalEnvelope {
    /// The reserved gateway time in µs marking a time frame of the wrong size.
    public static let malformedTimeFrameMicros: UInt64 = UInt64.max / 1000
    /// The publish time (ns) journaled for a time frame of the wrong size.
    public static let malformedTimeFrame: UInt64 = malformedTimeFrameMicros * 1000
    /// The publish time (ns) journaled for a message of more than three frames.
    public static let extraFrames: UInt64 = (malformedTimeFrameMicros - 1) * 1000
    /// The publish time (ns) journaled for a message whose source key may not publish its topic
    /// (`[[sources]]` in zone.toml, checked when ingest runs with CURVE).
    public static let unauthorizedSource: UInt64 = (malformedTimeFrameMicros - 2) * 1000
    /// The first reserved gateway time (µs): a time frame at or past it is treated as malformed.
    @usableFromInline static let firstReservedMicros = malformedTimeFrameMicros - 2

    /// An envelope defect marked in a journal's publish time.
    public struct Defect: Sendable, Hashable {
        /// Counting category (the `rejected_reasons.reason`).
        public var category: String
        /// Human-readable detail stored with the frame.
        public var detail: String
    }

    /// The defect a journaled publish time marks, if any.
    public static func defect(publishTime: UInt64) -> Defect? {
        guard publishTime >= unauthorizedSource else { return nil }
        if publishTime == malformedTimeFrame {
            return Defect(category: "frame: time frame not 8 bytes", detail: "time frame of the wrong size")
        }
        if publishTime == extraFrames {
            return Defect(category: "frame: more than 3 frames", detail: "message of more than three frames")
        }
        if publishTime == unauthorizedSource {
            return Defect(
                category: "unauthorized source", detail: "the sending CURVE key may not publish this topic")
        }
        return nil
    }

    /// The publish time (ns) to journal for a received message of `frameCount` frames whose
    /// third frame is `timeFrame`: the gateway time when the time frame is well formed, the
    /// receive time when it is absent, a reserved value for a defect (see the type's notes).
    @inlinable
    public static func publishTime(frameCount: Int, timeFrame: UnsafeRawBufferPointer, receiveTime: UInt64)
        -> UInt64
    {
        if frameCount > 3 { return extraFrames }
        if frameCount < 3 { return receiveTime }
        guard timeFrame.count == 8 else { return malformedTimeFrame }
        let micros = UInt64(bigEndian: timeFrame.loadUnaligned(as: UInt64.self))
        guard micros < firstReservedMicros else { return malformedTimeFrame }
        return micros * 1000
    }
}
