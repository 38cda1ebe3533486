import CV2X
import JT808
import UPER
import Zone

/// Builds the CSAE 53 `MessageFrame`s of the simulated RSUs and OBUs, for each edition.
///
/// Conventions: positions in 1e-7 degree; `secMark` = milliseconds within the minute of the
/// source clock; `MinuteOfTheYear` = minutes since 1 January 00:00 UTC of the source clock's year;
/// speeds in 0.02 m/s; headings in 0.0125 degree; lane widths in cm; SPAT timing counts down in
/// 0.1 s (`likelyEndTime` = time left in the current light, `nextDuration` = length of the next
/// one); MAP points and RSI/RSM positions are offsets from the node's or RSU's reference
/// position (smallest `position-LL` variant that fits). RSI road works use event type
/// ``roadWorksEventType`` (2019/2020) or alert type ``roadWorksSignType`` (2017); speed advice
/// uses sign type ``advisorySpeedSignType``.
enum CV2XFrames {
    /// Event type of road works in RSI `RTEData` (GB/T 29100 road-works class, as the simulator uses it).
    static let roadWorksEventType: UInt16 = 501
    /// Sign type of road works (GB 5768 warning sign "road works", as the simulator uses it).
    static let roadWorksSignType: UInt16 = 38
    /// Sign type of an advisory speed (GB 5768 "suggested speed", as the simulator uses it).
    static let advisorySpeedSignType: UInt16 = 85

    /// The UPER payload of a C-V2X message in the RSU's (or, for BSMs, the vehicle's) edition.
    static func encode(_ message: SimulatedMessage, schema: CSAESchemaSet, layout: ZoneLayout)
        throws(UPERError) -> [UInt8]
    {
        switch schema {
        case .csae53_2020: try encode2020(message, layout: layout)
        case .csae53_2019: try encode2019(message, layout: layout)
        case .csae53_2017: try encode2017(message, layout: layout)
        }
    }

    static let fixedTimeStatus = ShortBitString(count: 16, bits: 1 << (15 - 5))

    static func secMark(_ milliseconds: Int64) -> UInt16 {
        UInt16(((milliseconds % 60_000) + 60_000) % 60_000)
    }

    static func minuteOfTheYear(_ milliseconds: Int64) -> UInt32 {
        let seconds = floorDivide(milliseconds, 1000)
        let timestamp = JT808Timestamp(secondsSince1970: seconds)
        let year = timestamp.utcComponents.year
        let start =
            JT808Timestamp(beijingYear: year, month: 1, day: 1, hour: 8, minute: 0, second: 0)?
            .secondsSince1970 ?? 0
        return UInt32(clamping: (seconds - start) / 60)
    }

    static func speedUnits(_ metresPerSecond: Double) -> UInt16 {
        UInt16(min(8191, max(0, (metresPerSecond / 0.02).rounded())))
    }

    static func headingUnits(_ degrees: Double) -> UInt16 {
        UInt16(Int((degrees / 0.0125).rounded()) % 28800)
    }

    static func accelerationUnits(_ metresPerSecondSquared: Double) -> Int16 {
        Int16(min(2000, max(-2000, (metresPerSecondSquared * 100).rounded())))
    }

    static func timeMark(_ seconds: Double) -> UInt16 {
        UInt16(min(36000, max(0, (seconds * 10).rounded())))
    }

    /// An RSU's 8-octet id: FNV-1a of its zone.toml id.
    static func rsuOctets(_ id: String) -> Octets8 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in id.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return Octets8(words: .init(high: hash, low: 0))
    }
}

// MARK: - CSAE53_2020

