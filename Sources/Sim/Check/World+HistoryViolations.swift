import Core

/// The history's findings as violations, each with a paragraph naming the pods, members, generations and times.
extension World {
    func historyViolations() -> [Violation] {
        takeCommittedTransactions()
        return replayViolations() + lateWriteViolations() + shutdownViolations() + budgetViolations()
    }

    func notQuietViolation() -> Violation? {
        guard quietAt == nil else { return nil }
        let pending = quietBlockers(first: false)
        let text = options.explain
            ? "The system was not quiet by \(Timestamp(milliseconds: timeLimit)), the end of the heal phase (traffic stopped at \(Timestamp(milliseconds: trafficEnd))); still pending at \(Timestamp(milliseconds: now)): \(pending.isEmpty ? "nothing found at the last event" : pending.joined(separator: "; "))."
            : ""
        return Violation(kind: .notQuiet, explanation: text, cause: "not quiet", time: now)
    }

    private func writer(_ transaction: History.Transaction) -> String {
        "\(pods[Int(transaction.pod)].name) (member m\(transaction.member), generation \(transaction.generation))"
    }

    private func replayViolations() -> [Violation] {
        history.replaysAfterCommit().map { replay in
            let transaction = history.transactions[replay.transaction]
            let first = history.transactions[replay.firstCommit]
            let record = replay.record
            var text = ""
            if options.explain {
                let event = scenario.events[Int(topic.origin(partition: record.partition, offset: record.offset))]
                let why: String
                if mode == .before {
                    why = "the before mode starts a partition from Kafka's committed offset, which lags what was applied"
                } else if !has(.offsetsStoredWithEffects) {
                    why = "no offset was stored with the effects, so nothing newer than Kafka's committed offset was there to start from"
                } else if !has(.offsetsLoadedOnAssignment) {
                    why = "the consumer did not read the offsets stored with the effects and started from Kafka's committed offset"
                } else {
                    why = "the consumer started from a position older than the offset the database held"
                }
                text = "Record \(record) (event \(event.id)) was processed again by \(writer(transaction)) in a transaction that committed at \(Timestamp(milliseconds: transaction.ended)), although \(writer(first)) had committed it at \(Timestamp(milliseconds: first.ended)), before \(pods[Int(transaction.pod)].name) was given p\(record.partition) at \(Timestamp(milliseconds: replay.assignedAt)). Cause: \(why)."
            }
            return Violation(kind: .replayAfterCommit, explanation: text, cause: "started behind the database",
                             time: transaction.ended, partition: record.partition, offset: record.offset)
        }
    }

    private func lateWriteViolations() -> [Violation] {
        history.writesAfterRevocation().map { late in
            let transaction = history.transactions[late.transaction]
            var text = ""
            if options.explain {
                let why = mode == .before
                    ? "the eager revocation hands partitions back while the running batch goes on"
                    : "the revocation was acknowledged without waiting for the transaction that touched the partition"
                text = "\(writer(transaction)) wrote to p\(late.partition) in a transaction sent at \(Timestamp(milliseconds: transaction.submitted)) that committed at \(Timestamp(milliseconds: transaction.ended)), after it had acknowledged the revocation of p\(late.partition) at \(Timestamp(milliseconds: late.revokedAt)): by then the partition could belong to another member. Cause: \(why)."
            }
            return Violation(kind: .writeAfterRevocation, explanation: text, cause: "released mid-transaction",
                             time: transaction.ended, partition: late.partition)
        }
    }

    private func shutdownViolations() -> [Violation] {
        history.uncleanShutdowns(gracePeriod: config.terminationGracePeriod).map { index in
            let shutdown = history.shutdowns[index]
            let name = pods[Int(shutdown.pod)].name
            var faults: [String] = []
            if !shutdown.leaveRequested { faults.append("without leaving the group (its partitions stayed with a dead member until the \(Timestamp(milliseconds: config.sessionTimeout)) session timeout)") }
            if shutdown.openTransactions > 0 { faults.append("with \(shutdown.openTransactions) database transaction(s) still open") }
            let ending = shutdown.exited
                ? "exited at \(Timestamp(milliseconds: shutdown.ended)) " + faults.joined(separator: " and ")
                : "was still running when the \(Timestamp(milliseconds: config.terminationGracePeriod)) grace period ended and was SIGKILLed at \(Timestamp(milliseconds: shutdown.ended))"
            let why = mode == .before ? "the before mode exits on SIGTERM at once, as a process without a signal handler does" : "the consumer did not drain before exiting"
            let text = options.explain ? "\(name) got SIGTERM at \(Timestamp(milliseconds: shutdown.sigterm)) and \(ending). Cause: \(why)." : ""
            return Violation(kind: .uncleanShutdown, explanation: text, cause: shutdown.exited ? "exit without drain" : "killed at the end of the grace period",
                             time: shutdown.ended)
        }
    }

    private func budgetViolations() -> [Violation] {
        let maxAttempts = config.maxAttempts
        return history.retryBudgetOverruns(maxAttempts: maxAttempts).map { overrun in
            let failure = history.failureCounts[overrun.failure]
            var text = ""
            if options.explain {
                let counts = history.failureCounts[...overrun.failure].filter { $0.event == failure.event }
                var byPod: [(Int32, [Int])] = []
                for count in counts {
                    if let index = byPod.firstIndex(where: { $0.0 == count.pod }) { byPod[index].1.append(count.attempts) } else { byPod.append((count.pod, [count.attempts])) }
                }
                let listed = byPod.map { "\(pods[Int($0.0)].name) counted \($0.1.map(String.init).joined(separator: ", "))" }.joined(separator: "; ")
                let event = scenario.events[Int(failure.event)]
                text = "Poison event \(event.id) at \(PartitionOffset(partition: failure.partition, offset: failure.offset)) failed for the \(overrun.attempt)th time at \(Timestamp(milliseconds: failure.time)) although the budget is \(maxAttempts) attempts: \(listed). Cause: the count was kept in process memory, so a restart or a rebalance forgot the earlier failures and the event started a fresh budget."
            }
            return Violation(kind: .retryBudgetExceeded, explanation: text, cause: "retry count forgotten", time: failure.time,
                             partition: failure.partition, offset: failure.offset)
        }
    }
}
