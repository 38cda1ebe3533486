/// The metrics engine: consumes decoded observations and frame accounting, keeps per-vehicle
/// state behind a reorder buffer, and produces mergeable ``ZoneMetrics``.
///
/// Hot path: observing a fix, event or BSM is a heap push/pop and some arithmetic on per-vehicle
/// state whose storage is reused; it allocates only when something new appears (a vehicle, day,
/// link, RSU band, or a notable event record).
public struct ZoneAggregator: Sendable {
    /// The configuration (zone registry, road network, parameters).
    public private(set) var configuration: MetricsConfiguration
    /// Identity linking (vehicles registered on first sight are appended).
    public private(set) var directory: VehicleDirectory
    private var vehicles: [VehicleAccumulator]
    private var sourceNames: [String] = []
    private var sourceIndex: [String: Int] = [:]
    private var sources: [SourceHealth] = []
    private var duplicateFilters: [DuplicateFilter] = []
    private var streamKeys: [SequenceStream] = []
    private var streamIndex: [SequenceStream: Int] = [:]
    private var streams: [SequenceHealth] = []
    private var unattributed = UnattributedCounts()
    /// Vehicles that observed something since the last ``takeChangesReleasingHeld()``.
    private var changed: [Bool] = []

    /// Creates an engine for a zone.
    public init(configuration: MetricsConfiguration) {
        self.configuration = configuration
        self.directory = VehicleDirectory(configuration.vehicles)
        self.vehicles = Array(repeating: VehicleAccumulator(), count: directory.identities.count)
    }

    // MARK: Identity

    /// The vehicle of a terminal number (registers unlisted terminals, see ``VehicleDirectory``).
    public mutating func vehicle(forTerminal terminal: String) -> VehicleRef {
        let ref = directory.vehicle(forTerminal: terminal)
        while vehicles.count < directory.identities.count { vehicles.append(VehicleAccumulator()) }
        return ref
    }

    /// The vehicle of an OBU id, or `nil` (counted as a BSM from an unregistered OBU).
    public mutating func vehicle(forOBU obu: UInt64) -> VehicleRef? {
        if let ref = directory.vehicle(forOBU: obu) { return ref }
        unattributed.bsmFromUnregisteredOBU += 1
        return nil
    }

    /// Takes a new zone registry (a reload while running): vehicles are added or updated by VIN
    /// (none is removed: their data stays), RSUs are updated by id and new ones appended (indices
    /// stay valid), the ICV item ids replaced. Road network and parameters stay.
    public mutating func reload(
        vehicles: [VehicleIdentity], rsus: [RSUSite], automationItemIDs: [String: AutomationItemIDs]
    ) {
        for vehicle in vehicles { _ = directory.register(vehicle) }
        while self.vehicles.count < directory.identities.count { self.vehicles.append(VehicleAccumulator()) }
        var merged = configuration.rsus
        for rsu in rsus {
            if let index = merged.firstIndex(where: { $0.id == rsu.id }) {
                merged[index] = rsu
            } else {
                merged.append(rsu)
            }
        }
        configuration.rsus = merged
        for vehicle in vehicles {
            if let index = configuration.vehicles.firstIndex(where: { $0.vin == vehicle.vin }) {
                configuration.vehicles[index] = vehicle
            } else {
                configuration.vehicles.append(vehicle)
            }
        }
        configuration.automationItemIDs = automationItemIDs
    }

    /// The RSU index of an RSU id, or `nil` for an RSU not in the registry.
    public func rsu(forID id: some StringProtocol) -> Int? {
        configuration.rsus.firstIndex { $0.id == id }
    }

    // MARK: Frame accounting

    /// A dense index for a source name (`cv2x/<id>`, `jt808/<id>`); allocates on first sight only.
    public mutating func source(named name: String) -> Int {
        if let index = sourceIndex[name] { return index }
        let index = sourceNames.count
        sourceNames.append(name)
        sourceIndex[name] = index
        sources.append(SourceHealth())
        duplicateFilters.append(DuplicateFilter())
        return index
    }