extension CV2XFrames {
    static func offset2020(from reference: GeoPoint, to point: GeoPoint) -> CSAE53_2020.PositionOffsetLLV {
        let lat = Int(((point.latitude - reference.latitude) * 1e7).rounded())
        let lon = Int(((point.longitude - reference.longitude) * 1e7).rounded())
        let span = max(abs(lat), abs(lon))
        let offset: CSAE53_2020.PositionOffsetLL
        if span < 2048 {
            offset = .position_LL1(.init(lon: Int16(lon), lat: Int16(lat)))
        } else if span < 8192 {
            offset = .position_LL2(.init(lon: Int16(lon), lat: Int16(lat)))
        } else if span < 32768 {
            offset = .position_LL3(.init(lon: Int16(lon), lat: Int16(lat)))
        } else if span < 131_072 {
            offset = .position_LL4(.init(lon: Int32(lon), lat: Int32(lat)))
        } else if span < 2_097_152 {
            offset = .position_LL5(.init(lon: Int32(lon), lat: Int32(lat)))
        } else {
            offset = .position_LatLon(
                .init(
                    lon: Int32((point.longitude * 1e7).rounded()),
                    lat: Int32((point.latitude * 1e7).rounded())))
        }
        return CSAE53_2020.PositionOffsetLLV(offsetLL: offset)
    }

    static func position2020(_ point: GeoPoint, elevation: Double? = nil) -> CSAE53_2020.Position3D {
        CSAE53_2020.Position3D(
            lat: Int32((point.latitude * 1e7).rounded()), long: Int32((point.longitude * 1e7).rounded()),
            elevation: elevation.map { Int32(($0 * 10).rounded()) })
    }

    static func node2020(_ id: MapNodeID) -> CSAE53_2020.NodeReferenceID {
        CSAE53_2020.NodeReferenceID(region: id.region, id: id.id)
    }

