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
        let stopwatch = Stopwatch()
        let mode = self.mode
        let overshoot = TwinProbe.replicasBeyondPartitions(generator.settings, partitions: generator.partitions)
        let tally = await ParallelSeeds(seeds: seeds, workers: workers, chunk: 4).run(
            { TwinSweepTally.run(seeds: $0, generator: generator, mode: mode, overshoot: overshoot) },
            progress: { tally in
                guard StandardError.isTerminal else { return }
                var err = StandardError()
                print("\rtwin: \(tally.seeds)/\(seeds.count) seeds, \(tally.failed.count) failing   ", terminator: "", to: &err)
            })
        if StandardError.isTerminal { var err = StandardError(); print("", to: &err) }
        let failed = tally.failed.sorted()
        let kinds = tally.kinds
        let score = tally.score
        let worstDrain = score.worstLagDrainSeconds ?? Int64.max
        let seconds = stopwatch.seconds
        let summary = JSONValue.object([
            ("seeds", .int(seeds.count)), ("failed_seeds", .array(failed.map { .int(Int64(bitPattern: $0)) })),
            ("violations_by_kind", .object(kinds.keys.sorted().map { ($0, .int(kinds[$0]!)) })),
            ("max_replicas", .int(score.maxReplicas)), ("partitions", .int(platform.partitions)),
            ("worst_lag_drain_seconds", .int(worstDrain)), ("worst_zone_recovery_seconds", .int(tally.worstRecovery)),
            ("most_direction_changes_in_window", .int(tally.mostChanges)),
            ("seconds", .double(seconds)), ("seconds_per_seed", .double(seconds / Double(seeds.count))),
            ("mode", .string(mode.rawValue)), ("manifests", .string(fromManifests)),
            ("worst_seconds_over_lag_slo", .int(score.worstSecondsOverLagSLO)),
            ("mean_pod_minutes", .double(score.meanPodMinutes)),
            ("most_direction_changes", .int(score.worstDirectionChanges)),
        ])
        print(json ? summary.serialized : "twin sweep of \(seeds.count) seeds (\(mode.rawValue), \(fromManifests)): \(failed.count) failing\(failed.isEmpty ? "" : " (first: \(failed.prefix(10).map(String.init).joined(separator: ", ")))"); max replicas \(score.maxReplicas) for \(platform.partitions) partitions; worst lag drain \(worstDrain) s, worst zone recovery \(tally.worstRecovery) s, most direction changes in a window \(tally.mostChanges); worst time over the lag SLO \(score.worstSecondsOverLagSLO) s, \(TwinFormat.round(score.meanPodMinutes)) pod-minutes per run; \(TwinFormat.round(seconds)) s (\(TwinFormat.round(seconds / Double(seeds.count))) s/seed)")
        if !failed.isEmpty { throw InvariantsViolated() }
    }
}

/// What a twin sweep keeps per seed.
struct TwinSweepTally: SeedTally {
    var seeds = 0
    var failed: [UInt64] = []
    var kinds: [String: Int] = [:]
    var worstRecovery: Int64 = 0
    var mostChanges = 0
    /// Worst lag-drain, time over the lag SLO and direction changes, pod time: what `sim tune` optimises.
    var score = WorkerScore()

    static func run(seeds: ClosedRange<UInt64>, generator: TwinScenarioGenerator, mode: ProcessingMode,
                    overshoot: TwinProbe.Overshoot?) -> TwinSweepTally {
        var tally = TwinSweepTally()
        for seed in seeds {
            let report = Twin.run(generator: generator, seed: seed, mode: mode, options: RunOptions(explain: false),
                                  overshoot: .some(overshoot))
            tally.seeds += 1
            if !report.passed { tally.failed.append(seed) }
            for finding in report.findings { tally.kinds[finding.kind, default: 0] += 1 }
            tally.worstRecovery = max(tally.worstRecovery, report.zoneRecoverySeconds ?? 0)
            tally.mostChanges = max(tally.mostChanges, report.worstWindowDirectionChanges)
            tally.score.merge(WorkerScore(report))
        }
        return tally
    }

    mutating func merge(_ other: TwinSweepTally) {
        seeds += other.seeds
        failed += other.failed
        for (kind, count) in other.kinds { kinds[kind, default: 0] += count }
        worstRecovery = max(worstRecovery, other.worstRecovery)
        mostChanges = max(mostChanges, other.mostChanges)
        score.merge(other.score)
    }
}
