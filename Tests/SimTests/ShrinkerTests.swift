import Core
import Testing
@testable import Sim

@Suite("shrinking")
struct ShrinkerTests {
    @Test func theFirstFailingBeforeSeedShrinksToATenthOfItsEventsAndAtMostThreeFaults() throws {
        let generator = ScenarioGenerator()
        let seed = try #require((UInt64(1)...20).first { seed in
            !Simulation.run(generator.generate(seed: seed), mode: .before, options: RunOptions(explain: false)).passed
        })
        let original = generator.generate(seed: seed)
        let outcome = try #require(Shrinker(mode: .before).shrink(original))
        #expect(outcome.shrunk.events.count * 10 <= original.events.count)
        #expect(outcome.shrunk.faultCount <= 3)
        #expect(outcome.result.violations.contains { $0.kind == outcome.kind })
        // The selection replays the shrunk case from the seed alone, as the printed reproducer does.
        var replay = outcome.selection.apply(to: generator.generate(seed: seed))
        replay.replicas = outcome.shrunk.replicas
        replay.scaling = replay.scaling.map { ScaleStep(time: $0.time, replicas: min($0.replicas, replay.replicas)) }
        let again = Simulation.run(replay, mode: .before, options: RunOptions(explain: false))
        #expect(again.violations.contains { $0.kind == outcome.kind })
        #expect(again.traceHash == Simulation.run(outcome.shrunk, mode: .before, options: RunOptions(explain: false)).traceHash)
    }

    @Test func aRequestedKindIsKept() throws {
        let scenario = ScenarioGenerator().generate(seed: 42)
        let outcome = try #require(Shrinker(mode: .before).shrink(scenario, kind: .doubleSettlement))
        #expect(outcome.kind == .doubleSettlement)
        #expect(outcome.result.violations.contains { $0.kind == .doubleSettlement })
    }

    @Test func aPassingRunHasNothingToShrink() {
        #expect(Shrinker(mode: .after).shrink(ScenarioGenerator().generate(seed: 3)) == nil)
    }

    @Test(arguments: [("0-12,57,99-101", [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 57, 99, 100, 101]), ("none", []), ("7", [7])])
    func indexSetsRoundTripTheirTextForm(text: String, indices: [Int]) {
        let set = IndexSet(parsing: text)
        #expect(set?.indices == indices)
        #expect(set?.description == text)
    }

    @Test(arguments: ["", "1-", "-3", "5-2", "a", "1,,2"])
    func malformedIndexSetsAreRejected(_ text: String) {
        #expect(IndexSet(parsing: text) == nil)
    }
}