    static func encode2020(_ message: SimulatedMessage, layout: ZoneLayout) throws(UPERError) -> [UInt8] {
        let frame: CSAE53_2020.MessageFrame
        switch message {
        case .bsm(let sample):
            let vehicle = layout.configuration.vehicles[sample.vehicleIndex]
            frame = .bsmFrame(
                CSAE53_2020.BasicSafetyMessage(
                    msgCnt: sample.messageCount,
                    id: Octets8(words: .init(high: vehicle.obuID.rawValue, low: 0)),
                    secMark: secMark(sample.sourceMilliseconds),
                    pos: position2020(sample.position, elevation: sample.elevation),
                    transmission: .forwardGears, speed: speedUnits(sample.speed),
                    heading: headingUnits(sample.heading),
                    accelSet: .init(long: accelerationUnits(sample.acceleration), lat: 0, vert: 0, yaw: 0),
                    brakes: .init(brakePadel: sample.braking ? .on : .off),
                    size: .init(width: 190, length: 490, height: 30),
                    vehicleClass: .init(classification: 10, fuelType: 4)))
        case .map(let sample):
            let intersection = layout.intersections[sample.rsuIndex]
            let links = layout.links.filter { $0.to == sample.rsuIndex }.map { link in
                let movements = layout.outgoing[link.to].filter { layout.links[$0].to != link.from }.map {
                    CSAE53_2020.Movement(
                        remoteIntersection: node2020(layout.intersections[layout.links[$0].to].nodeID),
                        phaseId: link.phase)
                }
                return CSAE53_2020.Link(
                    name: link.name, upstreamNodeId: node2020(link.id.upstream),
                    speedLimits: [.init(type: .vehicleMaxSpeed, speed: speedUnits(link.speedLimit))],
                    linkWidth: UInt16((link.width * 100).rounded()),
                    points: link.points.isEmpty
                        ? nil
                        : link.points.map {
                            CSAE53_2020.RoadPoint(posOffset: offset2020(from: intersection.position, to: $0))
                        },
                    movements: movements.isEmpty ? nil : movements,
                    lanes: (0..<link.lanes).map {
                        CSAE53_2020.Lane(
                            laneID: UInt8($0 + 1), laneWidth: UInt16((link.laneWidth * 100).rounded()))
                    })
            }
            frame = .mapFrame(
                CSAE53_2020.MapData(
                    msgCnt: sample.messageCount, timeStamp: minuteOfTheYear(sample.sourceMilliseconds),
                    nodes: [
                        CSAE53_2020.Node(
                            name: intersection.name, id: node2020(intersection.nodeID),
                            refPos: position2020(intersection.position), inLinks: links)
                    ]))
        case .spat(let sample):
            let intersection = layout.intersections[sample.rsuIndex]
            let phases = sample.phases.map { phase in
                CSAE53_2020.Phase(
                    id: phase.phaseID,
                    phaseStates: [
                        CSAE53_2020.PhaseState(
                            light: phase.light == .green
                                ? .protected_green : (phase.light == .yellow ? .yellow : .red),
                            timing: .counting(
                                .init(
                                    startTime: 0, likelyEndTime: timeMark(phase.remaining),
                                    nextDuration: timeMark(phase.nextDuration))))
                    ])
            }
            frame = .spatFrame(
                CSAE53_2020.SPAT(
                    msgCnt: sample.messageCount, moy: minuteOfTheYear(sample.sourceMilliseconds),
                    timeStamp: secMark(sample.sourceMilliseconds),
                    intersections: [
                        CSAE53_2020.IntersectionState(
                            intersectionId: node2020(intersection.nodeID), status: fixedTimeStatus,
                            moy: minuteOfTheYear(sample.sourceMilliseconds),
                            timeStamp: secMark(sample.sourceMilliseconds), phases: phases)
                    ]))
        case .rsi(let sample):
            let rsu = layout.configuration.rsus[sample.rsuIndex]
            frame = .rsiFrame(
                CSAE53_2020.RoadSideInformation(
                    msgCnt: sample.messageCount, moy: minuteOfTheYear(sample.sourceMilliseconds),
                    id: rsuOctets(rsu.id),
                    refPos: position2020(rsu.position),
                    rtes: {
                        if case .roadWorks = sample.kind {
                            return [
                                CSAE53_2020.RTEData(
                                    rteId: sample.eventID, eventType: roadWorksEventType,
                                    eventSource: .government,
                                    eventPos: offset2020(from: rsu.position, to: sample.position),
                                    eventRadius: UInt16(min(65535, sample.radius * 10)),
                                    description: .textString("Road works"),
                                    priority: Octets1(words: .init(high: 0xA0 << 56, low: 0)),
                                    referenceLinks: [
                                        .init(
                                            upstreamNodeId: node2020(sample.link.upstream),
                                            downstreamNodeId: node2020(sample.link.downstream))
                                    ])
                            ]
                        }
                        return nil
                    }(),
                    rtss: {
                        if case .speedAdvice(let speed) = sample.kind {
                            return [
                                CSAE53_2020.RTSData(
                                    rtsId: sample.eventID, signType: advisorySpeedSignType,
                                    signPos: offset2020(from: rsu.position, to: sample.position),
                                    description: .textString(
                                        "Advisory speed \(Int((speed * 3.6).rounded())) km/h"),
                                    referenceLinks: [
                                        .init(
                                            upstreamNodeId: node2020(sample.link.upstream),
                                            downstreamNodeId: node2020(sample.link.downstream))
                                    ])
                            ]
                        }
                        return nil
                    }()))
        case .rsm(let sample):
            let rsu = layout.configuration.rsus[sample.rsuIndex]
            let participants = sample.participants.map { participant in
                CSAE53_2020.ParticipantData(
                    ptcType: participant.kind == .pedestrian ? .pedestrian : .motor, ptcId: participant.id,
                    source: participant.kind == .pedestrian ? .video : .lidar,
                    secMark: secMark(sample.sourceMilliseconds),
                    pos: offset2020(from: rsu.position, to: participant.position),
                    posConfidence: .init(pos: .a1m),
                    speed: speedUnits(participant.speed), heading: headingUnits(participant.heading),
                    size: participant.kind == .pedestrian
                        ? .init(width: 50, length: 50, height: 35)
                        : .init(width: 180, length: 460, height: 30))
            }
            frame = .rsmFrame(
                CSAE53_2020.RoadsideSafetyMessage(
                    msgCnt: sample.messageCount, id: rsuOctets(rsu.id), refPos: position2020(rsu.position),
                    participants: participants))
        case .location:
            throw UPERError(.unsupported("JT/T 808 reports are not C-V2X frames"), bitOffset: 0)
        }
        return try frame.uperEncoded()
    }
}

// MARK: - CSAE53_2019

