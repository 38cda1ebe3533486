@testable import Reports

/// Hand-made report inputs: a small zone (3 operators, 7 vehicles, a 4 x 3 street grid near
/// Jiading, 3 RSUs) with known totals, for October 2026 and September 2026.
enum SampleRecords {
    static let month = ReportPeriod(month: try! ReportMonth(year: 2026, month: 10))

    /// Micros of a local Shanghai time in October 2026.
    static func time(day: Int, hour: Int, minute: Int, second: Int = 0, month: Int = 10) -> Int64 {
        let days = daysFromCivil(year: 2026, month: month, day: day)
        return ((days * 86_400) + Int64(hour * 3600 + minute * 60 + second) - 8 * 3600) * 1_000_000
    }

    static let operators = [
        OperatorRecord(id: "OP-A", name: "Anting Autonomy Co."),
        OperatorRecord(id: "OP-B", name: "Bund Robotaxi Ltd."),
        OperatorRecord(id: "OP-C", name: "Cao'an Logistics"),
    ]

    static let vehicles = [
        VehicleRecord(
            vin: "LSVAU2180N2000001", plate: "沪A·0001试", operatorID: "OP-A", permit: "SH-ICV-2026-011"),
        VehicleRecord(
            vin: "LSVAU2180N2000002", plate: "沪A·0002试", operatorID: "OP-A", permit: "SH-ICV-2026-012"),
        VehicleRecord(
            vin: "LSVAU2180N2000003", plate: "沪A·0003试", operatorID: "OP-A", permit: "SH-ICV-2026-013"),
        VehicleRecord(
            vin: "LB37622Z3NX100004", plate: "沪B·1004试", operatorID: "OP-B", permit: "SH-ICV-2026-021"),
        VehicleRecord(
            vin: "LB37622Z3NX100005", plate: "沪B·1005试", operatorID: "OP-B", permit: "SH-ICV-2026-022"),
        VehicleRecord(
            vin: "LGWEF4A59NH200006", plate: "沪C·2006试", operatorID: "OP-C", permit: "SH-ICV-2026-031"),
        // Registered but not driven in October.
        VehicleRecord(
            vin: "LGWEF4A59NH200007", plate: "沪C·2007试", operatorID: "OP-C", permit: "SH-ICV-2026-032"),
    ]

    /// A 4 x 3 street grid: horizontal links (east-west) and vertical links (north-south).
    static var links: [LinkRecord] {
        var links: [LinkRecord] = []
        let lat0 = 31.2800
        let lon0 = 121.1600
        let dLat = 0.0060  // ~660 m
        let dLon = 0.0070  // ~665 m
        for row in 0..<3 {
            for column in 0..<4 {
                let a = GeoPoint(latitude: lat0 + Double(row) * dLat, longitude: lon0 + Double(column) * dLon)
                let b = GeoPoint(
                    latitude: lat0 + Double(row) * dLat, longitude: lon0 + Double(column + 1) * dLon)
                links.append(
                    LinkRecord(
                        id: "L-E\(row)\(column)", name: "Boyuan Rd \(row)",
                        roadClass: row == 1 ? "arterial" : "urban",
                        lengthMeters: 665.0, points: [a, b]))
            }
        }
        for column in 0..<5 {
            for row in 0..<2 {
                let a = GeoPoint(latitude: lat0 + Double(row) * dLat, longitude: lon0 + Double(column) * dLon)
                let b = GeoPoint(
                    latitude: lat0 + Double(row + 1) * dLat, longitude: lon0 + Double(column) * dLon)
                links.append(
                    LinkRecord(
                        id: "L-N\(column)\(row)", name: "Anhong Rd \(column)", roadClass: "urban",
                        lengthMeters: 667.0, points: [a, b]))
            }
        }
        return links
    }

    /// October 2026: known totals (see tests).
    static var october: ReportRecords { octoberRecords(withLinkDistance: true) }

