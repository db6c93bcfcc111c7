import Core
import Testing
@testable import Sim

@Suite("simulation: invariants, bugs and determinism")
struct SimulationTests {
    let quiet = RunOptions(trace: false, recordEventHashes: false, explain: false)

    @Test func sameSeedGivesTheSameTraceTwiceInOneProcess() {
        let scenario = ScenarioGenerator().generate(seed: 42)
        for mode in ProcessingMode.allCases {
            let options = RunOptions(trace: true, recordEventHashes: true, explain: true)
            let first = Simulation.run(scenario, mode: mode, options: options)
            let second = Simulation.run(scenario, mode: mode, options: options)
            #expect(first.traceHash == second.traceHash)
            #expect(first.trace == second.trace)
            #expect(first.violations == second.violations)
        }
        let other = Simulation.run(ScenarioGenerator().generate(seed: 43), mode: .after, options: quiet)
        #expect(other.traceHash != Simulation.run(scenario, mode: .after, options: quiet).traceHash)
    }

    @Test(arguments: UInt64(1)...24)
    func afterModeHoldsEveryInvariantUnderSwarmFaults(seed: UInt64) {
        let result = Simulation.run(ScenarioGenerator().generate(seed: seed), mode: .after,
                                    options: RunOptions(explain: true))
        #expect(result.violations.isEmpty, "\(result.violations.prefix(2).map(\.explanation))")
        #expect(result.eventsApplied + result.poisonEvents == result.eventsProduced)
    }

    @Test(arguments: UInt64(1)...8)
    func beforeModeWithOneReplicaAndNoFaultsIsCorrect(seed: UInt64) {
        let scenario = ScenarioGenerator(replicas: 1, selection: .none).generate(seed: seed)
        let result = Simulation.run(scenario, mode: .before, options: quiet)
        #expect(result.violations.isEmpty && result.duplicates == 0 && result.lost == 0)
    }

    @Test func beforeModeDuplicatesWhenPodsAreKilled() {
        let duplicated = (UInt64(1)...6).filter { seed in
            let scenario = ScenarioGenerator(selection: .list([.kill])).generate(seed: seed)
            return Simulation.run(scenario, mode: .before, options: quiet).duplicates > 0
        }
        #expect(duplicated.count >= 5)
    }

    @Test func explanationsNameTheEventOffsetsMembersGenerationsAndFault() {
        let scenario = ScenarioGenerator(selection: .list([.kill])).generate(seed: 2)
        let result = Simulation.run(scenario, mode: .before, options: RunOptions(explain: true))
        let killed = result.violations.first { $0.kind == .duplicateEffect && $0.explanation.contains("SIGKILL") }
        let text = try! #require(killed?.explanation)
        #expect(text.contains("member m") && text.contains("generation") && text.contains("@"))
        #expect(text.contains("fault: kill"))
        #expect(text.contains("newest committed offset"))
    }

    @Test func ambiguousCommitsDuplicateBeforeAndAreAbsorbedAfter() {
        let scenario = ScenarioGenerator(selection: .list([.dbAmbiguous])).generate(seed: 4)
        let before = Simulation.run(scenario, mode: .before, options: RunOptions(explain: true))
        let after = Simulation.run(scenario, mode: .after, options: quiet)
        #expect(before.violations.contains { $0.explanation.contains("db-ambiguous") })
        #expect(after.violations.isEmpty && after.duplicatesSkipped > 0)
    }

    @Test func everyReplicaSettlesBeforeAndTheFenceHoldsAfter() {
        let scenario = ScenarioGenerator(selection: .none).generate(seed: 9)
        let before = Simulation.run(scenario, mode: .before, options: quiet)
        let after = Simulation.run(scenario, mode: .after, options: quiet)
        #expect(before.doubleSettlements > 0)
        #expect(after.doubleSettlements == 0 && after.settlementRuns == after.settlementPeriods)
    }

    @Test func poisonGoesToTheDeadLetterTopicAfter() {
        let scenario = ScenarioGenerator(selection: .list([.poison])).generate(seed: 5)
        let poison = scenario.events.filter { $0.poison != nil }.count
        let after = Simulation.run(scenario, mode: .after, options: quiet)
        #expect(poison > 0 && after.deadLettered == poison && after.violations.isEmpty)
    }

