import Testing
@testable import Sim

/// KEDA's scale loop and generated HPA (kedacore/keda pkg/scaling/executor/scale_scaledobjects.go RequestScale,
/// scaleToZeroOrIdle, scaleFromZeroOrIdle; pkg/scaling/scale_handler.go startScaleLoop; controllers/keda/hpa.go).
@Suite("KEDA ScaledObject controller")
struct AutoscalingKedaControllerTests {
    static func spec(min: Int = 0, max: Int = 12, idle: Int? = nil, cooldown: Int = 300, initialCooldown: Int = 0,
                     behavior: HPABehavior? = nil) -> ScaledObjectSpec {
        ScaledObjectSpec(name: "worker", scaleTargetName: "worker", pollingIntervalSeconds: 15, cooldownPeriodSeconds: cooldown,
                         initialCooldownPeriodSeconds: initialCooldown, minReplicaCount: min, maxReplicaCount: max,
                         idleReplicaCount: idle, behavior: behavior,
                         trigger: KafkaTriggerSpec(consumerGroup: "g", topic: "events", lagThreshold: 100, offsetResetPolicy: .earliest))
    }

    static let busy = [PartitionOffsets(partition: 0, logEndOffset: 500, committedOffset: 100)]
    static let idle = [PartitionOffsets(partition: 0, logEndOffset: 500, committedOffset: 500)]

    @Test func pollsAtCreationThenEveryPollingInterval() {
        var keda = KedaScaledObjectController(spec: Self.spec(min: 1), createdAt: 5_000)
        #expect(keda.nextPollAt == 5_000)
        _ = keda.poll(now: 5_000, currentReplicas: 1, partitions: Self.idle)
        #expect(keda.nextPollAt == 20_000)
        #expect(keda.hpa.nextSyncAt == 20_000)   // the generated HPA's first sync: creation + 15 s
    }

    @Test func activatesFromZeroToMinOrOne() {
        var toOne = KedaScaledObjectController(spec: Self.spec(min: 0), createdAt: 0)
        #expect(toOne.poll(now: 0, currentReplicas: 0, partitions: Self.busy).action == .activated(1))
        #expect(toOne.lastActiveTime == 0)
        var toMin = KedaScaledObjectController(spec: Self.spec(min: 3), createdAt: 0)
        #expect(toMin.poll(now: 0, currentReplicas: 0, partitions: Self.busy).action == .activated(3))
        // Active with replicas already running: KEDA only records the activity; the HPA does the rest.
        #expect(toMin.poll(now: 15_000, currentReplicas: 3, partitions: Self.busy).action == PollResultAction.none)
        #expect(toMin.lastActiveTime == 15_000)
    }

    typealias PollResultAction = KedaScaledObjectController.PollResult.Action

    /// cooldownPeriod applies only to scaling to zero, and `lastActiveTime + cooldown` must be strictly past.
    @Test func cooldownOnlyForScaleToZero() {
        var keda = KedaScaledObjectController(spec: Self.spec(min: 0, cooldown: 60), createdAt: 0)
        _ = keda.poll(now: 0, currentReplicas: 0, partitions: Self.busy)
        #expect(keda.poll(now: 15_000, currentReplicas: 1, partitions: Self.idle).action == .coolingDown)
        #expect(keda.poll(now: 60_000, currentReplicas: 1, partitions: Self.idle).action == .coolingDown)   // 0 + 60 s is not < 60 s
        #expect(keda.poll(now: 60_001, currentReplicas: 1, partitions: Self.idle).action == .deactivated(0))
        // With minReplicaCount >= 1 an idle trigger never makes KEDA scale in: that is the HPA's job.
        var kept = KedaScaledObjectController(spec: Self.spec(min: 1, cooldown: 60), createdAt: 0)
        #expect(kept.poll(now: 600_000, currentReplicas: 4, partitions: Self.idle).action == PollResultAction.none)
    }

    @Test func neverActiveUsesInitialCooldownFromCreation() {
        var keda = KedaScaledObjectController(spec: Self.spec(min: 0, initialCooldown: 30), createdAt: 0)
        #expect(keda.poll(now: 30_000, currentReplicas: 2, partitions: Self.idle).action == .coolingDown)
        #expect(keda.poll(now: 45_000, currentReplicas: 2, partitions: Self.idle).action == .deactivated(0))
    }

    @Test func idleReplicaCountMode() {
        var keda = KedaScaledObjectController(spec: Self.spec(min: 2, idle: 0, cooldown: 0), createdAt: 0)
        #expect(keda.poll(now: 0, currentReplicas: 0, partitions: Self.busy).action == .activated(2))
        #expect(keda.poll(now: 15_000, currentReplicas: 2, partitions: Self.idle).action == .deactivated(0))
    }

    @Test func inactiveBelowMinimumIsRaised() {
        var keda = KedaScaledObjectController(spec: Self.spec(min: 2), createdAt: 0)
        #expect(keda.poll(now: 0, currentReplicas: 1, partitions: Self.idle).action == .raisedToMinimum(2))
    }

    /// controllers/keda/hpa.go: name keda-hpa-<name>, minReplicas max(min, 1), maxReplicas, External metric
    /// s0-kafka-<topic> with lagThreshold as AverageValue, behavior copied and API-defaulted.
    @Test func generatedHPA() {
        let behavior = HPABehavior(scaleDown: HPAScalingRules(stabilizationWindowSeconds: 300, selectPolicy: .min,
                                                              policies: [HPAScalingPolicy(.pods, value: 1, periodSeconds: 120)]))
        let hpa = Self.spec(min: 0, max: 12, behavior: behavior).generatedHPA
        #expect(hpa.name == "keda-hpa-worker")
        #expect(hpa.minReplicas == 1)
        #expect(hpa.maxReplicas == 12)
        #expect(hpa.metrics == [.external(name: "s0-kafka-events", target: .averageValue(milli: 100_000))])
        #expect(hpa.behavior?.scaleDown?.policies == [HPAScalingPolicy(.pods, value: 1, periodSeconds: 120)])
        #expect(hpa.behavior?.scaleUp == HPAScalingRules.defaultScaleUp)
        #expect(Self.spec(min: 4).generatedHPA.minReplicas == 4)
    }

    @Test func boundsChecks() {
        #expect(Self.spec(min: 5, max: 3).boundsErrors() == ["MinReplicaCount=5 must be less than MaxReplicaCount=3"])
        #expect(Self.spec(min: 1, idle: 1).boundsErrors() == ["IdleReplicaCount=1 must be less than MinReplicaCount=1"])
        #expect(Self.spec(min: 1, idle: 0).boundsErrors().isEmpty)
    }

    /// The HPA does not query the metric at 0 replicas (ScalingDisabled), so persistent-lag memory is untouched.
    @Test func hpaSyncAtZeroReplicasReadsNoMetric() {
        var keda = KedaScaledObjectController(spec: Self.spec(min: 0), createdAt: 0)
        let (decision, reading) = keda.syncHPA(now: 15_000, target: HPAScaleTarget(specReplicas: 0, statusReplicas: 0, readyReplicas: 0),
                                               partitions: Self.busy)
        #expect(reading == nil)
        #expect(decision.reason == .scalingDisabled)
    }
}