extension CV2XFrames {
    static func offset2019(from reference: GeoPoint, to point: GeoPoint) -> CSAE53_2019.PositionOffsetLLV {
        let lat = Int(((point.latitude - reference.latitude) * 1e7).rounded())
        let lon = Int(((point.longitude - reference.longitude) * 1e7).rounded())
        let span = max(abs(lat), abs(lon))
        let offset: CSAE53_2019.PositionOffsetLL
        if span < 2048 {
            offset = .position_LL1(.init(lon: Int16(lon), lat: Int16(lat)))
        } else if span < 8192 {
            offset = .position_LL2(.init(lon: Int16(lon), lat: Int16(lat)))
        } else if span < 32768 {
            offset = .position_LL3(.init(lon: Int16(lon), lat: Int16(lat)))
        } else if span < 131_072 {
            offset = .position_LL4(.init(lon: Int32(lon), lat: Int32(lat)))
        } else if span < 2_097_152 {
            offset = .position_LL5(.init(lon: Int32(lon), lat: Int32(lat)))
        } else {
            offset = .position_LatLon(
                .init(
                    lon: Int32((point.longitude * 1e7).rounded()),
                    lat: Int32((point.latitude * 1e7).rounded())))
        }
        return CSAE53_2019.PositionOffsetLLV(offsetLL: offset)
    }

    static func position2019(_ point: GeoPoint, elevation: Double? = nil) -> CSAE53_2019.Position3D {
        CSAE53_2019.Position3D(
            lat: Int32((point.latitude * 1e7).rounded()), long: Int32((point.longitude * 1e7).rounded()),
            elevation: elevation.map { Int32(($0 * 10).rounded()) })
    }

    static func node2019(_ id: MapNodeID) -> CSAE53_2019.NodeReferenceID {
        CSAE53_2019.NodeReferenceID(region: id.region, id: id.id)
    }

