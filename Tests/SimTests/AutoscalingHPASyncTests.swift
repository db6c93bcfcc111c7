import Testing
@testable import Sim

/// Whole syncs of HorizontalPodAutoscaler.reconcile over virtual time: the 15 s period, the default behavior
/// (scale-up: +4 pods or +100 % per 15 s, no window; scale-down: 300 s window, -100 % per 15 s), configured
/// behaviors, the early exits, and several metrics.
@Suite("HPA syncs")
struct AutoscalingHPASyncTests {
    static func externalHPA(min: Int = 1, max: Int, behavior: HPABehavior? = HPABehavior()) -> HorizontalPodAutoscaler {
        HorizontalPodAutoscaler(
            spec: HPASpec(name: "h", scaleTargetName: "d", minReplicas: min, maxReplicas: max,
                          metrics: [.external(name: "lag", target: .averageValue(milli: 1_000))], behavior: behavior),
            createdAt: 0)
    }

    static func sync(_ hpa: inout HorizontalPodAutoscaler, at now: Int64, replicas: Int, metric: Int64) -> Int {
        hpa.reconcile(now: now, currentReplicas: replicas, readyReplicas: replicas, metric: .external(milliValues: [metric * 1_000]))
    }

    @Test func syncsEveryFifteenSecondsFromCreation() {
        var hpa = Self.externalHPA(max: 10)
        #expect(hpa.nextSyncAt == 15_000)
        #expect(!hpa.isDue(now: 14_999))
        #expect(hpa.isDue(now: 15_000))
        _ = Self.sync(&hpa, at: 15_000, replicas: 1, metric: 1)
        #expect(hpa.nextSyncAt == 30_000)
    }

    /// Default scale-up: max(+4 pods, +100 %) per 15 s. Events exactly 15 s old no longer count (strict After).
    @Test func defaultScaleUpRate() {
        var hpa = Self.externalHPA(max: 100)
        var replicas = 1
        var seen: [Int] = []
        for sync in 1...4 {
            replicas = Self.sync(&hpa, at: Int64(sync) * 15_000, replicas: replicas, metric: 1_000)
            seen.append(replicas)
        }
        #expect(seen == [5, 10, 20, 40])
    }

    /// Default scale-down: the highest recommendation of the last 300 s holds; once it is exactly 300 s old the
    /// count drops at once (-100 % per 15 s allows everything).
    @Test func defaultScaleDownStabilization() {
        var hpa = Self.externalHPA(max: 100)
        #expect(Self.sync(&hpa, at: 15_000, replicas: 1, metric: 8) == 5)
        #expect(Self.sync(&hpa, at: 30_000, replicas: 5, metric: 8) == 8)
        var replicas = 8
        var time: Int64 = 45_000
        while time < 330_000 {
            replicas = Self.sync(&hpa, at: time, replicas: replicas, metric: 2)
            #expect(replicas == 8, "held at \(time)")
            time += 15_000
        }
        // The recommendation of 8 recorded at 30 s is exactly 300 s old at 330 s: outside the window.
        #expect(Self.sync(&hpa, at: 330_000, replicas: replicas, metric: 2) == 2)
    }

    /// The worker's behavior from apps/base/worker/scaledobject.yaml: up 4 pods per 60 s after a 30 s window,
    /// down 1 pod per 120 s after a 300 s window.
    @Test func workerBehaviorPacesScaling() {
        let behavior = HPABehavior(
            scaleUp: HPAScalingRules(stabilizationWindowSeconds: 30, selectPolicy: .max, policies: [HPAScalingPolicy(.pods, value: 4, periodSeconds: 60)]),
            scaleDown: HPAScalingRules(stabilizationWindowSeconds: 300, selectPolicy: .min, policies: [HPAScalingPolicy(.pods, value: 1, periodSeconds: 120)]))
        var hpa = Self.externalHPA(max: 12, behavior: behavior)
        var replicas = 1
        var history: [Int] = []
        var time: Int64 = 15_000
        while time <= 180_000 {
            replicas = Self.sync(&hpa, at: time, replicas: replicas, metric: 20)
            history.append(replicas)
            time += 15_000
        }
        // The first sync records the initial 1 (recordInitialRecommendation): the 30 s scale-up window holds the
        // count at 1 until that sample is 30 s old; then +4 per 60 s.
        #expect(history == [1, 1, 5, 5, 5, 5, 9, 9, 9, 9, 12, 12])
    }

