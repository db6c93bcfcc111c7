import Core

extension RunResult {
    /// The human report of one run: what happened, what went wrong, how to replay it.
    public func summary(reproduce: String, explanations: Int = 5) -> String {
        var lines: [String] = []
        let without = disabledSafeguards.isEmpty ? "" : " without \(disabledSafeguards.map(\.rawValue).joined(separator: ","))"
        lines.append("ReplicaSafe simulator: seed \(seed), mode \(mode.rawValue)\(without), \(replicas) replicas, \(partitions) partitions")
        lines.append("  happened: " + happenings)
        lines.append("  outcome:  \(eventsProduced) events produced (\(poisonEvents) poison); \(eventsApplied) applied, \(effectsApplied) effects, \(duplicates) duplicates, \(lost) lost, \(deadLettered) dead-lettered, \(duplicatesSkipped) duplicates skipped by the guard")
        lines.append("            settlement: \(settlementPeriods) periods, \(settlementRuns) runs, \(doubleSettlements) double, \(missedSettlements) missed; \(balanceMismatches) balance mismatches")
        lines += ViolationReport.lines(violations, explanations: explanations)
        lines.append("")
        lines.append("  reproduce:  \(reproduce)")
        lines.append("  trace hash: \(traceHash)")
        return lines.joined(separator: "\n")
    }

    public var happenings: String {
        let steps = scaleSteps.map { "\($0.replicas)@\(Timestamp(milliseconds: $0.time))" }.joined(separator: " -> ")
        var parts = ["scaling \(steps)", "\(generations) group generations"]
        if kills > 0 { parts.append("\(kills) SIGKILL") }
        if terminations > 0 { parts.append("\(terminations) SIGTERM") }
        if pauses > 0 { parts.append("\(pauses) pauses (\(expiredMembers) members expired)") }
        if surges > 0 { parts.append("\(surges) surge pods") }
        if clientSessionTimeouts > 0 { parts.append("\(clientSessionTimeouts) client session timeouts") }
        if pollTimeouts > 0 { parts.append("\(pollTimeouts) max.poll.interval.ms exits") }
        if zombieWrites > 0 { parts.append("\(zombieWrites) zombie writes") }
        if ambiguousCommits > 0 { parts.append("\(ambiguousCommits) ambiguous commits") }
        if commitsRebalanceInProgress > 0 { parts.append("\(commitsRebalanceInProgress) commits answered REBALANCE_IN_PROGRESS") }
        let faultKindsText = faultKinds.isEmpty ? "none" : faultKinds.map(\.rawValue).joined(separator: ",")
        parts.append("faults on: \(faultKindsText)")
        parts.append(quietAt.map { "quiet at \(Timestamp(milliseconds: $0))" } ?? "never quiet")
        parts.append("\(Timestamp(milliseconds: simulatedMilliseconds)) simulated in \(executedEvents) events")
        return parts.joined(separator: "; ")
    }
}

/// `--mode both`: the same seed and fault schedule, side by side.
public enum PairedSummary {
    public static func table(before: RunResult, after: RunResult) -> String {
        let rows: [(String, (RunResult) -> String)] = [
            ("events produced", { "\($0.eventsProduced)" }),
            ("events applied", { "\($0.eventsApplied)" }),
            ("effects applied", { "\($0.effectsApplied)" }),
            ("duplicates", { "\($0.duplicates)" }),
            ("lost", { "\($0.lost)" }),
            ("dead-lettered", { "\($0.deadLettered)" }),
            ("duplicates skipped", { "\($0.duplicatesSkipped)" }),
            ("settlement runs / periods", { "\($0.settlementRuns) / \($0.settlementPeriods)" }),
            ("double settlements", { "\($0.doubleSettlements)" }),
            ("balance mismatches", { "\($0.balanceMismatches)" }),
            ("group generations", { "\($0.generations)" }),
            ("violations", { "\($0.violations.count)" }),
        ]
        func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
        var lines = ["  " + pad("", 28) + pad("before", 14) + "after"]
        for (label, value) in rows {
            lines.append("  " + pad(label, 28) + pad(value(before), 14) + value(after))
        }
        return lines.joined(separator: "\n")
    }
}
