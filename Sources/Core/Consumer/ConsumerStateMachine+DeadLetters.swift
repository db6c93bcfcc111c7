extension ConsumerStateMachine {
    /// The durable attempt count of a poison event came back: dead-letter it at the limit, otherwise let its
    /// partition retry it alone after a jittered back-off while the other partitions go on.
    mutating func failureRecorded(_ poison: Poison, result: DatabaseResult, now: Timestamp) -> [ConsumerAction] {
        guard let index = index(of: poison.message.partition), partitions[index].isActive, !isDraining else { return [] }
        guard case .committed(.attempts(let attempts)) = result else {
            if case .failed(let failure) = result { record(failure) }
            // A transient failure is counted only if the count itself commits: the database is not shown to work.
            if poison.transient {
                partitions[index].suspect?.evidence?.uncounted += 1
                return retryIsolatedLater(partitionIndex: index, now: now)
            }
            return scheduleRetry(.recordFailure(poison), attempt: 0, now: now, bump: false)
        }
        return failureCounted(poison, attempts: attempts, partitionIndex: index, now: now)
    }

    /// `durable-retry-counter` switched off: the attempts are counted in the partition's state in process memory,
    /// so a restart or a rebalance forgets them and the event starts a fresh budget.
    mutating func countFailureInMemory(_ poison: Poison, now: Timestamp) -> [ConsumerAction] {
        guard let index = index(of: poison.message.partition), let event = poison.message.event else { return [] }
        let previous = partitions[index].attemptsInMemory
        let attempts = previous?.offset == poison.message.offset ? (previous?.count ?? 0) + 1 : 1
        partitions[index].attemptsInMemory = .init(offset: poison.message.offset, count: attempts)
        statistics.failuresCountedInMemory.append(CountedFailure(
            eventID: event.id, partition: poison.message.partition, offset: poison.message.offset, attempts: attempts))
        return failureCounted(poison, attempts: attempts, partitionIndex: index, now: now)
    }

    /// The poison's count is known: give up on it at the limit (to the dead-letter topic, or only logged and
    /// skipped without one), otherwise retry it alone after a jittered back-off.
    private mutating func failureCounted(_ poison: Poison, attempts: Int, partitionIndex index: Int, now: Timestamp) -> [ConsumerAction] {
        var counted = poison
        counted.attempts = attempts
        if attempts >= configuration.retry.maxAttempts {
            counted.reason = poison.transient
                ? Self.retriesExhaustedReason(attempts: attempts, failure: poison.reason)
                : "failed \(attempts) times: \(poison.reason)"
            return giveUp(counted)
        }
        let retryAt = now + configuration.retry.delay(attempt: attempts - 1, using: &random)
        if poison.transient, partitions[index].suspect?.offset == poison.message.offset {
            partitions[index].suspect?.retryAt = retryAt  // keeps the evidence the next failure is judged by
        } else {
            partitions[index].suspect = .init(offset: poison.message.offset, retryAt: retryAt)
        }
        return [.scheduleTimer(.partitionRetry(poison.message.partition), at: retryAt)]
    }

    /// Gives up on the poison: to the dead-letter topic with its reason, or only logged and skipped without one.
    mutating func giveUp(_ poison: Poison) -> [ConsumerAction] {
        begin(configuration.has(.deadLetterPoison) ? .publish(poison) : .markDeadLettered(poison))
    }

    /// The dead-letter topic acknowledged (or refused) a message.
    public mutating func deadLetterCompleted(_ request: RequestID, result: PublishResult, now: Timestamp) -> [ConsumerAction] {
        guard case .inFlight(let current, .publish(let poison)) = pipeline, current == request else {
            return []  // `before` mode publishes without waiting
        }
        pipeline = .idle
        var actions: [ConsumerAction] = []
        if let index = index(of: poison.message.partition), partitions[index].isActive, !isDraining {
            switch result {
            case .published:
                statistics.deadLettered += 1
                actions = begin(.markDeadLettered(poison))
            case .failed:
                actions = scheduleRetry(.publish(poison), attempt: 0, now: now, bump: false)
            }
        }
        return actions + afterPipelineStep(now: now)
    }

    /// The poison event is recorded as handled and its offset stored: take it off the queue and commit past it.
    mutating func deadLetterMarked(_ poison: Poison, result: DatabaseResult, now: Timestamp) -> [ConsumerAction] {
        guard let index = index(of: poison.message.partition) else { return [] }
        guard case .committed = result else {
            if case .failed(let failure) = result { record(failure) }
            guard partitions[index].isActive, !isDraining else { return [] }
            return scheduleRetry(.markDeadLettered(poison), attempt: 0, now: now, bump: false)
        }
        // The poison reached this step only from the head of its partition (isolated retries, or an undecodable
        // head already taken off), so everything before it is durable and storing `offset + 1` skips nothing.
        let next = poison.message.offset + 1
        let durable = max(partitions[index].durableNext ?? next, next)
        partitions[index].durableNext = durable
        if partitions[index].suspect?.offset == poison.message.offset { partitions[index].suspect = nil }
        if partitions[index].queue.first?.offset == poison.message.offset { partitions[index].queue.removeFirst() }
        guard !isDraining else { return [] }
        return commitProgress([PartitionOffset(partition: poison.message.partition, offset: durable)])
    }
}
