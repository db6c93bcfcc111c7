public import Core

/// The search for the first seed on which `after` without one mechanism ends in the violation that names its
/// failure. Chunks of seeds run in any order; the first seed is the smallest found, so the answer does not
/// depend on how the chunks interleaved, as long as every seed below it ran.
public struct AblationTally: Sendable {
    /// The smallest seed found so far whose run had the violation.
    public var firstSeed: UInt64?
    /// Runs made (a chunk stops at its first hit).
    public var runs = 0

    public init() {}

    public static func run(seeds: ClosedRange<UInt64>, generator: ScenarioGenerator, without mechanism: Safeguard) -> AblationTally {
        var tally = AblationTally()
        let options = RunOptions(trace: false, recordEventHashes: false, explain: false)
        for seed in seeds {
            tally.runs += 1
            let result = Simulation.run(generator.generate(seed: seed), mode: .after, without: [mechanism], options: options)
            if result.violations.contains(where: { $0.kind == mechanism.failure }) {
                tally.firstSeed = seed
                break
            }
        }
        return tally
    }

    public mutating func merge(_ other: AblationTally) {
        runs += other.runs
        if let seed = other.firstSeed { firstSeed = min(firstSeed ?? seed, seed) }
    }
}

/// One mechanism's line of the ablation report.
public struct AblationFinding: Sendable {
    public var mechanism: Safeguard
    /// The first seed (from `lowest`) whose run without the mechanism had the violation; nil: none within the
    /// seeds tried.
    public var firstSeed: UInt64?
    /// Seeds in order until the first violation, or all of them when none was found.
    public var seedsTried: Int

    public init(mechanism: Safeguard, firstSeed: UInt64?, lowest: UInt64, tried: Int) {
        self.mechanism = mechanism
        self.firstSeed = firstSeed
        self.seedsTried = firstSeed.map { Int($0 - lowest) + 1 } ?? tried
    }

    public var caught: Bool { firstSeed != nil }
}
