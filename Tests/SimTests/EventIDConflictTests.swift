import Core
import Testing
@testable import Sim

/// A client reusing an event id for another event (`id-reuse`): the after mode applies one event per id and
/// dead-letters the others as `event_id_conflict`; a guard that does not compare the content (the planted
/// defect) skips them as duplicates, and the checker names that `silent-id-conflict`.
@Suite("event id conflicts")
struct EventIDConflictTests {
    static let generator = ScenarioGenerator(eventCount: 400, selection: .list([.idReuse, .kill, .rebalance]))

    @Test func theScenarioReusesIDsWithOtherContentDeterministically() {
        let scenario = Self.generator.generate(seed: 3)
        #expect(scenario == Self.generator.generate(seed: 3))
        let reused = scenario.events.filter(\.reusedID)
        #expect(!reused.isEmpty)
        for event in reused {
            let others = scenario.events.filter { $0.id == event.id && $0 != event }
            #expect(others.contains { $0.account != event.account || $0.amountCents != event.amountCents })
        }
        #expect(scenario.enabledFaultKinds.contains(.idReuse))
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func afterModeDeadLettersEveryConflictAndHoldsEveryInvariant(seed: UInt64) {
        let scenario = Self.generator.generate(seed: seed)
        let world = World(scenario: scenario, mode: .after, disabledSafeguards: [], options: RunOptions())
        world.run()
        let (_, violations) = world.check()
        #expect(violations.isEmpty, "\(violations.map(\.explanation))")
        let conflicts = world.deadLetters.filter { $0.reason.hasPrefix("event_id_conflict: ") }
        let flags = world.conflictingReuses()
        let conflicting = flags.filter { $0 }.count
        // Every id with N events of different content: one applied, N - 1 dead-lettered as conflicts.
        let ids = Set(scenario.events.indices.filter { flags[$0] }.map { scenario.events[$0].id })
        #expect(conflicts.count == conflicting - ids.count)
        #expect(!conflicts.isEmpty)
    }

    @Test func aGuardThatIgnoresTheContentIsCaughtAsASilentConflict() {
        var options = RunOptions()
        options.guardComparesContent = false
        let caught = (UInt64(1)...5).first { seed in
            Simulation.run(Self.generator.generate(seed: seed), mode: .after, options: options)
                .violations.contains { $0.kind == .silentIDConflict }
        }
        let seed = try! #require(caught, "a content-blind guard went uncaught in 5 seeds")
        let planted = Simulation.run(Self.generator.generate(seed: seed), mode: .after, options: options)
        let violation = try! #require(planted.violations.first { $0.kind == .silentIDConflict })
        #expect(violation.explanation.contains("skipped it as a duplicate"))
        #expect(Simulation.run(Self.generator.generate(seed: seed), mode: .after).violations.isEmpty)
    }
}
