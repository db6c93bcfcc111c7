import Testing
@testable import Sim

/// Replica proposals, ported from kubernetes/kubernetes pkg/controller/podautoscaler/replica_calculator_test.go
/// (pods with requests of 1.0 CPU; upstream's two containers per pod double usage and request alike, which
/// leaves every ratio unchanged). Unready pods are Ready=False since start; "hot" pods started within the CPU
/// initialization period with a sample taken before a full window after their readiness transition.
@Suite("HPA replica calculation")
struct AutoscalingHPAReplicaTests {
    static let now: Int64 = 100_000_000
    static let tolerances = HPATolerances(scaleDown: 0.1, scaleUp: 0.1)
    static let config: HPAControllerConfig = {
        var config = HPAControllerConfig()
        config.cpuInitializationPeriod = 120_000       // defaultTestingCPUInitializationPeriod
        config.delayOfInitialReadinessStatus = 10_000  // defaultTestingDelayOfInitialReadinessStatus
        return config
    }()

    enum Shape { case ready, unready, hot, pending, failed, deleting }

    static func pod(_ shape: Shape, usage: Int64?, request: Int64 = 1_000) -> HPAPodSample {
        let cool = now - 600_000
        switch shape {
        case .ready:
            return HPAPodSample(startTime: cool, readyCondition: .init(isReady: true, lastTransitionTime: cool), requestMilli: request,
                                usage: usage.map { .init(milli: $0, timestamp: now, window: 60_000) })
        case .unready:
            return HPAPodSample(startTime: cool, readyCondition: .init(isReady: false, lastTransitionTime: cool), requestMilli: request,
                                usage: usage.map { .init(milli: $0, timestamp: now, window: 60_000) })
        case .hot:
            let start = now - 30_000
            return HPAPodSample(startTime: start, readyCondition: .init(isReady: true, lastTransitionTime: start), requestMilli: request,
                                usage: usage.map { .init(milli: $0, timestamp: start + 10_000, window: 60_000) })
        case .pending:
            return HPAPodSample(phase: .pending, startTime: nil, readyCondition: .init(isReady: false, lastTransitionTime: cool),
                                requestMilli: request, usage: nil)
        case .failed:
            return HPAPodSample(phase: .failed, startTime: cool, readyCondition: .init(isReady: false, lastTransitionTime: cool),
                                requestMilli: request, usage: nil)
        case .deleting:
            return HPAPodSample(isDeleting: true, startTime: cool, readyCondition: .init(isReady: false, lastTransitionTime: cool),
                                requestMilli: request, usage: nil)
        }
    }

    static func cpu(_ current: Int, target: Int, _ pods: [HPAPodSample]) -> (replicas: Int, utilization: Int)? {
        try? HPAReplicaCalculator.resourceUtilizationReplicas(
            currentReplicas: current, targetUtilization: target, pods: pods, isCPU: true, tolerances: tolerances,
            now: now, config: config).get()
    }

    @Test func scaleUp() {   // TestReplicaCalcScaleUp
        let result = Self.cpu(3, target: 30, [300, 500, 700].map { Self.pod(.ready, usage: $0) })
        #expect(result?.replicas == 5)
        #expect(result?.utilization == 50)
    }

    @Test func scaleUpUnreadyLessScale() {   // TestReplicaCalcScaleUpUnreadyLessScale: ceil((40/30) * 3) = 4
        let result = Self.cpu(3, target: 30, [Self.pod(.unready, usage: 300), Self.pod(.ready, usage: 500), Self.pod(.ready, usage: 700)])
        #expect(result?.replicas == 4)
        #expect(result?.utilization == 60)
    }

    @Test func scaleUpHotCpuLessScale() {   // TestReplicaCalcScaleUpHotCpuLessScale
        let result = Self.cpu(3, target: 30, [Self.pod(.hot, usage: 300), Self.pod(.ready, usage: 500), Self.pod(.ready, usage: 700)])
        #expect(result?.replicas == 4)
    }

    @Test func scaleUpUnreadyNoScale() {   // TestReplicaCalcScaleUpUnreadyNoScale
        let result = Self.cpu(3, target: 30, [Self.pod(.ready, usage: 400), Self.pod(.unready, usage: 500), Self.pod(.unready, usage: 700)])
        #expect(result?.replicas == 3)
        #expect(result?.utilization == 40)
    }

    @Test func scaleUpIgnoresFailedAndDeletingPods() {   // TestReplicaCalcScaleUpIgnores{Failed,Deletion}Pods
        for shape in [Shape.failed, .deleting] {
            let pods = [Self.pod(.ready, usage: 500), Self.pod(.ready, usage: 700), Self.pod(shape, usage: nil), Self.pod(shape, usage: nil)]
            #expect(Self.cpu(2, target: 30, pods)?.replicas == 4)
        }
    }

    @Test func scaleDown() {   // TestReplicaCalcScaleDown
        let result = Self.cpu(5, target: 50, [100, 300, 500, 250, 250].map { Self.pod(.ready, usage: $0) })
        #expect(result?.replicas == 3)
        #expect(result?.utilization == 28)
    }

