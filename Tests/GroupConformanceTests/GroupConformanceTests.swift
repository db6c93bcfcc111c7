import Testing
@testable import Sim

/// Each scenario of `GroupScenario.all` runs once against librdkafka's mock cluster (cached for the suite) and
/// against the simulator's coordinator and assignor, and the two traces must agree.
@Suite("consumer-group conformance: simulator vs librdkafka's mock cluster", .serialized)
struct GroupConformanceTests {
    @Test("the mock's trace is the simulator's, once the mock's documented deviations are applied",
          arguments: GroupScenario.all)
    func liveMatchesSimulator(scenario: GroupScenario) async throws {
        let live = try await LiveTraceCache.shared.trace(scenario)
        let sim = SimGroupRunner.run(scenario, mockDeviations: true)
        let comparison = GroupComparison(scenario, sim: sim, live: live)
        print("conformance \(scenario.name): simulator\n\(sim)\nmock\n\(live)\n\(comparison.extraRounds.joined(separator: "\n"))")
        #expect(comparison.mismatches.isEmpty, "\(scenario.name):\n\(comparison.mismatches.joined(separator: "\n"))")
        // librdkafka's mock starts a new group at generation 1 and increments before its first round (2);
        // Apache Kafka's GroupMetadata starts at 0 and its first round is generation 1, as in the simulator.
        #expect(sim.firstGeneration == 1)
        #expect(live.firstGeneration == 2)
    }

    @Test("Apache Kafka's answers and the mock's differ only at the eager revoke commits and what they commit")
    func deviationsAreTheDocumentedOnes() {
        var differing: [String] = []
        for scenario in GroupScenario.all {
            let kafka = SimGroupRunner.run(scenario)
            let mock = SimGroupRunner.run(scenario, mockDeviations: true)
            let comparison = GroupComparison(scenario, sim: kafka, live: mock)
            if !comparison.mismatches.isEmpty {
                differing.append(scenario.name)
                print("conformance \(scenario.name): Apache Kafka's answers (the simulator)\n\(kafka)")
            }
            for line in comparison.mismatches {
                #expect(line.contains("-> OK") && line.contains("REBALANCE_IN_PROGRESS") || line.contains("committed"), "\(line)")
            }
        }
        #expect(differing == ["eager-1-to-5-and-back"])
    }

    @Test("a coordinator that accepts a stale generation's commit is caught")
    func plantedStaleGenerationIsCaught() async throws {
        let scenario = try #require(GroupScenario.all.first { $0.name == "stale-generation" })
        let live = try await LiveTraceCache.shared.trace(scenario)
        var defective = GroupCoordinator(protocol: .eager, partitions: scenario.partitions)
        defective.plantedDefect = .acceptsStaleGeneration
        let sim = SimGroupRunner.run(scenario, coordinator: defective, mockDeviations: true)
        let mismatches = GroupComparison(scenario, sim: sim, live: live).mismatches
        // The stale commit arrives while the round completes, so the defective coordinator answers it
        // REBALANCE_IN_PROGRESS where Kafka and the mock check the generation first.
        #expect(mismatches.contains { $0.contains("simulator commit [0,1,2,3]@7 -> REBALANCE_IN_PROGRESS") }, "\(mismatches)")
        #expect(mismatches.contains { $0.contains("mock commit [0,1,2,3]@7 -> ILLEGAL_GENERATION") }, "\(mismatches)")
    }
}

/// The live traces, each scenario run once per test process.
actor LiveTraceCache {
    static let shared = LiveTraceCache()
    private var traces: [String: GroupTrace] = [:]

    func trace(_ scenario: GroupScenario) async throws -> GroupTrace {
        if let trace = traces[scenario.name] { return trace }
        let trace = try await LiveGroupRunner.run(scenario)
        traces[scenario.name] = trace
        return trace
    }
}
