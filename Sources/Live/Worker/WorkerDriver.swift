import Core
import LiveKafka
import LiveTracing
import Logging
import Prometheus

/// How a worker's run ended.
public enum WorkerExit: Sendable, Equatable {
    /// `after`: drained (or hit the deadline), committed, closed the consumer: the group rebalanced at once.
    case leftGroup
    /// `before` on SIGTERM: stopped on the spot without closing the consumer, as a process without a signal
    /// handler does; the group notices after `session.timeout.ms`. The caller should exit the process now,
    /// before anything closes the consumer.
    case abandoned
    /// librdkafka reported a fatal error: the consumer cannot go on.
    case fatal(String)
}

/// Drives Core's `ConsumerStateMachine` with a real consumer, database and producer (the live counterpart of
/// the simulator's `World+Actions.swift`). This file: the run loop and the dispatch of each input; carrying out
/// Core's actions is in `WorkerDriver+Actions.swift`, lag, metrics and the once-a-second housekeeping in
/// `WorkerDriver+Housekeeping.swift`, the pause and poll-gate policy in `FlowControl`.
///
/// Threading: one task, `run()`, owns the state machine and handles one `WorkerInput` at a time. Slow work never
/// runs on it: librdkafka calls run on the consumer's thread through the `ConsumerLane` (in order), transactions
/// on the connection's thread through the `DatabaseLane` (one at a time), dead-letter sends and timers in their
/// own tasks; all of them answer through the `Mailbox`. A separate task polls. The wall clock is read once per
/// input, and that `now` is what Core, the timers and the flow control see.
final class WorkerDriver {
    let settings: WorkerSettings
    let metrics: WorkerMetrics
    let health: WorkerHealth
    let logger: Logger
    let mailbox: Mailbox
    let consumer: KafkaConsumer
    let producer: KafkaProducer
    let consumerLane: ConsumerLane
    let databaseLane: DatabaseLane
    let store: LedgerStore
    let publisher: DeadLetterPublisher
    let gate = PollGate()
    let decoder = EventDecoder()

    var machine: ConsumerStateMachine
    var timers = TimerTable()
    var raw = RawPayloadStore()
    var flow = FlowControl()
    var lag = LagTracker()
    /// Revocations librdkafka waits on, with the partitions Core has not released yet.
    var pendingRevocations: [(rebalance: KafkaRebalance, remaining: Set<PartitionID>)] = []
    /// librdkafka does not expose the group generation; Core only needs it to grow with each rebalance.
    var generation: Int32 = 0
    var lastSettledPeriod: Int64?
    var lastDatabaseActivity = Timestamp.zero
    var lastLagRefresh = Timestamp.zero
    var pollTask: Task<Void, Never>?
    var leavingSince: Timestamp?
    var consumerClosed = false
    var exit: WorkerExit?
    /// `HISTORY_FILE`: the facts `sim check-history` reads; nil (the default) writes nothing.
    let history: HistoryLog?
    /// This member's id in the group, learnt after each assignment (for the history).
    var memberID: String?
    /// Core's count of isolated batches already added to `worker_batches_isolated_total`.
    var exportedIsolations = 0
    /// Transactions sent to the database lane whose result has not come back.
    var openTransactions = 0

    static let tickInterval = Duration.seconds(1)
    /// How long queued consumer operations may take once the loop ends: a commit to an unreachable coordinator can
    /// block the lane far beyond the grace period.
    static let laneDrainLimit = Duration.seconds(5)

    init(
        settings: WorkerSettings, consumer: KafkaConsumer, producer: KafkaProducer, store: LedgerStore,
        metrics: WorkerMetrics, health: WorkerHealth, mailbox: Mailbox, logger: Logger
    ) {
        self.settings = settings
        self.metrics = metrics
        self.health = health
        self.logger = logger
        self.mailbox = mailbox
        self.consumer = consumer
        self.producer = producer
        self.store = store
        self.consumerLane = ConsumerLane(consumer: consumer, topic: settings.topic, mailbox: mailbox, gate: gate, logger: logger)
        self.databaseLane = DatabaseLane(mailbox: mailbox)
        self.publisher = DeadLetterPublisher(producer: producer, topic: settings.deadLetterTopic)
        self.machine = ConsumerStateMachine(configuration: settings.consumerConfiguration())
        self.history = settings.historyFile.flatMap { path in
            do {
                return try HistoryLog(path: path, pod: settings.workerID)
            } catch {
                logger.error("cannot write the history to \(path): \(error)")
                return nil
            }
        }
    }