    /// October 2026; `withLinkDistance` false models a store without per-link distance.
    static func octoberRecords(withLinkDistance: Bool) -> ReportRecords {
        var driving: [DrivingRecord] = []
        // Vehicle i drives L3 on days 1...20 and L4 on odd days, with distances that vary.
        for (index, vehicle) in vehicles.prefix(6).enumerated() {
            for day in 1...20 where (day + index) % 3 != 0 {
                let meters = Double(10_000 + 1_234 * index + 250 * day)
                driving.append(
                    DrivingRecord(
                        vin: vehicle.vin, day: "2026-10-" + format2(day), level: 3, meters: meters,
                        seconds: meters / 9.0))
                if day % 2 == 1 {
                    driving.append(
                        DrivingRecord(
                            vin: vehicle.vin, day: "2026-10-" + format2(day), level: 4, meters: meters / 2,
                            seconds: meters / 2 / 8.0))
                }
            }
        }
        let place = (lat: 31.2860, lon: 121.1705)
        let events: [EventRecord] = [
            // Disengagements: ADS perception, safety-driver precaution, remote operator V2X, inferred, other road user.
            EventRecord(
                micros: time(day: 3, hour: 9, minute: 14, second: 5), vin: vehicles[0].vin,
                kind: .disengagement,
                level: 3, initiator: "ads", cause: "perception", latitude: place.lat, longitude: place.lon,
                linkID: "L-E11", roadClass: "arterial", speed: 12.5, takeoverSeconds: 4.2),
            EventRecord(
                micros: time(day: 5, hour: 15, minute: 2), vin: vehicles[1].vin, kind: .disengagement,
                level: 3,
                initiator: "safety-driver", cause: "precaution", latitude: 31.2802, longitude: 121.1650,
                linkID: "L-E00", roadClass: "urban", speed: 8.0),
            EventRecord(
                micros: time(day: 7, hour: 21, minute: 40), vin: vehicles[3].vin, kind: .disengagement,
                level: 4,
                initiator: "remote-operator", cause: "communication", latitude: 31.2920, longitude: 121.1810,
                linkID: "L-E22", roadClass: "urban", speed: 5.5, takeoverSeconds: 2.6),
            EventRecord(
                micros: time(day: 12, hour: 11, minute: 5), vin: vehicles[4].vin,
                kind: .inferredDisengagement,
                level: 4, initiator: "unknown", cause: "unknown", latitude: 31.2840, longitude: 121.1880,
                linkID: "L-N41", roadClass: "urban", speed: 10.0),
            EventRecord(
                micros: time(day: 18, hour: 8, minute: 30), vin: vehicles[0].vin, kind: .disengagement,
                level: 3,
                initiator: "safety-driver", cause: "other-road-user", latitude: 31.2861, longitude: 121.1760,
                linkID: "L-E12", roadClass: "arterial", speed: 13.9, takeoverSeconds: 1.9),
            // Planned end of a run and a deactivation below L3: not disengagements.
            EventRecord(
                micros: time(day: 18, hour: 17, minute: 0), vin: vehicles[0].vin, kind: .plannedDeactivation,
                level: 3, initiator: "safety-driver", cause: "planned-end"),
            EventRecord(
                micros: time(day: 19, hour: 10, minute: 0), vin: vehicles[5].vin, kind: .deactivation,
                level: 2,
                initiator: "safety-driver", cause: "perception"),
            // Takeover requests: three taken over (4.2, 2.6, 1.9 s), one missed (MRM after 8 s).
            EventRecord(
                micros: time(day: 3, hour: 9, minute: 14, second: 1), vin: vehicles[0].vin,
                kind: .takeoverRequest,
                level: 3, initiator: "ads", cause: "perception", takeoverSeconds: 4.2,
                takeoverOutcome: "taken-over"),
            EventRecord(
                micros: time(day: 7, hour: 21, minute: 38), vin: vehicles[3].vin, kind: .takeoverRequest,
                level: 4,
                initiator: "ads", cause: "communication", takeoverSeconds: 2.6, takeoverOutcome: "taken-over"),
            EventRecord(
                micros: time(day: 9, hour: 13, minute: 59, second: 52), vin: vehicles[5].vin,
                kind: .takeoverRequest,
                level: 4, initiator: "ads", cause: "hardware", takeoverSeconds: 8.0, takeoverOutcome: "missed"
            ),
            EventRecord(
                micros: time(day: 18, hour: 8, minute: 29, second: 58), vin: vehicles[0].vin,
                kind: .takeoverRequest,
                level: 3, initiator: "ads", cause: "other-road-user", takeoverSeconds: 1.9,
                takeoverOutcome: "taken-over"),
            EventRecord(
                micros: time(day: 9, hour: 14, minute: 0), vin: vehicles[5].vin, kind: .mrmStarted, level: 4,
                initiator: "ads", cause: "hardware", takeoverSeconds: 8.0),
            EventRecord(
                micros: time(day: 9, hour: 14, minute: 1), vin: vehicles[5].vin, kind: .mrmEnded, level: 4,
                initiator: "ads", cause: "hardware"),
            EventRecord(
                micros: time(day: 9, hour: 13, minute: 59, second: 50), vin: vehicles[5].vin,
                kind: .severeFailure,
                level: 4, initiator: "ads", cause: "hardware"),
            EventRecord(
                micros: time(day: 14, hour: 16, minute: 45), vin: vehicles[2].vin, kind: .collision, level: 3,
                initiator: "n/a", cause: "other-road-user", latitude: 31.2900, longitude: 121.1620),
        ]
        var usage: [LinkUsageRecord] = []
        for (index, link) in links.enumerated() where index % 4 != 3 {
            usage.append(
                LinkUsageRecord(
                    linkID: link.id, vehicleDays: 1 + index % 7,
                    automatedMeters: withLinkDistance ? Double(2_000 + 7_919 * index % 40_000) : nil))
        }
        var hours: [HourRecord] = []
        for hour in 7...21 {
            hours.append(
                HourRecord(
                    vin: vehicles[hour % 6].vin, hour: hour, seconds: Double(3_600 * (3 + (hour * 7) % 11)),
                    meters: Double(25_000 * (3 + (hour * 7) % 11))))
        }
        let rsus = [
            RSURecord(
                id: "RSU-01", name: "Boyuan/Anhong",
                position: GeoPoint(latitude: 31.2860, longitude: 121.1670),
                availableSeconds: 2_670_000, expectedSeconds: 2_678_400),
            RSURecord(
                id: "RSU-02", name: "Boyuan/Moyu", position: GeoPoint(latitude: 31.2800, longitude: 121.1810),
                availableSeconds: 2_500_000, expectedSeconds: 2_678_400),
            RSURecord(
                id: "RSU-03", name: "Test \"north\" gate, east",
                position: GeoPoint(latitude: 31.2920, longitude: 121.1880),
                availableSeconds: 0, expectedSeconds: 2_678_400),
        ]
        var reception: [ReceptionRecord] = []
        for rsu in rsus.prefix(2) {
            for (band, ratio) in zip(V2XSection.bands, [0.98, 0.93, 0.81, 0.55]) {
                let expected = 120_000 - band.0 * 100
                reception.append(
                    ReceptionRecord(
                        rsuID: rsu.id, bandLower: band.0, bandUpper: band.1,
                        received: Int(Double(expected) * ratio),
                        expected: Double(expected)))
            }
        }
        let sources = [
            SourceHealthRecord(
                source: "13800000001", kind: "jt808", received: 1_720_000, decoded: 1_719_950, rejected: 30,
                duplicates: 20, clockOffsetMillis: 180.5),
            SourceHealthRecord(
                source: "13800000004", kind: "jt808", received: 1_310_000, decoded: 1_309_990, rejected: 10,
                duplicates: 0, clockOffsetMillis: -35.25),
            SourceHealthRecord(
                source: "RSU-01", kind: "cv2x", received: 9_400_000, decoded: 9_399_000, rejected: 1_000,
                duplicates: 0, clockOffsetMillis: 3.0),
            SourceHealthRecord(
                source: "RSU-02", kind: "cv2x", received: 7_100_000, decoded: 7_098_500, rejected: 1_500,
                duplicates: 0, clockOffsetMillis: nil),
        ]
        let rejects = [
            RejectRecord(source: "13800000001", reason: "bad checksum", count: 25),
            RejectRecord(source: "13800000001", reason: "truncated, body", count: 5),
            RejectRecord(source: "RSU-01", reason: "uper: length out of range", count: 1_000),
            RejectRecord(source: "RSU-02", reason: "payload over 64 KiB", count: 1_500),
            RejectRecord(source: "13800000004", reason: "bad checksum", count: 10),
        ]
        let cells = (0..<60).map { GridCell(column: $0 % 30, row: $0 / 30 * 5 + $0 % 3) }
        let sequences = [
            SequenceRecord(
                streamKind: "jt808-serial", streamID: "13800000001", count: 1_719_950, gaps: 4, repeats: 0,
                reordered: 0, resets: 0),
            SequenceRecord(
                streamKind: "jt808-serial", streamID: "13800000004", count: 1_309_990, gaps: 0, repeats: 0,
                reordered: 0, resets: 0),
            SequenceRecord(
                streamKind: "bsm-msgcnt", streamID: "00000000000000a1", count: 16_000_000, gaps: 812,
                repeats: 3, reordered: 1, resets: 0),
        ]
        return ReportRecords(
            operators: operators,
            vehicles: vehicles + [
                VehicleRecord(
                    vin: "UNREGISTERED-13899999999", plate: "", operatorID: "", permit: "", registered: false)
            ], driving: driving, events: events,
            links: links, linkUsage: usage,
            grid: GridRecord(cellMeters: 100, totalCells: 400, visitedCells: cells),
            hours: hours, rsus: rsus, reception: reception, sources: sources, rejects: rejects,
            sequences: sequences,
            trackGaps: [TrackGapRecord(vin: vehicles[1].vin, timeGaps: 3, outlierSteps: 1)],
            unattributed: UnattributedRecord(bsmFromUnregisteredOBU: 120, unknownVehicleObservations: 7))
    }