    static func encode2019(_ message: SimulatedMessage, layout: ZoneLayout) throws(UPERError) -> [UInt8] {
        let frame: CSAE53_2019.MessageFrame
        switch message {
        case .bsm(let sample):
            let vehicle = layout.configuration.vehicles[sample.vehicleIndex]
            frame = .bsmFrame(
                CSAE53_2019.BasicSafetyMessage(
                    msgCnt: sample.messageCount,
                    id: Octets8(words: .init(high: vehicle.obuID.rawValue, low: 0)),
                    secMark: secMark(sample.sourceMilliseconds),
                    pos: position2019(sample.position, elevation: sample.elevation),
                    transmission: .forwardGears, speed: speedUnits(sample.speed),
                    heading: headingUnits(sample.heading),
                    accelSet: .init(long: accelerationUnits(sample.acceleration), lat: 0, vert: 0, yaw: 0),
                    brakes: .init(brakePadel: sample.braking ? .on : .off),
                    size: .init(width: 190, length: 490, height: 30),
                    vehicleClass: .init(classification: 10, fuelType: 4)))
        case .map(let sample):
            let intersection = layout.intersections[sample.rsuIndex]
            let links = layout.links.filter { $0.to == sample.rsuIndex }.map { link in
                let movements = layout.outgoing[link.to].filter { layout.links[$0].to != link.from }.map {
                    CSAE53_2019.Movement(
                        remoteIntersection: node2019(layout.intersections[layout.links[$0].to].nodeID),
                        phaseId: link.phase)
                }
                return CSAE53_2019.Link(
                    name: link.name, upstreamNodeId: node2019(link.id.upstream),
                    speedLimits: [.init(type: .vehicleMaxSpeed, speed: speedUnits(link.speedLimit))],
                    linkWidth: UInt16((link.width * 100).rounded()),
                    points: link.points.isEmpty
                        ? nil
                        : link.points.map {
                            CSAE53_2019.RoadPoint(posOffset: offset2019(from: intersection.position, to: $0))
                        },
                    movements: movements.isEmpty ? nil : movements,
                    lanes: (0..<link.lanes).map {
                        CSAE53_2019.Lane(
                            laneID: UInt8($0 + 1), laneWidth: UInt16((link.laneWidth * 100).rounded()))
                    })
            }
            frame = .mapFrame(
                CSAE53_2019.MapData(
                    msgCnt: sample.messageCount, timeStamp: minuteOfTheYear(sample.sourceMilliseconds),
                    nodes: [
                        CSAE53_2019.Node(
                            name: intersection.name, id: node2019(intersection.nodeID),
                            refPos: position2019(intersection.position), inLinks: links)
                    ]))
        case .spat(let sample):
            let intersection = layout.intersections[sample.rsuIndex]
            let phases = sample.phases.map { phase in
                CSAE53_2019.Phase(
                    id: phase.phaseID,
                    phaseStates: [
                        CSAE53_2019.PhaseState(
                            light: phase.light == .green
                                ? .protected_green : (phase.light == .yellow ? .yellow : .red),
                            timing: .counting(
                                .init(
                                    startTime: 0, likelyEndTime: timeMark(phase.remaining),
                                    nextDuration: timeMark(phase.nextDuration))))
                    ])
            }
            frame = .spatFrame(
                CSAE53_2019.SPAT(
                    msgCnt: sample.messageCount, moy: minuteOfTheYear(sample.sourceMilliseconds),
                    timeStamp: secMark(sample.sourceMilliseconds),
                    intersections: [
                        CSAE53_2019.IntersectionState(
                            intersectionId: node2019(intersection.nodeID), status: fixedTimeStatus,
                            moy: minuteOfTheYear(sample.sourceMilliseconds),
                            timeStamp: secMark(sample.sourceMilliseconds), phases: phases)
                    ]))
        case .rsi(let sample):
            let rsu = layout.configuration.rsus[sample.rsuIndex]
            frame = .rsiFrame(
                CSAE53_2019.RoadSideInformation(
                    msgCnt: sample.messageCount, moy: minuteOfTheYear(sample.sourceMilliseconds),
                    id: rsuOctets(rsu.id),
                    refPos: position2019(rsu.position),
                    rtes: {
                        if case .roadWorks = sample.kind {
                            return [
                                CSAE53_2019.RTEData(
                                    rteId: sample.eventID, eventType: roadWorksEventType,
                                    eventSource: .government,
                                    eventPos: offset2019(from: rsu.position, to: sample.position),
                                    eventRadius: UInt16(min(65535, sample.radius * 10)),
                                    description: .textString("Road works"),
                                    priority: Octets1(words: .init(high: 0xA0 << 56, low: 0)),
                                    referenceLinks: [
                                        .init(
                                            upstreamNodeId: node2019(sample.link.upstream),
                                            downstreamNodeId: node2019(sample.link.downstream))
                                    ])
                            ]
                        }
                        return nil
                    }(),
                    rtss: {
                        if case .speedAdvice(let speed) = sample.kind {
                            return [
                                CSAE53_2019.RTSData(
                                    rtsId: sample.eventID, signType: advisorySpeedSignType,
                                    signPos: offset2019(from: rsu.position, to: sample.position),
                                    description: .textString(
                                        "Advisory speed \(Int((speed * 3.6).rounded())) km/h"),
                                    referenceLinks: [
                                        .init(
                                            upstreamNodeId: node2019(sample.link.upstream),
                                            downstreamNodeId: node2019(sample.link.downstream))
                                    ])
                            ]
                        }
                        return nil
                    }()))
        case .rsm(let sample):
            let rsu = layout.configuration.rsus[sample.rsuIndex]
            let participants = sample.participants.map { participant in
                CSAE53_2019.ParticipantData(
                    ptcType: participant.kind == .pedestrian ? .pedestrian : .motor, ptcId: participant.id,
                    source: participant.kind == .pedestrian ? .video : .lidar,
                    secMark: secMark(sample.sourceMilliseconds),
                    pos: offset2019(from: rsu.position, to: participant.position),
                    posConfidence: .init(pos: .a1m),
                    speed: speedUnits(participant.speed), heading: headingUnits(participant.heading),
                    size: participant.kind == .pedestrian
                        ? .init(width: 50, length: 50, height: 35)
                        : .init(width: 180, length: 460, height: 30))
            }
            frame = .rsmFrame(
                CSAE53_2019.RoadsideSafetyMessage(
                    msgCnt: sample.messageCount, id: rsuOctets(rsu.id), refPos: position2019(rsu.position),
                    participants: participants))
        case .location:
            throw UPERError(.unsupported("JT/T 808 reports are not C-V2X frames"), bitOffset: 0)
        }
        return try frame.uperEncoded()
    }
}

// MARK: - CSAE53_2017

