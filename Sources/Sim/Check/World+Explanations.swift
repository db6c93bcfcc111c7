import Core

extension World {
    func explainDuplicate(_ event: Int32, _ applications: [Application]) -> (text: String, cause: String) {
        let planned = scenario.events[Int(event)]
        let placements = topic.placements(of: Int(event))
        var text = "Event \(planned.id) (account acct-\(planned.account), \(planned.amountCents) cents) was applied \(applications.count) times"
        if placements.count > 1 {
            text += "; it was written to Kafka \(placements.count) times (\(placements.map(\.description).joined(separator: " and ")))"
        }
        text += ": " + applications.narrated(writer: describeWriter) + "."
        let causes = applications.repeatCauses(duplicateCause)
        return (text + causes.text, causes.tag)
    }

    private func describeWriter(_ application: Application) -> String {
        "\(pods[Int(application.pod)].name) (member m\(application.member), generation \(application.generation))"
    }

    private func duplicateCause(_ first: Application, _ second: Application) -> (String, String) {
        if first.offset != second.offset || first.partition != second.partition {
            return ("producer retry", "a client retried its request with the same event id, so Kafka holds the event twice; without an idempotency guard on event_id each copy has its effect")
        }
        if first.pod == second.pod {
            if first.ambiguous {
                return ("db-ambiguous retry", "the commit of (1) reached the database, but the client saw the connection drop during COMMIT and retried the same batch at once; without an idempotency guard the retry applied it again (fault: db-ambiguous)")
            }
            if let rejoin = rejoinCause(first, second) { return rejoin }
            return ("re-read", "\(pods[Int(first.pod)].name) processed the record again after its fetch position moved back")
        }
        var facts: [String] = []
        var tag = "rebalance before commit"
        if let expiry = expiry(of: second.member, before: second.time) {
            // The later application is the zombie's: it had been thrown out and did not know yet.
            let zombie = pods[Int(second.pod)].name
            return ("zombie write", "(2) was a zombie write: \(zombie)'s member m\(second.member) had been expired by the coordinator at \(Timestamp(milliseconds: expiry)) (no heartbeat for longer than the \(Timestamp(milliseconds: config.sessionTimeout)) session timeout: \(frozenText(second.pod, around: expiry))) and p\(second.partition) had moved on, yet it applied the record at \(Timestamp(milliseconds: second.time)), before its next heartbeat told it so")
        }
        let pod = first.pod
        let name = pods[Int(pod)].name
        for entry in journal.entries where entry.pod == pod && entry.time >= first.time && entry.time <= second.time {
            switch entry.kind {
            case .killed:
                tag = "SIGKILL before commit"
                facts.append("\(name) was SIGKILLed at \(Timestamp(milliseconds: entry.time)) (fault: kill)")
            case .terminated where mode == .before:
                tag = "SIGTERM exit without drain"
                facts.append("\(name) got SIGTERM at \(Timestamp(milliseconds: entry.time)) and exited at once without a final commit (before mode has no drain)")
            case .terminated: facts.append("\(name) got SIGTERM at \(Timestamp(milliseconds: entry.time))")
            case .frozen(let until):
                tag = "pause past session timeout"
                facts.append("\(name) froze from \(Timestamp(milliseconds: entry.time)) to \(Timestamp(milliseconds: until)), longer than the \(Timestamp(milliseconds: config.sessionTimeout)) session timeout (fault: pause)")
            case .expired(let member):
                facts.append("the coordinator expired member m\(member) at \(Timestamp(milliseconds: entry.time))")
            default: break
            }
        }
        if let expiry = expiry(of: first.member, before: first.time) {
            tag = "zombie write"
            facts.append("(1) itself was a zombie write: \(name) applied it after its member m\(first.member) had been thrown out of the group at \(Timestamp(milliseconds: expiry)), before it noticed")
        }
        if facts.isEmpty {
            facts.append("the partition moved from \(name) to \(pods[Int(second.pod)].name) in a rebalance (generation \(second.generation)) before an offset commit covered offset \(first.offset)")
        }
        let partition = first.partition
        if let commit = coordinator.commits.last(where: { $0.accepted && $0.offset.partition == partition && $0.time <= second.time }) {
            facts.append("the newest committed offset of p\(partition) was \(commit.offset.offset) (by \(pods[Int(commit.pod)].name) at \(Timestamp(milliseconds: commit.time))), so \(pods[Int(second.pod)].name) read from there again")
        } else {
            facts.append("no offset of p\(partition) had ever been committed, so \(pods[Int(second.pod)].name) read it from the start")
        }
        return (tag, facts.joined(separator: "; "))
    }

