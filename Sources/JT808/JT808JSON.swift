#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// JSON rendering of decoded packets: one compact object per packet, keys in a fixed order.
///
/// Field names are documented in the README ("JT/T 808"). Conventions: message ids and item ids
/// are hex strings ("0x0200"); times are ISO 8601 UTC with a `Z`; coordinates are signed degrees
/// with 6 decimals; scaled quantities are rendered in their unit (speed km/h, mileage km, fuel L)
/// with the wire's precision; enumerations are names, or the number when the value is undefined;
/// byte strings are text when they decode (UTF-8, else GBK), with a `...Hex` twin otherwise.
public enum JT808JSON {
    /// The packet as one JSON object (no trailing newline).
    public static func render(_ packet: JT808Packet) -> String {
        var json = JSONWriter()
        json.object { json in
            header(packet.header, &json)
            switch packet.body {
            case .heartbeat:
                json.key("heartbeat")
                json.object { _ in }
            case .registration(let registration):
                json.key("registration")
                json.object { json in self.registration(registration, &json) }
            case .authentication(let authentication):
                json.key("authentication")
                json.object { json in self.authentication(authentication, &json) }
            case .locationReport(let report):
                json.key("locationReport")
                render(report, into: &json)
            case .batchLocationUpload(let batch):
                json.key("batchLocationUpload")
                json.object { json in
                    json.field("type", Int(batch.type))
                    json.field("backfill", batch.isBackfill)
                    json.key("reports")
                    json.array(batch.reports) { json, report in render(report, into: &json) }
                }
            case .raw(let raw):
                json.key("raw")
                json.object { json in
                    let kind =
                        switch raw.kind {
                        case .unsupportedMessage: "unsupportedMessage"
                        case .encrypted: "encrypted"
                        case .subPackage: "subPackage"
                        }
                    json.field("kind", kind)
                    json.field("hex", hex(raw.bytes))
                }
            }
        }
        return json.text
    }

    /// A location report as one JSON object.
    public static func render(_ report: LocationReport) -> String {
        var json = JSONWriter()
        render(report, into: &json)
        return json.text
    }

    // MARK: Parts

    private static func header(_ header: JT808Header, _ json: inout JSONWriter) {
        json.field("messageId", hexWord(header.messageID))
        switch header.version {
        case .v2013:
            json.field("version", 2013)
        case .v2019(let protocolVersion):
            json.field("version", 2019)
            json.field("protocolVersion", Int(protocolVersion))
        }
        json.field("terminal", header.terminal.description)
        json.field("serial", Int(header.serial))
        json.field("encryption", Int(header.encryption))
        if let subPackage = header.subPackage {
            json.key("subPackage")
            json.object { json in
                json.field("total", Int(subPackage.total))
                json.field("index", Int(subPackage.index))
            }
        }
        if header.reservedBit { json.field("reservedBit", true) }
    }

