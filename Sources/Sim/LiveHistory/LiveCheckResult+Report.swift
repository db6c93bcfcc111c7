import Core

extension LiveCheckResult {
    /// The human report, in the simulator's format (`RunResult.summary`) where the facts are the same.
    public func summary(explanations: Int = 5) -> String {
        var lines: [String] = []
        lines.append("ReplicaSafe live history: mode \(mode.rawValue), \(pods.count) worker processes (\(pods.joined(separator: ", "))), \(self.lines) history lines")
        lines.append("  outcome:  \(eventsProduced) events produced; \(eventsApplied) applied, \(effectsApplied) effects, \(duplicates) duplicates, \(lost) lost, \(deadLettered) dead-lettered; \(unexpectedApplications) applications of events never produced")
        lines.append("            settlement: \(settlementPeriods) periods, \(settlementRuns) runs, \(doubleSettlements) double, \(missedSettlements) missed" +
                     (settlementMismatches.map { ", \($0) total mismatches" } ?? ""))
        lines.append("            \(partialBatches) guarded batches skipped entries (the effect inferred per entry), \(ambiguousTransactions) transactions with an unknown COMMIT outcome")
        lines += ViolationReport.lines(violations, explanations: explanations)
        return lines.joined(separator: "\n")
    }

    /// The `--json` report (one object; the simulator's key names where the facts are the same).
    public func json() -> JSONValue {
        .object([
            ("mode", .string(mode.rawValue)),
            ("pods", .array(pods.map { .string($0) })),
            ("history_lines", .int(lines)),
            ("events_produced", .int(eventsProduced)),
            ("events_applied", .int(eventsApplied)),
            ("effects_applied", .int(effectsApplied)),
            ("duplicates", .int(duplicates)),
            ("lost", .int(lost)),
            ("dead_lettered", .int(deadLettered)),
            ("unexpected_applications", .int(unexpectedApplications)),
            ("settlement_periods", .int(settlementPeriods)),
            ("settlement_runs", .int(settlementRuns)),
            ("double_settlements", .int(doubleSettlements)),
            ("missed_settlements", .int(missedSettlements)),
            ("settlement_mismatches", settlementMismatches.map { .int($0) } ?? .null),
            ("partial_batches", .int(partialBatches)),
            ("ambiguous_transactions", .int(ambiguousTransactions)),
            ("passed", .bool(violations.isEmpty)),
            ("violations_by_kind", .object(ViolationReport.byKind(violations).map { ($0.0.rawValue, .int($0.1)) })),
            ("violations_by_cause", .array(ViolationReport.byCause(violations).map {
                .object([("kind", .string($0.kind.rawValue)), ("cause", .string($0.cause)), ("count", .int($0.count))])
            })),
            ("violations", .array(violations.map {
                .object([("kind", .string($0.kind.rawValue)), ("explanation", .string($0.explanation)),
                         ("cause", .string($0.cause)), ("at_ms", .int($0.time))])
            })),
        ])
    }
}
