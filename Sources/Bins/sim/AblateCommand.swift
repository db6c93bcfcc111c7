import ArgumentParser
import Core
import Sim

/// `sim ablate`: every `after` mechanism switched off alone, each swept over seeds until a run ends in the
/// violation that names its failure. Exit status 1 when some mechanism goes uncaught.
struct AblateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ablate",
        abstract: "Switch each after-mode mechanism off alone and sweep seeds until a violation names its failure.")

    @OptionGroup var scenarioOptions: ScenarioOptions

    @Option(help: "Seeds to try per mechanism at most (1-N, in order).")
    var maxSeeds = 5_000

    @Option(help: ArgumentHelp("Only these mechanisms (comma-separated or repeated; default: all).", valueName: "mechanism"))
    var only: [SafeguardList] = []

    @Option(help: "Parallel workers (default: every core).")
    var workers: Int?

    @Flag(help: "Print one JSON object (the last line of stdout).")
    var json = false

    func validate() throws {
        guard (1...1_000_000).contains(maxSeeds) else { throw ValidationError("--max-seeds must be between 1 and 1000000, got \(maxSeeds)") }
        if let workers, !(1...1_024).contains(workers) { throw ValidationError("--workers must be between 1 and 1024, got \(workers)") }
    }

    func run() async throws {
        let stopwatch = Stopwatch()
        let chosen = Array(Set(only.flatMap(\.safeguards))).sorted()
        let mechanisms = chosen.isEmpty ? Safeguard.allCases : chosen
        let seeds = SeedRange(lower: 1, upper: UInt64(maxSeeds))
        let generator = scenarioOptions.generator
        var findings: [AblationFinding] = []
        for mechanism in mechanisms {
            // Small chunks: most mechanisms are caught within the first few seeds.
            let tally = await ParallelSeeds(seeds: seeds, workers: workers, chunk: 2).run(
                { AblationTally.run(seeds: $0, generator: generator, without: mechanism) },
                stop: { $0.firstSeed != nil })
            findings.append(AblationFinding(mechanism: mechanism, firstSeed: tally.firstSeed, lowest: seeds.lower, tried: seeds.count))
        }
        let report = AblationReport(findings: findings, maxSeeds: maxSeeds, options: scenarioOptions)
        print(json ? report.json(seconds: stopwatch.seconds).serialized : report.text)
        if findings.contains(where: { !$0.caught }) { throw InvariantsViolated() }
    }
}

extension AblationTally: SeedTally {}
