import Core
import LiveKafka
import Logging
import Prometheus

/// Metrics of what happened, the lag gauges, and the once-a-second housekeeping (`.tick`).
extension WorkerDriver {
    /// How long a leaving consumer may take to close before the worker exits anyway.
    static let closeTimeoutMilliseconds: Int64 = 10_000
    /// An idle connection is probed this often, so the database gauge and readiness notice an outage.
    static let databaseProbeIntervalMilliseconds: Int64 = 5_000

    func housekeeping(now: Timestamp) {
        if flow.isHoldingBackpressure { applyFlowControl(now: now) }
        if let since = leavingSince, now - since > Self.closeTimeoutMilliseconds {
            logger.warning("the consumer did not close within \(Self.closeTimeoutMilliseconds / 1000) s; exiting anyway")
            exit = .leftGroup
            return
        }
        if now - lastDatabaseActivity >= Self.databaseProbeIntervalMilliseconds {
            lastDatabaseActivity = now
            databaseLane.submit(.probe)
        }
        if now - lastLagRefresh >= settings.lagRefreshInterval.components.seconds * 1000 {
            lastLagRefresh = now
            refreshLag()
        }
    }

    // MARK: - Lag

    /// Asks the partition leaders for the high watermarks (through the producer's connections, off the
    /// consumer's thread), and the coordinator for committed offsets this consumer has not learnt yet.
    func refreshLag() {
        let owned = machine.ownedPartitions
        guard !owned.isEmpty else {
            updateLag(high: [:])
            return
        }
        let unknown = lag.unknown(among: owned)
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

    func updateLag(high: [PartitionID: Int64]) {
        for (partition, value) in lag.gauges(owned: machine.ownedPartitions, high: high) {
            metrics.lag(partition: partition).set(Double(value))
        }
    }

    // MARK: - Metrics

    func record(_ work: DatabaseWork, result: DatabaseResult, elapsed: Duration, now: Timestamp) {
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
            let settled = max(lastSettledPeriod ?? write.throughPeriod, write.throughPeriod)
            lastSettledPeriod = settled
            metrics.lastSettledPeriod.set(Double(settled))
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

    func recordCommit(_ commit: OffsetCommit, result: CommitResult) {
        if case .committed = result {
            metrics.commitsOK.increment()
            lag.committed(commit.offsets)
        } else {
            metrics.commitsFailed.increment()
            logger.debug("offset commit failed: \(result)")
        }
    }

    func recordDeadLetter(_ letter: DeadLetter, result: PublishResult) {
        if case .published = result {
            let label = WorkerMetrics.reasonLabel(letter.reason)
            metrics.deadLettered[label]?.increment()
            if label == "event_id_conflict" { metrics.eventIDConflicts.increment() }
            raw.drop(partition: letter.partition, through: letter.offset)
            logger.warning("dead-lettered p\(letter.partition)@\(letter.offset): \(letter.reason)")
        } else if case .failed(let reason) = result {
            logger.error("dead-letter publish of p\(letter.partition)@\(letter.offset) failed: \(reason)")
        }
    }

    func setDatabase(up: Bool) {
        health.set(databaseUp: up)
        metrics.databaseUp.set(up ? 1.0 : 0.0)
    }

    func updateGauges() {
        metrics.assignedPartitions.set(Double(machine.ownedPartitions.count))
        metrics.inFlight.set(Double(machine.inFlightEvents))
        metrics.paused.set(machine.pausedPartitions.isEmpty ? 0.0 : 1.0)
    }
}
