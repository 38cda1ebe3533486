import Foundation
import Zone

/// A fixed-time two-phase signal plan: phase 1 (north-south) green, yellow, all-red, then
/// phase 2 (east-west) green, yellow, all-red.
public struct SignalPlan: Sendable, Hashable {
    /// Green time of phase 1, seconds.
    public var green1: Double
    /// Green time of phase 2, seconds.
    public var green2: Double
    /// Yellow time, seconds.
    public var yellow: Double = 3
    /// All-red clearance, seconds.
    public var allRed: Double = 2
    /// Cycle start offset against the epoch, seconds.
    public var offset: Double

    /// Cycle length, seconds.
    public var cycle: Double { green1 + green2 + 2 * (yellow + allRed) }

    /// Signal light of a phase.
    public enum Light: Sendable, Hashable {
        /// Red: stop.
        case red
        /// Green: go.
        case green
        /// Yellow: stop if you can.
        case yellow
    }

    /// The light of `phase` (1 or 2) at `time` seconds since the epoch, with the seconds until
    /// it changes and the length of the following interval.
    public func state(phase: UInt8, at time: Double) -> (light: Light, remaining: Double, next: Double) {
        let c = positiveModulo(time - offset, cycle)
        // Interval boundaries within the cycle.
        let g1End = green1
        let y1End = g1End + yellow
        let r1End = y1End + allRed
        let g2End = r1End + green2
        let y2End = g2End + yellow
        if phase == 1 {
            if c < g1End { return (.green, g1End - c, yellow) }
            if c < y1End { return (.yellow, y1End - c, cycle - green1 - yellow) }
            return (.red, cycle - c, green1)
        }
        if c < r1End { return (.red, r1End - c, green2) }
        if c < g2End { return (.green, g2End - c, yellow) }
        if c < y2End { return (.yellow, y2End - c, cycle - green2 - yellow) }
        return (.red, cycle - c + r1End, green2)
    }

    private func positiveModulo(_ value: Double, _ modulus: Double) -> Double {
        let r = value.truncatingRemainder(dividingBy: modulus)
        return r < 0 ? r + modulus : r
    }
}

/// A signalised intersection of the simulated zone.
public struct SimulatedIntersection: Sendable, Hashable {
    /// MAP node id (region 1).
    public var nodeID: MapNodeID
    /// Name, e.g. "Moyu Rd / Boyuan Rd".
    public var name: String
    /// Position (quantised to 1e-7 degree, the MAP resolution).
    public var position: GeoPoint
    /// Signal plan.
    public var signal: SignalPlan
}

/// A directed link of the simulated zone.
public struct SimulatedLink: Sendable, Hashable {
    /// Link id.
    public var id: LinkID
    /// Road name.
    public var name: String
    /// Index of the upstream intersection.
    public var from: Int
    /// Index of the downstream intersection.
    public var to: Int
    /// Lanes in this direction.
    public var lanes: Int
    /// Lane width, metres.
    public var laneWidth: Double
    /// Speed limit, m/s.
    public var speedLimit: Double
    /// Intermediate points (quantised), upstream to downstream.
    public var points: [GeoPoint]
    /// Whole polyline in the local plane, upstream node to downstream node.
    public var localGeometry: [LocalPoint]
    /// Distance along the polyline at each vertex, metres.
    public var cumulative: [Double]
    /// Signal phase controlling the movement into the downstream intersection (1 N-S, 2 E-W).
    public var phase: UInt8

    /// Length along the local polyline, metres.
    public var length: Double { cumulative.last ?? 0 }

    /// Total width (lanes x lane width), metres.
    public var width: Double { Double(lanes) * laneWidth }

    /// Local position and heading (degrees clockwise from north) at `distance` along the link.
    public func locate(_ distance: Double) -> (point: LocalPoint, heading: Double) {
        let s = min(max(distance, 0), length)
        var index = 1
        while index < cumulative.count - 1 && cumulative[index] < s { index += 1 }
        let a = localGeometry[index - 1]
        let b = localGeometry[index]
        let segment = cumulative[index] - cumulative[index - 1]
        let t = segment > 0 ? (s - cumulative[index - 1]) / segment : 0
        let point = LocalPoint(east: a.east + t * (b.east - a.east), north: a.north + t * (b.north - a.north))
        var heading = atan2Degrees(b.east - a.east, b.north - a.north)
        if heading < 0 { heading += 360 }
        return (point, heading)
    }
}

/// The generated zone: intersections, links, RSUs, operators and vehicles, all derived from the
/// parameters and seed.
///
/// A grid of `gridColumns x gridRows` signalised intersections around the origin (gaps of
/// 350-750 m), two-way links between neighbours with 2-3 lanes of 3.5 m, speed limits of 40-60
/// km/h, some links bent through two intermediate points; one RSU per intersection that sends the
/// MAP of its intersection (the node and its incoming links), so the union of all RSUs' MAPs
/// is the whole network.
public struct ZoneLayout: Sendable {
    /// Local projection around the origin.
    public let projection: LocalProjection
    /// Intersections, index = RSU index.
    public let intersections: [SimulatedIntersection]
    /// Directed links.
    public let links: [SimulatedLink]
    /// Indices of links leaving each intersection.
    public let outgoing: [[Int]]
    /// The zone configuration (operators, vehicles, RSUs).
    public let configuration: ZoneConfiguration

