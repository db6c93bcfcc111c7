import Core

/// The twin's scenario: 30 minutes of traffic that ramps, bursts and oscillates (where lag builds, autoscaling
/// reacts and thrash would show), a zone outage, and an autoscaler configured from the manifests.
public struct TwinScenarioGenerator: Sendable {
    public var settings: TwinSettings
    public var partitions: Int
    public var trafficMinutes: Int64
    public var zoneOutage: Bool
    /// A given load instead of the drawn one: the demos' k6 Jobs replayed in the twin (`sim scale --profile`).
    public var fixedProfile: TrafficProfile?

    public init(settings: TwinSettings, partitions: Int, trafficMinutes: Int64 = 30, zoneOutage: Bool = true,
                fixedProfile: TrafficProfile? = nil) {
        self.settings = settings
        self.partitions = partitions
        self.trafficMinutes = fixedProfile.map { ($0.duration + 59_999) / 60_000 } ?? trafficMinutes
        self.zoneOutage = zoneOutage
        self.fixedProfile = fixedProfile
    }

    public func generate(seed: UInt64) -> (Scenario, TrafficProfile) {
        var root = Xoshiro256(seed: seed)
        var shapeRandom = root.fork(0x7368_6170)
        var recordRandom = root.fork(0x7265_636F)
        var faultRandom = root.fork(0x7A6F_6E65)
        let profile = fixedProfile ?? TrafficProfile.draw(duration: trafficMinutes * 60_000, using: &shapeRandom)
        let duration = profile.duration
        var config = SimulationConfig()
        config.trafficDuration = duration
        config.healLimit = 20 * 60_000
        config.settlementPeriod = 60_000
        config.batchMaxEvents = max(1, Int(500 / settings.eventsPerRecord))
        config.maxPollRecords = max(1, Int(5_000 / settings.eventsPerRecord))
        config.databaseLatencyPerEntry = settings.databaseLatencyPerRecord
        // A batch is several round trips (BEGIN, the statements, COMMIT); at a same-region RDS each takes about a
        // millisecond, so the per-record cost above carries the pod's stated capacity.
        config.databaseLatency = 1...1
        config.podStartDelay = 10_000...20_000  // image pull, start-up and readiness on a warm node
        let events = records(profile: profile, config: config, using: &recordRandom)
        var faults: [PlannedFault] = []
        if zoneOutage {
            // In the last third of the traffic, at least 3 minutes before its end when the run is long enough.
            let earliest = duration * 2 / 3
            let time = faultRandom.int(earliest...max(earliest, duration - 3 * 60_000))
            faults.append(PlannedFault(time: time, kind: .zoneOutage, target: faultRandom.int(0...(settings.zones - 1)),
                                       duration: faultRandom.int(Int64(5 * 60_000)...(10 * 60_000))))
        }
        let initial = max(1, settings.scaledObject.minReplicaCount)
        let scenario = Scenario(
            seed: seed, replicas: settings.scaledObject.maxReplicaCount, partitions: partitions, config: config,
            events: events, faults: faults, scaling: [ScaleStep(time: 0, replicas: initial)],
            selection: zoneOutage ? .list([.zoneOutage]) : .none, twin: settings)
        return (scenario, profile)
    }

    /// The offered load of a seed alone (what `generate` draws first), for models that need no records.
    public func profile(seed: UInt64) -> TrafficProfile {
        if let fixedProfile { return fixedProfile }
        var root = Xoshiro256(seed: seed)
        var shapeRandom = root.fork(0x7368_6170)
        return TrafficProfile.draw(duration: trafficMinutes * 60_000, using: &shapeRandom)
    }

    /// One record per `eventsPerRecord` events, written in 100 ms ticks (the producer's linger).
    private func records(profile: TrafficProfile, config: SimulationConfig, using random: inout Xoshiro256) -> [PlannedEvent] {
        var events: [PlannedEvent] = []
        var carry: Int64 = 0
        var tick: Int64 = 0
        while tick < profile.duration {
            carry += profile.rate(at: tick) * 100
            let due = carry / (settings.eventsPerRecord * 1_000)
            carry -= due * settings.eventsPerRecord * 1_000
            for _ in 0..<due {
                let id = EventID(high: random.next(), low: random.next())
                var amount = random.int(Int64(1)...10_000)
                if random.chance(1, in: 3) { amount = -amount }
                events.append(PlannedEvent(time: tick, id: id, account: random.int(0...(config.accounts - 1)),
                                           amountCents: amount, poison: nil))
            }
            tick += 100
        }
        return events
    }
}