extension CV2XFrames {
    static func offset2017(from reference: GeoPoint, to point: GeoPoint) -> CSAE53_2017.PositionOffsetLLV {
        let lat = Int(((point.latitude - reference.latitude) * 1e7).rounded())
        let lon = Int(((point.longitude - reference.longitude) * 1e7).rounded())
        let span = max(abs(lat), abs(lon))
        let offset: CSAE53_2017.PositionOffsetLL
        if span < 2048 {
            offset = .position_LL1(.init(lon: Int16(lon), lat: Int16(lat)))
        } else if span < 8192 {
            offset = .position_LL2(.init(lon: Int16(lon), lat: Int16(lat)))
        } else if span < 32768 {
            offset = .position_LL3(.init(lon: Int16(lon), lat: Int16(lat)))
        } else if span < 131_072 {
            offset = .position_LL4(.init(lon: Int32(lon), lat: Int32(lat)))
        } else if span < 2_097_152 {
            offset = .position_LL5(.init(lon: Int32(lon), lat: Int32(lat)))
        } else {
            offset = .position_LatLon(
                .init(
                    lon: Int32((point.longitude * 1e7).rounded()),
                    lat: Int32((point.latitude * 1e7).rounded())))
        }
        return CSAE53_2017.PositionOffsetLLV(offsetLL: offset)
    }

    static func position2017(_ point: GeoPoint, elevation: Double? = nil) -> CSAE53_2017.Position3D {
        CSAE53_2017.Position3D(
            lat: Int32((point.latitude * 1e7).rounded()), long: Int32((point.longitude * 1e7).rounded()),
            elevation: elevation.map { Int32(($0 * 10).rounded()) })
    }

    /// The alert path of a 2017 RSI: the link's two ends around the event, as offsets.
    static func pathAround2017(_ sample: RSISample, layout: ZoneLayout, reference: GeoPoint) -> [CSAE53_2017
        .PositionOffsetLLV]
    {
        let nodes = [sample.link.upstream, sample.link.downstream].compactMap { id in
            layout.intersections.first { $0.nodeID == id }?.position
        }
        return nodes.map { offset2017(from: reference, to: $0) }
    }

    static func node2017(_ id: MapNodeID) -> CSAE53_2017.NodeReferenceID {
        CSAE53_2017.NodeReferenceID(region: id.region, id: id.id)
    }