    /// Subscribes, runs until Core says exit (or a fatal error), and returns how it ended.
    func run() async -> WorkerExit {
        let consumerLane = consumerLane, databaseLane = databaseLane, store = store, mailbox = mailbox
        let tickInterval = Self.tickInterval
        let laneTask = Task { await consumerLane.run() }
        let databaseTask = Task { await databaseLane.run(store) }
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: tickInterval)
                mailbox.post(.tick)
            }
        }
        do {
            try await consumer.subscribe([settings.topic])
        } catch {
            exit = .fatal("subscribe: \(error)")
        }
        if exit == nil {
            health.set(phase: "joining the group")
            let now = WallClock.now()
            lastDatabaseActivity = now
            historyStarted(now: now)
            perform(machine.start(now: now), now: now)
            let (consumer, gate, maxMessages, timeout) = (consumer, gate, settings.pollMaxMessages, settings.pollTimeout)
            pollTask = Task {
                await PollLoop.run(consumer: consumer, maxMessages: maxMessages, timeout: timeout, gate: gate, mailbox: mailbox)
            }
            for await input in mailbox.stream {
                let now = WallClock.now()
                handle(input, now: now)
                updateGauges()
                history?.flush()
                if exit != nil { break }
            }
        }
        ticker.cancel()
        stopPolling()
        timers.cancelAll()
        if exit != .abandoned {
            // Let queued operations finish (the final commit went before the close); a `before` exit does not
            // wait for anything, like the process it imitates.
            consumerLane.finish()
            databaseLane.finish()
            await Self.wait(for: laneTask, atMost: Self.laneDrainLimit)
        }
        databaseTask.cancel()
        historyExit(exit ?? .leftGroup, now: WallClock.now())
        health.set(coreReady: false)
        metrics.ready.set(0.0)
        return exit ?? .leftGroup
    }

    private static func wait(for task: Task<Void, Never>, atMost limit: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await task.value }
            group.addTask { try? await Task.sleep(for: limit) }
            await group.next()
            group.cancelAll()
        }
    }

    // MARK: - Inputs

    private func handle(_ input: WorkerInput, now: Timestamp) {
        switch input {
        case .kafka(let events):
            handleKafka(events, now: now)
        case .database(let request, let work, let result, let elapsed, let connected):
            lastDatabaseActivity = now
            openTransactions -= 1
            setDatabase(up: connected)
            record(work, result: result, elapsed: elapsed, now: now)
            historyDatabase(work, result: result, elapsed: elapsed, now: now)
            perform(machine.databaseCompleted(request, result: result, now: now), now: now)
        case .databaseProbe(let up):
            setDatabase(up: up)
        case .commit(let request, let commit, let result):
            recordCommit(commit, result: result)
            historyCommit(commit, result: result, now: now)
            perform(machine.offsetCommitCompleted(request, result: result, now: now), now: now)
        case .deadLetter(let request, let letter, let result):
            recordDeadLetter(letter, result: result)
            historyDeadLetter(letter, result: result, now: now)
            perform(machine.deadLetterCompleted(request, result: result, now: now), now: now)
        case .timer(let id, let token):
            guard timers.fire(id, token: token) else { return }
            perform(machine.timerFired(id, now: now), now: now)
        case .watermarks(let high, let learnt):
            lag.learnt(learnt)
            updateLag(high: high)
        case .tick:
            housekeeping(now: now)
        case .shutdown:
            logger.notice("shutdown requested (\(settings.mode.rawValue) mode)")
            history?.append("sigterm", at: now)
            health.set(phase: "draining")
            let deadline = now + Int64(settings.shutdownGrace.components.seconds) * 1000
            perform(machine.shutdownRequested(now: now, deadline: deadline), now: now)
        case .member(let id):
            memberID = id
        case .consumerClosed:
            consumerClosed = true
            if leavingSince != nil, machine.isStopped { exit = .leftGroup }
        }
    }

    private func handleKafka(_ events: [KafkaConsumerEvent], now: Timestamp) {
        var messages: [Message] = []
        messages.reserveCapacity(events.count)
        func flush() {
            guard !messages.isEmpty else { return }
            perform(machine.messagesFetched(messages, now: now), now: now)
            messages.removeAll(keepingCapacity: true)
        }
        for event in events {
            switch event {
            case .message(let message):
                guard message.topic == settings.topic else { continue }
                raw.append(partition: message.partition, offset: message.offset, bytes: message.value,
                           timestamp: message.timestampMilliseconds,
                           traceContext: settings.tracing ? TraceParent.sampledContext(of: message.headers) : [])
                messages.append(Message(partition: message.partition, offset: message.offset,
                                        payload: decoder.payload(of: message.value)))
            case .rebalance(let rebalance):
                flush()
                handleRebalance(rebalance, now: now)
            case .error(let error):
                if error.isFatal {
                    logger.critical("fatal consumer error: \(error)")
                    exit = .fatal(error.description)
                    return
                }
                logger.warning("consumer: \(error)")
            case .offsetsCommitted:
                break  // commits are counted where the driver made them (ConsumerLane), not twice here
            }
        }
        flush()
    }

    private func handleRebalance(_ rebalance: KafkaRebalance, now: Timestamp) {
        let ids = rebalance.partitions.filter { $0.topic == settings.topic }.map(\.partition).sorted()
        logger.info("\(rebalance)")
        generation += 1
        switch rebalance.kind {
        case .assigned:
            metrics.rebalances[.assigned]?.increment()
            historyOwnership(.assigned, ids, now: now)
            forget(ids)
            // The assignment takes effect first, so Core's pause of partitions still loading their offsets
            // reaches librdkafka before anything is fetched for them (the poll task waits at the gate).
            consumerLane.submit(.acknowledge(rebalance))
            perform(machine.partitionsAssigned(ids, generation: generation, now: now), now: now)
        case .revoked:
            metrics.rebalances[.revoked]?.increment()
            pendingRevocations.append((rebalance, Set(ids)))
            perform(machine.partitionsRevoked(ids, generation: generation, now: now), now: now)
        case .lost:
            metrics.rebalances[.lost]?.increment()
            historyOwnership(.lost, ids, now: now)
            pendingRevocations.append((rebalance, Set(ids)))
            perform(machine.partitionsLost(ids, now: now), now: now)
        }
        if rebalance.kind != .assigned { forget(ids) }  // after Core let go: its actions may still need the bytes
        acknowledgeReleased()
        consumerLane.submit(.openGate(.rebalance))
    }

    /// Drops what the driver holds for partitions that changed hands: payload bytes, and the committed offset
    /// (learnt afresh on assignment; for a revoked or lost partition the next owner commits it from now on).
    private func forget(_ partitions: [PartitionID]) {
        for partition in partitions { raw.forget(partition: partition) }
        lag.forget(partitions)
    }
}