    @Test func scaleDownIgnoresUnreadyAndHotPods() {   // TestReplicaCalcScaleDownIncludeUnreadyPods / IgnoreHotCpuPods
        for shape in [Shape.unready, .hot] {
            let pods = [Self.pod(.ready, usage: 100), Self.pod(.ready, usage: 300), Self.pod(.ready, usage: 500),
                        Self.pod(shape, usage: 250), Self.pod(shape, usage: 250)]
            #expect(Self.cpu(5, target: 50, pods)?.replicas == 2)
        }
    }

    @Test func scaleDownExcludesUnscheduledPods() {   // TestReplicaCalcScaleDownExcludeUnscheduledPods
        let pods = [Self.pod(.ready, usage: 100)] + Array(repeating: Self.pod(.pending, usage: nil), count: 4)
        #expect(Self.cpu(5, target: 50, pods)?.replicas == 1)
    }

    @Test func tolerance() {   // TestReplicaCalcTolerance: requests 0.9/1.0/1.1, 102 % of a 100 % target
        let pods = [Self.pod(.ready, usage: 1_010, request: 900), Self.pod(.ready, usage: 1_030, request: 1_000),
                    Self.pod(.ready, usage: 1_020, request: 1_100)]
        let result = Self.cpu(3, target: 100, pods)
        #expect(result?.replicas == 3)
        #expect(result?.utilization == 102)
    }

    @Test func missingMetrics() {   // TestReplicaCalcMissingMetrics*: missing pods count 100 % down, 0 % up
        #expect(Self.cpu(4, target: 100, [Self.pod(.ready, usage: 400), Self.pod(.ready, usage: 95),
                                          Self.pod(.ready, usage: nil), Self.pod(.ready, usage: nil)])?.replicas == 3)
        #expect(Self.cpu(2, target: 100, [Self.pod(.ready, usage: 1_000), Self.pod(.ready, usage: nil)])?.replicas == 2)
        #expect(Self.cpu(2, target: 100, [Self.pod(.ready, usage: 1_900), Self.pod(.ready, usage: nil)])?.replicas == 2)
        #expect(Self.cpu(2, target: 100, [Self.pod(.ready, usage: 600), Self.pod(.ready, usage: nil)])?.replicas == 2)
        #expect(Self.cpu(3, target: 50, [Self.pod(.unready, usage: 100), Self.pod(.ready, usage: 450), Self.pod(.ready, usage: nil)])?.replicas == 3)
    }

    @Test func noUsableMetricsIsAnError() {
        let result = HPAReplicaCalculator.resourceUtilizationReplicas(
            currentReplicas: 2, targetUtilization: 50, pods: [Self.pod(.unready, usage: 100)], isCPU: true,
            tolerances: Self.tolerances, now: Self.now, config: Self.config)
        #expect(throws: HPAMetricError.noMetricsForTargetedPods) { try result.get() }
    }

    /// TestReplicaCalc{ScaleUp,ScaleDown,Tolerance}PerPodCMExternal: External AverageValue, status replicas.
    @Test func externalAverageValue() {
        func replicas(_ status: Int, _ target: Int64) -> Int {
            HPAReplicaCalculator.externalAverageValueReplicas(statusReplicas: status, targetPerPodMilli: target,
                                                              milliValues: [8_600], tolerances: Self.tolerances)
        }
        #expect(replicas(3, 2_150) == 4)
        #expect(replicas(5, 2_867) == 3)
        #expect(replicas(3, 2_900) == 3)
    }

    /// TestReplicaCalcScaleUpCMExternalIgnoresUnreadyPods, ScaleDownCMExternal, ToleranceCMExternal: Value targets
    /// scale the Ready pods.
    @Test func externalValue() {
        func replicas(_ spec: Int, ready: Int, _ target: Int64) -> Int {
            HPAReplicaCalculator.externalValueReplicas(specReplicas: spec, readyReplicas: ready, targetMilli: target,
                                                       milliValues: [8_600], tolerances: Self.tolerances)
        }
        #expect(replicas(3, ready: 1, 4_400) == 2)
        #expect(replicas(5, ready: 5, 14_334) == 3)
        #expect(replicas(3, ready: 3, 8_888) == 3)
    }

    /// The tolerance boundary in doubles: 1.0 + 0.1 is the double nearest 1.1, and 11/10 is that same double.
    @Test func toleranceBoundary() {
        func replicas(_ usage: Int64) -> Int {
            HPAReplicaCalculator.externalAverageValueReplicas(statusReplicas: 10, targetPerPodMilli: 1_000,
                                                              milliValues: [usage], tolerances: Self.tolerances)
        }
        #expect(replicas(11_000) == 10)   // ratio exactly 1.1: inside
        #expect(replicas(11_001) == 12)   // just above: ceil(11.001)
        #expect(replicas(9_000) == 10)    // exactly 0.9: inside
        #expect(replicas(8_999) == 9)     // just below: ceil(8.999)
    }
}
