import Core
import Sim

/// Evaluates tuning candidates on every core: each (candidate, seed) pair is one twin run, the pairs go through
/// `ParallelSeeds` as job numbers, and each candidate's score merges its seeds' runs. Every candidate sees the
/// same seeds, hence the same traffic and the same zone outage.
struct TuneEvaluator: Sendable {
    var seeds: [UInt64]
    var partitions: Int
    var trafficMinutes: Int64
    var workers: Int?

    /// One score per spec, in order.
    func worker(_ specs: [ScaledObjectSpec]) async -> [WorkerScore] {
        guard !specs.isEmpty, !seeds.isEmpty else { return [] }
        let generators = specs.map {
            TwinScenarioGenerator(settings: TwinSettings(scaledObject: $0), partitions: partitions, trafficMinutes: trafficMinutes)
        }
        let probes = generators.map { TwinProbe.replicasBeyondPartitions($0.settings, partitions: partitions) }
        let seeds = self.seeds
        let jobs = ParallelSeeds(seeds: SeedRange(lower: 0, upper: UInt64(specs.count * seeds.count - 1)), workers: workers, chunk: 1)
        let tally = await jobs.run { range -> JobScores<WorkerScore> in
            var scores = JobScores<WorkerScore>()
            for job in range {
                let (candidate, seed) = (Int(job) / seeds.count, seeds[Int(job) % seeds.count])
                let report = Twin.run(generator: generators[candidate], seed: seed, mode: .after,
                                      options: RunOptions(explain: false), overshoot: .some(probes[candidate]))
                scores.items.append((Int(job), WorkerScore(report)))
            }
            return scores
        }
        return tally.perCandidate(count: specs.count, seedsPerCandidate: seeds.count, empty: WorkerScore()) { $0.merge($1) }
    }

    /// One score per api HPA spec, in order: the api twin under each seed's offered load.
    func api(_ specs: [HPASpec], deployment: DeploymentSpec, cpuMicrosPerRequest: Int64, settings: TwinSettings) async -> [ApiScore] {
        guard !specs.isEmpty, !seeds.isEmpty else { return [] }
        let generator = TwinScenarioGenerator(settings: settings, partitions: partitions, trafficMinutes: trafficMinutes)
        let profiles = seeds.map { generator.profile(seed: $0) }
        let seeds = self.seeds
        let jobs = ParallelSeeds(seeds: SeedRange(lower: 0, upper: UInt64(specs.count * seeds.count - 1)), workers: workers, chunk: 64)
        let tally = await jobs.run { range -> JobScores<ApiScore> in
            var scores = JobScores<ApiScore>()
            for job in range {
                let (candidate, seedIndex) = (Int(job) / seeds.count, Int(job) % seeds.count)
                let twin = ApiTwin(hpa: specs[candidate], deployment: deployment, cpuMicrosPerRequest: cpuMicrosPerRequest)
                let samples = twin.run(profile: profiles[seedIndex], seed: seeds[seedIndex])
                scores.items.append((Int(job), ApiScore(twin.outcome(samples))))
            }
            return scores
        }
        return tally.perCandidate(count: specs.count, seedsPerCandidate: seeds.count, empty: ApiScore()) { $0.merge($1) }
    }
}

/// Scores of numbered jobs (candidate × seed), in completion order until grouped.
struct JobScores<Score: Sendable>: SeedTally {
    var items: [(Int, Score)] = []

    mutating func merge(_ other: JobScores) { items += other.items }

    func perCandidate(count: Int, seedsPerCandidate: Int, empty: Score, merge: (inout Score, Score) -> Void) -> [Score] {
        var scores = Array(repeating: empty, count: count)
        for (job, score) in items.sorted(by: { $0.0 < $1.0 }) { merge(&scores[job / seedsPerCandidate], score) }
        return scores
    }
}
