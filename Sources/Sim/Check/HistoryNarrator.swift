import Core

/// The history's findings (`History+Checks.swift`) as violations, each with a paragraph naming the pods,
/// members, generations and times. One narrator serves a simulated run and a live one (`sim check-history`):
/// what differs between the worlds (how a pod or an event is named, which mechanism the mode blames) comes in
/// as values, the findings and their wording do not.
struct HistoryNarrator {
    struct Causes {
        var replay: String
        var lateWrite: String
        var shutdown: String

        /// The mechanism each mode's design leaves open (`after` with every safeguard on: none should fire).
        init(mode: ProcessingMode) {
            replay = mode == .before
                ? "the before mode starts a partition from Kafka's committed offset, which lags what was applied"
                : "the consumer started from a position older than the offset the database held"
            lateWrite = mode == .before
                ? "the eager revocation hands partitions back while the running batch goes on"
                : "the revocation was acknowledged without waiting for the transaction that touched the partition"
            shutdown = mode == .before
                ? "the before mode exits on SIGTERM at once, as a process without a signal handler does"
                : "the consumer did not drain before exiting"
        }
    }

    let history: History
    let explain: Bool
    let podName: (Int32) -> String
    let memberName: (Int32) -> String
    /// The event id of a record, and of a failure count's event.
    let recordEvent: (PartitionOffset) -> String
    let failureEvent: (History.FailureCount) -> String
    let causes: Causes
    let sessionTimeout: Int64
    let gracePeriod: Int64
    let maxAttempts: Int

    func violations() -> [Violation] {
        replayViolations() + lateWriteViolations() + shutdownViolations() + budgetViolations()
    }

    private func writer(_ transaction: History.Transaction) -> String {
        "\(podName(transaction.pod)) (member \(memberName(transaction.member)), generation \(transaction.generation))"
    }

    private func replayViolations() -> [Violation] {
        history.replaysAfterCommit().map { replay in
            let transaction = history.transactions[replay.transaction]
            let first = history.transactions[replay.firstCommit]
            let record = replay.record
            let text = explain
                ? "Record \(record) (event \(recordEvent(record))) was processed again by \(writer(transaction)) in a transaction that committed at \(Timestamp(milliseconds: transaction.ended)), although \(writer(first)) had committed it at \(Timestamp(milliseconds: first.ended)), before \(podName(transaction.pod)) was given p\(record.partition) at \(Timestamp(milliseconds: replay.assignedAt)). Cause: \(causes.replay)."
                : ""
            return Violation(kind: .replayAfterCommit, explanation: text, cause: "started behind the database",
                             time: transaction.ended, partition: record.partition, offset: record.offset)
        }
    }

    private func lateWriteViolations() -> [Violation] {
        history.writesAfterRevocation().map { late in
            let transaction = history.transactions[late.transaction]
            let text = explain
                ? "\(writer(transaction)) wrote to p\(late.partition) in a transaction sent at \(Timestamp(milliseconds: transaction.submitted)) that committed at \(Timestamp(milliseconds: transaction.ended)), after it had acknowledged the revocation of p\(late.partition) at \(Timestamp(milliseconds: late.revokedAt)): by then the partition could belong to another member. Cause: \(causes.lateWrite)."
                : ""
            return Violation(kind: .writeAfterRevocation, explanation: text, cause: "released mid-transaction",
                             time: transaction.ended, partition: late.partition)
        }
    }

    private func shutdownViolations() -> [Violation] {
        history.uncleanShutdowns(gracePeriod: gracePeriod).map { index in
            let shutdown = history.shutdowns[index]
            let name = podName(shutdown.pod)
            var faults: [String] = []
            if !shutdown.leaveRequested { faults.append("without leaving the group (its partitions stayed with a dead member until the \(Timestamp(milliseconds: sessionTimeout)) session timeout)") }
            if shutdown.openTransactions > 0 { faults.append("with \(shutdown.openTransactions) database transaction(s) still open") }
            let ending = shutdown.exited
                ? "exited at \(Timestamp(milliseconds: shutdown.ended)) " + faults.joined(separator: " and ")
                : "was still running when the \(Timestamp(milliseconds: gracePeriod)) grace period ended and was SIGKILLed at \(Timestamp(milliseconds: shutdown.ended))"
            let text = explain ? "\(name) got SIGTERM at \(Timestamp(milliseconds: shutdown.sigterm)) and \(ending). Cause: \(causes.shutdown)." : ""
            return Violation(kind: .uncleanShutdown, explanation: text, cause: shutdown.exited ? "exit without drain" : "killed at the end of the grace period",
                             time: shutdown.ended)
        }
    }

    private func budgetViolations() -> [Violation] {
        history.retryBudgetOverruns(maxAttempts: maxAttempts).map { overrun in
            let failure = history.failureCounts[overrun.failure]
            var text = ""
            if explain {
                let counts = history.failureCounts[...overrun.failure].filter { $0.event == failure.event }
                var byPod: [(Int32, [Int])] = []
                for count in counts {
                    if let index = byPod.firstIndex(where: { $0.0 == count.pod }) { byPod[index].1.append(count.attempts) } else { byPod.append((count.pod, [count.attempts])) }
                }
                let listed = byPod.map { "\(podName($0.0)) counted \($0.1.map(String.init).joined(separator: ", "))" }.joined(separator: "; ")
                text = "Poison event \(failureEvent(failure)) at \(PartitionOffset(partition: failure.partition, offset: failure.offset)) failed for the \(overrun.attempt)th time at \(Timestamp(milliseconds: failure.time)) although the budget is \(maxAttempts) attempts: \(listed). Cause: the count was kept in process memory, so a restart or a rebalance forgot the earlier failures and the event started a fresh budget."
            }
            return Violation(kind: .retryBudgetExceeded, explanation: text, cause: "retry count forgotten", time: failure.time,
                             partition: failure.partition, offset: failure.offset)
        }
    }
}