    @Test func selectPolicyDisabledForbidsScaleUp() {
        var hpa = Self.externalHPA(max: 10, behavior: HPABehavior(scaleUp: HPAScalingRules(selectPolicy: .disabled)))
        #expect(Self.sync(&hpa, at: 15_000, replicas: 2, metric: 9) == 2)
    }

    /// Without any behavior the controller uses its legacy rule: at most max(2 x current, 4) per sync.
    @Test func noBehaviorUsesTheLegacyScaleUpLimit() {
        var hpa = Self.externalHPA(max: 100, behavior: nil)
        #expect(Self.sync(&hpa, at: 15_000, replicas: 1, metric: 50) == 4)
        #expect(Self.sync(&hpa, at: 30_000, replicas: 4, metric: 50) == 8)
        #expect(Self.sync(&hpa, at: 45_000, replicas: 8, metric: 50) == 16)
    }

    @Test func earlyExits() {
        var hpa = Self.externalHPA(min: 2, max: 5)
        let zero = hpa.reconcile(now: 15_000, target: HPAScaleTarget(specReplicas: 0, statusReplicas: 0, readyReplicas: 0),
                                 readings: [.external(milliValues: [99_000])])
        #expect(zero.reason == .scalingDisabled)
        #expect(zero.desiredReplicas == 0)
        let above = hpa.reconcile(now: 30_000, target: HPAScaleTarget(specReplicas: 9, statusReplicas: 9, readyReplicas: 9),
                                  readings: [.external(milliValues: [99_000])])
        #expect(above.desiredReplicas == 5)
        #expect(above.reason == .aboveMaxReplicas)
        let below = hpa.reconcile(now: 45_000, target: HPAScaleTarget(specReplicas: 1, statusReplicas: 1, readyReplicas: 1),
                                  readings: [.external(milliValues: [0])])
        #expect(below.desiredReplicas == 2)
        let failed = hpa.reconcile(now: 60_000, target: HPAScaleTarget(specReplicas: 3, statusReplicas: 3, readyReplicas: 3),
                                   readings: [.unavailable])
        #expect(failed.reason == .failedComputeMetricsReplicas)
        #expect(failed.desiredReplicas == 3)
    }

    /// Several metrics: the largest proposal wins; a failed metric blocks a scale-down but not a scale-up
    /// (horizontal_test.go TestScaleUpOneMetricEmpty / TestNoScaleDownOneMetricEmpty).
    @Test func multipleMetrics() {
        func hpa(cpuTarget: Int) -> HorizontalPodAutoscaler {
            HorizontalPodAutoscaler(
                spec: HPASpec(name: "h", scaleTargetName: "d", minReplicas: 2, maxReplicas: 6,
                              metrics: [.resource(name: "cpu", target: .utilization(percent: cpuTarget)),
                                        .external(name: "qps", target: .value(milli: 100))],
                              behavior: HPABehavior(scaleDown: HPAScalingRules(stabilizationWindowSeconds: 0))),
                createdAt: 0)
        }
        let now: Int64 = 15_000
        let cpuUp = [300, 400, 500].map { HPAPodSample.settled(requestMilli: 1_000, usageMilli: $0, now: now) }
        var up = hpa(cpuTarget: 30)
        let upDecision = up.reconcile(now: now, target: HPAScaleTarget(specReplicas: 3, statusReplicas: 3, readyReplicas: 3),
                                      readings: [.pods(cpuUp), .unavailable])
        #expect(upDecision.desiredReplicas == 4)
        let cpuDown = [100, 300, 500, 250, 250].map { HPAPodSample.settled(requestMilli: 1_000, usageMilli: $0, now: now) }
        var down = hpa(cpuTarget: 50)
        let downDecision = down.reconcile(now: now, target: HPAScaleTarget(specReplicas: 5, statusReplicas: 5, readyReplicas: 5),
                                          readings: [.pods(cpuDown), .unavailable])
        #expect(downDecision.desiredReplicas == 5)
        #expect(downDecision.reason == .failedComputeMetricsReplicas)
    }
}