    @Test func checkViolationsAreRejectedAtOnceAndOversizedAccountsRetriedWithinTheBudget() throws {
        let generator = ScenarioGenerator(selection: .list([.poison]))
        let scenario = try #require((UInt64(1)...20).lazy.map(generator.generate).first { scenario in
            scenario.events.contains { $0.poison == .outOfRange } && scenario.events.contains { $0.poison == .oversizedAccount }
        })
        let result = Simulation.run(scenario, mode: .after, options: RunOptions(trace: true, recordEventHashes: false, explain: false))
        #expect(result.violations.isEmpty)
        let letters = result.trace.filter { $0.contains("dead-letter p") && $0.hasSuffix("-> published") }
        let rejected = letters.filter { $0.contains(": rejected_input: 23514 check_violation on constraint ledger_amount_cents_check: ") }
        let retried = letters.filter { $0.contains(": failed 5 times: 54000 index row size ") }
        #expect(rejected.count == scenario.events.filter { $0.poison == .outOfRange }.count, "\(letters)")
        #expect(retried.count == scenario.events.filter { $0.poison == .oversizedAccount }.count, "\(letters)")
    }

    @Test func aStuckAccountIsFoundCountedAndDeadLetteredWhileTheRestGoesOn() throws {
        let generator = ScenarioGenerator(selection: .list([.poison]))
        let scenario = try #require((UInt64(1)...40).lazy.map(generator.generate).first { scenario in
            scenario.events.contains { $0.poison == .stuckAccount }
        })
        let result = Simulation.run(scenario, mode: .after, options: RunOptions(trace: true, recordEventHashes: false, explain: false))
        #expect(result.violations.isEmpty, "\(result.violations.map(\.kind))")
        let letters = result.trace.filter { $0.contains("dead-letter p") && $0.hasSuffix("-> published") }
        let exhausted = letters.filter {
            $0.contains(": retries_exhausted: failed transiently 5 times alone while the database worked: 57014 canceling statement due to statement timeout")
        }
        #expect(exhausted.count == scenario.events.filter { $0.poison == .stuckAccount }.count, "\(letters)")
    }

    @Test func withoutIsolationAStuckAccountStallsTheRunAndTheCheckSaysSo() throws {
        let generator = ScenarioGenerator(selection: .list([.poison]))
        let scenario = try #require((UInt64(1)...40).lazy.map(generator.generate).first { scenario in
            scenario.events.contains { $0.poison == .stuckAccount }
        })
        let result = Simulation.run(scenario, mode: .after, without: [.stuckBatchIsolation], options: quiet)
        #expect(result.violations.contains { $0.kind == .notQuiet })
        #expect(result.violations.contains { $0.kind == .lostEvent }, "its neighbours in the stuck batch are never applied")
    }

    @Test func zombiesWriteBeforeAndTheGuardAbsorbsThemAfter() {
        let seeds = (UInt64(1)...12).filter { seed in
            let scenario = ScenarioGenerator(selection: .list([.pause])).generate(seed: seed)
            let before = Simulation.run(scenario, mode: .before, options: RunOptions(explain: true))
            return before.violations.contains { $0.explanation.contains("zombie write") }
        }
        #expect(!seeds.isEmpty, "some paused pod writes after it was thrown out")
        for seed in seeds {
            let after = Simulation.run(ScenarioGenerator(selection: .list([.pause])).generate(seed: seed), mode: .after, options: quiet)
            #expect(after.violations.isEmpty)
        }
    }

    @Test func jsonReportCarriesTheContractKeysInOrder() {
        let result = Simulation.run(ScenarioGenerator().generate(seed: 1), mode: .after, options: quiet)
        guard case .object(let pairs) = result.json(reproduce: "swift run sim --seed 1") else {
            Issue.record("not an object")
            return
        }
        let keys = pairs.map(\.0)
        let contract = ["seed", "mode", "replicas", "partitions", "events_produced", "events_applied", "effects_applied",
                        "duplicates", "lost", "settlement_periods", "settlement_runs", "double_settlements",
                        "balance_mismatches", "violations", "trace_hash", "reproduce"]
        #expect(Array(keys.prefix(contract.count)) == contract)
        #expect(!result.json(reproduce: "x").serialized.contains("\n"), "one line")
    }
}
