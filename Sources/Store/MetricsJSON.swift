import Foundation

/// The JSON of `testzone metrics --json` (per-vehicle L3/L4 figures and the zone totals), shared
/// with the HTTP API (`GET /api/v1/metrics`) so that both print the same document.
public enum MetricsJSON {
    /// The document: scope, one entry per vehicle, zone totals.
    public struct Output: Encodable, Sendable {
        public var month: String?
        public var vehicle: String?
        public var operatorID: String?
        public var vehicles: [Entry]
        public var zone: Entry
    }

    /// One vehicle (or the zone total).
    public struct Entry: Encodable, Sendable {
        public var vin: String
        public var operatorID: String
        public var automatedKilometresByLevel: [String: Double]
        public var automatedHoursByLevel: [String: Double]
        public var automatedKilometres: Double
        public var disengagements: Int
        public var inferredDisengagements: Int
        public var disengagementsByInitiator: [String: Int]
        public var disengagementsByCause: [String: Int]
        public var kilometresPerDisengagement: Double?
        public var disengagementsPerThousandKilometres: Double?
        public var plannedDeactivations: Int
        public var takeoverRequests: Int
        public var takeovers: Int
        public var medianTakeoverSeconds: Double?
        public var p95TakeoverSeconds: Double?
        public var maxTakeoverSeconds: Double?
        public var missedTakeovers: Int
        public var mrms: Int
        public var collisions: Int
        public var severeFailures: Int
        public var coveredLinks: Int
        public var linkCoverage: Double?
        public var gridCoverage: Double?
        public var uplinkCoverage: Double?

        /// The entry of a stored summary.
        public init(_ s: StoredSummary) {
            vin = s.vin
            operatorID = s.operatorID
            automatedKilometresByLevel = Dictionary(
                uniqueKeysWithValues: s.automatedMetresByLevel.map { ("L\($0.key)", $0.value / 1000) })
            automatedHoursByLevel = Dictionary(
                uniqueKeysWithValues: s.automatedSecondsByLevel.map { ("L\($0.key)", $0.value / 3600) })
            automatedKilometres = s.automatedKilometres
            disengagements = s.disengagements
            inferredDisengagements = s.inferredDisengagements
            disengagementsByInitiator = s.disengagementsByInitiator
            disengagementsByCause = s.disengagementsByCause
            kilometresPerDisengagement = s.kilometresPerDisengagement
            disengagementsPerThousandKilometres = s.disengagementsPerThousandKilometres
            plannedDeactivations = s.plannedDeactivations
            takeoverRequests = s.takeoverRequests
            takeovers = s.takeoverTimes.count
            medianTakeoverSeconds = s.medianTakeoverTime.map { Double($0) / 1e6 }
            p95TakeoverSeconds = s.p95TakeoverTime.map { Double($0) / 1e6 }
            maxTakeoverSeconds = s.maximumTakeoverTime.map { Double($0) / 1e6 }
            missedTakeovers = s.missedTakeovers
            mrms = s.mrms
            collisions = s.collisions
            severeFailures = s.severeFailures
            coveredLinks = s.coveredLinks
            linkCoverage = s.linkCoverage
            gridCoverage = s.gridCoverage
            uplinkCoverage = s.uplinkCoverage
        }
    }

    /// The JSON text (pretty-printed, sorted keys) of `testzone metrics --json` and
    /// `GET /api/v1/metrics`.
    public static func render(vehicles: [StoredSummary], zone: StoredSummary, filter: ReportFilter) throws
        -> String
    {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let output = Output(
            month: filter.month, vehicle: filter.vin, operatorID: filter.operatorID,
            vehicles: vehicles.map(Entry.init),
            zone: Entry(zone))
        return String(decoding: try encoder.encode(output), as: UTF8.self)
    }
}
