extension ConsumerStateMachine {
    /// The group gave this consumer partitions (all of its assignment for the eager protocol, the added ones for
    /// cooperative). `after` reads the offsets it stored with its effects before fetching; `before` fetches from
    /// the committed offset the client already positioned it at.
    public mutating func partitionsAssigned(_ assigned: [PartitionID], generation: Int32, now: Timestamp) -> [ConsumerAction] {
        self.generation = generation
        statistics.partitionsAssigned += assigned.count
        guard lifecycle == .running else { return [] }
        // Without loading, the consumer fetches from the position the client chose: Kafka's committed offset.
        let loads = mode == .after && configuration.has(.offsetsLoadedOnAssignment)
        var loading: [PartitionID] = []
        for partition in assigned {
            if let existing = index(of: partition) {
                // Re-assigned while its release was pending: start over from what the database says.
                partitions.remove(at: existing)
                revocationsAwaitingPipeline.removeAll { $0 == partition }
            }
            var state = PartitionState(id: partition, status: loads ? .loadingOffsets : .active)
            state.fetchPaused = loads
            insertPartition(state)
            if loads { loading.append(partition) }
        }
        var actions: [ConsumerAction] = []
        if !loading.isEmpty {
            actions.append(.pause(loading))
            actions += loadOffsets(loading, attempt: 0)
        }
        return actions + pump(now: now)
    }

    mutating func loadOffsets(_ partitionsToLoad: [PartitionID], attempt: Int) -> [ConsumerAction] {
        let request = makeRequestID()
        offsetLoads.append(OffsetLoad(request: request, partitions: partitionsToLoad, attempt: attempt))
        return [.execute(request, .loadOffsets(partitionsToLoad))]
    }

    mutating func offsetsLoaded(_ request: RequestID, result: DatabaseResult, now: Timestamp) -> [ConsumerAction] {
        guard let position = offsetLoads.firstIndex(where: { $0.request == request }) else { return [] }
        let load = offsetLoads.remove(at: position)
        guard case .committed(.offsets(let stored)) = result else {
            if case .failed(let failure) = result { record(failure) }
            guard !isDraining else { return [] }
            var retry = load
            retry.request = RequestID(0)
            offsetLoads.append(retry)
            let delay = configuration.retry.delay(attempt: load.attempt, using: &random)
            return [.scheduleTimer(.retryOffsetLoad, at: now + delay)]
        }
        var actions: [ConsumerAction] = []
        for entry in stored {
            guard let index = index(of: entry.partition), partitions[index].status == .loadingOffsets else { continue }
            partitions[index].status = .active
            if let next = entry.nextOffset {
                partitions[index].durableNext = next
                partitions[index].nextExpected = next
                actions.append(.seek(PartitionOffset(partition: entry.partition, offset: next)))
            }
        }
        return actions + pump(now: now)
    }

    mutating func retryOffsetLoads(now: Timestamp) -> [ConsumerAction] {
        let waiting = offsetLoads.filter { $0.request == RequestID(0) }
        offsetLoads.removeAll { $0.request == RequestID(0) }
        var actions: [ConsumerAction] = []
        for load in waiting {
            let stillLoading = load.partitions.filter { partition in
                index(of: partition).map { partitions[$0].status == .loadingOffsets } ?? false
            }
            if !stillLoading.isEmpty { actions += loadOffsets(stillLoading, attempt: load.attempt + 1) }
        }
        return actions
    }

    /// The group takes partitions away. `after`: stop taking work for them, let an in-flight transaction that
    /// touches them finish, commit what the database holds, then acknowledge. `before` (what the Java client's
    /// auto-commit does in `onJoinPrepare`): commit the offsets stored at hand-off for everything assigned, drop
    /// the revoked partitions' queued messages mid-batch, acknowledge.
    public mutating func partitionsRevoked(_ revoked: [PartitionID], generation: Int32, now: Timestamp) -> [ConsumerAction] {
        self.generation = generation
        statistics.partitionsRevoked += revoked.count
        if mode == .before { return beforeRevoked(revoked) + pump(now: now) }
        var releasable: [PartitionID] = []
        var actions: [ConsumerAction] = []
        // Without draining, a revoked partition is released at once, even while a transaction touching it runs.
        let draining = configuration.has(.drainingRevocation)
        let inFlight = pipeline.isInFlight && draining ? (pipeline.step?.partitions ?? []) : []
        for partition in revoked {
            guard let index = index(of: partition) else {
                releasable.append(partition)  // never got it, or already released: nothing to wait for
                continue
            }
            partitions[index].status = .revoking
            partitions[index].queue.removeAll()
            partitions[index].suspect = nil
            actions.append(.cancelTimer(.partitionRetry(partition)))
            if inFlight.contains(partition) {
                revocationsAwaitingPipeline.append(partition)
            } else {
                releasable.append(partition)
            }
        }
        actions += dropWaitingWork(for: revoked)
        actions += releaseRevoked(releasable)
        return actions + pump(now: now)
    }

    private mutating func beforeRevoked(_ revoked: [PartitionID]) -> [ConsumerAction] {
        let stored = partitions.compactMap { state -> PartitionOffset? in
            guard let next = state.handedOffNext, next > (state.committedNext ?? -1) else { return nil }
            return PartitionOffset(partition: state.id, offset: next)
        }
        partitions.removeAll { revoked.contains($0.id) }
        guard !stored.isEmpty else { return [.acknowledgeRevocation(revoked)] }
        return [startCommit(stored, purpose: .revocation(revoked))]
    }

    /// Commits what the database holds for revoked partitions, then acknowledges (after the commit answers).
    mutating func releaseRevoked(_ released: [PartitionID]) -> [ConsumerAction] {
        guard !released.isEmpty else { return [] }
        let final = released.compactMap { partition -> PartitionOffset? in
            guard let index = index(of: partition), let next = partitions[index].durableNext,
                next > (partitions[index].committedNext ?? -1)
            else { return nil }
            return PartitionOffset(partition: partition, offset: next)
        }
        partitions.removeAll { released.contains($0.id) }
        guard !final.isEmpty else { return [.acknowledgeRevocation(released)] + updateFlowControl() }
        return [startCommit(final, purpose: .revocation(released))]
    }

    /// The consumer was thrown out of the group (session timeout): it may not commit for these partitions any
    /// more. Whatever it was doing for them is abandoned; the idempotency guard covers a transaction that
    /// commits anyway.
    public mutating func partitionsLost(_ lost: [PartitionID], now: Timestamp) -> [ConsumerAction] {
        statistics.partitionsLost += lost.count
        partitions.removeAll { lost.contains($0.id) }
        revocationsAwaitingPipeline.removeAll { lost.contains($0) }
        var actions = lost.map { ConsumerAction.cancelTimer(.partitionRetry($0)) }
        actions += dropWaitingWork(for: lost)
        actions.append(.acknowledgeRevocation(lost))
        return actions + pump(now: now)
    }

    /// Removes revoked or lost partitions from a step that is backing off (it has not started, so nothing waits).
    private mutating func dropWaitingWork(for gone: [PartitionID]) -> [ConsumerAction] {
        guard case .waiting(let step) = pipeline else { return [] }
        if case .batch(var batch) = step {
            batch.messages.removeAll { gone.contains($0.partition) }
            if !batch.messages.isEmpty {
                pipeline = .waiting(.batch(batch))
                return []
            }
        } else if !step.partitions.contains(where: gone.contains) {
            return []
        }
        pipeline = .idle
        return [.cancelTimer(.retryPipeline)]
    }
}
