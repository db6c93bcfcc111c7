import Core

extension World {
    /// Runs every checker over the final state. Explanations are written only when asked for (a sweep needs
    /// the kinds, not the prose).
    func check() -> (Tally, [Violation]) {
        facts = collectDatabaseFacts()
        let deadLettered = deadLetterCounts()
        let conflictLetters = conflictDeadLettered
        let conflicting = conflictingReuses()
        let findings = EffectCheck(poison: scenario.events.map { $0.poison != nil }, effects: facts.effects,
                                   deadLettered: deadLettered, conflicting: conflicting,
                                   deadLetteredAsConflict: scenario.events.indices.map { conflictLetters.contains(Int32($0)) }).run()
        var tally = findings.tally
        var violations = findings.poisonNotDeadLettered.map(poisonViolation)
        violations += findings.lost.map { lostViolation($0.event, deadLettered: $0.deadLettered) }
        violations += findings.silentConflicts.map(silentConflictViolation)
        let duplicated = findings.duplicated
        violations += duplicateViolations(duplicated)
        violations += balanceViolations(&tally, conflicting: conflicting)
        violations += settlementViolations(&tally)
        violations += settlementTotalViolations(&tally)
        violations += offsetViolations()
        violations += historyViolations()
        if let notQuiet = notQuietViolation() { violations.append(notQuiet) }
        tally.duplicatesSkipped = pods.reduce(0) { $0 + $1.machine.statistics.duplicatesSkipped }
        return (tally, violations.sorted { ($0.kind, $0.time) < ($1.kind, $1.time) })
    }

    /// Per planned event: whether another planned event (not poison) carries its id with another account or
    /// amount. Found by sorting (id, index), so no hash order leaks; the keys are sorted as plain values (not
    /// indices compared through the events), which keeps the sort cheap.
    func conflictingReuses() -> [Bool] {
        var flags = Array(repeating: false, count: scenario.events.count)
        let events = scenario.events
        // Only events whose id's high word another event shares can share an id: those are found by sorting the
        // high words alone (plain integers sort fast), and only they are sorted by (id, index).
        var highs: [UInt64] = []
        highs.reserveCapacity(events.count)
        for event in events where event.poison == nil { highs.append(event.id.high) }
        highs.sort()
        var shared: Set<UInt64> = []
        for position in highs.indices.dropFirst() where highs[position] == highs[position - 1] { shared.insert(highs[position]) }
        guard !shared.isEmpty else { return flags }
        var keys: [(high: UInt64, low: UInt64, index: Int)] = []
        for (index, event) in events.enumerated() where event.poison == nil && shared.contains(event.id.high) {
            keys.append((event.id.high, event.id.low, index))
        }
        keys.sort { ($0.high, $0.low, $0.index) < ($1.high, $1.low, $1.index) }
        let order = keys.map(\.index)
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count, events[order[end]].id == events[order[start]].id { end += 1 }
            let group = order[start..<end]
            let first = events[group.first!]
            if group.contains(where: { events[$0].account != first.account || events[$0].amountCents != first.amountCents }) {
                for index in group { flags[index] = true }
            }
            start = end
        }
        return flags
    }

    /// Planned events dead-lettered with the `event_id_conflict` reason.
    var conflictDeadLettered: Set<Int32> {
        Set(deadLetters.filter { $0.reason.hasPrefix(DatabaseFailure.eventIDConflictReason) }.map(\.event))
    }

    func deadLetterCounts() -> [Int] {
        var counts = Array(repeating: 0, count: scenario.events.count)
        for record in deadLetters { counts[Int(record.event)] += 1 }
        return counts
    }

    private func duplicateViolations(_ duplicated: [Int32]) -> [Violation] {
        guard !duplicated.isEmpty else { return [] }
        var byEvent: [Int32: [Application]] = [:]
        let wanted = Set(duplicated)
        for application in facts.applications where wanted.contains(application.event) {
            byEvent[application.event, default: []].append(application)
        }
        return duplicated.map { event in
            let applications = byEvent[event] ?? []
            let last = applications.last
            let (text, cause) = options.explain ? explainDuplicate(event, applications) : ("", "")
            return Violation(kind: .duplicateEffect, explanation: text, cause: cause, time: last?.time ?? now,
                             partition: last?.partition, offset: last?.offset)
        }
    }

    private func lostViolation(_ event: Int32, deadLettered: Bool) -> Violation {
        let placement = topic.firstPlacement(of: Int(event))
        let (text, cause) = options.explain ? explainLost(event, deadLettered: deadLettered) : ("", "")
        let time = options.explain ? (firstCommitPast(placement)?.time ?? scenario.events[Int(event)].time) : 0
        return Violation(kind: .lostEvent, explanation: text, cause: cause, time: time, partition: placement?.partition,
                         offset: placement?.offset)
    }

    private func silentConflictViolation(_ event: Int32) -> Violation {
        let planned = scenario.events[Int(event)]
        let placement = topic.firstPlacement(of: Int(event))
        var text = ""
        if options.explain {
            let applied = scenario.events.indices.first { scenario.events[$0].id == planned.id && facts.effects[$0] > 0 }
            let standing = applied.map { "the event applied under that id (account acct-\(scenario.events[$0].account), \(scenario.events[$0].amountCents) cents) stands" }
                ?? "no event of that id was applied"
            text = "Event \(planned.id) at \(placement?.description ?? "nowhere") (account acct-\(planned.account), \(planned.amountCents) cents) reuses an event id with another account or amount; \(standing), and this one was neither applied nor dead-lettered as event_id_conflict: \(mode == .before ? "never consumed" : "the guard skipped it as a duplicate without comparing the content"), so its \(planned.amountCents) cents vanished without an error."
        }
        return Violation(kind: .silentIDConflict, explanation: text, cause: "conflict skipped as duplicate", time: planned.time,
                         partition: placement?.partition, offset: placement?.offset)
    }

    private func poisonViolation(_ event: Int32) -> Violation {
        let planned = scenario.events[Int(event)]
        let placement = topic.firstPlacement(of: Int(event))
        let text = options.explain
            ? "Poison event \(planned.id) (\(planned.poison!.rawValue)) at \(placement?.description ?? "nowhere") was never sent to the dead-letter topic: \(mode == .before ? "the before mode logs and skips what it cannot decode, so nobody can inspect or replay it" : "it is stuck")."
            : ""
        return Violation(kind: .poisonNotDeadLettered, explanation: text, cause: "poison skipped", time: planned.time,
                         partition: placement?.partition, offset: placement?.offset)
    }

    func firstCommitPast(_ placement: PartitionOffset?) -> GroupCoordinator.CommitRecord? {
        guard let placement else { return nil }
        return coordinator.commits.first {
            $0.accepted && $0.offset.partition == placement.partition && $0.offset.offset > placement.offset
        }
    }

    private func balanceViolations(_ tally: inout Tally, conflicting: [Bool]) -> [Violation] {
        var expected = Array(repeating: Int64(0), count: config.accounts)
        for (index, planned) in scenario.events.enumerated() where planned.poison == nil {
            // Of events sharing an id with different content only the applied one counts (the rest are conflicts).
            if conflicting[index], facts.effects[index] == 0 { continue }
            expected[planned.account] += planned.amountCents
        }
        var violations: [Violation] = []
        for account in 0..<config.accounts where facts.balances[account] != expected[account] {
            tally.balanceMismatches += 1
            let text = options.explain ? explainBalance(account, expected: expected[account]) : ""
            violations.append(Violation(kind: .balanceMismatch, explanation: text, cause: "wrong balance", time: now))
        }
        return violations
    }

    private func settlementViolations(_ tally: inout Tally) -> [Violation] {
        let period = config.settlementPeriod
        let checked = max(0, now / period - 1)
        tally.settlementPeriods = Int(checked)
        let rows = database.history.settlements
        let runs = SettlementRunCheck(periods: rows.map(\.period), checked: Int(checked)).run().map { $0.map { rows[$0] } }
        tally.settlementRuns = runs.reduce(0) { $0 + $1.count }
        var violations: [Violation] = []
        for (index, rows) in runs.enumerated() {
            let start = Int64(index) * period
            if rows.count > 1 {
                tally.doubleSettlements += rows.count - 1
                let who = rows.map { "\(pods[Int($0.pod)].name) at \(Timestamp(milliseconds: $0.time))" }.joined(separator: ", ")
                let why = mode == .before
                    ? "every replica runs the job on its own timer and nothing fences it"
                    : "the fence let more than one run through"
                let text = options.explain
                    ? "Settlement period \(index) (\(Timestamp(milliseconds: start))-\(Timestamp(milliseconds: start + period))) was settled \(rows.count) times: by \(who). Cause: \(why)."
                    : ""
                violations.append(Violation(kind: .doubleSettlement, explanation: text, cause: "unfenced singleton", time: rows[1].time))
            } else if rows.isEmpty {
                tally.missedSettlements += 1
                let text = options.explain
                    ? "Settlement period \(index) (\(Timestamp(milliseconds: start))-\(Timestamp(milliseconds: start + period))) was never settled although the run went on until \(Timestamp(milliseconds: now))."
                    : ""
                violations.append(Violation(kind: .missedSettlement, explanation: text, cause: "no run", time: start + period))
            }
        }
        return violations
    }

    /// Within one member's generation, committed offsets of a partition never go back.
    private func offsetViolations() -> [Violation] {
        GroupCoordinator.regressionViolations(in: coordinator.commits, explain: options.explain,
                                              podName: { self.pods[Int($0)].name }, memberName: { "m\($0)" })
    }
}