    private static func render(_ report: LocationReport, into json: inout JSONWriter) {
        json.object { json in
            json.field("alarm", Int(report.alarm.rawValue))
            json.key("alarms")
            let alarmNames = (0..<32).filter { report.alarm.rawValue & (1 << $0) != 0 }.map {
                AlarmFlags.bitNames[$0]
            }
            json.array(alarmNames) { json, name in json.string(name) }
            json.field("status", Int(report.status.rawValue))
            json.field("positioned", report.isPositioned)
            json.raw("latitude", fixed(Int(report.latitudeMicrodegrees), decimals: 6))
            json.raw("longitude", fixed(Int(report.longitudeMicrodegrees), decimals: 6))
            json.field("altitude", Int(report.altitude))
            json.raw("speed", fixed(Int(report.speed), decimals: 1))
            json.field("direction", Int(report.direction))
            json.field("time", report.time.description)
            if let value = report.mileage { json.raw("mileage", fixed(Int(value), decimals: 1)) }
            if let value = report.fuel { json.raw("fuel", fixed(Int(value), decimals: 1)) }
            if let value = report.recorderSpeed { json.raw("recorderSpeed", fixed(Int(value), decimals: 1)) }
            if let value = report.alarmEventID { json.field("alarmEventId", Int(value)) }
            if let alarm = report.overspeedAlarm {
                json.key("overspeedAlarm")
                json.object { json in
                    json.field("locationType", Int(alarm.locationType))
                    if let area = alarm.areaID { json.field("areaId", Int(area)) }
                }
            }
            if let alarm = report.areaRouteAlarm {
                json.key("areaRouteAlarm")
                json.object { json in
                    json.field("locationType", Int(alarm.locationType))
                    json.field("areaId", Int(alarm.areaID))
                    named(
                        "direction", alarm.direction,
                        alarm.direction == 0 ? "in" : alarm.direction == 1 ? "out" : nil, &json)
                }
            }
            if let alarm = report.routeDrivingTimeAlarm {
                json.key("routeDrivingTimeAlarm")
                json.object { json in
                    json.field("segmentId", Int(alarm.segmentID))
                    json.field("drivingTime", Int(alarm.drivingTime))
                    named(
                        "result", alarm.result,
                        alarm.result == 0 ? "tooShort" : alarm.result == 1 ? "tooLong" : nil, &json)
                }
            }
            if let value = report.extendedVehicleSignals { json.field("extendedVehicleSignals", Int(value)) }
            if let value = report.ioStatus { json.field("ioStatus", Int(value)) }
            if let value = report.analog {
                json.key("analog")
                json.object { json in
                    json.field("ad0", Int(value & 0xFFFF))
                    json.field("ad1", Int(value >> 16))
                }
            }
            if let value = report.signalStrength { json.field("signalStrength", Int(value)) }
            if let value = report.satellites { json.field("satellites", Int(value)) }
            if let state = report.automationState {
                json.key("automation")
                json.object { json in
                    json.field("level", Int(state.level))
                    named("state", state.mode.rawValue, state.mode.name, &json)
                    json.field("safetyDriverOnBoard", state.flags.contains(.safetyDriverOnBoard))
                    json.field("remoteOperatorConnected", state.flags.contains(.remoteOperatorConnected))
                    json.field("v2xEnabled", state.flags.contains(.v2xEnabled))
                    json.field("flags", Int(state.flags.rawValue))
                }
            }
            if !report.automationEvents.isEmpty {
                json.key("automationEvents")
                json.array(Array(report.automationEvents)) { json, event in
                    json.object { json in
                        named("type", event.type.rawValue, event.type.name, &json)
                        named("initiator", event.initiator.rawValue, event.initiator.name, &json)
                        named("cause", event.cause.rawValue, event.cause.name, &json)
                        json.field("levelBefore", Int(event.levelBefore))
                        json.field("time", millisecondTime(event))
                    }
                }
            }
            if !report.otherItems.isEmpty {
                json.key("otherItems")
                json.array(report.otherItems) { json, item in
                    json.object { json in
                        json.field("id", hexID(item.id))
                        json.field("hex", hex(item.value))
                    }
                }
            }
            if !report.malformedItems.isEmpty {
                json.key("malformedItems")
                json.array(report.malformedItems) { json, item in
                    json.object { json in
                        json.field("id", hexID(item.id))
                        json.field("hex", hex(item.value))
                    }
                }
            }
        }
    }

    private static func registration(_ registration: TerminalRegistration, _ json: inout JSONWriter) {
        json.field("province", Int(registration.province))
        json.field("city", Int(registration.city))
        text("manufacturer", registration.manufacturer, &json)
        text("model", registration.model, &json)
        text("terminalId", registration.terminalID, &json)
        json.field("plateColor", Int(registration.plateColor))
        text("plate", registration.plate, &json)
    }

    private static func authentication(_ authentication: TerminalAuthentication, _ json: inout JSONWriter) {
        text("code", authentication.code, &json)
        if !authentication.imei.isEmpty { text("imei", authentication.imei, &json) }
        if !authentication.softwareVersion.isEmpty {
            text("softwareVersion", authentication.softwareVersion, &json)
        }
    }

    // MARK: Formatting helpers

    private static func named(_ key: String, _ raw: UInt8, _ name: String?, _ json: inout JSONWriter) {
        if let name { json.field(key, name) } else { json.field(key, Int(raw)) }
    }

