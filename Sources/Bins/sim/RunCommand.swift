import ArgumentParser
import Core
import Sim

/// `sim [--seed N] ...`: one seed, one report.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run one seed and report (the default).")

    @Option(help: "The seed: it decides traffic, faults, scaling and every latency.")
    var seed: UInt64 = 42

    @Option(help: "before (naive), after (replica-safe), or both (same seed and fault schedule, side by side).")
    var mode: ModeChoice = .after

    @OptionGroup var scenarioOptions: ScenarioOptions

    @Flag(help: "Print one JSON object (the last line of stdout).")
    var json = false

    @Flag(help: "Print one line per simulated event before the report.")
    var trace = false

    @Flag(help: "Run the seed twice and compare every event; name the first that differs.")
    var checkDeterminism = false

    func run() throws {
        let scenario = scenarioOptions.scenario(seed: seed)
        if checkDeterminism {
            return try DeterminismCheck(scenario: scenario, modes: mode.modes, json: json).run()
        }
        let options = RunOptions(trace: trace, recordEventHashes: false, explain: true)
        let results = mode.modes.map { Simulation.run(scenario, mode: $0, options: options) }
        if trace {
            for result in results {
                if results.count > 1 { print("# trace, mode \(result.mode.rawValue)") }
                result.trace.forEach { print($0) }
            }
        }
        print(report(results))
        if results.contains(where: { !$0.passed }) { throw InvariantsViolated() }
    }

    private func report(_ results: [RunResult]) -> String {
        let reproducers = results.map { scenarioOptions.reproduce(seed: seed, mode: $0.mode.rawValue) }
        if json {
            guard results.count == 2 else { return results[0].json(reproduce: reproducers[0]).serialized }
            return JSONValue.object([
                ("seed", .int(Int64(bitPattern: seed))), ("mode", .string("both")),
                ("replicas", .int(scenarioOptions.replicas)), ("partitions", .int(scenarioOptions.partitions)),
                ("before", results[0].json(reproduce: reproducers[0])),
                ("after", results[1].json(reproduce: reproducers[1])),
                ("reproduce", .string(scenarioOptions.reproduce(seed: seed, mode: "both"))),
            ]).serialized
        }
        guard results.count == 2 else { return results[0].summary(reproduce: reproducers[0]) }
        let header = "ReplicaSafe simulator: seed \(seed), both modes, \(scenarioOptions.replicas) replicas, \(scenarioOptions.partitions) partitions, same traffic and faults\n  happened (before): \(results[0].happenings)\n  happened (after):  \(results[1].happenings)"
        return [header, "", PairedSummary.table(before: results[0], after: results[1]), "",
                results[0].summary(reproduce: reproducers[0]), "", results[1].summary(reproduce: reproducers[1])]
            .joined(separator: "\n")
    }
}
