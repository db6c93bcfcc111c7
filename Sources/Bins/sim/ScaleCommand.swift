import ArgumentParser
import Core
import Foundation
import Sim

/// `sim scale --from-manifests apps/overlays/after --seed N`: the platform twin. 30 minutes of traffic against
/// the autoscaling that the manifests deploy, a zone outage, and the properties that must hold.
struct ScaleCommand: AsyncParsableCommand {
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

    @Option(help: "CPU microseconds one POST /v1/events costs the api (make bench-live prints it), for the api's HPA.")
    var apiCpuMicrosPerRequest: Int64 = 160

    @Option(help: "Replay a given load instead of the drawn one: RATE x SECONDS or FROM-TO x SECONDS steps, e.g. 0-2000x60,2000x120 (the demos' k6 Jobs).")
    var profile: String?

    @Option(help: "Parallel workers for --seeds (default: every core).")
    var workers: Int?

    func run() async throws {
        let platform = try TwinPlatform.load(fromManifests)
        let fixed = try profile.map { text in
            guard let steps = TrafficProfile.steps(text) else {
                throw ValidationError("--profile: expected RATE x SECONDS or FROM-TO x SECONDS, comma-separated, e.g. 0-2000x60,2000x120")
            }
            guard !zoneOutage || steps.duration >= 10 * 60_000 else {
                throw ValidationError("--profile shorter than 10 minutes has no room for the zone outage: add --no-zone-outage")
            }
            return steps
        }
        let generator = TwinScenarioGenerator(settings: platform.settings, partitions: platform.partitions,
                                              trafficMinutes: minutes, zoneOutage: zoneOutage, fixedProfile: fixed)
        if let seeds { return try await sweep(seeds, generator: generator, platform: platform) }
        let clock = ContinuousClock()
        let started = clock.now
        let report = Twin.run(generator: generator, seed: seed, mode: mode)
        let api = ApiTwin(hpa: platform.spec.apiHPA, deployment: platform.spec.api, cpuMicrosPerRequest: apiCpuMicrosPerRequest)
            .run(profile: report.profile, seed: seed)
        let seconds = TwinFormat.seconds(started.duration(to: clock.now))
        let reproduce = "swift run sim scale --from-manifests \(fromManifests) --seed \(seed) --mode \(mode.rawValue)\(minutes != 30 && profile == nil ? " --minutes \(minutes)" : "")\(profile.map { " --profile \($0)" } ?? "")\(apiCpuMicrosPerRequest != 160 ? " --api-cpu-micros-per-request \(apiCpuMicrosPerRequest)" : "")\(zoneOutage ? "" : " --no-zone-outage")"
        if json {
            print(TwinFormat.json(report, api: api, platform: platform, seconds: seconds, reproduce: reproduce).serialized)
        } else {
            print(TwinFormat.text(report, api: api, platform: platform, seconds: seconds, reproduce: reproduce))
        }
        if !report.passed { throw InvariantsViolated() }
    }

    private func sweep(_ seeds: SeedRange, generator: TwinScenarioGenerator, platform: TwinPlatform) async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let mode = self.mode
        let workerCount = max(1, workers ?? ProcessInfo.processInfo.activeProcessorCount)
        var tally = TwinSweepTally()
        var next = seeds.lower
        let overshoot = TwinProbe.replicasBeyondPartitions(generator.settings, partitions: generator.partitions)
        await withTaskGroup(of: TwinSweepTally.self) { group in
            func launch() {
                guard next <= seeds.upper else { return }
                let first = next
                let last = min(seeds.upper, first + 3)
                next = last + 1
                group.addTask { TwinSweepTally.run(seeds: first...last, generator: generator, mode: mode, overshoot: overshoot) }
            }
            for _ in 0..<(workerCount * 2) { launch() }
            for await partial in group {
                tally.merge(partial)
                launch()
                if StandardError.isTerminal {
                    var err = StandardError()
                    print("\rtwin: \(tally.seeds)/\(seeds.count) seeds, \(tally.failed.count) failing   ", terminator: "", to: &err)
                }
            }
        }
        if StandardError.isTerminal { var err = StandardError(); print("", to: &err) }
        let failed = tally.failed
        let kinds = tally.kinds
        let worstDrain = tally.worstDrain
        let worstRecovery = tally.worstRecovery
        let peakReplicas = tally.peakReplicas
        let mostChanges = tally.mostChanges
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

/// What a twin sweep keeps per seed.
struct TwinSweepTally: Sendable {
    var seeds = 0
    var failed: [UInt64] = []
    var kinds: [String: Int] = [:]
    var worstDrain: Int64 = 0
    var worstRecovery: Int64 = 0
    var peakReplicas = 0
    var mostChanges = 0

    static func run(seeds: ClosedRange<UInt64>, generator: TwinScenarioGenerator, mode: ProcessingMode,
                    overshoot: TwinProbe.Overshoot?) -> TwinSweepTally {
        var tally = TwinSweepTally()
        for seed in seeds {
            let report = Twin.run(generator: generator, seed: seed, mode: mode, options: RunOptions(explain: false),
                                  overshoot: .some(overshoot))
            tally.seeds += 1
            if !report.passed { tally.failed.append(seed) }
            for finding in report.findings { tally.kinds[finding.kind, default: 0] += 1 }
            tally.worstDrain = max(tally.worstDrain, report.lagDrainSeconds ?? Int64.max)
            tally.worstRecovery = max(tally.worstRecovery, report.zoneRecoverySeconds ?? 0)
            tally.peakReplicas = max(tally.peakReplicas, report.maxReplicas)
            tally.mostChanges = max(tally.mostChanges, report.worstWindowDirectionChanges)
        }
        return tally
    }

    mutating func merge(_ other: TwinSweepTally) {
        seeds += other.seeds
        failed = (failed + other.failed).sorted()
        for (kind, count) in other.kinds { kinds[kind, default: 0] += count }
        worstDrain = max(worstDrain, other.worstDrain)
        worstRecovery = max(worstRecovery, other.worstRecovery)
        peakReplicas = max(peakReplicas, other.peakReplicas)
        mostChanges = max(mostChanges, other.mostChanges)
    }
}
