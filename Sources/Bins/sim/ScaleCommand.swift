import ArgumentParser
import Core
import Foundation
import Sim

/// `sim scale --from-manifests apps/overlays/after --seed N`: the platform twin. 30 minutes of traffic against
/// the autoscaling that the manifests deploy, a zone outage, and the properties that must hold.
struct ScaleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scale",
        abstract: "Run the platform twin: KEDA/HPA autoscaling from the rendered manifests, traffic bursts, a zone outage.",
        discussion: "Exit status: 0 when every invariant and property held, 1 when any did not, 2 for bad arguments.")

    @Option(help: "A kustomize directory (rendered with kubectl kustomize) or a rendered YAML file.")
    var fromManifests = "apps/overlays/after"

    @Option(help: "The seed.")
    var seed: UInt64 = 1

    @Option(help: "before or after.")
    var mode: ProcessingMode = .after

    @Option(help: "Minutes of traffic.")
    var minutes: Int64 = 30

    @Flag(inversion: .prefixedNo, help: "Lose a zone (its nodes, pods and a broker) two thirds of the way in.")
    var zoneOutage = true

    @Option(help: "Seeds to sweep instead of one run (A-B); prints a summary.")
    var seeds: SeedRange?

    @Flag(help: "Print one JSON object (the last line of stdout).")
    var json = false

    func run() throws {
        let platform = try TwinPlatform.load(fromManifests)
        let generator = TwinScenarioGenerator(settings: platform.settings, partitions: platform.partitions,
                                              trafficMinutes: minutes, zoneOutage: zoneOutage)
        if let seeds { return try sweep(seeds, generator: generator, platform: platform) }
        let clock = ContinuousClock()
        let started = clock.now
        let report = Twin.run(generator: generator, seed: seed, mode: mode)
        let seconds = TwinFormat.seconds(started.duration(to: clock.now))
        let reproduce = "swift run sim scale --from-manifests \(fromManifests) --seed \(seed) --mode \(mode.rawValue)\(minutes != 30 ? " --minutes \(minutes)" : "")\(zoneOutage ? "" : " --no-zone-outage")"
        if json {
            print(TwinFormat.json(report, platform: platform, seconds: seconds, reproduce: reproduce).serialized)
        } else {
            print(TwinFormat.text(report, platform: platform, seconds: seconds, reproduce: reproduce))
        }
        if !report.passed { throw InvariantsViolated() }
    }

    private func sweep(_ seeds: SeedRange, generator: TwinScenarioGenerator, platform: TwinPlatform) throws {
        let clock = ContinuousClock()
        let started = clock.now
        var failed: [UInt64] = []
        var kinds: [String: Int] = [:]
        var worstDrain: Int64 = 0
        var worstRecovery: Int64 = 0
        var peakReplicas = 0
        var mostChanges = 0
        for seed in seeds.lower...seeds.upper {
            let report = Twin.run(generator: generator, seed: seed, mode: mode)
            if !report.passed { failed.append(seed) }
            for finding in report.findings { kinds[finding.kind, default: 0] += 1 }
            worstDrain = max(worstDrain, report.lagDrainSeconds ?? Int64.max)
            worstRecovery = max(worstRecovery, report.zoneRecoverySeconds ?? 0)
            peakReplicas = max(peakReplicas, report.maxReplicas)
            mostChanges = max(mostChanges, report.worstWindowDirectionChanges)
        }
        let seconds = TwinFormat.seconds(started.duration(to: clock.now))
        let summary = JSONValue.object([
            ("seeds", .int(seeds.count)), ("failed_seeds", .array(failed.map { .int(Int64(bitPattern: $0)) })),
            ("violations_by_kind", .object(kinds.keys.sorted().map { ($0, .int(kinds[$0]!)) })),
            ("max_replicas", .int(peakReplicas)), ("partitions", .int(platform.partitions)),
            ("worst_lag_drain_seconds", .int(worstDrain)), ("worst_zone_recovery_seconds", .int(worstRecovery)),
            ("most_direction_changes_in_window", .int(mostChanges)),
            ("seconds", .double(seconds)), ("seconds_per_seed", .double(seconds / Double(seeds.count))),
            ("mode", .string(mode.rawValue)), ("manifests", .string(fromManifests)),
        ])
        print(json ? summary.serialized : "twin sweep of \(seeds.count) seeds (\(mode.rawValue), \(fromManifests)): \(failed.count) failing\(failed.isEmpty ? "" : " (first: \(failed.prefix(10).map(String.init).joined(separator: ", ")))"); max replicas \(peakReplicas) for \(platform.partitions) partitions; worst lag drain \(worstDrain) s, worst zone recovery \(worstRecovery) s, most direction changes in a window \(mostChanges); \(TwinFormat.round(seconds)) s (\(TwinFormat.round(seconds / Double(seeds.count))) s/seed)")
        if !failed.isEmpty { throw InvariantsViolated() }
    }
}
