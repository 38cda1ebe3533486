import Zone

/// One occurrence of the event register (UN R157 / GB 44497-2024 style occurrence record):
/// activation, disengagement (explicit or inferred), planned deactivation, deactivation below L3,
/// takeover request with its outcome, MRM start and end, collision, severe failure; with time,
/// vehicle, place, initiator, cause, the 0xE1 flags and the evidence clip when one was made.
public struct RegisterRow: Sendable, Equatable {
    public var micros: Int64
    public var vin: String
    public var plate: String
    public var operatorID: String
    public var kind: EventKind
    /// SAE level before the event.
    public var level: Int
    public var initiator: CategoryCount
    /// The cause; an inferred disengagement's is `unknown` ("Unknown (inferred)").
    public var cause: CategoryCount
    /// Speed at the event, km/h.
    public var speedKmh: Double?
    public var latitude: Double?
    public var longitude: Double?
    public var linkID: String?
    public var roadName: String?
    /// Location category (raw `LinkCategory` value), empty when unknown.
    public var category: String
    public var safetyDriver: Bool?
    public var remoteOperator: Bool?
    /// Takeover requests: `taken-over`, `missed`, `unresolved`, `open`.
    public var takeoverOutcome: String?
    /// Takeover requests: takeover time (or time to the MRM); closing events: time since the
    /// earliest request they closed. Seconds.
    public var takeoverSeconds: Double?
    public var clipFile: String?
    public var clipSHA256: String?
}

/// Labels of event kinds and location categories, shared by every output.
public enum RegisterText {
    /// The English name of an event kind.
    public static func kind(_ kind: EventKind) -> String {
        switch kind {
        case .engagement: "Activation"
        case .disengagement: "Disengagement"
        case .inferredDisengagement: "Disengagement (inferred)"
        case .plannedDeactivation: "Planned deactivation"
        case .deactivation: "Deactivation (below L3)"
        case .takeoverRequest: "Takeover request"
        case .mrmStarted: "MRM started"
        case .mrmEnded: "MRM ended"
        case .collision: "Collision"
        case .severeFailure: "Severe system failure"
        }
    }

    /// The label of a location category's raw value ("Rural Road"); the raw text when unknown.
    public static func category(_ raw: String) -> String {
        LinkCategory(rawValue: raw)?.dmvLabel ?? raw
    }

    /// A takeover outcome for people.
    public static func outcome(_ raw: String?) -> String {
        switch raw {
        case "taken-over"?: "taken over"
        case "missed"?: "missed (MRM)"
        case "unresolved"?: "unresolved (inferred drop)"
        case "open"?: "open (no closing event)"
        case let other?: other
        case nil: ""
        }
    }
}

extension ReportBuilder {
    /// The stored cause name of an event as reports show it: an inferred disengagement has no
    /// cause item, so its cause is `unknown` ("Unknown (inferred)") everywhere.
    static func causeName(_ event: EventRecord) -> String {
        event.kind == .inferredDisengagement ? "unknown" : event.cause
    }

    /// The register rows of the period's events (already sorted by time, VIN, kind).
    static func register(
        events: [EventRecord], vehiclesByVIN: [String: VehicleRecord], defaultCategory: String
    ) -> [RegisterRow] {
        events.map { event in
            let vehicle = vehiclesByVIN[event.vin]
            let category = event.roadClass.flatMap { $0.isEmpty ? nil : $0 } ?? defaultCategory
            return RegisterRow(
                micros: event.micros, vin: event.vin, plate: vehicle?.plate ?? "",
                operatorID: vehicle?.operatorID ?? "", kind: event.kind, level: event.level,
                initiator: Categories.initiator(event.initiator), cause: Categories.cause(causeName(event)),
                speedKmh: event.speed.map { $0 * 3.6 }, latitude: event.latitude, longitude: event.longitude,
                linkID: event.linkID, roadName: event.roadName, category: category,
                safetyDriver: event.safetyDriver, remoteOperator: event.remoteOperator,
                takeoverOutcome: event.takeoverOutcome, takeoverSeconds: event.takeoverSeconds,
                clipFile: event.clipFile, clipSHA256: event.clipSHA256)
        }
    }
}

extension ReportBuilder {
    /// The event register of a period straight from its rows (what `testzone metrics --events`
    /// prints): the same rows as the report's register, without building the rest of the report.
    public static func eventRegister(records: ReportRecords, period: ReportPeriod) -> [RegisterRow] {
        register(
            events: sortedEvents(records.events, in: period),
            vehiclesByVIN: Dictionary(records.vehicles.map { ($0.vin, $0) }, uniquingKeysWith: { a, _ in a }),
            defaultCategory: records.zone.defaultCategory)
    }
}

/// The register as a table, for any list of rows.
public enum RegisterTable {
    /// The table of `rows` (columns of ``MonthlyReport/registerTable``).
    public static func table(_ rows: [RegisterRow]) -> ReportTable {
        func flag(_ value: Bool?) -> ReportValue { value.map { .flag($0) } ?? .text("") }
        return ReportTable(
            id: "events", title: "Event register",
            columns: [
                ReportColumn("time", "Date and time (+08:00)"), ReportColumn("vin", "VIN"),
                ReportColumn("plate", "Plate"), ReportColumn("operator", "Operator"),
                ReportColumn("event", "Event"), ReportColumn("kind", "Kind"), ReportColumn("level", "Level"),
                ReportColumn("initiator", "Initiator"), ReportColumn("cause", "Cause"),
                ReportColumn("speed_kmh", "Speed km/h"), ReportColumn("latitude", "Latitude"),
                ReportColumn("longitude", "Longitude"), ReportColumn("link", "Link"),
                ReportColumn("road", "Road"), ReportColumn("location", "Location"),
                ReportColumn("safety_driver", "Safety driver"),
                ReportColumn("remote_operator", "Remote operator"),
                ReportColumn("takeover_outcome", "Takeover outcome"),
                ReportColumn("takeover_time_s", "Takeover s"), ReportColumn("clip_file", "Evidence clip"),
                ReportColumn("clip_sha256", "Clip SHA-256"),
            ],
            rows: rows.map { row in
                [
                    .time(row.micros), .text(row.vin), .text(row.plate), .text(row.operatorID),
                    .text(RegisterText.kind(row.kind)), .text(row.kind.rawValue), .text("L\(row.level)"),
                    .text(row.initiator.label), .text(row.cause.label),
                    .number(row.speedKmh, decimals: Decimals.speed),
                    .number(row.latitude, decimals: Decimals.degrees),
                    .number(row.longitude, decimals: Decimals.degrees), .text(row.linkID ?? ""),
                    .text(row.roadName ?? ""), .text(RegisterText.category(row.category)),
                    flag(row.safetyDriver), flag(row.remoteOperator),
                    .text(RegisterText.outcome(row.takeoverOutcome)),
                    .number(row.takeoverSeconds, decimals: Decimals.seconds), .text(row.clipFile ?? ""),
                    .text(row.clipSHA256 ?? ""),
                ]
            })
    }
}

extension MonthlyReport {
    /// The event register as a table (`events.csv`, the JSON `events` table, the HTML register).
    public var registerTable: ReportTable { RegisterTable.table(register) }
}
