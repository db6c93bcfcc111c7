import Core

/// Draws a scenario from a seed: the documented default is 5 replicas, 12 partitions, 2,000 events over
/// 60 s of traffic with bursts, scaling 1 -> 2 -> 5 style steps, and swarm faults.
public struct ScenarioGenerator: Sendable {
    public var replicas: Int
    public var partitions: Int
    public var eventCount: Int
    public var selection: FaultSelection
    public var config: SimulationConfig

    public init(replicas: Int = 5, partitions: Int = 12, eventCount: Int = 2_000, selection: FaultSelection = .swarm,
                config: SimulationConfig = SimulationConfig()) {
        self.replicas = replicas
        self.partitions = partitions
        self.eventCount = eventCount
        self.selection = selection
        self.config = config
    }

    public func generate(seed: UInt64) -> Scenario {
        var root = Xoshiro256(seed: seed)
        var trafficRandom = root.fork(0x7472_6166)
        var faultRoot = root.fork(0x6661_756C)
        let faultBase = faultRoot.next()
        var scaleRandom = root.fork(0x7363_616C)
        var events = traffic(using: &trafficRandom)
        var faults: [PlannedFault] = []
        for kind in candidateKinds {
            // Each kind draws its coin and its plan from a stream of its own, so adding a kind changes no other.
            var random = Xoshiro256(seed: faultBase ^ Self.salt(kind))
            if selection == .swarm, !random.chance(1, in: 2) { continue }
            switch kind {
            case .poison:
                poison(&events, using: &random)
                // A stream of its own, so the draws above (and every seed's other events) stay as they were.
                var oversized = Xoshiro256(seed: faultBase ^ Self.salt(kind) ^ Self.oversizedAccountSalt)
                oversizeAccounts(&events, using: &oversized)
                var stuck = Xoshiro256(seed: faultBase ^ Self.salt(kind) ^ Self.stuckAccountSalt)
                lockAccounts(&events, using: &stuck)
            case .idReuse: reuseIDs(&events, using: &random)
            default: faults += plan(kind, using: &random)
            }
        }
        faults.sort { ($0.time, $0.kind) < ($1.time, $1.kind) }
        return Scenario(seed: seed, replicas: replicas, partitions: partitions, config: config, events: events,
                        faults: faults, scaling: scaling(using: &scaleRandom), selection: selection)
    }

    /// Uniform background traffic plus a few bursts (where lag builds and rebalances hurt most).
    private func traffic(using random: inout Xoshiro256) -> [PlannedEvent] {
        let duration = config.trafficDuration
        let bursts = (0..<random.int(1...3)).map { _ in random.int(2_000...(duration - 2_000)) }
        var events: [PlannedEvent] = []
        events.reserveCapacity(eventCount)
        for _ in 0..<eventCount {
            let time = random.chance(3, in: 10)
                ? bursts[random.int(0...(bursts.count - 1))] + random.int(-1_000...1_000)
                : random.int(0...(duration - 1))
            var amount = random.int(Int64(1)...10_000)
            if random.chance(1, in: 3) { amount = -amount }
            let id = EventID(high: random.next(), low: random.next())
            events.append(PlannedEvent(time: time, id: id, account: random.int(0...(config.accounts - 1)),
                                       amountCents: amount, poison: nil))
        }
        // Stable: equal times keep generation order. One integer key per event sorts much faster than tuples.
        let keys = events.indices.map { Int64(events[$0].time) << 24 | Int64($0) }.sorted()
        return keys.map { events[Int($0 & 0xFF_FFFF)] }
    }

    /// The kinds that may strike: all of the swarm's (each then on or off by its coin), or exactly the listed ones.
    private var candidateKinds: [FaultKind] {
        switch selection {
        case .none: return []
        case .list(let kinds): return kinds
        case .swarm: return FaultKind.swarmKinds
        }
    }

    /// FNV-1a of the kind's name: a stable salt for its stream.
    private static func salt(_ kind: FaultKind) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in kind.rawValue.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    private func poison(_ events: inout [PlannedEvent], using random: inout Xoshiro256) {
        for _ in 0..<random.int(1...3) {
            let index = random.int(0...(events.count - 1))
            events[index].poison = random.chance(1, in: 2) ? .undecodable : .outOfRange
            if events[index].poison == .outOfRange { events[index].amountCents = 2_000_000_000_000 }
        }
    }

