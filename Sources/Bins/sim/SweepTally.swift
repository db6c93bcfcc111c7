import Core
import Sim

/// What a sweep keeps per seed: pass or fail, violation kinds, and the counters its figures come from.
struct SweepTally: Sendable {
    var seeds = 0
    var runs = 0
    var failedSeeds: [UInt64] = []
    var violationsByKind: [Int] = Array(repeating: 0, count: Violation.Kind.allCases.count)
    var runsWithDuplicates = 0
    var runsWithViolations = 0
    var simulatedEvents = 0
    var simulatedMilliseconds: Int64 = 0

    static func run(seeds: ClosedRange<UInt64>, generator: ScenarioGenerator, modes: [ProcessingMode]) -> SweepTally {
        var tally = SweepTally()
        let options = RunOptions(trace: false, recordEventHashes: false, explain: false)
        for seed in seeds {
            let scenario = generator.generate(seed: seed)
            var failed = false
            for mode in modes {
                let result = Simulation.run(scenario, mode: mode, options: options)
                tally.runs += 1
                tally.simulatedEvents += result.executedEvents
                tally.simulatedMilliseconds += result.simulatedMilliseconds
                if result.duplicates > 0 { tally.runsWithDuplicates += 1 }
                if !result.passed {
                    failed = true
                    tally.runsWithViolations += 1
                }
                for violation in result.violations {
                    tally.violationsByKind[Violation.Kind.allCases.firstIndex(of: violation.kind)!] += 1
                }
            }
            tally.seeds += 1
            if failed { tally.failedSeeds.append(seed) }
        }
        return tally
    }

    mutating func merge(_ other: SweepTally) {
        seeds += other.seeds
        runs += other.runs
        failedSeeds = (failedSeeds + other.failedSeeds).sorted()
        for index in violationsByKind.indices { violationsByKind[index] += other.violationsByKind[index] }
        runsWithDuplicates += other.runsWithDuplicates
        runsWithViolations += other.runsWithViolations
        simulatedEvents += other.simulatedEvents
        simulatedMilliseconds += other.simulatedMilliseconds
    }

    private var kinds: [(String, Int)] {
        Violation.Kind.allCases.enumerated().compactMap { index, kind in
            violationsByKind[index] > 0 ? (kind.rawValue, violationsByKind[index]) : nil
        }
    }

    func json(seconds: Double, mode: String, options: ScenarioOptions) -> JSONValue {
        let wall = max(seconds, 1e-9)
        return .object([
            ("seeds", .int(seeds)),
            ("failed_seeds", .array(failedSeeds.map { .int(Int64(bitPattern: $0)) })),
            ("violations_by_kind", .object(kinds.map { ($0.0, .int($0.1)) })),
            ("seconds", .double(seconds)),
            ("seeds_per_second", .double(Double(seeds) / wall)),
            ("events_per_second", .double(Double(simulatedEvents) / wall)),
            ("mode", .string(mode)),
            ("replicas", .int(options.replicas)),
            ("partitions", .int(options.partitions)),
            ("events_per_seed", .int(options.events)),
            ("faults", .string(options.faults.description)),
            ("runs", .int(runs)),
            ("runs_with_duplicates", .int(runsWithDuplicates)),
            ("runs_with_violations", .int(runsWithViolations)),
            ("simulated_seconds", .double(Double(simulatedMilliseconds) / 1000)),
            ("simulated_to_wall_ratio", .double(Double(simulatedMilliseconds) / 1000 / wall)),
        ])
    }

    func text(seconds: Double, mode: String, options: ScenarioOptions) -> String {
        let wall = max(seconds, 1e-9)
        var lines = [
            "sweep: \(seeds) seeds, mode \(mode), \(options.replicas) replicas, \(options.partitions) partitions, \(options.events) events/seed, faults \(options.faults)",
            "  failing seeds: \(failedSeeds.count)\(failedSeeds.isEmpty ? "" : " (first: \(failedSeeds.prefix(10).map(String.init).joined(separator: ", ")))")",
            "  violations by kind: \(kinds.isEmpty ? "none" : kinds.map { "\($0.0) \($0.1)" }.joined(separator: ", "))",
            "  runs with duplicates: \(runsWithDuplicates) of \(runs)",
            "  \(String(format2(seconds))) s, \(String(format2(Double(seeds) / wall))) seeds/s, \(Int(Double(simulatedEvents) / wall)) simulated events/s, simulated time \(Int(Double(simulatedMilliseconds) / 1000 / wall))x real time",
        ]
        if let first = failedSeeds.first {
            lines.append("  replay the first: \(options.reproduce(seed: first, mode: mode == "both" ? "both" : mode))")
        }
        return lines.joined(separator: "\n")
    }

    private func format2(_ value: Double) -> String {
        let scaled = (value * 100).rounded() / 100
        return String(scaled)
    }
}
