extension ConsumerStateMachine {
    /// SIGTERM. `before` exits on the spot, as a process without a signal handler does: no drain, no commit, no
    /// LeaveGroup (the group notices only after the session timeout). `after` drains within `deadline`.
    public mutating func shutdownRequested(now: Timestamp, deadline: Timestamp) -> [ConsumerAction] {
        switch lifecycle {
        case .stopped, .draining:
            return []
        case .created:
            lifecycle = .stopped
            return [.exit]
        case .running:
            break
        }
        guard mode == .after, configuration.has(.drainOnSigterm) else {
            lifecycle = .stopped
            return [.exit]
        }
        lifecycle = .draining(deadline: deadline)
        var actions: [ConsumerAction] = [
            .reportReadiness(false), .cancelTimer(.settlement), .cancelTimer(.retrySettlement),
            .scheduleTimer(.shutdownDeadline, at: deadline),
        ]
        for index in partitions.indices {
            partitions[index].queue.removeAll()  // not started: the next owner reads them again
            partitions[index].suspect = nil
            actions.append(.cancelTimer(.partitionRetry(partitions[index].id)))
        }
        settlement.retrying = nil
        if offsetLoads.contains(where: { $0.request == RequestID(0) }) {
            // Offset reads waiting to be retried: the partitions go to the next owner unread.
            offsetLoads.removeAll { $0.request == RequestID(0) }
            actions.append(.cancelTimer(.retryOffsetLoad))
        }
        if case .waiting = pipeline {
            // Shutdown during a retry back-off: the failed work was not applied, so it is simply left for the
            // next owner rather than retried against the clock.
            pipeline = .idle
            actions.append(.cancelTimer(.retryPipeline))
        }
        actions += updateFlowControl()
        actions += finishShutdown()
        return actions
    }

    /// Nothing is in flight any more (the lane, the settlement, offset reads): make the final commit of what the
    /// database holds, then leave and exit.
    mutating func finishShutdown() -> [ConsumerAction] {
        guard isDraining, shutdownCommit == nil, !pipeline.isInFlight, settlement.inFlight == nil,
              !offsetLoads.contains(where: { $0.request != RequestID(0) })
        else { return [] }
        let final = partitions.compactMap { state -> PartitionOffset? in
            guard state.status != .loadingOffsets, let next = state.durableNext, next > (state.committedNext ?? -1)
            else { return nil }
            return PartitionOffset(partition: state.id, offset: next)
        }
        guard !final.isEmpty else { return leaveAndExit() }
        let action = startCommit(final, purpose: .shutdown)
        if case .commitOffsets(let request, _) = action { shutdownCommit = request }
        return [action]
    }

    mutating func leaveAndExit() -> [ConsumerAction] {
        guard lifecycle != .stopped else { return [] }
        lifecycle = .stopped
        return [.cancelTimer(.shutdownDeadline), .leaveGroup, .exit]
    }

    /// The grace period is nearly over: whatever is still in flight is abandoned (a transaction either commits
    /// whole or not at all, and the idempotency guard covers the first case).
    mutating func shutdownDeadlineReached() -> [ConsumerAction] {
        guard isDraining else { return [] }
        lifecycle = .stopped
        return [.leaveGroup, .exit]
    }
}
