extension ConsumerStateMachine {
    /// `after`: a batch failed transiently or ambiguously. Retried whole after a jittered back-off, as an outage
    /// needs, until it has failed `isolateAfterTransientFailures` times in a row; then it is taken apart.
    ///
    /// Why: one event can make every batch it is in fail transiently forever (its statement always reaches
    /// `statement_timeout`, 57014; a stuck session holds its account's row, so `lock_timeout` cancels it, 55P03).
    /// Retried whole, that batch stalls every partition in it and nothing is ever dead-lettered. Taken apart,
    /// each of its partitions' events up to the batch's end is tried alone (a suspect range), so the others go
    /// on and the one that fails alone is found.
    ///
    /// An isolated event that fails transiently counts as a durable attempt only when the database
    /// demonstrably works (`isolatedFailure`), so an outage, which fails everything, counts nothing and
    /// dead-letters nothing: the consumer pauses and resumes as without isolation.
    mutating func transientFailure(_ batch: Batch, failure: DatabaseFailure, now: Timestamp) -> [ConsumerAction] {
        guard configuration.has(.stuckBatchIsolation) else {
            return scheduleRetry(.batch(batch), attempt: batch.attempt, now: now, bump: true)
        }
        if batch.messages.count == 1, let index = index(of: batch.messages[0].partition),
           partitions[index].suspect?.offset == batch.messages[0].offset {
            return isolatedFailure(batch.messages[0], partitionIndex: index, failure: failure, now: now)
        }
        batchTransientFailures += 1
        guard batch.attempt + 1 >= configuration.retry.isolateAfterTransientFailures else {
            return scheduleRetry(.batch(batch), attempt: batch.attempt, now: now, bump: true)
        }
        statistics.batchesIsolated += 1
        requeue(batch.messages)
        let evidence = PartitionState.Evidence(commits: statistics.batchesCommitted, failures: batchTransientFailures)
        for last in batch.nextOffsets {
            guard let index = index(of: last.partition), partitions[index].isActive,
                  let head = partitions[index].queue.first
            else { continue }
            partitions[index].suspect = .init(offset: head.offset, retryAt: now, through: last.offset - 1, evidence: evidence)
        }
        return []
    }

    /// An event tried alone failed transiently: it is the one that stalls its partition (the range ends here).
    ///
    /// The attempt counts (durably, as a permanent failure's would) when it is a timeout one event can cause for
    /// ever (`DatabaseFailure.stallingConditions`) and the database demonstrably worked since
    /// the event's previous attempt: another batch committed; or nothing else is there to show it (no other
    /// batch failed and no other event waits in this consumer), and then the count's own transaction must
    /// commit, which it cannot while the database is down. When other batches failed or wait and none committed
    /// (an outage, a failover, a database that cancels every ledger statement), it does not count: the event
    /// waits a jittered back-off and is tried again, the other partitions going on meanwhile. After
    /// `maxAttempts` counted failures it goes to the dead-letter topic as `retries_exhausted`.
    private mutating func isolatedFailure(_ message: Message, partitionIndex index: Int, failure: DatabaseFailure,
                                          now: Timestamp) -> [ConsumerAction] {
        requeue([message])
        // A suspect that failed permanently before has no evidence yet: this attempt only sets it.
        let baseline = partitions[index].suspect?.evidence
        let previous = baseline ?? PartitionState.Evidence(commits: statistics.batchesCommitted, failures: batchTransientFailures)
        let committed = statistics.batchesCommitted > previous.commits
        let othersWait = partitions.indices.contains { $0 != index && partitions[$0].isActive && !partitions[$0].queue.isEmpty }
        let unproven = baseline == nil || othersWait || batchTransientFailures > previous.failures
        batchTransientFailures += 1
        var evidence = PartitionState.Evidence(commits: statistics.batchesCommitted, failures: batchTransientFailures,
                                               uncounted: previous.uncounted)
        partitions[index].suspect?.through = nil
        guard failure.stalls, committed || !unproven else {
            evidence.uncounted += 1
            partitions[index].suspect?.evidence = evidence
            return retryIsolatedLater(partitionIndex: index, now: now)
        }
        partitions[index].suspect?.evidence = evidence
        let failed = Poison(message: message, reason: failure.reason, attempts: 0, transient: true)
        guard configuration.has(.durableRetryCounter) else { return countFailureInMemory(failed, now: now) }
        return begin(.recordFailure(failed))
    }

    /// The isolated event waits a jittered back-off (growing with its uncounted attempts) before its next try.
    mutating func retryIsolatedLater(partitionIndex index: Int, now: Timestamp) -> [ConsumerAction] {
        guard let suspect = partitions[index].suspect else { return [] }
        let uncounted = suspect.evidence?.uncounted ?? 1
        let retryAt = now + configuration.retry.delay(attempt: max(0, uncounted - 1), using: &random)
        partitions[index].suspect?.retryAt = retryAt
        return [.scheduleTimer(.partitionRetry(partitions[index].id), at: retryAt)]
    }

    /// The reason an event that failed transiently alone `attempts` times while the database worked is given up
    /// with (its first word is the metric label).
    static func retriesExhaustedReason(attempts: Int, failure: String) -> String {
        "\(DatabaseFailure.retriesExhaustedReason): failed transiently \(attempts) times alone while the database worked: \(failure)"
    }
}
