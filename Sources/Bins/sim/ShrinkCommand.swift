// The retroactive conformances at the end make ArgumentParser part of this file's public surface.
public import ArgumentParser
import Core
import Sim

/// `sim shrink --seed N ...`: the smallest run that still fails the same way, with its reproducer.
struct ShrinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shrink",
        abstract: "Minimise a failing run: fewer events, faults, scaling steps and replicas, same violation kind.")

    @Option(help: "The failing seed.")
    var seed: UInt64

    @Option(help: "before or after.")
    var mode: ProcessingMode = .before

    @Option(help: "The violation kind to keep (default: the run's first violation).")
    var kind: Violation.Kind?

    @Option(help: "Re-runs allowed.")
    var budget = 3_000

    @OptionGroup var scenarioOptions: ScenarioOptions

    @Flag(help: "Print one JSON object (the last line of stdout).")
    var json = false

    func run() throws {
        let clock = ContinuousClock()
        let started = clock.now
        let scenario = scenarioOptions.scenario(seed: seed)
        guard let outcome = Shrinker(mode: mode, budget: budget).shrink(scenario, kind: kind) else {
            throw ValidationError("seed \(seed) in \(mode.rawValue) mode \(kind.map { "has no \($0.rawValue) violation" } ?? "holds every invariant"): nothing to shrink")
        }
        let elapsed = started.duration(to: clock.now)
        var shrunkOptions = scenarioOptions
        if outcome.shrunk.replicas < scenarioOptions.replicas { shrunkOptions.maxReplicas = outcome.shrunk.replicas }
        shrunkOptions.keepEvents = outcome.selection.events
        shrunkOptions.keepFaults = outcome.selection.faults
        shrunkOptions.keepScaling = outcome.selection.scaling
        let reproduce = shrunkOptions.reproduce(seed: seed, mode: mode.rawValue)
        let witness = outcome.result.violations.first { $0.kind == outcome.kind }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if json {
            print(JSONValue.object([
                ("seed", .int(Int64(bitPattern: seed))), ("mode", .string(mode.rawValue)),
                ("original_events", .int(outcome.original.events.count)), ("shrunk_events", .int(outcome.shrunk.events.count)),
                ("original_faults", .int(outcome.original.faultCount)), ("shrunk_faults", .int(outcome.shrunk.faultCount)),
                ("violation_kind", .string(outcome.kind.rawValue)), ("reproduce", .string(reproduce)),
                ("original_replicas", .int(outcome.original.replicas)), ("shrunk_replicas", .int(outcome.shrunk.replicas)),
                ("original_scaling_steps", .int(outcome.original.scaling.count)),
                ("shrunk_scaling_steps", .int(outcome.shrunk.scaling.count)),
                ("shrunk_fault_kinds", .array(outcome.shrunk.enabledFaultKinds.map { .string($0.rawValue) })),
                ("cause", .string(witness?.cause ?? "")), ("explanation", .string(witness?.explanation ?? "")),
                ("runs", .int(outcome.runs)), ("seconds", .double(seconds)),
            ]).serialized)
        } else {
            print("""
                shrunk seed \(seed) (\(mode.rawValue)) keeping a \(outcome.kind.rawValue) violation in \(outcome.runs) runs, \((seconds * 10).rounded() / 10) s:
                  events \(outcome.original.events.count) -> \(outcome.shrunk.events.count), faults \(outcome.original.faultCount) -> \(outcome.shrunk.faultCount) (\(outcome.shrunk.enabledFaultKinds.map(\.rawValue).joined(separator: ",")))
                  replicas \(outcome.original.replicas) -> \(outcome.shrunk.replicas), scaling steps \(outcome.original.scaling.count) -> \(outcome.shrunk.scaling.count)
                  \(witness.map { "[\($0.kind.rawValue)] \($0.explanation)" } ?? "")

                  reproduce: \(reproduce)
                """)
        }
    }
}

extension ProcessingMode: ExpressibleByArgument {}

extension Violation.Kind: ExpressibleByArgument {}
