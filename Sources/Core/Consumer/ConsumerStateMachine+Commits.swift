extension ConsumerStateMachine {
    mutating func startCommit(_ offsets: [PartitionOffset], purpose: PendingCommit.Purpose) -> ConsumerAction {
        let request = makeRequestID()
        let commit = OffsetCommit(generation: generation, offsets: offsets)
        pendingCommits.append(PendingCommit(request: request, commit: commit, purpose: purpose))
        return .commitOffsets(request, commit)
    }

    /// `after`: tell Kafka how far the database got, for partitions still actively owned (a revoked one gets
    /// its final commit on release). Kafka's committed offset is only what lag-based autoscaling and dashboards
    /// read; the database copy is the one the consumer trusts.
    mutating func commitProgress(_ offsets: [PartitionOffset]) -> [ConsumerAction] {
        let owned = offsets.filter { isActive($0.partition) }
        guard !owned.isEmpty else { return [] }
        return [startCommit(owned, purpose: .progress)]
    }

    /// The periodic commit. `before`: librdkafka's auto-commit timer commits whatever offsets were stored at
    /// hand-off, applied or not. `after`: re-commits what the database holds where Kafka is behind (a progress
    /// commit can fail, e.g. during a coordinator move), so lag-based autoscaling never sees phantom lag.
    mutating func autoCommitDue(now: Timestamp) -> [ConsumerAction] {
        guard lifecycle == .running else { return [] }
        var actions: [ConsumerAction] = [
            .scheduleTimer(.autoCommit, at: now + configuration.autoCommitIntervalMilliseconds)
        ]
        let due = partitions.compactMap { state -> PartitionOffset? in
            guard state.isActive, let next = mode == .before ? state.handedOffNext : state.durableNext,
                next > (state.committedNext ?? -1)
            else { return nil }
            return PartitionOffset(partition: state.id, offset: next)
        }
        if !due.isEmpty, !pendingCommits.contains(where: { $0.purpose == .progress && mode == .after }) {
            actions.append(startCommit(due, purpose: .progress))
        }
        return actions
    }

    public mutating func offsetCommitCompleted(_ request: RequestID, result: CommitResult, now: Timestamp) -> [ConsumerAction] {
        guard let position = pendingCommits.firstIndex(where: { $0.request == request }) else { return [] }
        let pending = pendingCommits.remove(at: position)
        if case .committed = result {
            statistics.offsetCommitsSucceeded += 1
            for offset in pending.commit.offsets {
                guard let index = index(of: offset.partition) else { continue }
                partitions[index].committedNext = max(partitions[index].committedNext ?? offset.offset, offset.offset)
            }
        } else {
            // A stale generation or a vanished member must not be retried under a newer generation: the
            // partitions may belong to someone else by now. The next progress commit carries newer offsets.
            statistics.offsetCommitsFailed += 1
        }
        switch pending.purpose {
        case .progress:
            return []
        case .revocation(let released):
            return [.acknowledgeRevocation(released)] + updateFlowControl()
        case .shutdown:
            return leaveAndExit()
        }
    }
}