extension GroupCoordinator {
    /// Accepted commits that moved a partition's offset back within one member's generation, each with the
    /// accepted commit before it (indices into `commits`).
    static func regressions(in commits: [CommitRecord]) -> [(commit: Int, previous: Int)] {
        var found: [(commit: Int, previous: Int)] = []
        var last: [Int64: Int] = [:]
        for (index, record) in commits.enumerated() where record.accepted {
            let key = Int64(record.member) << 40 | Int64(record.generation) << 16 | Int64(record.offset.partition)
            if let previous = last[key], record.offset.offset < commits[previous].offset.offset {
                found.append((index, previous))
            }
            last[key] = index
        }
        return found
    }

    /// The regressions as violations, for a simulated run's commits and a live history's alike.
    static func regressionViolations(in commits: [CommitRecord], explain: Bool, podName: (Int32) -> String,
                                     memberName: (Int32) -> String) -> [Violation] {
        regressions(in: commits).map { regression in
            let record = commits[regression.commit]
            let previous = commits[regression.previous]
            let text = explain
                ? "\(podName(record.pod)) (member \(memberName(record.member)), generation \(record.generation)) committed p\(record.offset.partition) at offset \(record.offset.offset) at \(Timestamp(milliseconds: record.time)) after committing \(previous.offset.offset) at \(Timestamp(milliseconds: previous.time)): the group would re-read \(previous.offset.offset - record.offset.offset) records."
                : ""
            return Violation(kind: .offsetRegression, explanation: text, cause: "offset moved back", time: record.time,
                             partition: record.offset.partition, offset: record.offset.offset)
        }
    }
}
