public import Core

/// What a sweep keeps per seed: pass or fail, violation kinds, and the counters its figures come from. Every
/// figure is a count or a sum, so tallies of disjoint seed sets merge exactly (chunks on cores, shards on
/// machines).
public struct SweepTally: Sendable {
    public var seeds = 0
    public var runs = 0
    /// In completion order while merging; `sortedFailures` for reports.
    public var failures: [SeedFailure] = []
    public var violationsByKind: [Int] = Array(repeating: 0, count: Violation.Kind.allCases.count)
    public var runsWithDuplicates = 0
    public var runsWithViolations = 0
    public var simulatedEvents = 0
    public var simulatedMilliseconds: Int64 = 0

    public init() {}

    public static func run(seeds: ClosedRange<UInt64>, generator: ScenarioGenerator, modes: [ProcessingMode]) -> SweepTally {
        var tally = SweepTally()
        let options = RunOptions(trace: false, recordEventHashes: false, explain: false)
        for seed in seeds {
            let scenario = generator.generate(seed: seed)
            var failure = SeedFailure(seed: seed)
            for mode in modes {
                let result = Simulation.run(scenario, mode: mode, options: options)
                tally.runs += 1
                tally.simulatedEvents += result.executedEvents
                tally.simulatedMilliseconds += result.simulatedMilliseconds
                if result.duplicates > 0 { tally.runsWithDuplicates += 1 }
                if !result.passed {
                    failure.modes.append(mode)
                    tally.runsWithViolations += 1
                }
                for violation in result.violations {
                    let index = Violation.Kind.allCases.firstIndex(of: violation.kind)!
                    tally.violationsByKind[index] += 1
                    failure.violationsByKind[index] += 1
                }
            }
            tally.seeds += 1
            if !failure.modes.isEmpty { tally.failures.append(failure) }
        }
        return tally
    }

    public mutating func merge(_ other: SweepTally) {
        seeds += other.seeds
        runs += other.runs
        failures += other.failures
        for index in violationsByKind.indices { violationsByKind[index] += other.violationsByKind[index] }
        runsWithDuplicates += other.runsWithDuplicates
        runsWithViolations += other.runsWithViolations
        simulatedEvents += other.simulatedEvents
        simulatedMilliseconds += other.simulatedMilliseconds
    }

    public var sortedFailures: [SeedFailure] { failures.sorted { $0.seed < $1.seed } }
    public var failedSeeds: [UInt64] { sortedFailures.map(\.seed) }
}

/// One failing seed of a sweep: the modes it failed in and its violations by kind (summed over those modes).
public struct SeedFailure: Sendable, Hashable {
    public var seed: UInt64
    public var modes: [ProcessingMode] = []
    public var violationsByKind: [Int] = Array(repeating: 0, count: Violation.Kind.allCases.count)

    public init(seed: UInt64, modes: [ProcessingMode] = [], violationsByKind: [Int]? = nil) {
        self.seed = seed
        self.modes = modes
        self.violationsByKind = violationsByKind ?? Array(repeating: 0, count: Violation.Kind.allCases.count)
    }

    public var kinds: [(String, Int)] { SweepTally.named(violationsByKind) }
}

extension SweepTally {
    /// (kind, count) for the kinds that occurred, in `Violation.Kind` order.
    public static func named(_ counts: [Int]) -> [(String, Int)] {
        Violation.Kind.allCases.enumerated().compactMap { index, kind in
            counts[index] > 0 ? (kind.rawValue, counts[index]) : nil
        }
    }

    /// Counts by kind index from (name, count) pairs; nil for a name this build does not know.
    public static func counts(_ named: [(String, Int)]) -> [Int]? {
        var counts = Array(repeating: 0, count: Violation.Kind.allCases.count)
        for (name, count) in named {
            guard let index = Violation.Kind.allCases.firstIndex(where: { $0.rawValue == name }) else { return nil }
            counts[index] += count
        }
        return counts
    }
}
