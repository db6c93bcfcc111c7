import Core

extension World {
    /// A consumer hands a transaction to its database lane.
    func transactionSent(_ work: DatabaseWork, request: RequestID, from pod: Int32) {
        let p = Int(pod)
        pods[p].openTransactions.append(Pod.OpenTransaction(
            request: request, submitted: now, member: pods[p].member ?? -1, generation: pods[p].generation))
    }

    /// Who writes a transaction: the pod, and the member, generation and time at which its consumer handed the
    /// work to the database lane (the work may wait there; the consumer decided it as that member).
    func writer(of request: RequestID, from pod: Int32, at time: Int64) -> DatabaseModel.Writer {
        let p = Int(pod)
        guard let open = pods[p].openTransactions.first(where: { $0.request == request }) else {
            return DatabaseModel.Writer(pod: pod, member: pods[p].member ?? -1, generation: pods[p].generation, sentAt: time)
        }
        return DatabaseModel.Writer(pod: pod, member: open.member, generation: open.generation, sentAt: open.submitted)
    }

    /// The database lane finished a job (now, on the server: its last step ran, whatever becomes of the answer).
    /// A durable failure count the consumer will hear of is a fact of the history here, in commit order.
    func databaseJobFinished(_ pod: Int32, _ request: RequestID, _ work: DatabaseWork, _ outcome: DatabaseResult) {
        let p = Int(pod)
        pods[p].openTransactions.removeAll { $0.request == request }
        guard case .recordFailure(let record) = work, case .committed(.attempts(let attempts)) = outcome else { return }
        history.failureCounts.append(History.FailureCount(
            time: now, pod: pod, event: topic.origin(partition: record.partition, offset: record.offset),
            partition: record.partition, offset: record.offset, attempts: attempts, durable: true))
    }

    /// The database's committed transactions, as the history's transactions: who wrote them, when the consumer
    /// sent them, when they committed, and the records they processed (ledger rows and guarded skips).
    func takeCommittedTransactions() {
        let committed = database.history
        history.transactions = []
        history.records = []
        history.transactions.reserveCapacity(committed.transactions.count)
        history.records.reserveCapacity(committed.ledger.count + committed.skips.count)
        var ledger = 0
        var skips = 0
        for (index, transaction) in committed.transactions.enumerated() {
            let start = Int32(history.records.count)
            // A transaction's ledger rows and skips are recorded together, in commit order.
            while ledger < committed.ledger.count, committed.ledger[ledger].transaction == Int32(index) {
                history.records.append(PartitionOffset(partition: committed.ledger[ledger].partition, offset: committed.ledger[ledger].offset))
                ledger += 1
            }
            while skips < committed.skips.count, committed.skips[skips].transaction == Int32(index) {
                history.records.append(PartitionOffset(partition: committed.skips[skips].partition, offset: committed.skips[skips].offset))
                skips += 1
            }
            let writer = transaction.writer
            history.transactions.append(History.Transaction(
                pod: writer.pod, member: writer.member, generation: writer.generation, submitted: writer.sentAt,
                ended: transaction.commitTime, committed: true, recordStart: start, recordEnd: Int32(history.records.count)))
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

    /// Committed transactions whose member the coordinator had removed before they committed.
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
            transaction.recordEnd > transaction.recordStart && (removed[transaction.member].map { $0 < transaction.ended } ?? false)
        }.count
    }
}