    static func encode2017(_ message: SimulatedMessage, layout: ZoneLayout) throws(UPERError) -> [UInt8] {
        let frame: CSAE53_2017.MessageFrame
        switch message {
        case .bsm(let sample):
            let vehicle = layout.configuration.vehicles[sample.vehicleIndex]
            frame = .bsmFrame(
                CSAE53_2017.BasicSafetyMessage(
                    msgCnt: sample.messageCount,
                    id: Octets8(words: .init(high: vehicle.obuID.rawValue, low: 0)),
                    secMark: secMark(sample.sourceMilliseconds),
                    pos: position2017(sample.position, elevation: sample.elevation),
                    accuracy: .init(pos: .a1m),
                    transmission: .forwardGears, speed: speedUnits(sample.speed),
                    heading: headingUnits(sample.heading),
                    accelSet: .init(long: accelerationUnits(sample.acceleration), lat: 0, vert: 0, yaw: 0),
                    brakes: .init(brakePadel: sample.braking ? .on : .off),
                    size: .init(width: 190, length: 490, height: 30),
                    vehicleClass: .init(classification: 10)))
        case .map(let sample):
            let intersection = layout.intersections[sample.rsuIndex]
            let links = layout.links.filter { $0.to == sample.rsuIndex }.map { link in
                let movements = layout.outgoing[link.to].filter { layout.links[$0].to != link.from }.map {
                    CSAE53_2017.Movement(
                        remoteIntersection: node2017(layout.intersections[layout.links[$0].to].nodeID),
                        phaseId: link.phase)
                }
                return CSAE53_2017.Link(
                    name: link.name, upstreamNodeId: node2017(link.id.upstream),
                    speedLimits: [.init(type: .vehicleMaxSpeed, speed: speedUnits(link.speedLimit))],
                    laneWidth: UInt16((link.laneWidth * 100).rounded()),
                    points: link.points.isEmpty
                        ? nil
                        : link.points.map {
                            CSAE53_2017.RoadPoint(posOffset: offset2017(from: intersection.position, to: $0))
                        },
                    movements: movements.isEmpty ? nil : movements,
                    lanes: (0..<link.lanes).map { CSAE53_2017.Lane(laneID: UInt8($0 + 1)) })
            }
            frame = .mapFrame(
                CSAE53_2017.MapData(
                    msgCnt: sample.messageCount, timeStamp: minuteOfTheYear(sample.sourceMilliseconds),
                    nodes: [
                        CSAE53_2017.Node(
                            name: intersection.name, id: node2017(intersection.nodeID),
                            refPos: position2017(intersection.position), inLinks: links)
                    ]))
        case .spat(let sample):
            let intersection = layout.intersections[sample.rsuIndex]
            let phases = sample.phases.map { phase in
                CSAE53_2017.Phase(
                    id: phase.phaseID,
                    phaseStates: [
                        CSAE53_2017.PhaseState(
                            light: phase.light == .green
                                ? .protected_Movement_Allowed
                                : (phase.light == .yellow ? .intersection_clearance : .stop_And_Remain),
                            timing: .init(
                                startTime: 0, likelyEndTime: timeMark(phase.remaining),
                                nextDuration: timeMark(phase.nextDuration)))
                    ])
            }
            frame = .spatFrame(
                CSAE53_2017.SPAT(
                    msgCnt: sample.messageCount, timeStamp: minuteOfTheYear(sample.sourceMilliseconds),
                    intersections: [
                        CSAE53_2017.IntersectionState(
                            intersectionId: node2017(intersection.nodeID), status: fixedTimeStatus,
                            moy: minuteOfTheYear(sample.sourceMilliseconds),
                            timeStamp: secMark(sample.sourceMilliseconds), phases: phases)
                    ]))
        case .rsi(let sample):
            let rsu = layout.configuration.rsus[sample.rsuIndex]
            switch sample.kind {
            case .roadWorks:
                frame = .rsiFrame(
                    CSAE53_2017.RoadSideInformation(
                        msgCnt: sample.messageCount, timeStamp: minuteOfTheYear(sample.sourceMilliseconds),
                        id: rsuOctets(rsu.id), rsiId: sample.eventID, alertType: roadWorksSignType,
                        description: "Road works", refPos: position2017(rsu.position),
                        alertPath: pathAround2017(sample, layout: layout, reference: rsu.position),
                        alertRadius: UInt16(min(1024, sample.radius * 10))))
            case .speedAdvice(let speed):
                frame = .rsiFrame(
                    CSAE53_2017.RoadSideInformation(
                        msgCnt: sample.messageCount, timeStamp: minuteOfTheYear(sample.sourceMilliseconds),
                        id: rsuOctets(rsu.id), rsiId: sample.eventID, alertType: advisorySpeedSignType,
                        description: "Advisory speed \(Int((speed * 3.6).rounded())) km/h",
                        refPos: position2017(rsu.position),
                        alertPath: pathAround2017(sample, layout: layout, reference: rsu.position),
                        alertRadius: UInt16(min(1024, sample.radius * 10))))
            }
        case .rsm(let sample):
            let rsu = layout.configuration.rsus[sample.rsuIndex]
            let participants = sample.participants.map { participant in
                CSAE53_2017.ParticipantData(
                    ptcType: participant.kind == .pedestrian ? .pedestrian : .motor, ptcId: participant.id,
                    source: participant.kind == .pedestrian ? .video : .microwaveRadar,
                    secMark: secMark(sample.sourceMilliseconds),
                    pos: offset2017(from: rsu.position, to: participant.position),
                    accuracy: .init(pos: .a1m),
                    speed: speedUnits(participant.speed), heading: headingUnits(participant.heading),
                    size: participant.kind == .pedestrian
                        ? .init(width: 50, length: 50, height: 35)
                        : .init(width: 180, length: 460, height: 30))
            }
            frame = .rsmFrame(
                CSAE53_2017.RoadsideSafetyMessage(
                    msgCnt: sample.messageCount, id: rsuOctets(rsu.id), refPos: position2017(rsu.position),
                    participants: participants))
        case .location:
            throw UPERError(.unsupported("JT/T 808 reports are not C-V2X frames"), bitOffset: 0)
        }
        return try frame.uperEncoded()
    }
}
