import Zone

/// The California DMV's annual autonomous-vehicle reports for one DMV reporting year (1 December
/// of the year before to 30 November, Asia/Shanghai calendar here): `dmv-disengagements.csv`
/// (one row per disengagement, explicit or inferred) and `dmv-mileage.csv` (autonomous miles
/// per vehicle and month, with the year's total and disengagement count), with the DMV's exact
/// column headings. Distances are miles (the DMV form's unit: km / 1.609344), 2 decimals.
public struct DMVExport: Sendable, Equatable {
    /// Headings of `dmv-disengagements.csv`, exactly as the DMV form.
    public static let disengagementColumns = [
        "Manufacturer", "Permit Number", "DATE", "VIN NUMBER",
        "VEHICLE IS CAPABLE OF OPERATING WITHOUT A DRIVER (Yes or No)", "DRIVER PRESENT (Yes or No)",
        "DISENGAGEMENT INITIATED BY (AV System, Test Driver, Remote Operator, or Passenger)",
        "DISENGAGEMENT LOCATION (Interstate, Freeway, Highway, Rural Road, Street, or Parking Facility)",
        "DESCRIPTION OF FACTS CAUSING DISENGAGEMENT",
    ]
    /// Month columns of `dmv-mileage.csv`, December first.
    public static let monthColumns = [
        "DEC", "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV",
    ]
    /// Headings of `dmv-mileage.csv`.
    public static let mileageColumns =
        ["Manufacturer", "Permit Number", "VIN NUMBER"] + monthColumns
        + ["ANNUAL TOTAL", "Annual Total of Disengagements"]

    /// Kilometres per statute mile.
    public static let kilometersPerMile = 1.609344

    /// `dmv-disengagements.csv`.
    public var disengagements: ReportTable
    /// `dmv-mileage.csv`.
    public var mileage: ReportTable

    /// The export of a report over a DMV year (``ReportPeriod/Kind/dmvYear``) and its rows.
    public init(report: MonthlyReport, records: ReportRecords) {
        let operators = Dictionary(records.operators.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let vehicles = Dictionary(records.vehicles.map { ($0.vin, $0) }, uniquingKeysWith: { a, _ in a })
        func identity(_ vin: String) -> (manufacturer: String, permit: String) {
            let vehicle = vehicles[vin]
            let op = vehicle.flatMap { operators[$0.operatorID] }
            let manufacturer = op.map { $0.manufacturer.isEmpty ? $0.name : $0.manufacturer } ?? ""
            let permit = op.map(\.permitNumber).flatMap { $0.isEmpty ? nil : $0 } ?? vehicle?.permit ?? ""
            return (manufacturer, permit)
        }
        func yesNo(_ value: Bool?) -> String { value.map { $0 ? "Yes" : "No" } ?? "Unknown" }

        var count: [String: Int] = [:]
        var rows: [[ReportValue]] = []
        for row in report.register where row.kind.isDisengagement {
            count[row.vin, default: 0] += 1
            let id = identity(row.vin)
            let (y, m, d) = civilFromDays(
                floorDiv(row.micros / 1_000_000 + ReportMonth.shanghaiOffsetSeconds, 86_400))
            rows.append([
                .text(id.manufacturer), .text(id.permit),
                .text(format2(m) + "/" + format2(d) + "/" + format4(y)),
                .text(row.vin), .text(yesNo(vehicles[row.vin]?.driverlessCapable)),
                .text(yesNo(row.safetyDriver)),
                .text(Self.initiatedBy(row.initiator.key)), .text(RegisterText.category(row.category)),
                .text(DisengagementDescription.english(row) + " / " + DisengagementDescription.chinese(row)),
            ])
        }
        disengagements = ReportTable(
            id: "dmv-disengagements", title: "DMV disengagement report",
            columns: Self.disengagementColumns.map { ReportColumn($0, $0) }, rows: rows)

        // Autonomous miles per vehicle and month (L3 + L4, status active).
        let months = report.month.months.map(\.description)
        var miles: [String: [Double]] = [:]
        for day in report.dailyDistance {
            guard let index = months.firstIndex(of: String(day.day.prefix(7))) else { continue }
            miles[day.vin, default: Array(repeating: 0, count: months.count)][index] +=
                day.meters / 1000 / Self.kilometersPerMile
        }
        let vins = Set(miles.keys).union(count.keys).sorted()
        mileage = ReportTable(
            id: "dmv-mileage", title: "DMV mileage report",
            columns: Self.mileageColumns.map { ReportColumn($0, $0) },
            rows: vins.map { vin in
                let id = identity(vin)
                let perMonth = miles[vin] ?? Array(repeating: 0, count: months.count)
                // Each month as shown; the total adds the shown values, so the row adds up on paper.
                let shown = perMonth.map { Double(NumberFormat.fixed($0, decimals: 2) ?? "0") ?? 0 }
                return [.text(id.manufacturer), .text(id.permit), .text(vin)]
                    + shown.map { .number($0, decimals: 2) }
                    + [.number(shown.reduce(0, +), decimals: 2), .integer(count[vin] ?? 0)]
            })
    }

    /// The DMV's "initiated by" wording of an initiator name.
    public static func initiatedBy(_ initiator: String) -> String {
        switch initiator {
        case "ads": "AV System"
        case "safety-driver": "Test Driver"
        case "remote-operator": "Remote Operator"
        case "passenger": "Passenger"
        default: "Unknown"
        }
    }

    /// The files: name and CSV text.
    public var files: [(name: String, text: String)] {
        [
            ("dmv-disengagements.csv", CSVRenderer.render(disengagements)),
            ("dmv-mileage.csv", CSVRenderer.render(mileage)),
        ]
    }
}

/// The "description of facts causing disengagement", generated from the cause, the level and the
/// context (place, speed, takeover request), in English and in Chinese.
public enum DisengagementDescription {
    /// English.
    public static func english(_ row: RegisterRow) -> String {
        let who =
            switch row.initiator.key {
            case "ads": "The AV system"
            case "safety-driver": "The test driver"
            case "remote-operator": "The remote operator"
            case "passenger": "A passenger"
            default: "An unknown initiator"
            }
        let why =
            switch row.cause.key {
            case "perception": "a perception problem"
            case "localization": "a localization problem"
            case "planning": "a planning or decision problem"
            case "control": "a control or actuation problem"
            case "hardware": "a hardware or compute fault"
            case "communication": "a V2X or communication problem"
            case "left-odd": "the vehicle leaving its operational design domain (road, weather or light)"
            case "other-road-user": "another road user"
            case "road-works": "road works or an obstruction"
            case "precaution": "a precaution taken by the driver"
            case "unspecified": "a cause that was not given"
            default: "an unknown cause"
            }
        var text = "\(who) ended automated driving at SAE level \(row.level) because of \(why)"
        text += " on " + place(row, chinese: false)
        if let speed = row.speedKmh {
            text += " at " + (NumberFormat.fixed(speed, decimals: 1) ?? "") + " km/h"
        }
        text += "."
        if let seconds = row.takeoverSeconds {
            text +=
                " A takeover request preceded it by " + (NumberFormat.fixed(seconds, decimals: 2) ?? "")
                + " s."
        }
        if row.kind == .inferredDisengagement {
            text += " Inferred from the automation state (no disengagement event was reported)."
        }
        return text
    }

