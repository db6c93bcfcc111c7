// The ExpressibleByArgument conformances of Sim's types make both modules part of this file's public surface.
public import ArgumentParser
import Core
public import Sim

enum ModeChoice: String, ExpressibleByArgument, CaseIterable {
    case before, after, both

    var modes: [ProcessingMode] {
        switch self {
        case .before: return [.before]
        case .after: return [.after]
        case .both: return [.before, .after]
        }
    }
}

extension IndexSet: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}

extension FaultSelection: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
    public static var defaultCompletionKind: CompletionKind { .list(["none", "swarm"] + FaultKind.swarmKinds.map(\.rawValue)) }
}

/// The options that shape a scenario, shared by every subcommand.
struct ScenarioOptions: ParsableArguments {
    @Option(help: "Replicas the deployment scales up to.")
    var replicas = 5

    @Option(help: "Partitions of the events topic.")
    var partitions = 12

    @Option(help: "Events the producer writes during the 60 s traffic phase.")
    var events = 2_000

    @Option(help: "none, swarm (each fault on or off by the seed), or a list: \(FaultKind.swarmKinds.map(\.rawValue).joined(separator: ",")).")
    var faults: FaultSelection = .swarm

    @Option(help: ArgumentHelp("Replay a subset of the generated events (indices, e.g. 0-12,57): what `sim shrink` prints.", visibility: .default))
    var keepEvents: IndexSet?

    @Option(help: "Replay a subset of the generated faults (indices).")
    var keepFaults: IndexSet?

    @Option(help: "Replay a subset of the generated scaling steps (indices).")
    var keepScaling: IndexSet?

    @Option(help: "Cap every scaling step at this many replicas (what `sim shrink` lowers; --replicas still shapes the scenario).")
    var maxReplicas: Int?

    var selection: ScenarioSelection { ScenarioSelection(events: keepEvents, faults: keepFaults, scaling: keepScaling) }

    /// The scenario for a seed, with the selection applied and scaling capped at `--max-replicas`.
    func scenario(seed: UInt64) -> Scenario {
        var scenario = selection.apply(to: generator.generate(seed: seed))
        if let maxReplicas {
            scenario.replicas = maxReplicas
            scenario.scaling = scenario.scaling.map { ScaleStep(time: $0.time, replicas: min($0.replicas, maxReplicas)) }
        }
        return scenario
    }

    mutating func validate() throws {
        guard (1...64).contains(replicas) else { throw ValidationError("--replicas must be between 1 and 64, got \(replicas)") }
        guard (1...256).contains(partitions) else { throw ValidationError("--partitions must be between 1 and 256, got \(partitions)") }
        guard (1...1_000_000).contains(events) else { throw ValidationError("--events must be between 1 and 1000000, got \(events)") }
        if let maxReplicas, !(1...replicas).contains(maxReplicas) {
            throw ValidationError("--max-replicas must be between 1 and --replicas (\(replicas)), got \(maxReplicas)")
        }
        if case .list(let kinds) = faults, kinds.contains(.zoneOutage) {
            throw ValidationError("--faults zone-outage needs the cluster model: run it with `sim scale`")
        }
    }

    var generator: ScenarioGenerator {
        ScenarioGenerator(replicas: replicas, partitions: partitions, eventCount: events, selection: faults)
    }

    /// The flags that differ from the defaults, for reproducer lines.
    var nonDefaultFlags: String {
        var flags = ""
        if partitions != 12 { flags += " --partitions \(partitions)" }
        if events != 2_000 { flags += " --events \(events)" }
        if faults != .swarm { flags += " --faults \(faults)" }
        return flags
    }

    func reproduce(seed: UInt64, mode: String, without: String = "") -> String {
        "swift run sim --seed \(seed) --replicas \(replicas) --mode \(mode)\(without)\(nonDefaultFlags)\(selection.flags)\(maxReplicas.map { " --max-replicas \($0)" } ?? "")"
    }
}

extension SweepSettings {
    init(mode: String, options: ScenarioOptions) {
        self.init(mode: mode, replicas: options.replicas, partitions: options.partitions, events: options.events,
                  faults: options.faults.description, flags: options.nonDefaultFlags)
    }
}
