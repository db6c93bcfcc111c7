import Core
import Testing
@testable import Sim

/// The database model inside whole runs: transactions of different pods interleave statement by statement, a
/// frozen pod keeps its transaction open, and each planted SQL defect is caught by the invariant that names
/// its failure.
@Suite("database model in the world")
struct DatabaseWorldTests {
    let quiet = RunOptions(trace: false, recordEventHashes: false, explain: true)

    func run(_ seed: UInt64, _ selection: FaultSelection, mode: ProcessingMode = .after, without: [Safeguard] = []) -> World {
        let scenario = ScenarioGenerator(selection: selection).generate(seed: seed)
        let world = World(scenario: scenario, mode: mode, disabledSafeguards: without, options: quiet)
        world.run()
        _ = world.check()
        return world
    }

    /// Committed transactions whose writer's member had been expired by the coordinator before the commit.
    func zombieTransactions(_ world: World) -> [Int32] {
        let history = world.database.history
        return history.transactions.indices.compactMap { index in
            let transaction = history.transactions[index]
            let expired = world.journal.entries.contains {
                if case .expired(let member) = $0.kind { return member == transaction.writer.member && $0.time < transaction.commitTime }
                return false
            }
            return expired ? Int32(index) : nil
        }
    }

    @Test func aFrozenPodKeepsItsTransactionOpenAndTheGuardAbsorbsItsZombieWrite() {
        var absorbed: [UInt64] = []
        for seed in UInt64(1)...12 {
            let world = run(seed, .list([.pause]))
            let (_, violations) = world.check()
            #expect(violations.isEmpty, "seed \(seed): \(violations.prefix(1).map(\.explanation))")
            let history = world.database.history
            let zombies = Set(zombieTransactions(world))
            // A zombie's rows that another transaction met and skipped, or a zombie's batch that skipped rows
            // another had written: the guard absorbed a zombie write either way.
            let zombieEvents = Set(history.ledger.filter { zombies.contains($0.transaction) }.map(\.eventID))
            let skippedAfterZombie = history.skips.contains { zombieEvents.contains($0.eventID) && !zombies.contains($0.transaction) }
            let zombieSkipped = history.skips.contains { zombies.contains($0.transaction) }
            if skippedAfterZombie || zombieSkipped { absorbed.append(seed) }
        }
        #expect(!absorbed.isEmpty, "some after run absorbs a zombie write")
    }

    @Test func aPauseBetweenStatementsLeavesATransactionOpenForSeconds() {
        // A pause catches a pod between two steps of a transaction in about one pause in twenty.
        let spanning = (UInt64(1)...60).first { seed in
            let history = run(seed, .list([.pause])).database.history
            return history.transactions.contains { $0.commitTime - $0.start > SimulationConfig().sessionTimeout }
        }
        #expect(spanning != nil, "a transaction spans a freeze longer than the session timeout")
    }

    @Test func anAmbiguousCommitIsAppliedAndItsRetryAbsorbed() {
        let world = run(4, .list([.dbAmbiguous]))
        let history = world.database.history
        let lost = Set(history.transactions.indices.filter { history.transactions[$0].replyLost }.map(Int32.init))
        let appliedUnseen = Set(history.ledger.filter { lost.contains($0.transaction) }.map(\.eventID))
        #expect(!appliedUnseen.isEmpty, "a COMMIT whose reply was lost still applied its rows")
        #expect(history.skips.contains { appliedUnseen.contains($0.eventID) }, "the retry met the guard rows and skipped")
        #expect(world.check().1.isEmpty)
        let before = Simulation.run(ScenarioGenerator(selection: .list([.dbAmbiguous])).generate(seed: 4), mode: .before,
                                    options: quiet)
        #expect(before.violations.contains { $0.kind == .duplicateEffect && $0.cause.contains("db-ambiguous") })
    }

    @Test func checkThenInsertIsCaughtAsADuplicateWhenZombiesOverlap() {
        var caught: [UInt64] = []
        for seed in UInt64(1)...15 {
            let broken = Simulation.run(ScenarioGenerator(selection: .list([.pause])).generate(seed: seed), mode: .after,
                                        without: [.guardInsertOnConflict], options: quiet)
            if broken.violations.contains(where: { $0.kind == .duplicateEffect && $0.cause.contains("zombie") }) { caught.append(seed) }
        }
        #expect(!caught.isEmpty, "a SELECT-then-insert guard lets an overlapping zombie apply an event twice")
        for seed in caught.prefix(2) {
            let sound = Simulation.run(ScenarioGenerator(selection: .list([.pause])).generate(seed: seed), mode: .after, options: quiet)
            #expect(sound.violations.isEmpty, "seed \(seed) with the guard deciding by its insert")
        }
    }

    @Test func theWindowSettlementIsCaughtAsASettlementMismatch() {
        var caught: [UInt64] = []
        for seed in UInt64(1)...12 {
            let broken = Simulation.run(ScenarioGenerator(selection: .none).generate(seed: seed), mode: .after,
                                        without: [.exactSettlement], options: quiet)
            if broken.violations.contains(where: { $0.kind == .settlementTotalMismatch && $0.cause == "committed after the settlement snapshot" }) {
                caught.append(seed)
            }
        }
        #expect(!caught.isEmpty, "a batch spanning a period boundary falls in no applied_at window")
        for seed in caught.prefix(2) {
            let exact = Simulation.run(ScenarioGenerator(selection: .none).generate(seed: seed), mode: .after, options: quiet)
            #expect(!exact.violations.contains { $0.kind == .settlementTotalMismatch }, "seed \(seed) with the exact settlement")
        }
    }

    @Test func beforeModeSettlementsDoubleCount() {
        let before = Simulation.run(ScenarioGenerator(selection: .none).generate(seed: 9), mode: .before, options: quiet)
        #expect(before.violations.contains { $0.kind == .settlementTotalMismatch && $0.cause == "counted twice" })
    }
}
