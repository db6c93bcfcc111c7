import Testing
@testable import Sim

@Suite("scenario generation")
struct ScenarioTests {
    @Test func sameSeedSameScenario() {
        let generator = ScenarioGenerator()
        #expect(generator.generate(seed: 5) == generator.generate(seed: 5))
        #expect(generator.generate(seed: 5) != generator.generate(seed: 6))
    }

    @Test func defaultScenarioMatchesItsDocumentation() {
        let scenario = ScenarioGenerator().generate(seed: 1)
        #expect(scenario.replicas == 5 && scenario.partitions == 12 && scenario.events.count == 2_000)
        #expect(scenario.events.map(\.time) == scenario.events.map(\.time).sorted())
        #expect(scenario.events.allSatisfy { (0..<scenario.config.trafficDuration + 1_000).contains($0.time) })
        #expect(scenario.scaling.first == ScaleStep(time: 0, replicas: 1))
        #expect(scenario.scaling.map(\.replicas).max() == 5)
    }

    @Test func faultsNoneMeansNoFaultsAndNoPoison() {
        for seed in UInt64(1)...50 {
            let scenario = ScenarioGenerator(selection: .none).generate(seed: seed)
            #expect(scenario.faults.isEmpty && scenario.events.allSatisfy { $0.poison == nil })
        }
    }

    @Test func aFaultListDrawsOnlyThoseKinds() {
        let scenario = ScenarioGenerator(selection: .list([.kill, .dbAmbiguous])).generate(seed: 3)
        #expect(Set(scenario.faults.map(\.kind)) == [.kill, .dbAmbiguous])
    }

    @Test func swarmSwitchesKindsOnAndOffAcrossSeeds() {
        let mixes = Set((UInt64(1)...40).map { ScenarioGenerator().generate(seed: $0).enabledFaultKinds })
        #expect(mixes.count > 20, "swarm testing explores many fault mixes")
    }

    @Test(arguments: ["none", "swarm", "kill,pause", "db-ambiguous"])
    func faultSelectionsParse(_ text: String) {
        #expect(FaultSelection(parsing: text)?.description == text)
    }

    @Test(arguments: ["", "bogus", "kill,bogus", ","])
    func badFaultSelectionsAreRejected(_ text: String) {
        #expect(FaultSelection(parsing: text) == nil)
    }
}
