extension ConsumerStateMachine {
    mutating func pipelineCompleted(_ step: PipelineStep, result: DatabaseResult, now: Timestamp) -> [ConsumerAction] {
        pipeline = .idle
        var actions: [ConsumerAction]
        switch step {
        case .batch(let batch):
            actions = batchCompleted(batch, result: result, now: now)
        case .recordFailure(let poison):
            actions = failureRecorded(poison, result: result, now: now)
        case .markDeadLettered(let poison):
            actions = deadLetterMarked(poison, result: result, now: now)
        case .publish:
            actions = []  // publishes complete through deadLetterCompleted
        }
        return actions + afterPipelineStep(now: now)
    }

    /// Once the lane is free: release revocations that waited for it, continue a drain, or start more work.
    mutating func afterPipelineStep(now: Timestamp) -> [ConsumerAction] {
        guard !pipeline.isInFlight else { return [] }
        var actions: [ConsumerAction] = []
        if !revocationsAwaitingPipeline.isEmpty {
            let released = revocationsAwaitingPipeline
            revocationsAwaitingPipeline = []
            actions += releaseRevoked(released)
        }
        if isDraining {
            if case .waiting = pipeline {
                pipeline = .idle
                actions.append(.cancelTimer(.retryPipeline))
            }
            return actions + finishShutdown()
        }
        return actions + pump(now: now)
    }

    private mutating func batchCompleted(_ batch: Batch, result: DatabaseResult, now: Timestamp) -> [ConsumerAction] {
        switch result {
        case .committed(let reply):
            return batchCommitted(batch, reply: reply)
        case .failed(let failure):
            record(failure)
            // Revoked partitions are abandoned here: they are released as soon as the lane is free.
            var retained = batch
            retained.messages.removeAll { !isActive($0.partition) }
            guard !retained.messages.isEmpty else { return [] }
            return mode == .before
                ? beforeBatchFailed(retained, failure: failure)
                : afterBatchFailed(retained, failure: failure, now: now)
        }
    }

    private mutating func batchCommitted(_ batch: Batch, reply: DatabaseReply) -> [ConsumerAction] {
        statistics.batchesCommitted += 1
        if case .batch(let outcome) = reply {
            statistics.eventsApplied += outcome.applied
            statistics.duplicatesSkipped += outcome.skippedDuplicates
            if mode == .before {
                for balance in outcome.balances { balanceCache[balance.account] = balance.balanceCents }
            }
        }
        guard mode == .after else { return [] }
        let nextOffsets = batch.nextOffsets
        var progress: [PartitionOffset] = []
        progress.reserveCapacity(nextOffsets.count)
        for next in nextOffsets {
            guard let index = index(of: next.partition) else { continue }
            let durable = max(partitions[index].durableNext ?? next.offset, next.offset)
            partitions[index].durableNext = durable
            if let suspect = partitions[index].suspect, suspect.offset < durable {
                // An isolated head went through: the next head in the failed batch's range is tried alone in turn.
                if let through = suspect.through, let head = partitions[index].queue.first, head.offset <= through {
                    partitions[index].suspect?.offset = head.offset
                } else {
                    partitions[index].suspect = nil
                }
            }
            progress.append(PartitionOffset(partition: next.partition, offset: durable))
        }
        // While draining, the final commit covers everything; a second commit now would only race it.
        guard !isDraining else { return [] }
        return commitProgress(progress)
    }

    mutating func record(_ failure: DatabaseFailure) {
        switch failure.kind {
        case .transient: statistics.transientFailures += 1
        case .permanent, .rejected: statistics.permanentFailures += 1
        case .ambiguous: statistics.ambiguousFailures += 1
        }
    }