    /// September 2026: a quieter month for the change column.
    static var september: ReportRecords {
        var driving: [DrivingRecord] = []
        for (index, vehicle) in vehicles.prefix(4).enumerated() {
            for day in 1...15 {
                driving.append(
                    DrivingRecord(
                        vin: vehicle.vin, day: "2026-09-" + format2(day), level: 3,
                        meters: Double(8_000 + 500 * index),
                        seconds: 900))
            }
        }
        let events = [
            EventRecord(
                micros: time(day: 4, hour: 10, minute: 0, month: 9), vin: vehicles[0].vin,
                kind: .disengagement,
                level: 3, initiator: "ads", cause: "localization"),
            EventRecord(
                micros: time(day: 9, hour: 10, minute: 0, month: 9), vin: vehicles[2].vin,
                kind: .disengagement,
                level: 3, initiator: "safety-driver", cause: "precaution"),
            EventRecord(
                micros: time(day: 4, hour: 9, minute: 59, second: 55, month: 9), vin: vehicles[0].vin,
                kind: .takeoverRequest, level: 3, initiator: "ads", cause: "localization",
                takeoverSeconds: 5.0,
                takeoverOutcome: "taken-over"),
        ]
        return ReportRecords(
            operators: operators, vehicles: vehicles, driving: driving, events: events, links: links,
            linkUsage: links.prefix(5).map {
                LinkUsageRecord(linkID: $0.id, vehicleDays: 3, automatedMeters: 9_000)
            },
            grid: GridRecord(
                cellMeters: 100, totalCells: 400, visitedCells: (0..<25).map { GridCell(column: $0, row: 0) })
        )
    }

    static func report(
        october: ReportRecords = october, september: ReportRecords = september, operatorFilter: String? = nil
    ) -> MonthlyReport {
        ReportBuilder(
            month: month, operatorFilter: operatorFilter,
            generatedAtMicros: time(day: 1, hour: 9, minute: 0, month: 11), softwareVersion: "0.1.0"
        ).build(records: october, previous: september)
    }
}
