import Core
import Testing
@testable import Sim

/// Each mechanism Core decides, switched off alone on top of `after`: some seed must end in the violation that
/// names its failure, and the same seed with every mechanism on must hold every invariant.
@Suite("ablation: every after-mode mechanism is needed")
struct AblationTests {
    /// The fault mix each search uses: the default swarm, or a narrower one where the failure needs a rarer mix.
    static func faults(for mechanism: Safeguard) -> FaultSelection {
        mechanism == .durableRetryCounter ? .list([.kill, .terminate, .rebalance, .poison]) : .swarm
    }

    @Test(arguments: Safeguard.allCases)
    func aRunWithoutTheMechanismEndsInTheViolationThatNamesItsFailure(_ mechanism: Safeguard) {
        let options = RunOptions(explain: false)
        let generator = ScenarioGenerator(selection: Self.faults(for: mechanism))
        let caught = (UInt64(1)...30).first { seed in
            Simulation.run(generator.generate(seed: seed), mode: .after, without: [mechanism], options: options)
                .violations.contains { $0.kind == mechanism.failure }
        }
        let seed = try! #require(caught, "\(mechanism.rawValue) went uncaught by \(mechanism.failure.rawValue) in 30 seeds")
        let full = Simulation.run(generator.generate(seed: seed), mode: .after, options: options)
        #expect(full.violations.isEmpty, "seed \(seed) with every mechanism: \(full.violations.map(\.kind))")
    }

    @Test func switchedOffMechanismsAreReportedAndReplayed() {
        let scenario = ScenarioGenerator().generate(seed: 1)
        let result = Simulation.run(scenario, mode: .after, without: [.drainOnSigterm], options: RunOptions())
        #expect(result.disabledSafeguards == [.drainOnSigterm])
        #expect(result.summary(reproduce: "x").contains("mode after without drain-on-sigterm"))
        guard case .object(let pairs) = result.json(reproduce: "x"), let without = pairs.first(where: { $0.0 == "without" })?.1 else {
            Issue.record("no without key")
            return
        }
        #expect(without == .array([.string("drain-on-sigterm")]))
        let before = Simulation.run(scenario, mode: .before, without: [.drainOnSigterm], options: RunOptions())
        #expect(before.disabledSafeguards.isEmpty, "the before mode has none of them to switch off")
    }
}