    /// A dense index for a sequence stream.
    public mutating func sequenceStream(_ key: SequenceStream) -> Int {
        if let index = streamIndex[key] { return index }
        let index = streamKeys.count
        streamKeys.append(key)
        streamIndex[key] = index
        streams.append(SequenceHealth())
        return index
    }

    /// Counts a received frame of a source at its data time (`nil`: no usable time, e.g. a
    /// frame whose time frame is malformed).
    public mutating func received(source: Int, at time: Microseconds?) {
        sources[source].receive(at: time)
    }

    /// Whether a frame (or one packet of a multi-packet frame) repeats one seen from the same
    /// source with the same sequence key and the same content within the last
    /// ``DuplicateFilter/window`` (60 s of receive time; the last 4096 frames of the source are
    /// remembered). A duplicate must not be processed again; record its outcome as
    /// ``FrameOutcome/duplicate``. (A MAP repeated unchanged every second is not a duplicate once
    /// its msgCnt has wrapped: same sequence and content, but minutes apart.)
    public mutating func isDuplicate(
        source: Int, sequenceKey: UInt64, contentHash: UInt64, at time: Microseconds
    ) -> Bool {
        duplicateFilters[source].isDuplicate(sequenceKey: sequenceKey, contentHash: contentHash, at: time)
    }

    /// Starts loading what ``isDuplicate(source:sequenceKey:contentHash:at:)`` will need for a
    /// frame that comes after `ahead` other frames of the same source: call it a frame or two
    /// before the check and the check finds its memory in cache. A pure hint, changes nothing
    /// (`mutating` only so that the filter is not copied).
    public mutating func prefetchDuplicateCheck(
        source: Int, sequenceKey: UInt64, contentHash: UInt64, ahead: Int
    ) {
        duplicateFilters[source].prefetch(sequenceKey: sequenceKey, contentHash: contentHash, ahead: ahead)
    }

    /// Frames received from a source so far and the receive time of its last one (cheap: no copy
    /// of the source's rejection reasons).
    public func sourceActivity(source: Int) -> (received: Int64, lastSeen: Microseconds?) {
        (sources[source].received, sources[source].lastSeen)
    }

    /// Records the outcome of a received frame: every received frame ends up exactly once as
    /// decoded, rejected (with a reason) or duplicate.
    public mutating func record(_ outcome: FrameOutcome, source: Int) {
        switch outcome {
        case .decoded: sources[source].decoded += 1
        case .rejected(let reason): sources[source].rejected[reason, default: 0] += 1
        case .duplicate: sources[source].duplicates += 1
        }
    }

    /// Counts additional items of a source's reports that were kept raw (malformed or undefined).
    public mutating func recordMalformedItems(_ count: Int, source: Int) {
        sources[source].malformedItems += Int64(count)
    }

    /// Records a clock offset sample (receive time minus source time) of a source.
    public mutating func recordClockOffset(_ offset: Microseconds, source: Int) {
        sources[source].clockOffset.add(offset)
    }

    /// Records a sequence number of a stream at its receive time.
    public mutating func recordSequence(_ value: Int, stream: Int, at time: Microseconds) {
        streams[stream].record(value, at: time, kind: streamKeys[stream].kind)
    }

    // MARK: Observations

    /// Observes a fix.
    public mutating func observe(_ fix: VehicleFix) { observe(.fix(fix), vehicle: fix.vehicle) }
    /// Observes an automation event.
    public mutating func observe(_ event: AutomationEvent) { observe(.event(event), vehicle: event.vehicle) }
    /// Observes a BSM reception.
    public mutating func observe(_ reception: BSMReception) {
        observe(.bsm(reception), vehicle: reception.vehicle)
    }

