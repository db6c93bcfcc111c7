import Core

/// Paragraphs for a live run's duplicates and losses, with the simulator's cause names. What the simulator
/// reads from its journal (a kill, a SIGTERM) a live history shows as a process that ended without its exit
/// line, or a `sigterm` line.
extension LiveHistory {
    func duplicateViolations(_ duplicated: [Int32], explain: Bool) -> [Violation] {
        guard !duplicated.isEmpty else { return [] }
        var byEvent: [Int32: [Application]] = [:]
        let wanted = Set(duplicated)
        for application in applications where wanted.contains(application.event) {
            byEvent[application.event, default: []].append(application)
        }
        return duplicated.map { event in
            let applications = byEvent[event] ?? []
            let last = applications.last
            let (text, cause) = explainDuplicate(event, applications)
            return Violation(kind: .duplicateEffect, explanation: explain ? text : "", cause: cause, time: last?.time ?? 0,
                             partition: last?.partition, offset: last?.offset)
        }
    }

    private func describe(_ application: Application) -> String {
        "\(podName(application.pod)) (member \(memberName(application.member)), generation \(application.generation))"
    }

    private func explainDuplicate(_ event: Int32, _ applications: [Application]) -> (text: String, cause: String) {
        let planned = produced[Int(event)]
        var text = "Event \(planned.id) (account \(planned.account), \(planned.amountCents) cents) was applied \(applications.count) times: "
        text += applications.narrated(writer: describe) + "."
        let causes = applications.repeatCauses(duplicateCause)
        return (text + causes.text, causes.tag)
    }

    private func duplicateCause(_ first: Application, _ second: Application) -> (String, String) {
        if first.offset != second.offset || first.partition != second.partition {
            return ("producer retry", "a client retried its request with the same event id, so Kafka holds the event twice; without an idempotency guard on event_id each copy has its effect")
        }
        let name = podName(first.pod)
        var tag = "rebalance before commit"
        var facts: [String] = []
        if first.pod == second.pod {
            tag = "re-read"
            facts.append(first.member == second.member
                ? "\(name) processed the record again after its fetch position moved back"
                : "\(name) rejoined the group as member \(memberName(second.member)) and read the partition again from the committed offset")
        } else if let shutdown = history.shutdowns.first(where: { $0.pod == first.pod && $0.sigterm >= first.time && $0.sigterm <= second.time }) {
            tag = mode == .before ? "SIGTERM exit without drain" : tag
            facts.append("\(name) got SIGTERM at \(Timestamp(milliseconds: shutdown.sigterm)) and \(shutdown.exited ? "exited at \(Timestamp(milliseconds: shutdown.ended))" : "was killed") \(shutdown.leaveRequested ? "after leaving the group" : "without a final commit")")
        } else if !exited[Int(first.pod)], lifetimes[Int(first.pod)].end <= second.time {
            tag = "SIGKILL before commit"
            facts.append("\(name)'s history ends at \(Timestamp(milliseconds: lifetimes[Int(first.pod)].end)) without an exit line: the process was killed")
        } else {
            facts.append("the partition moved from \(name) to \(podName(second.pod)) in a rebalance (generation \(second.generation)) before an offset commit covered offset \(first.offset)")
        }
        let partition = first.partition
        if let commit = commits.last(where: { $0.accepted && $0.offset.partition == partition && $0.time <= second.time }) {
            facts.append("the newest committed offset of p\(partition) was \(commit.offset.offset) (by \(podName(commit.pod)) at \(Timestamp(milliseconds: commit.time))), so \(podName(second.pod)) read from there again")
        } else {
            facts.append("no offset of p\(partition) had been committed, so \(podName(second.pod)) read it from the start")
        }
        return (tag, facts.joined(separator: "; "))
    }

    func lostViolation(_ event: Int32, explain: Bool) -> Violation {
        let planned = produced[Int(event)]
        let carried = history.transactions.indices.last { index in
            history.records(of: history.transactions[index]).contains { recordEvents[Int64($0.partition) << 40 | $0.offset] == event }
        }
        var text = "Event \(planned.id) (account \(planned.account), \(planned.amountCents) cents) was never applied"
        var cause = "not processed by the end"
        if let carried {
            let transaction = history.transactions[carried]
            text += ": the last transaction that carried it, by \(podName(transaction.pod)) sent at \(Timestamp(milliseconds: transaction.submitted)), \(transaction.committed ? "committed without its effect" : "did not commit")"
            if !transaction.committed, let commit = commits.first(where: { $0.accepted && $0.time > transaction.ended }) {
                cause = "offset committed before apply"
                text += "; offsets moved on afterwards (\(podName(commit.pod)) committed at \(Timestamp(milliseconds: commit.time)))"
            }
        } else {
            text += ": no worker's history shows it in a transaction"
        }
        return Violation(kind: .lostEvent, explanation: explain ? text + "." : "", cause: cause, time: history.transactions.last?.ended ?? 0)
    }
}
