import Core

/// One simulated run: the scheduler loop and the state of every model. Single-threaded and deterministic:
/// the scenario, the runtime seed and the mode decide everything, so a seed replays byte for byte.
final class World {
    struct DeadLetterRecord {
        var time: Int64
        var pod: Int32
        var event: Int32
        var reason: String
    }

    let scenario: Scenario
    let mode: ProcessingMode
    let config: SimulationConfig
    let options: RunOptions
    /// `after` mechanisms switched off for this run (ablation); Core gets them through its configuration, the
    /// database model reads them for the statements it runs.
    let disabledSafeguards: [Safeguard]
    /// `durable-retry-counter` is off: failures are counted in each consumer's memory, and the history reads them there.
    let countsFailuresInMemory: Bool
    var random: Xoshiro256
    var queue = EventQueue<SimEvent>()
    var now: Int64 = 0
    var topic: Topic
    var database: DatabaseModel
    /// Each pod's side of its database connection, by pod index.
    var dbClients: [DatabaseClient] = []
    /// The database's history as the checkers read it, collected when the run is checked.
    var facts = DatabaseFacts()
    /// Statements sent and not yet run on the server, by arrival (`World+DatabaseDeferral.swift`).
    var deferredSteps: [DeferredStep] = []
    var deferredOrder: UInt64 = 0
    var coordinator: GroupCoordinator
    var pods: [Pod] = []
    var slots: [Int32?]
    var incarnations: [Int]
    var desiredReplicas = 0
    var surges = 0
    var dbTransientUntil: Int64 = -1
    /// Accounts of `stuck-account` poison events: a session outside the workers holds their rows for the whole
    /// run, so a statement that writes one is cancelled by `statement_timeout` (`World.lockedStatement`).
    /// A list, not a set: a run has at most a few, and every statement's accounts are checked against them, so
    /// comparing lengths first beats hashing each account.
    var lockedAccounts: [AccountID] = []
    var dbAmbiguousUntil: Int64 = -1
    var dbOutageUntil: Int64 = -1
    var brokerOutageUntil: Int64 = -1
    var producerRetryUntil: Int64 = -1
    var commitAmbiguousUntil: Int64 = -1
    /// The round that waits for its leader's SyncGroup (CompletingRebalance).
    var pendingRound: GroupCoordinator.Round?
    /// Partitions whose leader broker is lost, until a new leader is elected.
    var partitionUnavailableUntil: [Int64]
    var payloads: [Payload] = []
    var accountIDs: [AccountID]
    var deadLetters: [DeadLetterRecord] = []
    var journal = Journal()
    var history = History()
    var hash = TraceHash()
    var executedEvents = 0
    var trace: [String] = []
    var eventHashes: [UInt64] = []
    var traceNote = ""
    var pendingProduces = 0
    var stopped = false
    /// When the heal phase found the system quiet (the run stops there); nil if it never was.
    var quietAt: Int64?
    /// The twin: zones and nodes, the autoscaler, and the curves it reports.
    var cluster: Cluster?
    var autoscaler: TwinAutoscaler?
    var samples: [TwinSample] = []
    var maxWorkerPods = 0
    var producedCursor = 0

    init(scenario: Scenario, mode: ProcessingMode, disabledSafeguards: [Safeguard] = [], options: RunOptions) {
        self.scenario = scenario
        self.mode = mode
        self.disabledSafeguards = mode == .after ? Array(Set(disabledSafeguards)).sorted() : []
        countsFailuresInMemory = self.disabledSafeguards.contains(.durableRetryCounter)
        self.config = scenario.config
        self.options = options
        var root = Xoshiro256(seed: scenario.seed)
        random = root.fork(mode == .before ? 0x6265_666F : 0x6166_7465)
        topic = Topic(partitions: scenario.partitions, plannedEvents: scenario.events.count)
        partitionUnavailableUntil = Array(repeating: -1, count: scenario.partitions)
        database = DatabaseModel(settlementPeriod: config.settlementPeriod, expectedEvents: scenario.events.count)
        coordinator = GroupCoordinator(protocol: mode == .before ? .eager : .cooperative, partitions: scenario.partitions)
        let slotCount = max(scenario.replicas, scenario.scaling.map(\.replicas).max() ?? 1)
        slots = Array(repeating: nil, count: slotCount)
        incarnations = Array(repeating: 0, count: slotCount)
        accountIDs = (0..<config.accounts).map { AccountID("acct-\($0)") }
        if let twin = scenario.twin {
            cluster = Cluster(zones: twin.zones, podsPerNode: twin.podsPerNode, nodesPerZone: twin.nodesPerZone)
            autoscaler = TwinAutoscaler(scaledObject: twin.scaledObject, eventsPerRecord: twin.eventsPerRecord, createdAt: 0)
        }
        prepareEvents()
    }

