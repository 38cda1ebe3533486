import Metrics

extension FrameProcessor {
    /// C-V2X frames: decoded once the CV2X module is merged (see the report); until then counted
    /// as rejected with a clear reason so that nothing is silently dropped.
    mutating func processCV2X(
        _ info: TopicInfo, rsu: Int?, _ payload: UnsafeRawBufferPointer, receiveMicros: Microseconds,
        logMicros: Microseconds
    ) {
        reject(info, payload, logMicros, category: "cv2x: decoder unavailable", detail: "CV2X module not linked")
    }
}
