import ArgumentParser
import Core
import Foundation
import Sim

/// `sim tune --from-manifests apps/overlays/after --objective 'lag-drain<=120s'`: the twin as an autoscaling
/// advisor. Searches the worker's ScaledObject (seeded search over a bounded grid) and the api's HPA (the whole
/// grid), evaluates every candidate on the same seeds, reports the Pareto fronts and the cheapest settings that
/// meet the objective as a kustomize Component.
struct TuneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Search KEDA and HPA settings with the platform twin; print the Pareto front and a kustomize patch.",
        discussion: """
            Exit status: 0 when a recommendation meets the objective, 1 when no evaluated candidate does (the front
            is still printed), 2 for bad arguments.
            """)

    @Option(help: "A kustomize directory (rendered with kubectl kustomize) or a rendered YAML file.")
    var fromManifests = "apps/overlays/after"

    @Option(help: "Upper bounds, comma-separated, cost minimised under them: lag-drain<=120s, lag-slo<=60s, thrash<=6, pod-minutes<=300, api-overload<=0s, api-thrash<=8.")
    var objective = "lag-drain<=120s"

    @Option(help: "Pool of seeds whose traffic profiles rank them hardest first (largest burst, longest saw-tooth): the search runs on the first --search-count, validation on the next --validation-count.")
    var seedPool = SeedRange(lower: 1, upper: 2_000)

    @Option(help: "Search seeds taken from the pool.")
    var searchCount = 6

    @Option(help: "Validation seeds taken from the pool after the search seeds.")
    var validationCount = 30

    @Option(help: "Search seeds A-B instead of the pool's hardest: every candidate runs on the same traffic, bursts and zone outage.")
    var seeds: SeedRange?

    @Option(help: "Validation seeds A-B instead of the pool's next hardest; they must not overlap the search seeds. The cheapest candidates that meet the objective run on them, in order, until one meets it there too with headroom (--margin). The api candidates run on both sets.")
    var validationSeeds: SeedRange?

    @Option(help: "Distinct candidates to try on the validation seeds before giving up.")
    var validationTries = 16

    @Option(help: "Percent by which the objective's bounds are tightened in the search and on the validation seeds (headroom for seeds not seen; lag is sampled every 15 s, so small margins change little).")
    var margin = 0

    @Option(help: "Worker candidates to evaluate (the shipped settings included).")
    var budget = 48

    @Option(help: "Seed of the search (which grid points are tried), independent of the traffic seeds.")
    var searchSeed: UInt64 = 1

    @Option(help: "Minutes of traffic per run.")
    var minutes: Int64 = 30

    @Option(help: ArgumentHelp("Write the recommendation as a kustomize Component: DIR/kustomization.yaml.", valueName: "dir"))
    var component: String?

    @Option(help: ArgumentHelp("Write the fronts as a self-contained SVG.", valueName: "file"))
    var svg: String?

    @Flag(help: "Print one JSON object (the last line of stdout) with every evaluated candidate.")
    var json = false

    @Option(help: "CPU microseconds one POST /v1/events costs the api (as for sim scale).")
    var apiCpuMicrosPerRequest: Int64 = 160

    @Option(help: "Parallel workers (default: every core).")
    var workers: Int?

    func validate() throws {
        if case .failure(let error) = TuningObjective.parse(objective) { throw ValidationError(error.description) }
        guard (0...90).contains(margin) else { throw ValidationError("--margin must be a percentage between 0 and 90, got \(margin)") }
        guard (1...2_000).contains(budget) else { throw ValidationError("--budget must be between 1 and 2000, got \(budget)") }
        guard (1...1_000).contains(searchCount), (1...1_000).contains(validationCount), (seeds?.count ?? 0) <= 1_000,
              (validationSeeds?.count ?? 0) <= 1_000 else {
            throw ValidationError("search and validation seeds: between 1 and 1000 each")
        }
        if seeds == nil || validationSeeds == nil, seedPool.count < searchCount + validationCount {
            throw ValidationError("--seed-pool \(seedPool) has \(seedPool.count) seeds, fewer than --search-count + --validation-count")
        }
        if let seeds, let validationSeeds, validationSeeds.closed.overlaps(seeds.closed) {
            throw ValidationError("--validation-seeds \(validationSeeds) overlap --seeds \(seeds): validation must use seeds the search did not")
        }
        guard (5...240).contains(minutes) else { throw ValidationError("--minutes must be between 5 and 240, got \(minutes)") }
        if let component {
            var isDirectory: ObjCBool = false
            let parent = URL(fileURLWithPath: component).deletingLastPathComponent().path
            guard FileManager.default.fileExists(atPath: component, isDirectory: &isDirectory) ? isDirectory.boolValue
                    : FileManager.default.fileExists(atPath: parent) else {
                throw ValidationError("--component \(component): neither a directory nor creatable (its parent \(parent) does not exist)")
            }
        }
        if let svg { try TimelineFiles.checkWritable(svg) }
    }

    func run() async throws {
        let stopwatch = Stopwatch()
        guard case .success(let objective) = TuningObjective.parse(objective) else { return }
        let platform = try TwinPlatform.load(fromManifests)
        let (searchSeeds, validation) = chooseSeeds(platform)
        let evaluator = TuneEvaluator(seeds: searchSeeds.seeds, partitions: platform.partitions, trafficMinutes: minutes,
                                      workers: workers)
        let shippedWorker = platform.spec.workerScaledObject
        let workerSpace = TuningSpaces.worker(shippedWorker, partitions: platform.partitions)
        let headroom = objective.withHeadroom(margin: Double(margin) / 100, maxWindowChanges: TwinReport.Bounds().maxDirectionChanges)
        var search = TuningSearch(space: workerSpace, shippedSpec: shippedWorker, objective: headroom, budget: budget,
                                  seed: searchSeed, batchSize: 2 * max(1, workers ?? ProcessInfo.processInfo.activeProcessorCount))
        while case let batch = search.nextBatch(), !batch.isEmpty {
            search.record(await evaluator.worker(batch.map { workerSpace.spec($0, from: shippedWorker) }))
            if StandardError.isTerminal {
                var err = StandardError()
                print("\rtune: \(search.evaluated.count)/\(budget) worker candidates x \(searchSeeds.seeds.count) seeds   ", terminator: "", to: &err)
            }
        }
        if StandardError.isTerminal { var err = StandardError(); print("", to: &err) }
        let shippedApi = platform.spec.apiHPA
        let apiSpace = TuningSpaces.api(shippedApi)
        let apiPoints = apiSpace.allPoints
        var apiEvaluator = evaluator
        apiEvaluator.seeds += validation.seeds
        let apiScores = await apiEvaluator.api(apiPoints.map { apiSpace.spec($0, from: shippedApi) }, deployment: platform.spec.api,
                                            cpuMicrosPerRequest: apiCpuMicrosPerRequest, settings: platform.settings)
        var result = TuneResult(
            objective: objective, margin: Double(margin) / 100, command: commandLine, seeds: searchSeeds, validationSeeds: validation, platform: platform,
            workerSpace: workerSpace, workerEvaluated: search.evaluated,
            apiSpace: apiSpace, apiPoints: apiPoints, apiScores: apiScores, seconds: stopwatch.seconds)
        var validator = evaluator
        validator.seeds = validation.seeds
        var tries = 0
        for index in result.workerRanked where tries < validationTries && result.workerRecommended == nil {
            if result.repeatsRejected(index) { continue }
            tries += 1
            result.recordValidation(index, await validator.worker([result.workerSpec(index)])[0])
        }
        result.seconds = stopwatch.seconds
        let patch = result.patch
        if let component {
            try FileManager.default.createDirectory(atPath: component, withIntermediateDirectories: true)
            try patch.write(toFile: component + "/kustomization.yaml", atomically: true, encoding: .utf8)
        }
        if let svg { try result.chart.write(toFile: svg, atomically: true, encoding: .utf8) }
        print(json ? result.json(patch: patch).serialized : result.text(patch: patch, componentDirectory: component))
        if result.workerRecommended == nil { throw InvariantsViolated() }
    }

    private var commandLine: String {
        var line = "sim tune --from-manifests \(fromManifests) --objective '\(objective)' --budget \(budget) --search-seed \(searchSeed)"
        line += seeds.map { " --seeds \($0)" } ?? ""
        line += validationSeeds.map { " --validation-seeds \($0)" } ?? ""
        if seeds == nil || validationSeeds == nil {
            line += " --seed-pool \(seedPool)"
            if seeds == nil, searchCount != 6 { line += " --search-count \(searchCount)" }
            if validationSeeds == nil, validationCount != 30 { line += " --validation-count \(validationCount)" }
        }
        if margin != 0 { line += " --margin \(margin)" }
        if minutes != 30 { line += " --minutes \(minutes)" }
        if apiCpuMicrosPerRequest != 160 { line += " --api-cpu-micros-per-request \(apiCpuMicrosPerRequest)" }
        return line
    }

    /// The search and validation seeds: as given, or the hardest of the pool (disjoint from each other).
    private func chooseSeeds(_ platform: TwinPlatform) -> (TuneSeeds, TuneSeeds) {
        let generator = TwinScenarioGenerator(settings: platform.settings, partitions: platform.partitions, trafficMinutes: minutes)
        let given = Set((seeds.map { Array($0.closed) } ?? []) + (validationSeeds.map { Array($0.closed) } ?? []))
        var ranked = seeds == nil || validationSeeds == nil
            ? StressSeeds.ranked(pool: seedPool.closed, generator: generator).filter { !given.contains($0) } : []
        let search: TuneSeeds
        if let seeds {
            search = TuneSeeds(seeds: Array(seeds.closed), description: seeds.description)
        } else {
            search = TuneSeeds(seeds: Array(ranked.prefix(searchCount)), description: "the \(searchCount) hardest of \(seedPool)")
            ranked.removeFirst(min(searchCount, ranked.count))
        }
        let validation = validationSeeds.map { TuneSeeds(seeds: Array($0.closed), description: $0.description) }
            ?? TuneSeeds(seeds: Array(ranked.prefix(validationCount)), description: "the next \(validationCount) hardest of \(seedPool)")
        return (search, validation)
    }
}

/// Seeds a tuning stage runs, and how they were chosen (for reports).
struct TuneSeeds: Sendable {
    var seeds: [UInt64]
    var description: String

    var list: String { seeds.map(String.init).joined(separator: ",") }
}