/// Offered load over time, in events per second: a baseline, a ramp to a plateau, a burst, a saw-tooth.
public struct TrafficProfile: Hashable, Sendable {
    public struct Segment: Hashable, Sendable {
        public var start: Int64
        public var end: Int64
        public var from: Int64
        public var to: Int64
        public var label: String
    }

    public var duration: Int64
    public var segments: [Segment]
    public var baseline: Int64
    /// When the biggest burst ends: the lag-drain property counts from here.
    public var burstEnd: Int64

    static func draw(duration: Int64, using random: inout Xoshiro256) -> TrafficProfile {
        let minute: Int64 = 60_000
        let scale = duration / (30 * minute) == 0 ? 1 : 1
        _ = scale
        let baseline = random.int(Int64(600)...1_200)
        let plateau = random.int(Int64(5_000)...8_000)
        let burst = random.int(Int64(14_000)...20_000)
        let sawHigh = random.int(Int64(4_000)...7_000)
        let half = random.int(Int64(60_000)...120_000)
        let at = { (fraction: Int64) in duration * fraction / 30 }
        var segments = [
            Segment(start: 0, end: at(4), from: baseline, to: baseline, label: "baseline"),
            Segment(start: at(4), end: at(7), from: baseline, to: plateau, label: "ramp"),
            Segment(start: at(7), end: at(10), from: plateau, to: plateau, label: "plateau"),
        ]
        let burstStart = at(10) + random.int(Int64(0)...minute)
        let burstEnd = burstStart + random.int(Int64(60_000)...120_000)
        segments.append(Segment(start: at(10), end: burstStart, from: baseline, to: baseline, label: "baseline"))
        segments.append(Segment(start: burstStart, end: burstEnd, from: burst, to: burst, label: "burst"))
        segments.append(Segment(start: burstEnd, end: at(16), from: baseline, to: baseline, label: "baseline"))
        var start = at(16)
        var high = true
        while start < at(24) {
            let end = min(start + half, at(24))
            segments.append(Segment(start: start, end: end, from: high ? sawHigh : baseline, to: high ? sawHigh : baseline,
                                    label: "saw-tooth"))
            high.toggle()
            start = end
        }
        segments.append(Segment(start: at(24), end: duration, from: baseline, to: baseline, label: "baseline"))
        return TrafficProfile(duration: duration, segments: segments, baseline: baseline, burstEnd: burstEnd)
    }

    /// `RATE x SECONDS` or `FROM-TO x SECONDS` steps, comma-separated (e.g. `0-2000x60,2000x120`): events/s held, or
    /// ramped linearly, for that long, in order (k6's ramping-arrival-rate stages). The lag-drain property counts
    /// from the end of the last step at the highest rate.
    public static func steps(_ text: String) -> TrafficProfile? {
        var segments: [Segment] = []
        var start: Int64 = 0
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "x")
            let pieces = pair.first.map { $0.split(separator: "-", omittingEmptySubsequences: false) } ?? []
            let rates = pieces.compactMap { Int64($0) }
            guard pair.count == 2, (1...2).contains(pieces.count), rates.count == pieces.count, rates.allSatisfy({ $0 >= 0 }),
                  let seconds = Int64(pair[1]), seconds > 0 else { return nil }
            let end = start + seconds * 1_000
            segments.append(Segment(start: start, end: end, from: rates[0], to: rates.last!,
                                    label: rates.count == 1 ? "step" : "ramp"))
            start = end
        }
        let peakRate = segments.map { max($0.from, $0.to) }.max() ?? 0
        guard let peak = segments.last(where: { max($0.from, $0.to) == peakRate }) else { return nil }
        return TrafficProfile(duration: start, segments: segments, baseline: segments[0].from, burstEnd: peak.end)
    }

    /// Events offered during the bursts: what the workers must absorb beyond their steady load.
    public var burstEvents: Int64 {
        segments.filter { $0.label == "burst" }.reduce(0) { $0 + ($1.from + $1.to) / 2 * ($1.end - $1.start) / 1_000 }
    }

    /// The saw-tooth's half-period (its first, untruncated segment) and its high rate: a longer half-period
    /// gives a scale-down window time to act between the highs, which is where thrash shows.
    public var sawTooth: (halfPeriod: Int64, high: Int64) {
        let teeth = segments.filter { $0.label == "saw-tooth" }
        return (teeth.first.map { $0.end - $0.start } ?? 0, teeth.map(\.from).max() ?? 0)
    }

    /// Events per second at `time` (linear inside a ramp).
    public func rate(at time: Int64) -> Int64 {
        guard let segment = segments.first(where: { time >= $0.start && time < $0.end }) else { return 0 }
        let span = max(1, segment.end - segment.start)
        return segment.from + (segment.to - segment.from) * (time - segment.start) / span
    }
}
