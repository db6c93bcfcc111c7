import Core
import Sim

extension TuneResult {
    func json(patch: String) -> JSONValue {
        .object([
            ("objective", .string(objective.text)),
            ("seeds", .array(seeds.seeds.map { .int(Int64(bitPattern: $0)) })),
            ("validation_seeds", .array(validationSeeds.seeds.map { .int(Int64(bitPattern: $0)) })),
            ("seeds_chosen", .string(seeds.description)),
            ("validation_seeds_chosen", .string(validationSeeds.description)),
            ("worker", .object([
                ("evaluated", .int(workerEvaluated.count)),
                ("grid_size", .int(workerSpace.size)),
                ("shipped", .int(0)),
                ("recommended", workerRecommended.map { .int($0) } ?? .null),
                ("front", .array(workerFront.indices.filter { workerFront[$0] }.map { .int($0) })),
                ("validation", .array(workerValidation.map { entry in
                    .object([("id", .int(entry.index)), ("meets_objective", .bool(passesValidation(entry.index, entry.score))),
                                    ("measures", TuneResult.workerMeasuresJSON(entry.score))])
                })),
                ("candidates", .array(workerEvaluated.indices.map(workerCandidateJSON))),
            ])),
            ("api", .object([
                ("evaluated", .int(apiPoints.count)),
                ("shipped", .int(apiShipped)),
                ("recommended", apiRecommended.map { .int($0) } ?? .null),
                ("front", .array(apiFront.indices.filter { apiFront[$0] }.map { .int($0) })),
                ("candidates", .array(apiPoints.indices.map(apiCandidateJSON))),
            ])),
            ("patch", .string(patch)),
            ("command", .string(command)),
            ("seconds", .double(seconds)),
        ])
    }

    private func workerCandidateJSON(_ index: Int) -> JSONValue {
        let candidate = workerEvaluated[index]
        let score = candidate.score
        return .object([
            ("id", .int(index)),
            ("round", .int(candidate.round)),
            ("settings", .object(workerSpace.labels(candidate.point).map { ($0.0, .string($0.1)) })),
        ] + TuneResult.workerMeasurePairs(score) + [
            ("meets_objective", .bool(objective.meets(score))),
            ("pareto", .bool(workerFront[index])),
        ])
    }

    static func workerMeasurePairs(_ score: WorkerScore) -> [(String, JSONValue)] {
        [
            ("worst_lag_drain_seconds", score.worstLagDrainSeconds.map { .int($0) } ?? .null),
            ("worst_seconds_over_lag_slo", .int(score.worstSecondsOverLagSLO)),
            ("mean_pod_minutes", .double(score.meanPodMinutes)),
            ("worst_direction_changes", .int(score.worstDirectionChanges)),
            ("worst_window_direction_changes", .int(score.worstWindowDirectionChanges)),
            ("max_replicas", .int(score.maxReplicas)),
            ("findings", .array(score.findings.map { .string($0) })),
        ]
    }

    static func workerMeasuresJSON(_ score: WorkerScore) -> JSONValue { .object(workerMeasurePairs(score)) }

    private func apiCandidateJSON(_ index: Int) -> JSONValue {
        let score = apiScores[index]
        return .object([
            ("id", .int(index)),
            ("settings", .object(apiSpace.labels(apiPoints[index]).map { ($0.0, .string($0.1)) })),
            ("worst_overload_seconds", .int(score.worstOverloadSeconds)),
            ("mean_pod_minutes", .double(score.meanPodMinutes)),
            ("worst_direction_changes", .int(score.worstDirectionChanges)),
            ("worst_window_direction_changes", .int(score.worstWindowDirectionChanges)),
            ("max_replicas", .int(score.maxReplicas)),
            ("pareto", .bool(apiFront[index])),
        ])
    }