    private func prepareEvents() {
        payloads.reserveCapacity(scenario.events.count)
        for planned in scenario.events {
            if planned.poison == .undecodable {
                payloads.append(.undecodable(reason: "invalid JSON at byte 0", raw: Array("{\"event_id\":".utf8)))
            } else if planned.poison == .stuckAccount {
                let account = PlannedEvent.stuckAccount(accountIDs[planned.account], event: planned.id)
                if !lockedAccounts.contains(account) { lockedAccounts.append(account) }
                payloads.append(.event(Event(id: planned.id, account: account, amountCents: planned.amountCents,
                                             occurredAt: Timestamp(milliseconds: planned.time))))
            } else if planned.poison == .oversizedAccount {
                payloads.append(.event(Event(id: planned.id, account: PlannedEvent.oversizedAccount(accountIDs[planned.account], event: planned.id),
                                             amountCents: planned.amountCents,
                                             occurredAt: Timestamp(milliseconds: planned.time))))
            } else {
                payloads.append(.event(Event(id: planned.id, account: accountIDs[planned.account],
                                             amountCents: planned.amountCents,
                                             occurredAt: Timestamp(milliseconds: planned.time))))
            }
        }
    }

    var trafficEnd: Int64 { config.trafficDuration }
    var timeLimit: Int64 { config.trafficDuration + config.healLimit }

    /// Pods counted by an autoscaler as ready: started, consuming, not frozen.
    var readyWorkers: Int {
        pods.filter { $0.phase == .running && $0.slot != nil && $0.frozenUntil <= now }.count
    }

    func run() {
        if let first = scenario.events.first { queue.schedule(.produce(0), at: first.time) }
        pendingProduces = scenario.events.count
        for (index, step) in scenario.scaling.enumerated() { queue.schedule(.scale(index), at: max(0, step.time)) }
        for (index, fault) in scenario.faults.enumerated() { queue.schedule(.fault(index), at: fault.time) }
        queue.schedule(.coordinatorTick, at: 1_000)
        if let twin = scenario.twin {
            queue.schedule(.autoscale, at: 0)
            queue.schedule(.clusterScan, at: twin.clusterScanInterval)
        }
        while !stopped, let entry = queue.pop() {
            guard entry.time < timeLimit else { break }
            now = entry.time
            if let until = heldUntil(entry.payload) {
                queue.schedule(entry.payload, at: until)
                continue
            }
            execute(entry.payload)
        }
    }

    /// When an event for a frozen, blocked or cut-off pod can happen instead of now; nil: now.
    private func heldUntil(_ event: SimEvent) -> Int64? {
        if let pod = event.frozenTarget, pods[Int(pod)].isAlive, pods[Int(pod)].frozenUntil > now {
            return pods[Int(pod)].frozenUntil
        }
        if let pod = event.stalledTarget, pods[Int(pod)].isAlive, pods[Int(pod)].stalledUntil > now {
            return pods[Int(pod)].stalledUntil
        }
        if let pod = event.isolatedTarget, pods[Int(pod)].isAlive, pods[Int(pod)].isolatedUntil > now {
            return pods[Int(pod)].isolatedUntil + latency(config.networkLatency)
        }
        return nil
    }

    private func execute(_ event: SimEvent) {
        executedEvents += 1
        hash.mix(now)
        hash.mix(event.code)
        hash.mix(fingerprint(event))
        if options.recordEventHashes { eventHashes.append(hash.value) }
        if options.trace { traceNote = "" }
        dispatch(event)
        if options.trace { trace.append(traceLine(for: event)) }
    }

