import Core
import Testing
@testable import Sim

/// The faults of the swarm mix that exercise the group protocol and the commit path: each strikes where its
/// scenario says, leaves the evidence it names, and the `after` mode holds every invariant under it.
@Suite("faults: ambiguous commits, REBALANCE_IN_PROGRESS, cut-off pods, max.poll.interval.ms")
struct FaultTests {
    let quiet = RunOptions(trace: false, recordEventHashes: false, explain: false)

    private func run(_ faults: [FaultKind], seed: UInt64, mode: ProcessingMode) -> RunResult {
        Simulation.run(ScenarioGenerator(selection: .list(faults)).generate(seed: seed), mode: mode, options: quiet)
    }

    @Test(arguments: UInt64(1)...4)
    func anAmbiguousCommitIsWrittenWhileTheClientSeesAnErrorAndNothingBreaks(seed: UInt64) {
        let after = run([.commitAmbiguous], seed: seed, mode: .after)
        #expect(after.ambiguousCommits > 0, "the window answered some written commits with an error")
        #expect(after.violations.isEmpty, "\(after.violations.map(\.kind))")
        #expect(after.quietAt != nil)
    }

    @Test func commitsWhileARoundCompletesAreAnsweredRebalanceInProgress() {
        // The window is a leader's SyncGroup away from the JoinGroup answers, so it takes swarm runs to hit it.
        let runs = (UInt64(1)...60).map { Simulation.run(ScenarioGenerator().generate(seed: $0), mode: .after, options: quiet) }
        let hit = runs.filter { $0.commitsRebalanceInProgress > 0 }
        #expect(!hit.isEmpty, "some commit met a completing round")
        #expect(hit.allSatisfy { $0.violations.isEmpty })
    }

    @Test func aPodCutOffFromTheBrokersIsAZombieUntilItNoticesAndTheGuardAbsorbsItsWrites() {
        let seeds = (UInt64(1)...6).filter { run([.brokerIsolation], seed: $0, mode: .after).zombieWrites > 0 }
        #expect(!seeds.isEmpty, "some cut-off pod wrote after the coordinator had removed it")
        for seed in seeds {
            let after = run([.brokerIsolation], seed: seed, mode: .after)
            #expect(after.violations.isEmpty && after.duplicates == 0 && after.duplicatesSkipped > 0)
        }
        let timedOut = (UInt64(1)...6).map { run([.brokerIsolation], seed: $0, mode: .after) }.filter { $0.clientSessionTimeouts > 0 }
        #expect(!timedOut.isEmpty, "a client that heard nothing for session.timeout.ms gave its partitions up itself")
        let before = Simulation.run(ScenarioGenerator(selection: .list([.brokerIsolation])).generate(seed: seeds[0]), mode: .before,
                                    options: RunOptions(explain: true))
        #expect(before.violations.contains { $0.cause.contains("zombie write") })
    }

    @Test(arguments: UInt64(1)...3)
    func aConsumerThatStopsPollingIsRemovedAndRejoins(seed: UInt64) {
        let scenario = ScenarioGenerator(selection: .list([.maxPollExceeded])).generate(seed: seed)
        let world = World(scenario: scenario, mode: .after, options: quiet)
        world.run()
        let left = world.journal.entries.filter { if case .leftOnPollTimeout = $0.kind { return true } else { return false } }
        #expect(!left.isEmpty, "the client left the group on max.poll.interval.ms")
        for leave in left {
            let rejoined = world.journal.entries.contains {
                if case .joined = $0.kind { return $0.pod == leave.pod && $0.time > leave.time } else { return false }
            }
            #expect(rejoined, "\(world.pods[Int(leave.pod)].name) joined the group again after its next poll")
        }
        #expect(world.check().1.isEmpty)
    }

    @Test func everyNewFaultIsInTheSwarmMix() {
        for kind in [FaultKind.commitAmbiguous, .brokerIsolation, .maxPollExceeded] {
            #expect(FaultKind.swarmKinds.contains(kind))
            let drawn = (UInt64(1)...20).contains { ScenarioGenerator().generate(seed: $0).faults.contains { $0.kind == kind } }
            #expect(drawn, "\(kind.rawValue) strikes in some swarm seed")
        }
    }
}
