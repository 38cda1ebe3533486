import CV2X
import JT808
import Zone

/// The simulator's wire encoder: CSAE 53 UPER frames (per edition) and JT/T 808-2019 packets,
/// with the project's own encoders; `decodes` uses the project's own decoders.
public struct FrameEncoder: MessageEncoding {
    /// The zone whose ids and geometry the frames carry.
    public let layout: ZoneLayout

    /// An encoder for `layout`.
    public init(layout: ZoneLayout) { self.layout = layout }

    public func encode(_ message: SimulatedMessage, schema: CSAESchemaSet) throws -> [UInt8] {
        switch message {
        case .location(let sample):
            return try JT808Frames.encode(
                sample, terminal: layout.configuration.vehicles[sample.vehicleIndex].terminal)
        default:
            do {
                return try CV2XFrames.encode(message, schema: schema, layout: layout)
            } catch {
                throw SimulationError.encoding(
                    kind: "\(message)".prefix(12).description, source: schema.rawValue, underlying: "\(error)"
                )
            }
        }
    }

    /// Whether a payload decodes: JT/T 808 with ``JT808Packet/init(framed:)``; C-V2X with any
    /// CSAE 53 edition (so a frame counts as corrupted only when no edition accepts it).
    public func decodes(_ payload: [UInt8], family: TopicFamily) -> Bool {
        switch family {
        case .jt808: JT808Frames.decodes(payload)
        case .cv2x: (try? CV2XFrame(autoDetecting: payload)) != nil
        }
    }
}