    static let eastWestRoads = [
        "Boyuan Rd", "Moyu Rd", "Anting Rd", "Yecheng Rd", "Chengbei Rd", "Huangdu Rd", "Malu Rd",
        "Nanxiang Rd",
    ]
    static let northSouthRoads = [
        "Jiasong N Rd", "Xiangjiang Rd", "Fengxiang Rd", "Anzhi Rd", "Hechuan Rd", "Baoan Hwy", "Yuanguo Rd",
        "Caoan Hwy",
    ]
    static let operatorNames: [(String, String)] = [
        ("JDRT", "Jiading Robotaxi Co."),
        ("ATAL", "Anting Autonomous Logistics"),
        ("HDML", "Huangdu Mobility Lab"),
        ("MLICV", "Malu ICV Technology"),
    ]

    /// Generates the layout for `parameters`.
    public init(parameters: SimulationParameters) {
        var random = SimulationRandom.stream(seed: parameters.seed, label: "layout")
        let projection = LocalProjection(origin: parameters.origin)
        self.projection = projection
        let columns = max(2, parameters.gridColumns)
        let rows = max(2, parameters.gridRows)
        func gaps(_ count: Int) -> [Double] {
            (0..<(count - 1)).map { _ in (random.uniform(350, 750) / 10).rounded() * 10 }
        }
        let xGaps = gaps(columns)
        let yGaps = gaps(rows)
        var xs = [0.0]
        for gap in xGaps { xs.append(xs.last! + gap) }
        var ys = [0.0]
        for gap in yGaps { ys.append(ys.last! + gap) }
        let xShift = xs.last! / 2
        let yShift = ys.last! / 2

        func quantise(_ point: GeoPoint) -> GeoPoint {
            GeoPoint(
                latitude: (point.latitude * 1e7).rounded() / 1e7,
                longitude: (point.longitude * 1e7).rounded() / 1e7)
        }

        var intersections: [SimulatedIntersection] = []
        for row in 0..<rows {
            for column in 0..<columns {
                let local = LocalPoint(
                    east: xs[column] - xShift + random.uniform(-15, 15),
                    north: ys[row] - yShift + random.uniform(-15, 15))
                let green1 = (random.uniform(25, 45)).rounded()
                let green2 = (random.uniform(25, 45)).rounded()
                var plan = SignalPlan(green1: green1, green2: green2, offset: 0)
                plan.offset = (random.uniform(0, plan.cycle)).rounded()
                let ew = Self.eastWestRoads[row % Self.eastWestRoads.count]
                let ns = Self.northSouthRoads[column % Self.northSouthRoads.count]
                intersections.append(
                    SimulatedIntersection(
                        nodeID: MapNodeID(region: 1, id: UInt16(row * columns + column + 1)),
                        name: "\(ns) / \(ew)",
                        position: quantise(projection.unproject(local)),
                        signal: plan))
            }
        }
        self.intersections = intersections

        var links: [SimulatedLink] = []
        func addPair(
            _ a: Int, _ b: Int, name: String, phase: UInt8, lanes: Int, speedKmh: Double, bend: Double
        ) {
            let pa = projection.project(intersections[a].position)
            let pb = projection.project(intersections[b].position)
            var middle: [GeoPoint] = []
            if bend != 0 {
                let dx = pb.east - pa.east
                let dy = pb.north - pa.north
                let length = (dx * dx + dy * dy).squareRoot()
                // Two points (a PointList holds 2...31): the road swings aside over its middle third.
                middle = [1.0 / 3, 2.0 / 3].map { t in
                    quantise(
                        projection.unproject(
                            LocalPoint(
                                east: pa.east + dx * t - dy / length * bend,
                                north: pa.north + dy * t + dx / length * bend)))
                }
            }
            for (from, to, points) in [(a, b, middle), (b, a, Array(middle.reversed()))] {
                let geometry =
                    [projection.project(intersections[from].position)] + points.map(projection.project)
                    + [projection.project(intersections[to].position)]
                var cumulative = [0.0]
                for index in 1..<geometry.count {
                    cumulative.append(
                        cumulative[index - 1] + geometry[index - 1].distance(to: geometry[index]))
                }
                links.append(
                    SimulatedLink(
                        id: LinkID(
                            upstream: intersections[from].nodeID, downstream: intersections[to].nodeID),
                        name: name, from: from, to: to, lanes: lanes, laneWidth: 3.5,
                        speedLimit: speedKmh / 3.6,
                        points: points, localGeometry: geometry, cumulative: cumulative, phase: phase))
            }
        }
        for row in 0..<rows {
            let main = row % 2 == 0
            for column in 0..<(columns - 1) {
                let bend = random.chance(0.25) ? random.uniform(-15, 15).rounded() : 0
                addPair(
                    row * columns + column, row * columns + column + 1,
                    name: Self.eastWestRoads[row % Self.eastWestRoads.count], phase: 2, lanes: main ? 3 : 2,
                    speedKmh: main ? 60 : 50, bend: bend)
            }
        }
        for column in 0..<columns {
            let main = column % 2 == 1
            for row in 0..<(rows - 1) {
                let bend = random.chance(0.25) ? random.uniform(-15, 15).rounded() : 0
                addPair(
                    row * columns + column, (row + 1) * columns + column,
                    name: Self.northSouthRoads[column % Self.northSouthRoads.count], phase: 1,
                    lanes: main ? 3 : 2, speedKmh: main ? 60 : 40, bend: bend)
            }
        }
        links.sort { $0.id < $1.id }
        self.links = links
        var outgoing = [[Int]](repeating: [], count: intersections.count)
        for (index, link) in links.enumerated() { outgoing[link.from].append(index) }
        self.outgoing = outgoing

        // Operators, vehicles and RSUs.
        let operatorCount = min(Self.operatorNames.count, max(1, (parameters.vehicleCount + 4) / 5))
        let operators = Self.operatorNames.prefix(operatorCount).map { ZoneOperator(id: $0.0, name: $0.1) }
        var vehicles: [ZoneVehicle] = []
        let vinLetters = Array("ABCDEFGH")
        for index in 0..<parameters.vehicleCount {
            let operatorIndex = index % operatorCount
            let serial = index + 1
            let serialText = String(serial)
            let vin =
                "LTZ" + String(vinLetters[operatorIndex]) + "S26"
                + String(repeating: "0", count: 10 - serialText.count) + serialText
            let terminalText = String(13_900_000_000 + serial)
            let maxLevel = operatorIndex == 1 ? 3 : (operatorIndex == 3 && serial % 2 == 0 ? 3 : 4)
            vehicles.append(
                ZoneVehicle(
                    vin: vin,
                    plate: "沪A\(String(repeating: "0", count: max(0, 4 - serialText.count)))\(serialText)试",
                    operatorID: operators[operatorIndex].id,
                    permit:
                        "JD-ICV-2026-\(String(repeating: "0", count: max(0, 4 - serialText.count)))\(serialText)",
                    terminal: "0" + terminalText,
                    obuID: OBUIdentifier(
                        rawValue: 0x4A44_5A00_0000_0000 | UInt64(operatorIndex + 1) << 32 | UInt64(serial)),
                    maxLevel: maxLevel))
        }
        var rsus: [ZoneRSU] = []
        for (index, intersection) in intersections.enumerated() {
            let local = projection.project(intersection.position)
            let schema: CSAESchemaSet =
                index % 7 == 6 ? .csae53_2017 : (index % 5 == 4 ? .csae53_2019 : .csae53_2020)
            rsus.append(
                ZoneRSU(
                    id: "RSU-JD-\(index + 1 < 10 ? "0" : "")\(index + 1)",
                    position: quantise(
                        projection.unproject(LocalPoint(east: local.east + 8, north: local.north + 8))),
                    nominalRange: (random.uniform(300, 450) / 10).rounded() * 10,
                    schema: schema))
        }
        var configuration = ZoneConfiguration(
            name: "Jiading ICV pilot zone (simulated, seed \(parameters.seed))", timeZone: "Asia/Shanghai",
            origin: parameters.origin, operators: Array(operators), vehicles: vehicles, rsus: rsus)
        // The vehicles' nominal BSM rate (issue 18): reception ratios are computed against it.
        configuration.bsmRate = Double(parameters.bsmRate)
        self.configuration = configuration
    }

    /// The MAP content RSU `rsuIndex` broadcasts: its intersection's node and incoming links.
    public func mapNodes(rsuIndex: Int) -> [MapNode] {
        let intersection = intersections[rsuIndex]
        let inLinks = links.filter { $0.to == rsuIndex }.map { link in
            MapLink(
                upstream: link.id.upstream, name: link.name, lanes: link.lanes, width: link.width,
                points: link.points, speedLimits: [link.speedLimit])
        }
        return [
            MapNode(
                id: intersection.nodeID, name: intersection.name, position: intersection.position,
                inLinks: inLinks)
        ]
    }

    /// The road network as the union of all RSUs' MAP content would give it.
    public func roadNetwork() -> RoadNetwork {
        var builder = RoadNetworkBuilder()
        for index in intersections.indices { builder.add(contentsOf: mapNodes(rsuIndex: index)) }
        return builder.build()
    }
}

func atan2Degrees(_ y: Double, _ x: Double) -> Double {
    atan2(y, x) * 180 / Double.pi
}