    func text(patch: String, componentDirectory: String?) -> String {
        var lines = [
            "sim tune: \(workerEvaluated.count) worker candidates (of a \(workerSpace.size)-point grid) on \(seeds.description) (\(seeds.list)), validated on \(validationSeeds.description); \(apiPoints.count) api candidates (the whole grid) on both; \(TuneResult.round1(seconds)) s",
            "objective: \(objective), every twin property held; minimise pod-minutes",
            "worker Pareto front (worst lag-drain, worst time over the \(platform.settings.lagSLOSeconds) s lag SLO, mean pod-minutes, worst direction changes):",
        ]
        // Those that meet the objective first (the ones an operator would choose among), each group cheapest first.
        let front = workerEvaluated.indices.filter { workerFront[$0] }.sorted {
            let (a, b) = (workerEvaluated[$0].score, workerEvaluated[$1].score)
            let (meetsA, meetsB) = (objective.meets(a), objective.meets(b))
            return meetsA != meetsB ? meetsA : (a.meanPodMinutes, $0) < (b.meanPodMinutes, $1)
        }
        for index in front.prefix(12) {
            let score = workerEvaluated[index].score
            let marks = (index == 0 ? " shipped" : "") + (index == workerRecommended ? " RECOMMENDED" : "") + (objective.meets(score) ? "" : " (misses objective)")
            lines.append("  #\(index)\(marks): \(TuneResult.workerMeasures(score))")
            let changed = changes(workerSpace, workerEvaluated[index].point)
            lines.append("      \(changed.isEmpty ? "shipped settings" : changed.joined(separator: ", "))")
        }
        if front.count > 12 { lines.append("  ... \(front.count - 12) more on the front (--json lists every candidate)") }
        lines.append("shipped worker: \(TuneResult.workerMeasures(workerEvaluated[0].score))")
        for entry in workerValidation {
            lines.append("validation, #\(entry.index): \(TuneResult.workerMeasures(entry.score))\(entry.index == workerRecommended ? "" : " -> rejected")")
        }
        if let index = workerRecommended {
            lines.append("recommended worker (#\(index)): \(TuneResult.workerMeasures(workerEvaluated[index].score)) on the search seeds")
        } else {
            lines.append("recommended worker: none of the \(workerEvaluated.count) candidates meets \(objective) on the search and validation seeds")
        }
        lines.append("api: shipped \(TuneResult.apiMeasures(apiScores[apiShipped]))")
        if let index = apiRecommended {
            let changed = changes(apiSpace, apiPoints[index])
            lines.append("api: recommended (#\(index)) \(TuneResult.apiMeasures(apiScores[index])): \(changed.isEmpty ? "the shipped settings" : changed.joined(separator: ", "))")
        }
        lines.append(componentDirectory.map { "kustomize Component written to \($0)/kustomization.yaml:" } ?? "kustomize Component (--component DIR writes it):")
        lines.append(patch)
        return lines.joined(separator: "\n")
    }

    var chart: String {
        let workerPoints = workerEvaluated.indices.map { index -> TuningChart.Point in
            let score = workerEvaluated[index].score
            let role: TuningChart.Point.Role = !score.passesTwin ? .infeasible : workerFront[index] ? .front : .candidate
            let settings = workerSpace.labels(workerEvaluated[index].point).map { "\($0.0)=\($0.1)" }.joined(separator: " ")
            return TuningChart.Point(x: score.meanPodMinutes, y: score.worstLagDrainSeconds.map(Double.init), role: role,
                                     shipped: index == 0, recommended: index == workerRecommended,
                                     tooltip: "#\(index): \(TuneResult.workerMeasures(score))\n\(settings)")
        }
        let apiChartPoints = apiPoints.indices.map { index -> TuningChart.Point in
            let score = apiScores[index]
            let settings = apiSpace.labels(apiPoints[index]).map { "\($0.0)=\($0.1)" }.joined(separator: " ")
            return TuningChart.Point(x: score.meanPodMinutes, y: Double(score.worstOverloadSeconds),
                                     role: apiFront[index] ? .front : .candidate, shipped: index == apiShipped,
                                     recommended: index == apiRecommended,
                                     tooltip: "#\(index): \(TuneResult.apiMeasures(score))\n\(settings)")
        }
        let drainBound = objective.workerBounds.first { $0.measure == .lagDrain }?.limit
        let overloadBound = objective.apiBounds.first { $0.measure == .apiOverload }?.limit
        return TuningChart.svg(title: "\(command)", panels: [
            .init(title: "worker (KEDA ScaledObject): \(workerEvaluated.count) candidates", xLabel: "mean pod-minutes per run (cost)",
                  yLabel: "worst lag-drain after the burst (s)", points: workerPoints, bound: drainBound),
            .init(title: "api (CPU HPA): \(apiPoints.count) candidates", xLabel: "mean pod-minutes per run (cost)",
                  yLabel: "worst seconds saturated", points: apiChartPoints, bound: overloadBound),
        ])
    }
}
