public import Core

/// Minimises a failing run by shrinking the recorded choices of its scenario (events, faults, scaling steps,
/// replicas), re-running every candidate, and keeping a candidate only when it still fails with the same
/// violation kind. Events are shrunk by delta debugging (Zeller's ddmin: drop chunks, halving the chunk size
/// when nothing can go), then faults and scaling steps one by one, then replicas.
public struct Shrinker: Sendable {
    public struct Outcome: Sendable {
        public var original: Scenario
        public var shrunk: Scenario
        public var selection: ScenarioSelection
        public var kind: Violation.Kind
        public var result: RunResult
        public var runs: Int
    }

    public var mode: ProcessingMode
    /// Re-runs allowed; shrinking stops early (with what it has) when they are spent.
    public var budget: Int

    public init(mode: ProcessingMode, budget: Int = 2_000) {
        self.mode = mode
        self.budget = budget
    }

    /// Nil when the scenario does not fail (or not with `kind`).
    public func shrink(_ scenario: Scenario, kind requested: Violation.Kind? = nil) -> Outcome? {
        let options = RunOptions(explain: false)
        let first = Simulation.run(scenario, mode: mode, options: options)
        guard let kind = requested ?? first.violations.first?.kind,
            first.violations.contains(where: { $0.kind == kind })
        else { return nil }
        var state = State(scenario: scenario, runs: 1, budget: budget)
        let fails: (ScenarioSelection, Int) -> Bool = { selection, replicas in
            var candidate = selection.apply(to: scenario)
            candidate.replicas = replicas
            candidate.scaling = candidate.scaling.map { ScaleStep(time: $0.time, replicas: min($0.replicas, replicas)) }
            return Simulation.run(candidate, mode: mode, options: options).violations.contains { $0.kind == kind }
        }
        // Until a fixpoint: fewer faults and replicas often let more events go, and the other way round.
        var previous = ""
        while state.runs < budget, previous != state.fingerprint {
            previous = state.fingerprint
            state.shrinkEvents(fails)
            state.shrinkList(\.faults, fails)
            state.shrinkList(\.scaling, fails)
            state.shrinkReplicas(fails)
        }
        var shrunk = state.selection.apply(to: scenario)
        shrunk.replicas = state.replicas
        shrunk.scaling = shrunk.scaling.map { ScaleStep(time: $0.time, replicas: min($0.replicas, state.replicas)) }
        let result = Simulation.run(shrunk, mode: mode, options: RunOptions(explain: true))
        return Outcome(original: scenario, shrunk: shrunk, selection: state.selection, kind: kind, result: result,
                       runs: state.runs + 1)
    }

    private struct State {
        var selection: ScenarioSelection
        var replicas: Int
        var runs: Int
        let budget: Int

        init(scenario: Scenario, runs: Int, budget: Int) {
            selection = ScenarioSelection(events: IndexSet(scenario.events.indices), faults: IndexSet(scenario.faults.indices),
                                          scaling: IndexSet(scenario.scaling.indices))
            replicas = scenario.replicas
            self.runs = runs
            self.budget = budget
        }

        mutating func attempt(_ candidate: ScenarioSelection, replicas: Int, _ fails: (ScenarioSelection, Int) -> Bool) -> Bool {
            guard runs < budget else { return false }
            runs += 1
            guard fails(candidate, replicas) else { return false }
            selection = candidate
            self.replicas = replicas
            return true
        }

        mutating func shrinkEvents(_ fails: (ScenarioSelection, Int) -> Bool) {
            var kept = selection.events!.indices
            var chunk = max(1, kept.count / 2)
            while chunk >= 1, runs < budget {
                var start = 0
                var removedAny = false
                while start < kept.count {
                    let candidateIndices = Array(kept[..<start]) + Array(kept[min(kept.count, start + chunk)...])
                    var candidate = selection
                    candidate.events = IndexSet(candidateIndices)
                    if !candidateIndices.isEmpty, attempt(candidate, replicas: replicas, fails) {
                        kept = candidateIndices
                        removedAny = true
                    } else {
                        start += chunk
                    }
                }
                if !removedAny { chunk /= 2 }
            }
        }

        var fingerprint: String { selection.flags + " \(replicas)" }

        mutating func shrinkList(_ path: WritableKeyPath<ScenarioSelection, IndexSet?>,
                                 _ fails: (ScenarioSelection, Int) -> Bool) {
            var kept = selection[keyPath: path]?.indices ?? []
            var position = 0
            while position < kept.count, runs < budget {
                var candidate = selection
                var fewer = kept
                fewer.remove(at: position)
                candidate[keyPath: path] = IndexSet(fewer)
                if attempt(candidate, replicas: replicas, fails) { kept = fewer } else { position += 1 }
            }
        }

        mutating func shrinkReplicas(_ fails: (ScenarioSelection, Int) -> Bool) {
            for fewer in 1..<max(1, replicas) where runs < budget {
                if attempt(selection, replicas: fewer, fails) { return }
            }
        }
    }
}
