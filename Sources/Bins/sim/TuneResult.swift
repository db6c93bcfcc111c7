import Core
import Sim

/// What `sim tune` found: every evaluated candidate of both searches, their fronts and the recommendations, and
/// the reports made of them (human, JSON, the kustomize Component and the SVG).
struct TuneResult {
    var objective: TuningObjective
    var command: String
    var seeds: TuneSeeds
    var platform: TwinPlatform
    var workerSpace: TuningSpace<ScaledObjectSpec>
    var workerEvaluated: [TuningSearch.Evaluated]
    var workerFront: [Bool]
    /// Candidates that meet the objective with headroom on the search seeds, cheapest first: the order
    /// validation tries them.
    var workerRanked: [Int]
    /// Seeds the search never saw; a recommendation must meet the objective on them too.
    var validationSeeds: TuneSeeds
    /// The candidates tried on the validation seeds, in order, with their scores there.
    var workerValidation: [(index: Int, score: WorkerScore)] = []
    /// Index into `workerEvaluated`: the cheapest candidate that met the objective on the search and the
    /// validation seeds; nil when none did.
    var workerRecommended: Int?
    /// Fraction by which the objective's bounds are tightened on the validation seeds.
    var margin: Double = 0.1
    var apiSpace: TuningSpace<HPASpec>
    var apiPoints: [[Int]]
    var apiScores: [ApiScore]
    var apiFront: [Bool]
    var apiShipped: Int
    var apiRecommended: Int?
    var seconds: Double

    static let apiMaxWindowChanges = TwinReport.Bounds().maxDirectionChanges

    init(objective: TuningObjective, margin: Double, command: String, seeds: TuneSeeds, validationSeeds: TuneSeeds, platform: TwinPlatform,
         workerSpace: TuningSpace<ScaledObjectSpec>, workerEvaluated: [TuningSearch.Evaluated],
         apiSpace: TuningSpace<HPASpec>, apiPoints: [[Int]], apiScores: [ApiScore], seconds: Double) {
        self.objective = objective
        self.margin = margin
        self.command = command
        self.seeds = seeds
        self.validationSeeds = validationSeeds
        self.platform = platform
        self.workerSpace = workerSpace
        self.workerEvaluated = workerEvaluated
        self.apiSpace = apiSpace
        self.apiPoints = apiPoints
        self.apiScores = apiScores
        self.seconds = seconds
        workerFront = ParetoFront.members(workerEvaluated.map(\.score.axes))
        let headroom = objective.withHeadroom(margin: margin, maxWindowChanges: TwinReport.Bounds().maxDirectionChanges)
        workerRanked = workerEvaluated.indices.filter { headroom.meets(workerEvaluated[$0].score) }.sorted {
            TuneResult.cheaper(workerEvaluated[$0].score.meanPodMinutes, workerEvaluated[$0].score.axes, $0,
                               workerEvaluated[$1].score.meanPodMinutes, workerEvaluated[$1].score.axes, $1)
        }
        apiFront = ParetoFront.members(apiScores.map(\.axes))
        apiShipped = apiPoints.firstIndex(of: apiSpace.shipped) ?? 0
        let shippedApi = apiScores[apiShipped]
        let apiMeeting = apiScores.indices.filter {
            objective.meets(apiScores[$0], shipped: shippedApi, maxWindowChanges: TuneResult.apiMaxWindowChanges)
        }
        apiRecommended = apiMeeting.min { TuneResult.cheaper(apiScores[$0].meanPodMinutes, apiScores[$0].axes, $0,
                                                             apiScores[$1].meanPodMinutes, apiScores[$1].axes, $1) }
    }

    /// Lower cost first, then the front's axes, then the earlier candidate.
    static func cheaper(_ costA: Double, _ axesA: [Double], _ a: Int, _ costB: Double, _ axesB: [Double], _ b: Int) -> Bool {
        if costA != costB { return costA < costB }
        if axesA != axesB { return axesA.lexicographicallyPrecedes(axesB) }
        return a < b
    }

    /// Records a candidate's validation run; it becomes the recommendation when it meets the objective over
    /// the search and the validation seeds together.
    mutating func recordValidation(_ index: Int, _ score: WorkerScore) {
        workerValidation.append((index, score))
        if workerRecommended == nil, passesValidation(index, score) { workerRecommended = index }
    }

