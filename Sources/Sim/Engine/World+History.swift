import Core

extension World {
    /// A transaction leaves the pod for the database.
    func transactionSent(_ work: DatabaseWork, request: RequestID, from pod: Int32) {
        let p = Int(pod)
        pods[p].openTransactions.append(Pod.OpenTransaction(
            request: request, work: work, submitted: now, member: pods[p].member ?? -1, generation: pods[p].generation))
    }

    /// A transaction ended on the server (now), whatever becomes of its answer: the facts it leaves.
    func transactionEnded(_ pod: Int32, _ request: RequestID, _ result: DatabaseResult) {
        let p = Int(pod)
        guard let index = pods[p].openTransactions.firstIndex(where: { $0.request == request }) else { return }
        let open = pods[p].openTransactions.remove(at: index)
        let committed = History.serverCommitted(result)
        let writer = (pod: pod, member: open.member, generation: open.generation, submitted: open.submitted)
        switch open.work {
        case .applyBatch(let write):
            history.append(pod: pod, member: writer.member, generation: writer.generation, submitted: writer.submitted,
                           ended: now, committed: committed,
                           records: write.entries.lazy.map { PartitionOffset(partition: $0.partition, offset: $0.offset) })
        case .recordFailure(let record):
            if case .committed(.attempts(let attempts)) = result {
                history.failureCounts.append(History.FailureCount(
                    time: now, pod: pod, event: topic.origin(partition: record.partition, offset: record.offset),
                    partition: record.partition, offset: record.offset, attempts: attempts, durable: true))
            }
            history.append(pod: pod, member: writer.member, generation: writer.generation, submitted: writer.submitted,
                           ended: now, committed: committed, records: [], partition: record.partition)
        case .markDeadLettered(let mark):
            history.append(pod: pod, member: writer.member, generation: writer.generation, submitted: writer.submitted,
                           ended: now, committed: committed, records: [], partition: mark.partition)
        case .loadOffsets, .settle:
            break
        }
    }

    /// Failures the consumer counted in process memory since the last look (only with the durable counter off).
    func takeInMemoryFailureCounts(_ pod: Int32) {
        let p = Int(pod)
        let counted = pods[p].machine.statistics.failuresCountedInMemory
        guard counted.count > pods[p].failureCountsSeen else { return }
        for failure in counted[pods[p].failureCountsSeen...] {
            history.failureCounts.append(History.FailureCount(
                time: now, pod: pod, event: topic.origin(partition: failure.partition, offset: failure.offset),
                partition: failure.partition, offset: failure.offset, attempts: failure.attempts, durable: false))
        }
        pods[p].failureCountsSeen = counted.count
    }

    func ownershipChanged(_ pod: Int32, _ partitions: [PartitionID], _ change: History.OwnershipChange) {
        guard !partitions.isEmpty else { return }
        history.ownership.append(History.Ownership(time: now, pod: pod, partitions: partitions, change: change))
    }

    /// A process ends: if it had been asked to stop, how it stopped.
    func shutdownEnded(_ pod: Int32, exited: Bool) {
        let p = Int(pod)
        guard let sigterm = pods[p].sigtermAt else { return }
        history.shutdowns.append(History.Shutdown(
            pod: pod, sigterm: sigterm, ended: now, exited: exited, leaveRequested: pods[p].leaveRequested,
            openTransactions: pods[p].openTransactions.count))
    }
}

extension World {
    /// Committed transactions whose member the coordinator had removed before they ended.
    var zombieWrites: Int {
        var removed: [Int32: Int64] = [:]
        for entry in journal.entries {
            switch entry.kind {
            case .expired(let member), .leftOnPollTimeout(let member): removed[member] = entry.time
            default: break
            }
        }
        guard !removed.isEmpty else { return 0 }
        return history.transactions.filter { transaction in
            transaction.committed && transaction.recordEnd > transaction.recordStart
                && (removed[transaction.member].map { $0 < transaction.ended } ?? false)
        }.count
    }
}

extension History {
    /// Whether the server committed a transaction, judged from the answer the model gave: the model applies every
    /// transaction whose commit was ambiguous (the client saw the connection drop during COMMIT).
    static func serverCommitted(_ result: DatabaseResult) -> Bool {
        switch result {
        case .committed: return true
        case .failed(let failure): return failure.kind == .ambiguous
        }
    }
}
