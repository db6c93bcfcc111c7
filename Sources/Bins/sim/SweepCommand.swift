import ArgumentParser
import Core
import Foundation
import Sim

/// `sim sweep --seeds 1-10000 --mode after`: many seeds on every core, one summary.
struct SweepCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep", abstract: "Run a range of seeds on all cores and summarise the violations found.")

    @Option(help: "Seeds to run: A-B (inclusive) or one seed.")
    var seeds: SeedRange

    @Option(help: "before, after, or both.")
    var mode: ModeChoice = .after

    @OptionGroup var scenarioOptions: ScenarioOptions

    @Option(help: "Parallel workers (default: every core).")
    var workers: Int?

    @Flag(help: "Print one JSON object (the last line of stdout).")
    var json = false

    func run() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let generator = scenarioOptions.generator
        let modes = mode.modes
        let workerCount = max(1, workers ?? ProcessInfo.processInfo.activeProcessorCount)
        let chunk: UInt64 = 8
        var total = SweepTally()
        var next = seeds.lower
        await withTaskGroup(of: SweepTally.self) { group in
            func launch() {
                guard next <= seeds.upper else { return }
                let first = next
                let last = min(seeds.upper, first + chunk - 1)
                next = last + 1
                group.addTask { SweepTally.run(seeds: first...last, generator: generator, modes: modes) }
            }
            for _ in 0..<(workerCount * 2) { launch() }
            for await partial in group {
                total.merge(partial)
                launch()
                if StandardError.isTerminal, !json || true { progress(total, elapsed: started.duration(to: clock.now)) }
            }
        }
        let seconds = Double(started.duration(to: clock.now).components.attoseconds) / 1e18
            + Double(started.duration(to: clock.now).components.seconds)
        if StandardError.isTerminal { var err = StandardError(); print("", to: &err) }
        print(json ? total.json(seconds: seconds, mode: mode.rawValue, options: scenarioOptions).serialized
                   : total.text(seconds: seconds, mode: mode.rawValue, options: scenarioOptions))
        if !total.failedSeeds.isEmpty { throw InvariantsViolated() }
    }

    private func progress(_ tally: SweepTally, elapsed: Duration) {
        var err = StandardError()
        let seconds = max(0.001, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        let rate = Double(tally.seeds) / seconds
        print("\rsweep: \(tally.seeds)/\(seeds.count) seeds, \(tally.failedSeeds.count) failing, \(Int(rate)) seeds/s   ",
              terminator: "", to: &err)
    }
}