    /// A byte field as text (trailing NUL padding removed): UTF-8 if valid, else GBK; otherwise
    /// `<key>Hex` with the bytes in hex.
    private static func text(_ key: String, _ bytes: [UInt8], _ json: inout JSONWriter) {
        var end = bytes.count
        while end > 0, bytes[end - 1] == 0 { end -= 1 }
        let trimmed = Array(bytes[0..<end])
        if let text = String(validating: trimmed, as: UTF8.self) ?? gbk(trimmed), !text.contains("\u{0}") {
            json.field(key, text)
        } else {
            json.field(key + "Hex", hex(bytes))
        }
    }

    /// "2026-11-29T08:30:13.250Z".
    private static func millisecondTime(_ event: AutomationEvent) -> String {
        let base = event.time.description
        let ms = Int(event.milliseconds)
        let digits = ms < 10 ? "00\(ms)" : ms < 100 ? "0\(ms)" : "\(ms)"
        return String(base.dropLast()) + "." + digits + "Z"
    }

    /// An integer scaled by 10^decimals, printed exactly ("-34.315392", "42.3").
    static func fixed(_ value: Int, decimals: Int) -> String {
        var scale = 1
        for _ in 0..<decimals { scale *= 10 }
        let magnitude = value.magnitude
        let whole = magnitude / UInt(scale)
        var fraction = String(magnitude % UInt(scale))
        while fraction.count < decimals { fraction = "0" + fraction }
        return (value < 0 ? "-" : "") + "\(whole)." + fraction
    }

    /// Lower-case hex of bytes.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// GBK bytes to a String through the C library's iconv; nil when not GBK or iconv lacks it.
    static func gbk(_ bytes: [UInt8]) -> String? {
        #if canImport(Glibc) || canImport(Darwin)
            guard let converter = iconv_open("UTF-8", "GBK"), converter != iconv_t(bitPattern: -1) else {
                return nil
            }
            defer { iconv_close(converter) }
            var input = bytes.map { CChar(bitPattern: $0) }
            var output = [CChar](repeating: 0, count: bytes.count * 3 + 4)
            let produced: Int? = input.withUnsafeMutableBufferPointer { inBuffer in
                output.withUnsafeMutableBufferPointer { outBuffer in
                    var inPointer = inBuffer.baseAddress
                    var inLeft = inBuffer.count
                    var outPointer = outBuffer.baseAddress
                    var outLeft = outBuffer.count
                    let result = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
                    guard result != Int.max, result != -1 || inLeft == 0, inLeft == 0 else { return nil }
                    return outBuffer.count - outLeft
                }
            }
            guard let produced else { return nil }
            return String(validating: output[0..<produced].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        #else
            return nil
        #endif
    }
}

/// A minimal JSON writer: compact output, keys in call order, strings escaped per RFC 8259.
struct JSONWriter {
    private(set) var text = ""
    private var needsComma = false

    mutating func object(_ body: (inout JSONWriter) -> Void) {
        separator()
        text += "{"
        needsComma = false
        body(&self)
        text += "}"
        needsComma = true
    }

    mutating func array<Element>(_ elements: [Element], _ body: (inout JSONWriter, Element) -> Void) {
        separator()
        text += "["
        needsComma = false
        for element in elements { body(&self, element) }
        text += "]"
        needsComma = true
    }

    mutating func key(_ key: String) {
        separator()
        appendString(key)
        text += ":"
        needsComma = false
    }

    mutating func string(_ value: String) {
        separator()
        appendString(value)
        needsComma = true
    }

    mutating func field(_ key: String, _ value: String) {
        self.key(key)
        string(value)
    }

    mutating func field(_ key: String, _ value: Int) {
        raw(key, String(value))
    }

    mutating func field(_ key: String, _ value: Bool) {
        raw(key, value ? "true" : "false")
    }

    /// A key with a value that is already JSON (a number literal).
    mutating func raw(_ key: String, _ literal: String) {
        self.key(key)
        text += literal
        needsComma = true
    }

    private mutating func separator() {
        if needsComma { text += "," }
    }

    private mutating func appendString(_ value: String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case let c where c.value < 0x20:
                let hexDigits = JT808JSON.hex([UInt8(c.value)])
                text += "\\u00" + hexDigits
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