    private mutating func observe(_ item: TrackItem, vehicle: VehicleRef) {
        guard vehicle >= 0, vehicle < vehicles.count else {
            unattributed.unknownVehicleObservations += 1
            return
        }
        vehicles[vehicle].observe(item, configuration: configuration)
        if vehicle >= changed.count { changed += repeatElement(false, count: vehicles.count - changed.count) }
        changed[vehicle] = true
    }

    /// Releases every held observation with an event time at or before `time` (live watermark).
    public mutating func advance(to time: Microseconds) {
        for index in vehicles.indices { vehicles[index].flush(upTo: time, configuration: configuration) }
    }

    /// Releases everything held and returns the aggregate.
    public mutating func finish() -> ZoneMetrics {
        for index in vehicles.indices { vehicles[index].flush(configuration: configuration) }
        return snapshot()
    }

    /// The aggregate as ``finish()`` would return it now, without releasing anything: held
    /// observations are applied to copies of the vehicles' summaries (for periodic commits while
    /// the reorder buffers keep holding). Cheaper than finishing a copy of the engine, which
    /// would copy every reorder buffer first.
    public func snapshotReleasingHeld() -> ZoneMetrics {
        snapshot { $0.summaryReleasingHeld(configuration: configuration) }
    }

    /// The aggregate of everything released so far (held observations are not included).
    public func snapshot() -> ZoneMetrics { snapshot { $0.summary } }

    /// Like ``snapshotReleasingHeld()`` but with only the vehicles that observed something since
    /// the previous call (the others are as they were then); the run-wide accounting is complete.
    /// Live ingest's incremental commits: their cost follows what changed, not the run's length.
    public mutating func takeChangesReleasingHeld() -> ZoneMetrics {
        let result = snapshot(including: changed) { $0.summaryReleasingHeld(configuration: configuration) }
        for index in changed.indices { changed[index] = false }
        return result
    }

    /// After a successful live commit of `vins`: drops from their summaries what is committed and
    /// can no longer change (``TrackSummary/dropSettled()``), so memory stays bounded however
    /// long the run. Returns what went per VIN (for the writer's cache).
    public mutating func dropSettled(vins: some Sequence<String>) -> [String: SettledDrop] {
        var result: [String: SettledDrop] = [:]
        for vin in vins {
            guard let ref = directory.vehicle(forVIN: vin), ref < vehicles.count,
                let drop = vehicles[ref].dropSettled()
            else { continue }
            result[vin] = drop
        }
        return result
    }

    /// Marks every vehicle changed (the next ``takeChangesReleasingHeld()`` includes them all).
    public mutating func markAllChanged() {
        changed = Array(repeating: true, count: vehicles.count)
    }

    private func snapshot(including: [Bool]? = nil, summary: (VehicleAccumulator) -> TrackSummary)
        -> ZoneMetrics
    {
        var result = ZoneMetrics(configuration: configuration)
        for (ref, accumulator) in vehicles.enumerated() {
            if let including, ref >= including.count || !including[ref] { continue }
            let vehicleSummary = summary(accumulator)
            guard vehicleSummary.firstTime != nil else { continue }
            let identity = directory.identities[ref]
            result.vehicles[identity.vin] = VehicleMetrics(identity: identity, summary: vehicleSummary)
        }
        for (index, name) in sourceNames.enumerated() { result.sources[name] = sources[index] }
        for (index, key) in streamKeys.enumerated() { result.sequences[key] = streams[index] }
        result.unattributed = unattributed
        return result
    }
}

/// Observations that could not be attributed to a vehicle.
public struct UnattributedCounts: Sendable, Hashable, Codable {
    /// BSMs whose OBU id is not in the registry (background traffic).
    public var bsmFromUnregisteredOBU: Int64 = 0
    /// Observations with a vehicle reference outside the directory.
    public var unknownVehicleObservations: Int64 = 0

    mutating func add(_ other: Self) {
        bsmFromUnregisteredOBU += other.bsmFromUnregisteredOBU
        unknownVehicleObservations += other.unknownVehicleObservations
    }
}
