import Core
import Foundation
import Testing
@testable import Sim

/// The pure parts of `sim tune`: the grids, the search, the front, the objective, the patch and the chart.
@Suite("Tuning")
struct TuningTests {
    static let shippedWorker = ScaledObjectSpec(
        name: "worker", scaleTargetName: "worker", pollingIntervalSeconds: 15, cooldownPeriodSeconds: 300,
        minReplicaCount: 1, maxReplicaCount: 12,
        behavior: HPABehavior(
            scaleUp: HPAScalingRules(stabilizationWindowSeconds: 30, selectPolicy: .max, policies: [.init(.pods, value: 4, periodSeconds: 60)]),
            scaleDown: HPAScalingRules(stabilizationWindowSeconds: 300, selectPolicy: .min, policies: [.init(.pods, value: 1, periodSeconds: 120)])),
        trigger: KafkaTriggerSpec(consumerGroup: "ledger-worker", topic: "events", lagThreshold: 1_000, offsetResetPolicy: .earliest))

    static let shippedApi = HPASpec(
        name: "api", scaleTargetName: "api", minReplicas: 2, maxReplicas: 10,
        metrics: [.resource(name: "cpu", target: .utilization(percent: 70))],
        behavior: HPABehavior(
            scaleUp: HPAScalingRules(stabilizationWindowSeconds: 0, selectPolicy: .max,
                                     policies: [.init(.percent, value: 100, periodSeconds: 30), .init(.pods, value: 2, periodSeconds: 30)]),
            scaleDown: HPAScalingRules(stabilizationWindowSeconds: 300, selectPolicy: .min, policies: [.init(.pods, value: 1, periodSeconds: 60)])))

    @Test func theShippedPointIsTheShippedSpec() {
        let worker = TuningSpaces.worker(Self.shippedWorker, partitions: 12)
        #expect(worker.spec(worker.shipped, from: Self.shippedWorker) == Self.shippedWorker)
        let api = TuningSpaces.api(Self.shippedApi)
        #expect(api.spec(api.shipped, from: Self.shippedApi) == Self.shippedApi)
        // The api's two-policy scale-up is not among the grid's values: it is added, so it stays reachable.
        #expect(api.labels(api.shipped).contains { $0 == ("scaleUp.policies", "Max(100%/30s,2pod/30s)") })
    }

    @Test func everyWorkerPointStaysWithinThePartitions() {
        let space = TuningSpaces.worker(Self.shippedWorker, partitions: 12)
        var random = Xoshiro256(seed: 9)
        for _ in 0..<500 {
            let spec = space.spec(space.random(using: &random), from: Self.shippedWorker)
            #expect(spec.maxReplicaCount <= 12 && spec.minReplicaCount >= 1)
        }
        let point = space.shipped
        for neighbour in space.neighbours(of: point) {
            #expect(zip(neighbour, point).filter { $0 != $1 }.count == 1)
        }
    }

    @Test func paretoFrontKeepsOnlyTheNonDominated() {
        let points: [[Double]] = [[1, 5], [2, 2], [5, 1], [3, 3], [2, 2], [6, 6], [1, .infinity]]
        #expect(ParetoFront.members(points) == [true, true, true, false, true, false, false])
    }

    @Test func objectivesParseAndRefuseNonsense() throws {
        let objective = try TuningObjective.parse("lag-drain<=120s, lag-slo<=2m,thrash<=6,api-overload<=0s").get()
        #expect(objective.bounds.map(\.limit) == [120, 120, 6, 0])
        #expect(objective.workerBounds.count == 3 && objective.apiBounds.count == 1)
        for bad in ["", "lag-drain<120s", "lag-drain<=fast", "drain<=120s", "lag-drain<=-1s", "thrash<=2m"] {
            guard case .failure = TuningObjective.parse(bad) else { Issue.record("accepted \(bad)"); continue }
        }
    }

    static func score(drain: Int64?, slo: Int64 = 0, podSeconds: Int64, changes: Int = 0, findings: [String] = []) -> WorkerScore {
        var score = WorkerScore()
        score.seeds = 1
        score.worstLagDrainSeconds = drain
        score.worstSecondsOverLagSLO = slo
        score.podSeconds = podSeconds
        score.worstDirectionChanges = changes
        score.findings = findings
        return score
    }

    @Test func theObjectiveNeedsEveryBoundAndEveryTwinProperty() throws {
        let objective = try TuningObjective.parse("lag-drain<=120s").get()
        #expect(objective.meets(Self.score(drain: 120, podSeconds: 60)))
        #expect(!objective.meets(Self.score(drain: 121, podSeconds: 60)))
        #expect(!objective.meets(Self.score(drain: nil, podSeconds: 60)))
        #expect(!objective.meets(Self.score(drain: 10, podSeconds: 60, findings: ["scale-thrash"])))
    }

