public import Core

/// What the simulator's checkers found in a live run's history.
public struct LiveCheckResult: Sendable {
    public var mode: ProcessingMode
    public var pods: [String]
    public var lines: Int
    public var eventsProduced: Int
    public var eventsApplied: Int
    public var effectsApplied: Int
    public var lost: Int
    public var deadLettered: Int
    public var settlementPeriods: Int
    public var settlementRuns: Int
    public var doubleSettlements: Int
    public var missedSettlements: Int
    /// `settlement-total-mismatch` findings; nil when the workers did not record their settlements' totals.
    public var settlementMismatches: Int?
    public var unexpectedApplications: Int
    public var partialBatches: Int
    public var ambiguousTransactions: Int
    public var violations: [Violation]

    public var duplicates: Int { effectsApplied - eventsApplied }
}

extension LiveHistory {
    /// Runs the simulator's checkers that read facts a live worker records (`EffectCheck`, `SettlementRunCheck`,
    /// `SettlementTotalCheck`, the history's own invariants through `HistoryNarrator`, offset regressions).
    /// Balances are not in the history; the e2e's SQL checks them.
    public func check(explain: Bool = true) -> LiveCheckResult {
        let count = produced.count
        var deadLettered = Array(repeating: 0, count: count)
        for letter in deadLetters { if let event = letter.event, Int(event) < count { deadLettered[Int(event)] += 1 } }
        let effects = (0..<count).map { $0 < self.effects.count ? self.effects[$0] : 0 }
        let findings = EffectCheck(poison: produced.map(\.poison), effects: effects, deadLettered: deadLettered).run()
        var tally = findings.tally
        var violations = findings.poisonNotDeadLettered.map { event in
            Violation(kind: .poisonNotDeadLettered, explanation: explain ? "Poison event \(eventName(event)) was never sent to the dead-letter topic." : "",
                      cause: "poison skipped", time: 0)
        }
        violations += findings.lost.map { lostViolation($0.event, explain: explain) }
        violations += duplicateViolations(findings.duplicated, explain: explain)
        violations += settlementViolations(&tally, explain: explain)
        violations += settlementTotalViolations(&tally, explain: explain)
        violations += offsetViolations(explain: explain)
        violations += HistoryNarrator(
            history: history, explain: explain, podName: podName, memberName: memberName, recordEvent: eventName(of:),
            failureEvent: { eventName($0.event) }, causes: HistoryNarrator.Causes(mode: mode), sessionTimeout: sessionTimeout,
            gracePeriod: gracePeriod, maxAttempts: maxAttempts
        ).violations()
        return LiveCheckResult(
            mode: mode, pods: pods, lines: lines, eventsProduced: tally.eventsProduced, eventsApplied: tally.eventsApplied,
            effectsApplied: tally.effectsApplied, lost: tally.lost, deadLettered: tally.deadLettered,
            settlementPeriods: tally.settlementPeriods, settlementRuns: tally.settlementRuns,
            doubleSettlements: tally.doubleSettlements, missedSettlements: tally.missedSettlements,
            settlementMismatches: settlementDatabase() == nil ? nil : tally.settlementMismatches,
            unexpectedApplications: unexpectedApplications, partialBatches: partialBatches,
            ambiguousTransactions: ambiguousTransactions,
            violations: violations.sorted { ($0.kind, $0.time) < ($1.kind, $1.time) })
    }

    /// Periods from the first settled to the last settled one must each have exactly one settlement row.
    private func settlementViolations(_ tally: inout Tally, explain: Bool) -> [Violation] {
        guard let first = settlements.map(\.period).min(), let last = settlements.map(\.period).max() else { return [] }
        let runs = SettlementRunCheck(periods: settlements.map { $0.period - first }, checked: Int(last - first + 1)).run()
        tally.settlementPeriods = runs.count
        tally.settlementRuns = settlements.count
        var violations: [Violation] = []
        for (index, rows) in runs.enumerated() {
            let period = first + Int64(index)
            let window = "\(period) (Unix \(period * settlementPeriod / 1000)-\((period + 1) * settlementPeriod / 1000) s)"
            if rows.count > 1 {
                tally.doubleSettlements += rows.count - 1
                let who = rows.map { "\(podName(settlements[$0].pod)) at \(Timestamp(milliseconds: settlements[$0].time))" }.joined(separator: ", ")
                let why = mode == .before ? "every replica runs the job on its own timer and nothing fences it" : "the fence let more than one run through"
                violations.append(Violation(kind: .doubleSettlement,
                                            explanation: explain ? "Settlement period \(window) was settled \(rows.count) times: by \(who). Cause: \(why)." : "",
                                            cause: "unfenced singleton", time: settlements[rows[1]].time))
            } else if rows.isEmpty {
                tally.missedSettlements += 1
                violations.append(Violation(kind: .missedSettlement,
                                            explanation: explain ? "Settlement period \(window) was never settled, although the periods around it were." : "",
                                            cause: "no run", time: (period + 1) * settlementPeriod - origin))
            }
        }
        return violations
    }

    private func offsetViolations(explain: Bool) -> [Violation] {
        GroupCoordinator.regressionViolations(in: commits, explain: explain, podName: podName, memberName: memberName)
    }
}
