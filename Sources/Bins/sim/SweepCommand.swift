import ArgumentParser
import Core
import Foundation
import Sim

/// `sim sweep --seeds 1-10000 --mode after`: many seeds on every core, one summary. `--shard I/N` runs the I-th
/// of N shares of the range (for a fleet of machines); `--results FILE` keeps every failing seed for `sim merge`.
struct SweepCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep", abstract: "Run a range of seeds on all cores and summarise the violations found.")

    @Option(help: "Seeds to run: A-B (inclusive) or one seed.")
    var seeds: SeedRange

    @Option(help: "before, after, or both.")
    var mode: ModeChoice = .after

    @OptionGroup var scenarioOptions: ScenarioOptions

    @Option(help: "I/N: run only the I-th (0-based) of N contiguous shares of --seeds; the same seeds on any machine.")
    var shard: Shard?

    @Option(help: ArgumentHelp("Write one JSON line per failing seed and a summary line, for `sim merge`.", valueName: "file"))
    var results: String?

    @Option(help: "Parallel workers (default: every core).")
    var workers: Int?

    @Flag(help: "Print one JSON object (the last line of stdout).")
    var json = false

    func validate() throws {
        if let results { try TimelineFiles.checkWritable(results) }
        if let workers, !(1...1_024).contains(workers) { throw ValidationError("--workers must be between 1 and 1024, got \(workers)") }
    }

    func run() async throws {
        let stopwatch = Stopwatch()
        let shard = self.shard ?? .whole
        let settings = SweepSettings(mode: mode.rawValue, options: scenarioOptions)
        var tally = SweepTally()
        if let share = seeds.seeds(of: shard) {
            let generator = scenarioOptions.generator
            let modes = mode.modes
            let total = share.count
            tally = await ParallelSeeds(seeds: share, workers: workers).run(
                { SweepTally.run(seeds: $0, generator: generator, modes: modes) },
                progress: { if StandardError.isTerminal { SweepCommand.progress($0, total: total, stopwatch: stopwatch) } })
            if StandardError.isTerminal { var err = StandardError(); print("", to: &err) }
        }
        let report = SweepReport(tally: tally, settings: settings, seconds: stopwatch.seconds)
        let first = tally.failedSeeds.first.map { settings.reproduce(seed: $0) }
        var title = "sweep"
        if let selected = self.shard { title += " shard \(selected) of \(seeds)" }
        print(json ? JSONValue.object(report.pairs + shardPairs).serialized : report.text(title: title, firstReproduce: first))
        if let results {
            do {
                try ShardResults(range: seeds, shard: shard, report: report).write(to: results)
            } catch {
                // The report is printed; the file is what failed: neither a finding (1) nor a bad argument (2).
                var err = StandardError()
                print("sim sweep: results not written: \(error)", to: &err)
                throw ExitCode(3)
            }
        }
        if !tally.failures.isEmpty { throw InvariantsViolated() }
    }

    /// The shard's keys, after the sweep's own, when --shard is given.
    private var shardPairs: [(String, JSONValue)] {
        guard let shard else { return [] }
        return [("shard", .string(shard.description)), ("range", .string(seeds.description)),
                ("shard_seeds", seeds.seeds(of: shard).map { .string($0.description) } ?? .null)]
    }

    private static func progress(_ tally: SweepTally, total: Int, stopwatch: Stopwatch) {
        var err = StandardError()
        let rate = Double(tally.seeds) / max(0.001, stopwatch.seconds)
        print("\rsweep: \(tally.seeds)/\(total) seeds, \(tally.failures.count) failing, \(Int(rate)) seeds/s   ",
              terminator: "", to: &err)
    }
}

extension SweepTally: SeedTally {}