    /// A stand-in for the twin: lag drains faster with more replicas allowed and a lower threshold; cost
    /// follows the same knobs. Enough to check that the search is deterministic and finds the cheap corner.
    static func fakeScore(_ spec: ScaledObjectSpec) -> WorkerScore {
        let drain = 20 + spec.trigger.lagThreshold / 100 + Int64(600 / spec.maxReplicaCount)
        return score(drain: drain, podSeconds: Int64(spec.minReplicaCount * 600 + spec.maxReplicaCount * 100) - spec.trigger.lagThreshold / 10)
    }

    static func search(seed: UInt64) throws -> TuningSearch {
        let space = TuningSpaces.worker(shippedWorker, partitions: 12)
        var search = TuningSearch(space: space, shippedSpec: shippedWorker, objective: try TuningObjective.parse("lag-drain<=120s").get(),
                                  budget: 40, seed: seed, batchSize: 4)
        while case let batch = search.nextBatch(), !batch.isEmpty {
            search.record(batch.map { fakeScore(space.spec($0, from: shippedWorker)) })
        }
        return search
    }

    @Test func theSearchIsDeterministicBoundedAndImprovesOnTheShipped() throws {
        let first = try Self.search(seed: 3)
        let again = try Self.search(seed: 3)
        let other = try Self.search(seed: 4)
        #expect(first.evaluated.map(\.point) == again.evaluated.map(\.point))
        #expect(first.evaluated.map(\.point) != other.evaluated.map(\.point))
        #expect(first.evaluated.count == 40)
        #expect(first.evaluated[0].point == first.space.shipped && first.evaluated[0].round == 0)
        #expect(Set(first.evaluated.map(\.point)).count == 40, "no candidate evaluated twice")
        let best = try #require(first.best)
        #expect(first.objective.meets(best.score))
        #expect(best.score.meanPodMinutes < first.evaluated[0].score.meanPodMinutes)
    }

    @Test func thePatchNamesEveryField() {
        var worker = Self.shippedWorker
        worker.trigger.lagThreshold = 2_000
        worker.minReplicaCount = 2
        let patch = TuningPatch.component(header: ["line one"], worker: worker, api: Self.shippedApi, apiCPUMetricIndex: 0)
        for expected in ["# line one", "kind: Component", "minReplicaCount: 2", "maxReplicaCount: 12", "pollingInterval: 15",
                         "cooldownPeriod: 300", "path: /spec/triggers/0/metadata/lagThreshold", "value: \"2000\"",
                         "path: /spec/triggers/0/type", "stabilizationWindowSeconds: 300", "periodSeconds: 120",
                         "path: /spec/metrics/0/resource/target/averageUtilization", "value: 70", "name: api"] {
            #expect(patch.contains(expected), "\(expected)")
        }
    }

    @Test func theChartIsSelfContainedAndMarksShippedAndRecommended() {
        let points = [
            TuningChart.Point(x: 100, y: 90, role: .front, shipped: true, recommended: false, tooltip: "a <b> & \"c\""),
            TuningChart.Point(x: 80, y: 110, role: .front, shipped: false, recommended: true, tooltip: "d"),
            TuningChart.Point(x: 120, y: nil, role: .infeasible, shipped: false, recommended: false, tooltip: "e"),
            TuningChart.Point(x: 130, y: 100, role: .candidate, shipped: false, recommended: false, tooltip: "f"),
        ]
        let svg = TuningChart.svg(title: "t", panels: [.init(title: "p", xLabel: "x", yLabel: "y", points: points, bound: 120)])
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.components(separatedBy: "http").count == 2, "the namespace is the only URI")
        #expect(!svg.contains("<script") && !svg.contains("href"))
        #expect(svg.contains("class=\"shipped\"") && svg.contains("class=\"recommended\"") && svg.contains("class=\"infeasible\""))
        #expect(svg.contains("a &lt;b&gt; &amp; &quot;c&quot;") && !svg.contains("a <b>"))
        #expect(svg.components(separatedBy: "class=\"front\"").count == 3)
    }

    @Test func theProfileAloneIsTheScenariosProfile() {
        let generator = TwinScenarioGenerator(settings: TwinSettings(scaledObject: Self.shippedWorker), partitions: 12)
        for seed in [UInt64(1), 7, 42] { #expect(generator.profile(seed: seed) == generator.generate(seed: seed).1) }
    }
}
