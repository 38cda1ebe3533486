import JT808
import Zone

/// Encodes simulated location reports as JT/T 808-2019 0x0200 packets.
enum JT808Frames {
    /// The framed packet (0x7E ... 0x7E) of one location report.
    static func encode(_ sample: LocationSample, terminal: String) throws -> [UInt8] {
        guard let number = TerminalNumber(terminal, byteCount: 10) else {
            throw SimulationError.invalidTerminal(terminal)
        }
        var report = LocationReport(
            status: [.accOn, .positioned],
            altitude: UInt16(clamping: sample.altitude), speed: sample.speedTenthsKmh,
            direction: sample.direction,
            time: JT808Timestamp(secondsSince1970: floorDivide(sample.terminalMilliseconds, 1000)))
        report.setCoordinates(
            latitudeMicrodegrees: Int32((sample.position.latitude * 1e6).rounded()),
            longitudeMicrodegrees: Int32((sample.position.longitude * 1e6).rounded()))
        report.mileage = sample.odometerTenthsKm
        report.satellites = 14
        report.automationState = AutomationState(
            level: sample.automation.level, mode: AutomationMode(rawValue: sample.automation.state),
            flags: AutomationFlags(rawValue: sample.automation.flags))
        for event in sample.events {
            report.automationEvents.append(
                AutomationEvent(
                    type: AutomationEventType(rawValue: event.type),
                    initiator: AutomationEventInitiator(rawValue: event.initiator),
                    cause: AutomationEventCause(rawValue: event.cause), levelBefore: event.levelBefore,
                    time: JT808Timestamp(secondsSince1970: floorDivide(event.terminalMilliseconds, 1000)),
                    milliseconds: UInt16(
                        event.terminalMilliseconds - floorDivide(event.terminalMilliseconds, 1000) * 1000)))
        }
        let packet = JT808Packet(
            header: JT808Header(
                messageID: 0x0200, version: .v2019(protocolVersion: 1), terminal: number,
                serial: sample.serial),
            body: .locationReport(report))
        return try packet.encoded()
    }

    /// Whether `payload` decodes as one JT/T 808 packet.
    static func decodes(_ payload: [UInt8]) -> Bool {
        (try? JT808Packet(framed: payload)) != nil
    }
}

func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
    let quotient = value / divisor
    return value % divisor < 0 ? quotient - 1 : quotient
}

/// Errors of the simulator's output layer.
public enum SimulationError: Error, Sendable, CustomStringConvertible {
    /// A terminal number that JT/T 808-2019 cannot carry.
    case invalidTerminal(String)
    /// A frame could not be encoded.
    case encoding(kind: String, source: String, underlying: String)
    /// An output could not be written.
    case output(String)
    /// Bad command-line or configuration input.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .invalidTerminal(let terminal): "terminal number '\(terminal)' is not 1-20 decimal digits"
        case .encoding(let kind, let source, let underlying):
            "cannot encode \(kind) of \(source): \(underlying)"
        case .output(let message): "output: \(message)"
        case .invalidArgument(let message): message
        }
    }
}
