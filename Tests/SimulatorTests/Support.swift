import CV2X
import Foundation
import JT808
import Zone

@testable import Simulator

/// A short, busy run: 3 x 3 intersections, 6 vehicles, 2 minutes, hazards 40 times the default
/// so that every kind of event shows up.
func busyParameters(seed: UInt64 = 7, faults: FaultParameters = FaultParameters()) -> SimulationParameters {
    var parameters = SimulationParameters()
    parameters.seed = seed
    parameters.durationSeconds = 150
    parameters.vehicleCount = 6
    parameters.gridColumns = 3
    parameters.gridRows = 3
    parameters.spatRate = 2
    parameters.automation.meanManualSeconds = 8
    parameters.automation.plannedRunSeconds = 40...90
    for index in parameters.automation.hazards.indices { parameters.automation.hazards[index].perHour *= 40 }
    parameters.faults = faults
    return parameters
}

struct RunResult {
    var simulation: TrafficSimulation
    var frames: [DeliveredFrame]
    var truth: GroundTruth
}

func simulate(_ parameters: SimulationParameters) throws -> RunResult {
    var simulation = TrafficSimulation(parameters: parameters)
    var sink = MemoryFrameSink()
    let result = try SimulationRunner.run(simulation: &simulation, sink: &sink)
    return RunResult(simulation: simulation, frames: sink.frames, truth: result.truth)
}

/// The CSAE 53 edition of each RSU topic.
func schemaByTopic(_ layout: ZoneLayout) -> [String: CV2XSchema] {
    var result: [String: CV2XSchema] = [:]
    for rsu in layout.configuration.rsus {
        result["cv2x/\(rsu.id)"] = CV2XSchema(rawValue: rsu.schema.rawValue)
    }
    return result
}

/// Decoded JT/T 808 location reports per terminal topic, in receive order, first copies only.
func decodedReports(_ frames: [DeliveredFrame]) throws -> [String: [(
    packet: JT808Packet, report: LocationReport
)]] {
    var seen = Set<[UInt8]>()
    var result: [String: [(JT808Packet, LocationReport)]] = [:]
    for frame in frames where frame.topic.hasPrefix("jt808/") && frame.disposition == .intact {
        guard seen.insert(frame.payload).inserted else { continue }
        let packet = try JT808Packet(framed: frame.payload)
        guard case .locationReport(let report) = packet.body else { continue }
        result[frame.topic, default: []].append((packet, report))
    }
    return result
}

/// Located relative to the repository root: the Python with asn1tools and the reference modules.
enum ExternalTools {
    static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path),
                FileManager.default.fileExists(atPath: url.appendingPathComponent("Sources").path)
            {
                return url
            }
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    static let asn1Directory: URL? = {
        if let env = ProcessInfo.processInfo.environment["TESTZONE_ASN1_DIR"] {
            return URL(fileURLWithPath: env)
        }
        var url = repositoryRoot
        while url.path != "/" {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("shared/reference/asn1")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("csae53-2020").path) {
                return candidate
            }
        }
        return nil
    }()

    static let python: URL? = {
        var candidates: [String] = []
        if let env = ProcessInfo.processInfo.environment["TESTZONE_PYTHON"] { candidates.append(env) }
        candidates.append(repositoryRoot.appendingPathComponent(".venv/bin/python").path)
        for path in candidates where FileManager.default.isExecutableFile(atPath: path) {
            if run(URL(fileURLWithPath: path), ["-c", "import asn1tools"], input: nil) != nil {
                return URL(fileURLWithPath: path)
            }
        }
        return nil
    }()

    static let unavailableReason: String? = {
        if asn1Directory == nil {
            return
                "reference ASN.1 modules not found (set TESTZONE_ASN1_DIR or place ../shared/reference/asn1)"
        }
        if python == nil { return "no Python with asn1tools (run `make setup` or set TESTZONE_PYTHON)" }
        return nil
    }()

    /// Runs a program with `input` on standard input (through a temporary file, so that large
    /// inputs and outputs cannot deadlock on pipe buffers); returns its standard output.
    static func run(_ executable: URL, _ arguments: [String], input: Data?) -> String? {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let inputFile = FileManager.default.temporaryDirectory.appendingPathComponent(
            "sim-input-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: inputFile) }
        do {
            try (input ?? Data()).write(to: inputFile)
            process.standardInput = try FileHandle(forReadingFrom: inputFile)
            try process.run()
        } catch {
            return nil
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}

func hexString(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef")
    return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
}
