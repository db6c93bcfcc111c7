import Core

extension RunResult {
    /// The `--json` report; the keys up to `reproduce` are the documented contract.
    public func json(reproduce: String) -> JSONValue {
        .object([
            ("seed", .int(Int64(bitPattern: seed))),
            ("mode", .string(mode.rawValue)),
            ("replicas", .int(replicas)),
            ("partitions", .int(partitions)),
            ("events_produced", .int(eventsProduced)),
            ("events_applied", .int(eventsApplied)),
            ("effects_applied", .int(effectsApplied)),
            ("duplicates", .int(duplicates)),
            ("lost", .int(lost)),
            ("settlement_periods", .int(settlementPeriods)),
            ("settlement_runs", .int(settlementRuns)),
            ("double_settlements", .int(doubleSettlements)),
            ("balance_mismatches", .int(balanceMismatches)),
            ("violations", .array(violations.map {
                .object([("kind", .string($0.kind.rawValue)), ("explanation", .string($0.explanation)),
                         ("cause", .string($0.cause)), ("at_ms", .int($0.time))])
            })),
            ("trace_hash", .string(traceHash)),
            ("reproduce", .string(reproduce)),
            ("poison_events", .int(poisonEvents)),
            ("dead_lettered", .int(deadLettered)),
            ("duplicates_skipped", .int(duplicatesSkipped)),
            ("missed_settlements", .int(missedSettlements)),
            ("violations_by_kind", .object(violationsByKind.map { ($0.0.rawValue, .int($0.1)) })),
            ("violations_by_cause", .array(violationsByCause.map {
                .object([("kind", .string($0.kind.rawValue)), ("cause", .string($0.cause)), ("count", .int($0.count))])
            })),
            ("generations", .int(generations)),
            ("kills", .int(kills)),
            ("terminations", .int(terminations)),
            ("pauses", .int(pauses)),
            ("surge_pods", .int(surges)),
            ("scaling", .array(scaleSteps.map { .object([("at_ms", .int($0.time)), ("replicas", .int($0.replicas))]) })),
            ("faults", .array(faults.map {
                .object([("at_ms", .int($0.time)), ("kind", .string($0.kind.rawValue)), ("detail", .string($0.detail))])
            })),
            ("simulated_seconds", .double(Double(simulatedMilliseconds) / 1000)),
            ("simulated_events", .int(executedEvents)),
            ("quiet_at_ms", quietAt.map { .int($0) } ?? .null),
            ("without", .array(disabledSafeguards.map { .string($0.rawValue) })),
            ("ambiguous_commits", .int(ambiguousCommits)),
            ("commits_rebalance_in_progress", .int(commitsRebalanceInProgress)),
            ("client_session_timeouts", .int(clientSessionTimeouts)),
            ("poll_timeouts", .int(pollTimeouts)),
            ("zombie_writes", .int(zombieWrites)),
        ])
    }
}