    /// The same pod applied a record twice as two members: it lost its membership in between and read the
    /// partition again from the committed offset.
    private func rejoinCause(_ first: Application, _ second: Application) -> (String, String)? {
        guard first.member != second.member else { return nil }
        let name = pods[Int(first.pod)].name
        let rejoined = "joined again as m\(second.member) and read p\(first.partition) from the committed offset, behind offset \(first.offset)"
        for entry in journal.entries where entry.pod == first.pod && entry.time >= first.time && entry.time <= second.time {
            switch entry.kind {
            case .sessionTimedOut:
                return ("client session timeout", "\(name) heard nothing from the group coordinator for \(Timestamp(milliseconds: config.sessionTimeout)) (fault: broker-isolation), gave its partitions up at \(Timestamp(milliseconds: entry.time)), \(rejoined)")
            case .leftOnPollTimeout:
                return ("max.poll.interval.ms exit", "\(name) did not poll for \(Timestamp(milliseconds: config.rebalanceTimeout)) (fault: max-poll-exceeded), its client left the group at \(Timestamp(milliseconds: entry.time)), and it \(rejoined)")
            default: break
            }
        }
        return nil
    }

    func explainLost(_ event: Int32, deadLettered: Bool) -> (text: String, cause: String) {
        let planned = scenario.events[Int(event)]
        guard let placement = topic.firstPlacement(of: Int(event)) else {
            return ("Event \(planned.id) was never written to Kafka.", "never produced")
        }
        var text = "Event \(planned.id) (account acct-\(planned.account), \(planned.amountCents) cents) at \(placement) was never applied"
        if deadLettered, let record = deadLetters.first(where: { $0.event == event }) {
            return (text + ": \(pods[Int(record.pod)].name) sent it to the dead-letter topic at \(Timestamp(milliseconds: record.time)) although it was valid (\(record.reason)). Cause: retrying at once, with the counter in memory, gives a database blip only milliseconds to pass before good events are given up.", "dead-lettered by immediate retries")
        }
        if let commit = firstCommitPast(placement) {
            let name = pods[Int(commit.pod)].name
            text += ": \(name) (member m\(commit.member), generation \(commit.generation)) committed offset \(commit.offset.offset) of p\(placement.partition) at \(Timestamp(milliseconds: commit.time)), past this record, before its effect was written"
            let fate = journal.entries.first { $0.pod == commit.pod && $0.time >= commit.time && isFatal($0.kind) }
            if let fate {
                text += "; then \(name) \(describeFate(fate.kind)) at \(Timestamp(milliseconds: fate.time))"
            } else {
                text += "; the partition was then revoked and the record, still queued, was dropped"
            }
            let mechanism = mode == .before
                ? "the before mode stores an offset when a message is handed to the application and auto-commits it, applied or not"
                : "an offset was committed past a record that was never applied"
            return (text + ". Cause: \(mechanism).", "offset committed before apply")
        }
        let committed = coordinator.committed[Int(placement.partition)].map(String.init) ?? "none"
        return (text + " by the end of the run at \(Timestamp(milliseconds: now)); the committed offset of p\(placement.partition) is \(committed).", "not processed by the end")
    }

    /// When the coordinator expired `member`, if it did so by `time`.
    private func expiry(of member: Int32, before time: Int64) -> Int64? {
        journal.entries.last {
            if case .expired(let expired) = $0.kind { return expired == member && $0.time <= time }
            return false
        }?.time
    }

    private func frozenText(_ pod: Int32, around time: Int64) -> String {
        guard let freeze = journal.entries.last(where: {
            if case .frozen = $0.kind { return $0.pod == pod && $0.time <= time } else { return false }
        }), case .frozen(let until) = freeze.kind else { return "it stopped heartbeating" }
        return "it was frozen from \(Timestamp(milliseconds: freeze.time)) to \(Timestamp(milliseconds: until)), fault: pause"
    }

    private func isFatal(_ kind: Journal.Kind) -> Bool {
        switch kind {
        case .killed, .terminated, .frozen, .expired: return true
        default: return false
        }
    }

    private func describeFate(_ kind: Journal.Kind) -> String {
        switch kind {
        case .killed: return "was SIGKILLed"
        case .terminated: return "got SIGTERM and exited"
        case .frozen: return "froze past the session timeout"
        case .expired: return "was expired by the coordinator"
        default: return "changed state"
        }
    }

    func explainBalance(_ account: Int, expected: Int64) -> String {
        let actual = facts.balances[account]
        var duplicated: Int64 = 0
        var lost: Int64 = 0
        var count = 0
        for (index, planned) in scenario.events.enumerated() where planned.account == account && planned.poison == nil {
            count += 1
            let effects = Int64(facts.effects[index])
            if effects == 0 { lost -= planned.amountCents } else { duplicated += planned.amountCents * (effects - 1) }
        }
        let difference = actual - expected
        let rest = difference - duplicated - lost
        var parts: [String] = []
        if duplicated != 0 { parts.append("duplicated effects account for \(duplicated)") }
        if lost != 0 { parts.append("lost events for \(lost)") }
        if rest != 0 {
            parts.append("the remaining \(rest) are lost updates: a replica wrote a total it had cached in memory, overwriting a newer balance written by another replica")
        }
        return "Account acct-\(account): balance \(actual) cents, but its \(count) events sum to \(expected) (off by \(difference)); " + parts.joined(separator: "; ") + "."
    }
}