    /// The objective on the search and validation seeds together, and with headroom on the validation seeds.
    func passesValidation(_ index: Int, _ score: WorkerScore) -> Bool {
        var all = workerEvaluated[index].score
        all.merge(score)
        return objective.meets(all)
            && objective.meetsWithHeadroom(score, margin: margin, maxWindowChanges: TwinReport.Bounds().maxDirectionChanges)
    }

    /// Whether a candidate scored exactly like one already rejected on the validation seeds: settings that
    /// change nothing in the twin (cooldownPeriod and activationLagThreshold with minReplicaCount >= 1) would
    /// otherwise spend a validation try each.
    func repeatsRejected(_ index: Int) -> Bool {
        workerValidation.contains { $0.index != workerRecommended && workerEvaluated[$0.index].score == workerEvaluated[index].score }
    }

    var shippedWorker: ScaledObjectSpec { platform.spec.workerScaledObject }
    var shippedApi: HPASpec { platform.spec.apiHPA }

    func workerSpec(_ index: Int) -> ScaledObjectSpec { workerSpace.spec(workerEvaluated[index].point, from: shippedWorker) }
    func apiSpec(_ index: Int) -> HPASpec { apiSpace.spec(apiPoints[index], from: shippedApi) }

    /// `name old -> new` for the dimensions where a point differs from the shipped settings.
    func changes<Spec>(_ space: TuningSpace<Spec>, _ point: [Int]) -> [String] {
        zip(space.labels(space.shipped), space.labels(point)).compactMap { shipped, chosen in
            shipped.1 == chosen.1 ? nil : "\(chosen.0) \(shipped.1) -> \(chosen.1)"
        }
    }

    static func workerMeasures(_ score: WorkerScore) -> String {
        "worst lag-drain \(score.worstLagDrainSeconds.map { "\($0) s" } ?? "never"), worst time over lag SLO \(score.worstSecondsOverLagSLO) s, \(round1(score.meanPodMinutes)) pod-minutes/run, worst \(score.worstDirectionChanges) direction changes (\(score.worstWindowDirectionChanges) in 10 min)\(score.findings.isEmpty ? "" : ", breaks: \(score.findings.joined(separator: ", "))")"
    }

    static func apiMeasures(_ score: ApiScore) -> String {
        "worst overload \(score.worstOverloadSeconds) s, \(round1(score.meanPodMinutes)) pod-minutes/run, worst \(score.worstDirectionChanges) direction changes (\(score.worstWindowDirectionChanges) in 10 min), peak \(score.maxReplicas) pods"
    }

    static func round1(_ value: Double) -> Double { (value * 10).rounded() / 10 }

    /// The kustomize Component with the recommendations (the shipped settings where there is none).
    var patch: String {
        let worker = workerRecommended.map(workerSpec) ?? shippedWorker
        let api = apiRecommended.map(apiSpec) ?? shippedApi
        let cpuIndex = shippedApi.metrics.firstIndex { if case .resource("cpu", .utilization) = $0 { return true } else { return false } }
        var header = [
            "Recommended by: \(command)",
            "Objective: \(objective) (all twin properties held), cost minimised; searched on \(seeds.description) (\(seeds.list)), validated on \(validationSeeds.description) (\(margin > 0 ? "bounds \(Int((margin * 100).rounded())) % tighter, " : "")thrash one change under its bound).",
            "Apply: list this directory under `components:` in the overlay's kustomization.yaml.",
        ]
        if let index = workerRecommended {
            let changed = changes(workerSpace, workerEvaluated[index].point)
            header.append("worker: \(changed.isEmpty ? "the shipped settings" : changed.joined(separator: ", "))")
            header.append("  search seeds: \(TuneResult.workerMeasures(workerEvaluated[index].score))")
            if let validation = workerValidation.first(where: { $0.index == index }) {
                header.append("  validation seeds: \(TuneResult.workerMeasures(validation.score))")
            }
        } else {
            header.append("worker: no candidate met the objective on the search and validation seeds; the shipped settings are kept")
        }
        header.append("  shipped: \(TuneResult.workerMeasures(workerEvaluated[0].score))")
        if let index = apiRecommended {
            let changed = changes(apiSpace, apiPoints[index])
            header.append("api: \(changed.isEmpty ? "the shipped settings" : changed.joined(separator: ", "))")
            header.append("  \(TuneResult.apiMeasures(apiScores[index])); shipped: \(TuneResult.apiMeasures(apiScores[apiShipped]))")
        }
        return TuningPatch.component(header: header, worker: worker, api: api, apiCPUMetricIndex: cpuIndex)
    }
}