    /// `before`: retry at once, counting in memory; after the last attempt, dead-letter what failed and move on.
    private mutating func beforeBatchFailed(_ batch: Batch, failure: DatabaseFailure) -> [ConsumerAction] {
        var retry = batch
        retry.attempt += 1
        if retry.attempt < configuration.retry.immediateAttempts {
            let request = makeRequestID()
            pipeline = .inFlight(request, .batch(retry))
            return [.execute(request, .applyBatch(makeWrite(for: retry)))]
        }
        let reason = "gave up after \(retry.attempt) immediate attempts: \(failure.reason)"
        var doomed = batch.messages
        if let entry = failure.kind.entryIndex, doomed.indices.contains(entry) {
            // The failing event is known: only it is given up; the rest go back to be processed again.
            let poison = doomed.remove(at: entry)
            requeue(doomed)
            doomed = [poison]
        }
        statistics.deadLettered += doomed.count
        return doomed.map { message in
            let letter = DeadLetter(
                partition: message.partition, offset: message.offset, payload: message.payload, reason: reason,
                attempts: retry.attempt)
            return .publishDeadLetter(makeRequestID(), letter)
        }
    }

    /// `after`: transient and ambiguous failures retry the whole batch after a jittered back-off (the
    /// idempotency guard makes re-applying an ambiguously committed batch harmless), until the batch has
    /// failed `isolateAfterTransientFailures` times in a row: then its events are tried alone
    /// (`transientFailure`). A permanent failure marks the failing event as a suspect: the events before it in
    /// its partition go on in normal batches, and once it reaches the head it is retried alone; only an isolated
    /// failure counts as a durable attempt. A rejected event, once alone, is given up at once: no attempt can
    /// succeed.
    private mutating func afterBatchFailed(_ batch: Batch, failure: DatabaseFailure, now: Timestamp) -> [ConsumerAction] {
        let entry: Int?
        switch failure.kind {
        case .permanent(let index), .rejected(let index): entry = index
        case .transient, .ambiguous:
            if isDraining { return [] }  // abandon: nothing of it was applied, or the guard makes it harmless
            return transientFailure(batch, failure: failure, now: now)
        }
        requeue(batch.messages)
        if batch.messages.count == 1 {
            let poison = batch.messages[0]
            guard !isDraining, isActive(poison.partition) else { return [] }
            if case .rejected = failure.kind { return giveUp(Poison(message: poison, reason: failure.reason, attempts: 1)) }
            let failed = Poison(message: poison, reason: failure.reason, attempts: 0)
            guard configuration.has(.durableRetryCounter) else { return countFailureInMemory(failed, now: now) }
            return begin(.recordFailure(failed))
        }
        if let entry, batch.messages.indices.contains(entry) {
            let suspect = batch.messages[entry]
            if let index = index(of: suspect.partition) {
                partitions[index].suspect = .init(offset: suspect.offset, retryAt: now)
            }
        } else {
            // The driver could not say which event failed: retry each partition's head alone until it is found.
            for partition in batch.partitions {
                guard let index = index(of: partition), let head = partitions[index].queue.first else { continue }
                partitions[index].suspect = .init(offset: head.offset, retryAt: now)
            }
        }
        return []
    }

    /// Puts messages taken for a batch back at the head of their partitions' queues, in order.
    mutating func requeue(_ messages: [Message]) {
        for partition in Batch(messages: messages, attempt: 0).partitions {
            guard let index = index(of: partition), partitions[index].isActive else { continue }
            partitions[index].queue.insert(contentsOf: messages.filter { $0.partition == partition }, at: 0)
        }
    }

    mutating func scheduleRetry(_ step: PipelineStep, attempt: Int, now: Timestamp, bump: Bool) -> [ConsumerAction] {
        var next = step
        if bump, case .batch(var batch) = step {
            batch.attempt += 1
            next = .batch(batch)
        }
        pipeline = .waiting(next)
        let delay = configuration.retry.delay(attempt: attempt, using: &random)
        return [.scheduleTimer(.retryPipeline, at: now + delay)]
    }

    mutating func retryPipeline(now: Timestamp) -> [ConsumerAction] {
        guard case .waiting(let step) = pipeline else { return [] }
        guard lifecycle == .running else {
            pipeline = .idle
            return afterPipelineStep(now: now)
        }
        pipeline = .idle
        var retained = step
        if case .batch(var batch) = step {
            batch.messages.removeAll { !isActive($0.partition) }
            guard !batch.messages.isEmpty else { return pump(now: now) }
            retained = .batch(batch)
        } else if !step.partitions.allSatisfy({ index(of: $0).map { partitions[$0].isActive } ?? false }) {
            return pump(now: now)
        }
        return begin(retained) + updateFlowControl()
    }
}
