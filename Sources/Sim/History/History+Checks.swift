import Core

/// The invariants that read only the history. Each is stated on facts a run records as they happen, never on a
/// model's internal state, so the same code can judge a live worker's log.
extension History {
    /// A record processed again by a consumer although a transaction had already committed it before that consumer
    /// was given the partition: the position the consumer started from was older than what the database held.
    struct Replay {
        var transaction: Int
        var record: PartitionOffset
        var firstCommit: Int
        var assignedAt: Int64
    }

    /// A transaction that wrote to a partition after its writer had acknowledged the partition's revocation (it
    /// was in flight across the acknowledgement, or sent after it).
    struct LateWrite {
        var transaction: Int
        var partition: PartitionID
        var revokedAt: Int64
    }

    /// The first counted failure of an event that went past the budget because earlier failures had been forgotten.
    struct Overrun {
        var failure: Int
        /// How many failures of the event had been counted by then, this one included.
        var attempt: Int
    }

    func replaysAfterCommit() -> [Replay] {
        let assignments = ownershipTimes { $0 == .assigned }
        // Per partition and offset: 1 + the index of the first transaction that committed the record, 0 while
        // none has, -1 once its replay is reported. Offsets are dense, so arrays beat hashing here.
        var firstCommit: [[Int32]] = []
        var replays: [Replay] = []
        for (index, transaction) in transactions.enumerated() where transaction.committed {
            for record in records(of: transaction) {
                let partition = Int(record.partition)
                let offset = Int(record.offset)
                if firstCommit.count <= partition {
                    firstCommit.append(contentsOf: repeatElement([], count: partition + 1 - firstCommit.count))
                }
                if firstCommit[partition].count <= offset {
                    // Grown geometrically, in place: offsets arrive roughly in order, one step at a time.
                    let count = firstCommit[partition].count
                    firstCommit[partition].append(contentsOf: repeatElement(0, count: max(offset + 1, 2 * count, 64) - count))
                }
                let marker = firstCommit[partition][offset]
                guard marker != 0 else {
                    firstCommit[partition][offset] = Int32(index + 1)
                    continue
                }
                let first = Int(marker) - 1
                guard marker > 0,
                      let assigned = Self.latest(assignments[Self.key(transaction.pod, record.partition)], atOrBefore: transaction.submitted),
                      transactions[first].ended < assigned
                else { continue }
                firstCommit[partition][offset] = -1
                replays.append(Replay(transaction: index, record: record, firstCommit: first, assignedAt: assigned))
            }
        }
        return replays
    }

    func writesAfterRevocation() -> [LateWrite] {
        let changes = ownershipChanges()
        var late: [LateWrite] = []
        for (index, transaction) in transactions.enumerated() where transaction.committed {
            for partition in partitions(of: transaction) {
                let history = changes[Self.key(transaction.pod, partition)] ?? []
                // Released while it was in flight, or already released when it was sent.
                let crossed = history.first { $0.change == .revoked && $0.time >= transaction.submitted && $0.time < transaction.ended }
                let before = history.last { $0.time <= transaction.submitted }
                if let revocation = crossed ?? (before?.change == .revoked ? before : nil) {
                    late.append(LateWrite(transaction: index, partition: partition, revokedAt: revocation.time))
                }
            }
        }
        return late
    }

    /// SIGTERMed processes that did not stop cleanly: they exited without asking to leave the group (the group
    /// waits for the session timeout before their partitions move) or with a transaction still open (it commits
    /// after the process is gone), or they were still running when the grace period ended.
    func uncleanShutdowns(gracePeriod: Int64) -> [Int] {
        shutdowns.indices.filter { index in
            let shutdown = shutdowns[index]
            if shutdown.exited { return !shutdown.leaveRequested || shutdown.openTransactions > 0 }
            return shutdown.ended - shutdown.sigterm >= gracePeriod
        }
    }

    /// An event's failures counted past `maxAttempts` where a count did not know the failures before it: the
    /// counter restarted, so the event was tried beyond its budget. Counts that include every earlier failure
    /// (a durable counter, however many consumers share it) never trip this.
    func retryBudgetOverruns(maxAttempts: Int) -> [Overrun] {
        var seen: [Int32: Int] = [:]
        var flagged: [Int32: Bool] = [:]
        var overruns: [Overrun] = []
        for (index, failure) in failureCounts.enumerated() {
            let attempt = (seen[failure.event] ?? 0) + 1
            seen[failure.event] = attempt
            guard attempt > maxAttempts, failure.attempts < attempt, flagged[failure.event] == nil else { continue }
            flagged[failure.event] = true
            overruns.append(Overrun(failure: index, attempt: attempt))
        }
        return overruns
    }

    private static func key(_ pod: Int32, _ partition: PartitionID) -> Int64 { Int64(pod) << 32 | Int64(partition) }

    private static func latest(_ times: [Int64]?, atOrBefore time: Int64) -> Int64? {
        times?.last { $0 <= time }
    }

    private func ownershipTimes(_ wanted: (OwnershipChange) -> Bool) -> [Int64: [Int64]] {
        var times: [Int64: [Int64]] = [:]
        for entry in ownership where wanted(entry.change) {
            for partition in entry.partitions { times[Self.key(entry.pod, partition), default: []].append(entry.time) }
        }
        return times
    }

    private func ownershipChanges() -> [Int64: [(time: Int64, change: OwnershipChange)]] {
        var changes: [Int64: [(time: Int64, change: OwnershipChange)]] = [:]
        for entry in ownership {
            for partition in entry.partitions { changes[Self.key(entry.pod, partition), default: []].append((entry.time, entry.change)) }
        }
        return changes
    }
}
