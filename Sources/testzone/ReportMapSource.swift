import CV2X
import Recording
import Reports
import Zone

/// The road network for the report's coverage map, from the MAP frames of recordings: the
/// database keeps the links' lengths and classes but not their geometry.
enum ReportMapSource {
    /// Every MAP frame on `cv2x/` topics of the recordings, merged (repeated frames once; frames
    /// that do not decode skipped).
    static func network(fromRecordings paths: [String]) throws(ReportError) -> RoadNetwork {
        var builder = RoadNetworkBuilder()
        for path in paths {
            let reader: MCAPReader
            do {
                reader = try MCAPReader(path: path)
            } catch {
                throw .mapUnavailable(path: path, reason: "\(error)")
            }
            let cursor = reader.makeCursor(MCAPQuery(topicPrefixes: ["cv2x/"], order: .file))
            var seen = Set<[UInt8]>()
            while let message = cursor.next() {
                let payload = Array(message.payload)
                guard seen.insert(payload).inserted, let frame = try? CV2XFrame(autoDetecting: payload),
                    let nodes = MapNode.nodes(from: frame)
                else { continue }
                builder.add(contentsOf: nodes)
            }
        }
        return builder.build()
    }
}
