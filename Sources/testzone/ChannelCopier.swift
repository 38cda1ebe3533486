import Recording

/// Copies journal messages into another MCAP file as they were (topic, message encoding,
/// schema, channel metadata, sequence, log and publish times, bytes), for `export` and `clip`.
/// A topic found in several input files (a journal split over files) becomes one channel.
final class ChannelCopier {
    /// A channel of the output and the messages copied to it.
    struct Channel {
        var id: UInt16
        var topic: String
        var encoding: String
        var schema: String
        var messages: UInt64
    }

    let writer: MCAPWriter
    /// Output channels, by output channel id.
    private(set) var channels: [UInt16: Channel] = [:]
    /// (file index, input channel id) -> output channel id.
    private var mapping: [Int: [UInt16: UInt16]] = [:]
    private var byTopic: [String: UInt16] = [:]
    private struct SchemaKey: Hashable {
        var name: String
        var encoding: String
        var data: [UInt8]
    }
    private var schemas: [SchemaKey: UInt16] = [:]

    init(writer: MCAPWriter) { self.writer = writer }

    /// Messages copied so far.
    var messages: UInt64 { channels.values.reduce(0) { $0 + $1.messages } }

    /// Copies one message read through `cursor` from input file number `file`.
    func copy(_ message: MCAPMessageView, cursor: MCAPMessageCursor, file: Int) throws(MCAPError) {
        let id = try outputChannel(message.channelID, cursor: cursor, file: file)
        channels[id]!.messages += 1
        try writer.write(
            channelID: id, sequence: message.sequence, logTime: message.logTime,
            publishTime: message.publishTime,
            payload: message.payload)
    }

    private func outputChannel(_ input: UInt16, cursor: MCAPMessageCursor, file: Int) throws(MCAPError)
        -> UInt16
    {
        if let known = mapping[file]?[input] { return known }
        let channel = cursor.channel(input)
        let topic = channel?.topic ?? "channel-\(input)"
        let encoding = channel?.messageEncoding ?? JournalFormat.unknownEncoding
        let schema = channel.flatMap { $0.schemaID == 0 ? nil : cursor.schema($0.schemaID) }
        let key = "\(topic)\u{0}\(encoding)\u{0}\(schema?.name ?? "")"
        let id: UInt16
        if let existing = byTopic[key] {
            id = existing
        } else {
            var schemaID: UInt16 = 0
            if let schema {
                let schemaKey = SchemaKey(name: schema.name, encoding: schema.encoding, data: schema.data)
                if let known = schemas[schemaKey] {
                    schemaID = known
                } else {
                    schemaID = try writer.addSchema(
                        name: schema.name, encoding: schema.encoding, data: schema.data)
                    schemas[schemaKey] = schemaID
                }
            }
            id = try writer.addChannel(
                topic: topic, messageEncoding: encoding, schemaID: schemaID,
                metadata: channel?.metadata ?? [:])
            byTopic[key] = id
            channels[id] = Channel(
                id: id, topic: topic, encoding: encoding, schema: schema?.name ?? "", messages: 0)
        }
        mapping[file, default: [:]][input] = id
        return id
    }
}
