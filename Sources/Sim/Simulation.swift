public import Core

/// The simulator's entry point: run a scenario in a mode, deterministically.
public enum Simulation {
    /// `without` switches `after` mechanisms off (ablation); it is ignored in `before` mode.
    public static func run(_ scenario: Scenario, mode: ProcessingMode, without: [Safeguard] = [],
                           options: RunOptions = RunOptions()) -> RunResult {
        let world = World(scenario: scenario, mode: mode, disabledSafeguards: without, options: options)
        world.run()
        let (tally, violations) = world.check()
        let journal = world.journal
        func count(_ predicate: (Journal.Kind) -> Bool) -> Int { journal.count(where: predicate) }
        return RunResult(
            seed: scenario.seed, mode: mode, replicas: scenario.replicas, partitions: scenario.partitions,
            eventsProduced: tally.eventsProduced, poisonEvents: tally.poisonEvents, eventsApplied: tally.eventsApplied,
            effectsApplied: tally.effectsApplied, lost: tally.lost, deadLettered: tally.deadLettered,
            duplicatesSkipped: tally.duplicatesSkipped, settlementPeriods: tally.settlementPeriods,
            settlementRuns: tally.settlementRuns, doubleSettlements: tally.doubleSettlements,
            missedSettlements: tally.missedSettlements, balanceMismatches: tally.balanceMismatches,
            violations: violations, traceHash: world.hash.hex, simulatedMilliseconds: world.now,
            executedEvents: world.executedEvents, generations: Int(world.coordinator.generation),
            kills: count { $0 == .killed }, terminations: count { $0 == .terminated },
            pauses: count { if case .frozen = $0 { return true } else { return false } },
            surges: count { $0 == .surge },
            expiredMembers: count { if case .expired = $0 { return true } else { return false } },
            scaleSteps: journal.scaleSteps.map { ScaleStep(time: $0.time, replicas: $0.replicas) },
            faults: journal.faults.map { RunResult.FaultNote(time: $0.time, kind: $0.kind, detail: $0.detail) },
            faultKinds: scenario.enabledFaultKinds, trace: world.trace, eventHashes: world.eventHashes,
            timeline: options.timeline ? world.timeline(violations: violations) : nil,
            samples: world.samples, maxWorkerPods: world.maxWorkerPods, quietAt: world.quietAt,
            disabledSafeguards: world.disabledSafeguards, ambiguousCommits: journal.ambiguousCommits,
            commitsRebalanceInProgress: journal.commitsRebalanceInProgress,
            clientSessionTimeouts: count { $0 == .sessionTimedOut },
            pollTimeouts: count { if case .leftOnPollTimeout = $0 { return true } else { return false } },
            zombieWrites: world.zombieWrites)
    }
}
