import Core
import LiveKafka
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
/// the simulator's `World+Actions.swift`).
///
/// Threading: one task, `run()`, owns the state machine and handles one `WorkerInput` at a time. Slow work
/// never runs on it: librdkafka calls run on the consumer's thread through the `ConsumerLane` (in order),
/// transactions on the connection's thread through the `DatabaseLane` (one at a time), dead-letter sends and
/// timers in their own tasks; all of them answer through the `Mailbox`. A separate task polls.
final class WorkerDriver {
    let settings: WorkerSettings
    let metrics: WorkerMetrics
    let health: WorkerHealth
    let logger: Logger
    let mailbox: Mailbox
    private let consumer: KafkaConsumer
    private let producer: KafkaProducer
    private let consumerLane: ConsumerLane
    private let databaseLane: DatabaseLane
    private let store: LedgerStore
    private let publisher: DeadLetterPublisher
    private let gate = PollGate()
    private let decoder = EventDecoder()

    var machine: ConsumerStateMachine
    private var timers = TimerTable()
    private var raw = RawPayloadStore()
    /// Revocations librdkafka waits on, with the partitions Core has not released yet.
    private var pendingRevocations: [(rebalance: KafkaRebalance, remaining: Set<PartitionID>)] = []
    /// librdkafka does not expose the group generation; Core only needs it to grow with each rebalance.
    private var generation: Int32 = 0
    /// What this consumer knows Kafka holds as committed, for the lag gauges.
    private var committed: [PartitionID: Int64] = [:]
    private var lagPartitions: Set<PartitionID> = []
    private var lastSettledPeriod: Int64?
    private var lastDatabaseActivity = WallClock.now()
    private var lastLagRefresh = Timestamp.zero
    private var pollTask: Task<Void, Never>?
    private var leavingSince: Timestamp?
    private var consumerClosed = false
    private var exit: WorkerExit?
    /// Partitions this driver has paused in librdkafka.
    private var kafkaPaused: Set<PartitionID> = []
    /// Since when polling is held for backpressure (nil: not held).
    private var softPausedSince: Timestamp?

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
    }

    /// Subscribes, runs until Core says exit (or a fatal error), and returns how it ended.
    func run() async -> WorkerExit {
        let consumerLane = consumerLane, databaseLane = databaseLane, store = store, mailbox = mailbox
        let laneTask = Task { await consumerLane.run() }
        let databaseTask = Task { await databaseLane.run(store) }
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
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
            perform(machine.start(now: WallClock.now()))
            let (consumer, gate, maxMessages, timeout) = (consumer, gate, settings.pollMaxMessages, settings.pollTimeout)
            pollTask = Task {
                await PollLoop.run(consumer: consumer, maxMessages: maxMessages, timeout: timeout, gate: gate, mailbox: mailbox)
            }
            for await input in mailbox.stream {
                handle(input)
                updateGauges()
                if exit != nil { break }
            }
        }
        ticker.cancel()
        stopPolling()
        timers.cancelAll()
        if exit != .abandoned {
            // Let queued operations finish (the final commit went before the close); a `before` exit does not
            // wait for anything, like the process it imitates.
            // Bounded: a commit to an unreachable coordinator can block the lane far beyond the grace period.
            consumerLane.finish()
            databaseLane.finish()
            await Self.wait(for: laneTask, atMost: .seconds(5))
        }
        databaseTask.cancel()
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

    private func handle(_ input: WorkerInput) {
        let now = WallClock.now()
        switch input {
        case .kafka(let events):
            handleKafka(events, now: now)
        case .database(let request, let work, let result, let elapsed, let connected):
            lastDatabaseActivity = now
            setDatabase(up: connected)
            record(work, result: result, elapsed: elapsed, now: now)
            perform(machine.databaseCompleted(request, result: result, now: now))
        case .databaseProbe(let up):
            setDatabase(up: up)
        case .commit(let request, let commit, let result):
            if case .committed = result {
                metrics.commitsOK.increment()
                for offset in commit.offsets {
                    committed[offset.partition] = max(committed[offset.partition] ?? offset.offset, offset.offset)
                }
            } else {
                metrics.commitsFailed.increment()
                logger.debug("offset commit failed: \(result)")
            }
            perform(machine.offsetCommitCompleted(request, result: result, now: now))
        case .deadLetter(let request, let letter, let result):
            if case .published = result {
                metrics.deadLettered[WorkerMetrics.reasonLabel(letter.reason)]?.increment()
                raw.drop(partition: letter.partition, through: letter.offset)
                logger.warning("dead-lettered p\(letter.partition)@\(letter.offset): \(letter.reason)")
            } else if case .failed(let reason) = result {
                logger.error("dead-letter publish of p\(letter.partition)@\(letter.offset) failed: \(reason)")
            }
            perform(machine.deadLetterCompleted(request, result: result, now: now))
        case .timer(let id, let token):
            guard timers.fire(id, token: token) else { return }
            perform(machine.timerFired(id, now: now))
        case .watermarks(let high, let learnt):
            for (partition, offset) in learnt where committed[partition] == nil { committed[partition] = offset }
            updateLag(high: high)
        case .tick:
            housekeeping(now: now)
        case .shutdown:
            logger.notice("shutdown requested (\(settings.mode.rawValue) mode)")
            health.set(phase: "draining")
            let deadline = now + Int64(settings.shutdownGrace.components.seconds) * 1000
            perform(machine.shutdownRequested(now: now, deadline: deadline))
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
            perform(machine.messagesFetched(messages, now: now))
            messages.removeAll(keepingCapacity: true)
        }
        for event in events {
            switch event {
            case .message(let message):
                guard message.topic == settings.topic else { continue }
                raw.append(partition: message.partition, offset: message.offset, bytes: message.value,
                           timestamp: message.timestampMilliseconds)
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
            for partition in ids {
                raw.forget(partition: partition)
                committed[partition] = nil
            }
            // The assignment takes effect first, so Core's pause of partitions still loading their offsets
            // reaches librdkafka before anything is fetched for them (the poll task waits at the gate).
            consumerLane.submit(.acknowledge(rebalance))
            perform(machine.partitionsAssigned(ids, generation: generation, now: now))
        case .revoked:
            metrics.rebalances[.revoked]?.increment()
            pendingRevocations.append((rebalance, Set(ids)))
            perform(machine.partitionsRevoked(ids, generation: generation, now: now))
        case .lost:
            metrics.rebalances[.lost]?.increment()
            pendingRevocations.append((rebalance, Set(ids)))
            perform(machine.partitionsLost(ids, now: now))
        }
        if rebalance.kind != .assigned {
            for partition in ids {
                raw.forget(partition: partition)
                committed[partition] = nil  // the next owner commits it from now on
            }
        }
        acknowledgeReleased()
        consumerLane.submit(.openGate(.rebalance))
    }

    // MARK: - Actions

    private func perform(_ actions: [ConsumerAction]) {
        for action in actions {
            switch action {
            case .reportReadiness(let ready):
                health.set(coreReady: ready)
                if ready { health.set(phase: "running") }
                metrics.ready.set(ready ? 1.0 : 0.0)
            case .pause, .resume:
                break  // applied from Core's state below, once the whole list is carried out

            case .seek(let position):
                raw.forget(partition: position.partition)
                consumerLane.submit(.seek(position))
            case .execute(let request, let work):
                databaseLane.submit(.work(request, work))
            case .commitOffsets(let request, let commit):
                consumerLane.submit(.commit(request, commit))
            case .publishDeadLetter(let request, let letter):
                let original = raw.entry(partition: letter.partition, offset: letter.offset)?.bytes
                let (publisher, mailbox) = (publisher, mailbox)
                Task {
                    let result = await publisher.publish(letter, originalBytes: original)
                    mailbox.post(.deadLetter(request, letter, result))
                }
            case .scheduleTimer(let id, let deadline):
                timers.schedule(id, at: deadline, now: WallClock.now(), mailbox: mailbox)
            case .cancelTimer(let id):
                timers.cancel(id)
            case .acknowledgeRevocation(let partitions):
                for index in pendingRevocations.indices {
                    pendingRevocations[index].remaining.subtract(partitions)
                }
                acknowledgeReleased()
            case .leaveGroup:
                leavingSince = WallClock.now()
                stopPolling()
                consumerLane.submit(.close)
            case .exit:
                if leavingSince == nil {
                    exit = .abandoned
                } else if consumerClosed {
                    exit = .leftGroup
                }
            }
        }
        applyFlowControl(now: WallClock.now())
    }

    /// Makes librdkafka's paused set and the poll gate match what Core wants paused.
    ///
    /// Core pauses for two kinds of reasons. A partition that is not active (loading its offsets, being
    /// released) or a consumer that is draining must stop fetching at once: `rd_kafka_pause_partitions`,
    /// whose purge of already-fetched messages is exactly what is wanted. Active partitions of a running
    /// consumer are paused for backpressure only: for those the driver stops polling instead, so librdkafka's
    /// prefetched messages wait where they are (a pause would purge them, and librdkafka 2.0.2 fetches again
    /// only on its next one-second tick after the resume). A backpressure hold longer than `softPauseLimit`
    /// (a database outage) turns into a real pause, so the consumer polls again: rebalances and
    /// `max.poll.interval.ms` need it.
    private func applyFlowControl(now: Timestamp) {
        let paused = machine.pausedPartitions
        let active = Set(machine.activePartitions)
        let backpressure = machine.isRunning ? paused.filter(active.contains) : []
        var hard = Set(paused).subtracting(backpressure)
        if backpressure.isEmpty {
            if softPausedSince != nil {
                softPausedSince = nil
                consumerLane.submit(.openGate(.backpressure))
            }
        } else {
            if softPausedSince == nil {
                softPausedSince = now
                gate.close(.backpressure)
            }
            if now - softPausedSince! >= Self.softPauseLimit { hard.formUnion(backpressure) }
        }
        let owned = Set(machine.ownedPartitions)
        let toPause = hard.subtracting(kafkaPaused).intersection(owned)
        let toResume = kafkaPaused.subtracting(hard)
        if !toPause.isEmpty { consumerLane.submit(.pause(toPause.sorted())) }
        if !toResume.isEmpty { consumerLane.submit(.resume(toResume.sorted())) }
        kafkaPaused = hard.intersection(owned)
        if let since = softPausedSince, now - since >= Self.softPauseLimit {
            consumerLane.submit(.openGate(.backpressure))  // after the pause above: poll again, nothing fetched
        }
    }

    static let softPauseLimit: Int64 = 1_000

    /// Hands librdkafka every revocation whose partitions Core has all released, in the order they came.
    /// A partition this driver paused is resumed first, so no partition is ever handed back paused.
    private func acknowledgeReleased() {
        while let index = pendingRevocations.firstIndex(where: { $0.remaining.isEmpty }) {
            let rebalance = pendingRevocations.remove(at: index).rebalance
            let released = Set(rebalance.partitions.filter { $0.topic == settings.topic }.map(\.partition))
            let stillPaused = kafkaPaused.intersection(released)
            if !stillPaused.isEmpty { consumerLane.submit(.resume(stillPaused.sorted())) }
            kafkaPaused.subtract(released)
            consumerLane.submit(.acknowledge(rebalance))
        }
    }

    private func stopPolling() {
        pollTask?.cancel()
        pollTask = nil
        gate.openAll()
    }

    // MARK: - Metrics and housekeeping

    private func record(_ work: DatabaseWork, result: DatabaseResult, elapsed: Duration, now: Timestamp) {
        switch (work, result) {
        case (.applyBatch(let write), .committed(let reply)):
            metrics.batchesCommitted.increment()
            metrics.batchDuration.record(elapsed)
            if case .batch(let outcome) = reply {
                metrics.applied.increment(by: Int64(outcome.applied))
                metrics.duplicatesSkipped.increment(by: Int64(outcome.skippedDuplicates))
            }
            var last: [PartitionID: Offset] = [:]
            for entry in write.entries {
                if let stamp = raw.entry(partition: entry.partition, offset: entry.offset)?.timestampMilliseconds {
                    metrics.processingDelay.record(.milliseconds(max(0, now.milliseconds - stamp)))
                }
                last[entry.partition] = max(last[entry.partition] ?? entry.offset, entry.offset)
            }
            for (partition, offset) in last { raw.drop(partition: partition, through: offset) }
        case (.applyBatch(let write), .failed(let failure)):
            metrics.batchesFailed.increment()
            metrics.batchDuration.record(elapsed)
            metrics.failed[failure.className]?.increment(by: Int64(write.entries.count))
            logger.warning("batch of \(write.entries.count) failed (\(failure.className)): \(failure.reason)")
        case (.recordFailure, .failed(let failure)), (.markDeadLettered, .failed(let failure)):
            metrics.failed[failure.className]?.increment()
        case (.settle(let write), .committed(.settlement(let outcome))):
            metrics.settlementRuns["settled"]?.increment(by: Int64(outcome.settledPeriods.count))
            metrics.settlementRuns["fenced"]?.increment(by: Int64(outcome.fencedPeriods))
            // Every period of the write is settled now, by this run or (fenced) by another replica's.
            lastSettledPeriod = max(lastSettledPeriod ?? write.throughPeriod, write.throughPeriod)
            metrics.lastSettledPeriod.set(Double(lastSettledPeriod!))
            if !outcome.settledPeriods.isEmpty { logger.info("settled periods \(outcome.settledPeriods)") }
        case (.settle, .failed(let failure)):
            metrics.settlementRuns["failed"]?.increment()
            logger.warning("settlement failed (\(failure.className)): \(failure.reason)")
        case (_, .failed(let failure)):
            logger.warning("database work failed (\(failure.className)): \(failure.reason)")
        default:
            break
        }
    }

    private func setDatabase(up: Bool) {
        health.set(databaseUp: up)
        metrics.databaseUp.set(up ? 1.0 : 0.0)
    }

    private func updateGauges() {
        metrics.assignedPartitions.set(Double(machine.ownedPartitions.count))
        metrics.inFlight.set(Double(machine.inFlightEvents))
        metrics.paused.set(machine.pausedPartitions.isEmpty ? 0.0 : 1.0)
    }

    private func housekeeping(now: Timestamp) {
        if softPausedSince != nil { applyFlowControl(now: now) }
        if let since = leavingSince, now - since > 10_000 {
            logger.warning("the consumer did not close within 10 s; exiting anyway")
            exit = .leftGroup
            return
        }
        if now - lastDatabaseActivity >= 5_000 {
            lastDatabaseActivity = now
            databaseLane.submit(.probe)
        }
        if now - lastLagRefresh >= settings.lagRefreshInterval.components.seconds * 1000 {
            lastLagRefresh = now
            refreshLag()
        }
    }

    /// Asks the partition leaders for the high watermarks (through the producer's connections, off the
    /// consumer's thread), and the coordinator for committed offsets this consumer has not learnt yet.
    private func refreshLag() {
        let owned = machine.ownedPartitions
        guard !owned.isEmpty else {
            updateLag(high: [:])
            return
        }
        let unknown = owned.filter { committed[$0] == nil }
        let (producer, topic, mailbox, lane) = (producer, settings.topic, mailbox, consumerLane)
        Task {
            var high: [PartitionID: Int64] = [:]
            for partition in owned {
                guard let marks = try? await producer.watermarks(topic: topic, partition: partition) else { break }
                high[partition] = marks.high
            }
            if unknown.isEmpty {
                mailbox.post(.watermarks(high: high, committed: [:]))
            } else {
                lane.submit(.committed(unknown, high: high))
            }
        }
    }

    private func updateLag(high: [PartitionID: Int64]) {
        let owned = Set(machine.ownedPartitions)
        for partition in lagPartitions.subtracting(owned) { metrics.lag(partition: partition).set(0.0) }
        for partition in owned {
            guard let watermark = high[partition] else { continue }
            metrics.lag(partition: partition).set(Double(max(0, watermark - (committed[partition] ?? 0))))
        }
        lagPartitions = owned
    }
}