    /// "over": the salt of the oversized-account poison's stream.
    private static let oversizedAccountSalt: UInt64 = 0x6F76_6572

    /// One or two events (not already poison) get an account id too long for the accounts index.
    private func oversizeAccounts(_ events: inout [PlannedEvent], using random: inout Xoshiro256) {
        guard !events.isEmpty else { return }
        for _ in 0..<random.int(1...2) {
            let index = random.int(0...(events.count - 1))
            guard events[index].poison == nil else { continue }
            events[index].poison = .oversizedAccount
        }
    }

    /// "stuc": the salt of the stuck-account poison's stream.
    private static let stuckAccountSalt: UInt64 = 0x7374_7563

    /// Half the time, one event (not already poison) names an account a stuck session holds locked.
    private func lockAccounts(_ events: inout [PlannedEvent], using random: inout Xoshiro256) {
        guard !events.isEmpty, random.chance(1, in: 2) else { return }
        let index = random.int(0...(events.count - 1))
        guard events[index].poison == nil else { return }
        events[index].poison = .stuckAccount
    }

    /// One to three events take the id of an earlier one (neither poison), keeping their own account and
    /// amount; the amount moves by a cent where both were equal, so the content always differs.
    private func reuseIDs(_ events: inout [PlannedEvent], using random: inout Xoshiro256) {
        guard events.count > 1 else { return }
        for _ in 0..<random.int(1...3) {
            let later = random.int(1...(events.count - 1))
            let earlier = random.int(0...(later - 1))
            guard events[later].poison == nil, events[earlier].poison == nil, !events[later].reusedID else { continue }
            events[later].id = events[earlier].id
            events[later].reusedID = true
            if events[later].account == events[earlier].account, events[later].amountCents == events[earlier].amountCents {
                events[later].amountCents += 1
            }
        }
    }

    private func plan(_ kind: FaultKind, using random: inout Xoshiro256) -> [PlannedFault] {
        let count = kind == .kill ? random.int(1...4) : random.int(1...3)
        let latest = config.trafficDuration - 1_000
        return (0..<count).map { _ in
            let time = random.int(Int64(2_000)...latest)
            let target = random.int(0...1_000)
            let duration: Int64
            switch kind {
            case .kill, .terminate, .poison, .idReuse, .producerRetry: duration = kind == .producerRetry ? random.int(Int64(2_000)...10_000) : 0
            case .pause: duration = config.sessionTimeout + random.int(Int64(1_000)...8_000)
            case .rebalance: duration = random.int(Int64(3_000)...12_000)
            case .dbTransient, .dbAmbiguous: duration = random.int(Int64(2_000)...10_000)
            case .dbOutage: duration = random.int(Int64(1_000)...6_000)
            case .zoneOutage: duration = random.int(Int64(300_000)...600_000)
            case .brokerOutage: duration = random.int(Int64(1_000)...5_000)
            case .commitAmbiguous: duration = random.int(Int64(2_000)...10_000)
            case .brokerIsolation: duration = random.int(Int64(5_000)...20_000)
            case .maxPollExceeded: duration = config.rebalanceTimeout + random.int(Int64(1_000)...15_000)
            }
            return PlannedFault(time: time, kind: kind, target: target, duration: duration)
        }
    }

    /// 1 -> 2 -> R, 1 -> R -> R/2, or 1 -> 2 -> R -> 2 -> R: the schedules an HPA produces under changing load.
    private func scaling(using random: inout Xoshiro256) -> [ScaleStep] {
        guard replicas > 1 else { return [ScaleStep(time: 0, replicas: 1)] }
        let t = config.trafficDuration
        func at(_ fraction: Int64) -> Int64 { t * fraction / 20 + random.int(Int64(-1_500)...1_500) }
        let shapes: [[(Int64, Int)]] = [
            [(5, min(2, replicas)), (10, replicas)],
            [(5, replicas), (15, max(1, replicas / 2))],
            [(4, min(2, replicas)), (8, replicas), (12, 2), (16, replicas)],
        ]
        let shape = shapes[random.int(0...(shapes.count - 1))]
        return [ScaleStep(time: 0, replicas: 1)] + shape.map { ScaleStep(time: at($0.0), replicas: $0.1) }
    }
}