    /// Chinese.
    public static func chinese(_ row: RegisterRow) -> String {
        let who =
            switch row.initiator.key {
            case "ads": "自动驾驶系统"
            case "safety-driver": "安全员"
            case "remote-operator": "远程安全员"
            case "passenger": "乘客"
            default: "未知发起方"
            }
        let why =
            switch row.cause.key {
            case "perception": "感知问题"
            case "localization": "定位问题"
            case "planning": "规划决策问题"
            case "control": "控制执行问题"
            case "hardware": "硬件或计算平台故障"
            case "communication": "V2X通信问题"
            case "left-odd": "车辆驶出设计运行范围（道路、天气或光照）"
            case "other-road-user": "其他交通参与者"
            case "road-works": "道路施工或障碍物"
            case "precaution": "驾驶员预防性接管"
            case "unspecified": "原因未说明"
            default: "原因未知"
            }
        var text = "\(who)在L\(row.level)级自动驾驶时因\(why)退出自动驾驶，地点：" + place(row, chinese: true)
        if let speed = row.speedKmh {
            text += "，车速" + (NumberFormat.fixed(speed, decimals: 1) ?? "") + "公里/小时"
        }
        text += "。"
        if let seconds = row.takeoverSeconds {
            text += "此前" + (NumberFormat.fixed(seconds, decimals: 2) ?? "") + "秒发出接管请求。"
        }
        if row.kind == .inferredDisengagement { text += "根据自动驾驶状态推断（未报告退出事件）。" }
        return text
    }

    static func place(_ row: RegisterRow, chinese: Bool) -> String {
        let category = LinkCategory(rawValue: row.category)
        let kind =
            chinese
            ? (category?.chineseLabel ?? row.category) : (category?.dmvLabel.lowercased() ?? row.category)
        if let name = row.roadName, !name.isEmpty {
            return chinese
                ? "\(name)（\(kind)，路段\(row.linkID ?? "")）" : "\(name) (\(kind), link \(row.linkID ?? ""))"
        }
        if let link = row.linkID { return chinese ? "路段\(link)（\(kind)）" : "link \(link) (\(kind))" }
        return chinese ? "路网外（\(kind)）" : "a place off the mapped network (\(kind))"
    }
}