    private func dispatch(_ event: SimEvent) {
        switch event {
        case .produce(let index): produceDue(from: index)
        case .produceSingle(let index, let duplicate): produce(index, duplicate: duplicate)
        case .fetch(let pod): fetch(pod)
        case .databaseStep(let pod, let serial): databaseStepArrives(pod, serial)
        case .databaseDisconnect(_, let connection): databaseDisconnect(connection)
        case .databaseReply(let pod, let request, let result): deliverDatabaseReply(pod, request, result)
        case .commit(let pod, let request, let commit, let member): commitArrives(pod, request, commit, member: member)
        case .commitReply(let pod, let request, let result): deliverCommitReply(pod, request, result)
        case .deadLetter(let pod, let request, let letter): deadLetterArrives(pod, request, letter)
        case .deadLetterReply(let pod, let request, let result): deliverDeadLetterReply(pod, request, result)
        case .timer(let pod, let timer, let token): timerFires(pod, timer, token)
        case .heartbeat(let pod): heartbeat(pod)
        case .join(let pod, let member, let owned): joinArrives(pod, member: member, owned: owned)
        case .sync(let pod, let member, let generation, let assignment):
            syncArrives(pod, member: member, generation: generation, assignment: assignment)
        case .joinResponse(let pod, let member, let generation): joinResponseArrives(pod, member: member, generation: generation)
        case .leaderSync(let pod, let generation): leaderSyncArrives(pod, generation: generation)
        case .syncFailed(let pod, let member): syncFailed(pod, member: member)
        case .pollTimeout(let pod): pollTimeout(pod)
        case .pollResumed(let pod): pollResumed(pod)
        case .leave(let pod, let member): leaveArrives(pod, member: member)
        case .podReady(let pod): podReady(pod)
        case .sigterm(let pod): sigterm(pod)
        case .sigkill(let pod): sigkill(pod)
        case .scale(let index): scale(to: scenario.scaling[index])
        case .reconcile: reconcile()
        case .fault(let index): inject(scenario.faults[index], index: index)
        case .brokerRecovered: brokerRecovered()
        case .coordinatorTick: coordinatorTick()
        case .autoscale: autoscale()
        case .clusterScan: clusterScan()
        case .nodeReady: placePendingPods()
        case .zoneRecovered(let zone): zoneRecovered(zone)
        }
    }

    /// A cheap numeric summary of an event for the trace hash.
    private func fingerprint(_ event: SimEvent) -> Int64 {
        switch event {
        case .produce(let index): return Int64(index)
        case .produceSingle(let index, let duplicate): return Int64(index) << 1 | (duplicate ? 1 : 0)
        case .fetch(let pod), .heartbeat(let pod), .podReady(let pod), .sigterm(let pod), .sigkill(let pod),
             .pollTimeout(let pod), .pollResumed(let pod):
            return Int64(pod)
        case .databaseStep(let pod, let serial): return Int64(pod) << 40 | Int64(serial)
        case .databaseDisconnect(let pod, let connection): return Int64(pod) << 40 | Int64(connection)
        case .joinResponse(let pod, let member, let generation): return Int64(pod) << 40 | Int64(member) << 20 | Int64(generation)
        case .leaderSync(let pod, let generation): return Int64(pod) << 40 | Int64(generation)
        case .syncFailed(let pod, let member): return Int64(pod) << 40 | Int64(member)
        case .databaseReply(let pod, let request, _),
             .commit(let pod, let request, _, _), .commitReply(let pod, let request, _),
             .deadLetter(let pod, let request, _), .deadLetterReply(let pod, let request, _):
            return Int64(pod) << 40 | Int64(request.value)
        case .timer(let pod, _, let token): return Int64(pod) << 40 | Int64(token)
        case .join(let pod, let member, let owned): return Int64(pod) << 40 | Int64(member ?? -1) << 8 | Int64(owned.count)
        case .sync(let pod, let member, let generation, let assignment):
            return Int64(pod) << 40 | Int64(member) << 20 | Int64(generation) << 8 | Int64(assignment.count)
        case .leave(let pod, let member): return Int64(pod) << 40 | Int64(member)
        case .scale(let index), .fault(let index): return Int64(index)
        case .reconcile, .brokerRecovered, .coordinatorTick, .autoscale, .clusterScan: return 0
        case .nodeReady(let index), .zoneRecovered(let index): return Int64(index)
        }
    }

    func latency(_ range: ClosedRange<Int64>) -> Int64 { random.int(range) }

    var brokerDown: Bool { now < brokerOutageUntil }

    /// True unless this run switched the mechanism off.
    func has(_ safeguard: Safeguard) -> Bool { !disabledSafeguards.contains(safeguard) }
}
