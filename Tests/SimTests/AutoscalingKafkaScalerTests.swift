import Testing
@testable import Sim

/// KEDA's Kafka scaler (kedacore/keda pkg/scalers/kafka_scaler.go). Exact cases from KEDA's end-to-end test
/// tests/scalers/kafka/kafka_test.go (the unit test file only checks metadata parsing), plus the arithmetic of
/// getTotalLag at its boundaries.
@Suite("KEDA kafka scaler")
struct AutoscalingKafkaScalerTests {
    static func partitions(lags: [Int64], committed: Int64 = 100) -> [PartitionOffsets] {
        lags.enumerated().map { PartitionOffsets(partition: $0.offset, logEndOffset: committed + $0.element, committedOffset: committed) }
    }

    /// The HPA KEDA generates, fed the scaler's metric (GetExternalPerPodMetricReplicas, AverageValue target).
    static func hpaProposal(_ reading: KafkaScalerReading, scaler: KedaKafkaScaler, statusReplicas: Int) -> Int {
        guard case .averageValue(let target) = scaler.metricTarget else { return -1 }
        return HPAReplicaCalculator.externalAverageValueReplicas(
            statusReplicas: statusReplicas, targetPerPodMilli: target, milliValues: [reading.metricMilliValue],
            tolerances: HPATolerances(scaleDown: 0.1, scaleUp: 0.1))
    }

    @Test func totalLagIsTheSumOfLogEndMinusCommitted() {
        var scaler = KedaKafkaScaler(trigger: KafkaTriggerSpec(consumerGroup: "g", topic: "events", lagThreshold: 100))
        let reading = scaler.measure([
            PartitionOffsets(partition: 0, logEndOffset: 150, committedOffset: 100),
            PartitionOffsets(partition: 1, logEndOffset: 40, committedOffset: 40),
            PartitionOffsets(partition: 2, logEndOffset: 1_000, committedOffset: 875),
        ])
        #expect(reading.totalLag == 175)
        #expect(reading.totalLagWithPersistent == 175)
        #expect(reading.partitionsWithLag == 2)
        #expect(reading.metricMilliValue == 175_000)
        #expect(scaler.metricTarget == .averageValue(milli: 100_000))
        #expect(scaler.trigger.metricName() == "s0-kafka-events")
    }

    /// kafka_test.go testEarliestPolicy: 3 partitions, lagThreshold 1, activationLagThreshold 1. One message:
    /// no activation; two: 2 replicas; five more: capped at the 3 partitions.
    @Test func e2eEarliestPolicyActivationAndPartitionCap() {
        var scaler = KedaKafkaScaler(trigger: KafkaTriggerSpec(
            consumerGroup: "earliest", topic: "kafka-topic", lagThreshold: 1, activationLagThreshold: 1, offsetResetPolicy: .earliest))
        // Nothing committed yet (the consumer never commits: enable.auto.commit=false): lag = log end offset.
        let one = scaler.measure([
            PartitionOffsets(partition: 0, logEndOffset: 1, committedOffset: nil),
            PartitionOffsets(partition: 1, logEndOffset: 0, committedOffset: nil),
            PartitionOffsets(partition: 2, logEndOffset: 0, committedOffset: nil),
        ])
        #expect(one.totalLag == 1)
        #expect(!one.isActive)   // 1 > 1 is false
        let two = scaler.measure([
            PartitionOffsets(partition: 0, logEndOffset: 1, committedOffset: nil),
            PartitionOffsets(partition: 1, logEndOffset: 1, committedOffset: nil),
            PartitionOffsets(partition: 2, logEndOffset: 0, committedOffset: nil),
        ])
        #expect(two.isActive)
        #expect(Self.hpaProposal(two, scaler: scaler, statusReplicas: 1) == 2)
        let seven = scaler.measure([
            PartitionOffsets(partition: 0, logEndOffset: 3, committedOffset: nil),
            PartitionOffsets(partition: 1, logEndOffset: 2, committedOffset: nil),
            PartitionOffsets(partition: 2, logEndOffset: 2, committedOffset: nil),
        ])
        #expect(seven.totalLagWithPersistent == 7)
        #expect(seven.totalLag == 3)   // 7 / 1 > 3 partitions: capped to 3 * 1
        #expect(Self.hpaProposal(seven, scaler: scaler, statusReplicas: 2) == 3)
    }

    /// kafka_test.go testZeroOnInvalidOffsetWith{Latest,Earliest}OffsetResetPolicy and
    /// testOneOnInvalidOffsetWith{Latest,Earliest}OffsetResetPolicy (activation threshold 0).
    @Test func noCommittedOffsetFollowsOffsetResetPolicy() {
        let uncommitted = [PartitionOffsets(partition: 0, logEndOffset: 5, committedOffset: nil)]
        func reading(_ policy: KafkaTriggerSpec.OffsetResetPolicy, zero: Bool) -> KafkaScalerReading {
            // lagThreshold 10 keeps the single partition's cap (1 x 10) out of the way.
            var scaler = KedaKafkaScaler(trigger: KafkaTriggerSpec(
                consumerGroup: "g", topic: "t", lagThreshold: 10, offsetResetPolicy: policy, scaleToZeroOnInvalidOffset: zero))
            return scaler.measure(uncommitted)
        }
        #expect(reading(.latest, zero: false).totalLag == 1)      // scale to 1 so a consumer can commit
        #expect(reading(.latest, zero: false).isActive)
        #expect(reading(.latest, zero: true).totalLag == 0)
        #expect(!reading(.latest, zero: true).isActive)
        #expect(reading(.earliest, zero: false).totalLag == 5)    // everything from the start is pending
        #expect(reading(.earliest, zero: true).totalLag == 0)
        #expect(!reading(.earliest, zero: true).isActive)
    }

    /// The off-by-one of the cap: `if totalLag/lagThreshold > partitions` (integer division). With 12
    /// partitions and lagThreshold 1000, a lag in (12000, 13000) is not capped and the HPA's ceil asks for 13.
    @Test func partitionCapOffByOne() {
        var scaler = KedaKafkaScaler(trigger: KafkaTriggerSpec(consumerGroup: "g", topic: "events", lagThreshold: 1_000))
        func replicas(totalLag: Int64) -> (Int64, Int) {
            var lags = Array(repeating: totalLag / 12, count: 12)
            lags[0] += totalLag % 12
            let reading = scaler.measure(Self.partitions(lags: lags))
            return (reading.totalLag, Self.hpaProposal(reading, scaler: scaler, statusReplicas: 1))
        }
        #expect(replicas(totalLag: 12_000) == (12_000, 12))
        #expect(replicas(totalLag: 12_001) == (12_001, 13))
        #expect(replicas(totalLag: 12_999) == (12_999, 13))
        #expect(replicas(totalLag: 13_000) == (12_000, 12))   // 13 > 12: capped
        #expect(replicas(totalLag: 500_000) == (12_000, 12))
    }

    /// ... unless maxReplicaCount caps it: the generated HPA's maxReplicas = maxReplicaCount = partitions.
    @Test func maxReplicaCountHidesTheOffByOne() {
        let spec = ScaledObjectSpec(name: "worker", scaleTargetName: "worker", minReplicaCount: 1, maxReplicaCount: 12,
                                    trigger: KafkaTriggerSpec(consumerGroup: "g", topic: "events", lagThreshold: 1_000))
        var controller = KedaScaledObjectController(spec: spec, createdAt: 0)
        var lags = Array(repeating: Int64(1_000), count: 12)
        lags[0] += 500   // total 12 500: the metric asks for 13
        let (decision, reading) = controller.syncHPA(
            now: 15_000, target: HPAScaleTarget(specReplicas: 10, statusReplicas: 10, readyReplicas: 10),
            partitions: Self.partitions(lags: lags))
        #expect(reading?.totalLag == 12_500)
        #expect(decision.metricProposal == 13)
        #expect(decision.desiredReplicas == 12)
        #expect(decision.reason == .tooManyReplicas)
    }

    @Test func allowIdleConsumersRemovesTheCap() {
        var scaler = KedaKafkaScaler(trigger: KafkaTriggerSpec(
            consumerGroup: "g", topic: "t", lagThreshold: 10, allowIdleConsumers: true))
        #expect(scaler.measure(Self.partitions(lags: [300, 200])).totalLag == 500)
    }

    /// kafka_test.go testScalingOnlyPartitionsWithLag: 3 partitions, lagThreshold 1; 6 records on one partition
    /// give 1 replica, 5 more on a second partition give 2.
    @Test func e2eLimitToPartitionsWithLag() {
        var scaler = KedaKafkaScaler(trigger: KafkaTriggerSpec(
            consumerGroup: "g", topic: "t", lagThreshold: 1, activationLagThreshold: 1, limitToPartitionsWithLag: true))
        let first = scaler.measure(Self.partitions(lags: [6, 0, 0]))
        #expect(first.totalLag == 1)
        #expect(Self.hpaProposal(first, scaler: scaler, statusReplicas: 1) == 1)
        let second = scaler.measure(Self.partitions(lags: [6, 5, 0]))
        #expect(second.totalLag == 2)
        #expect(Self.hpaProposal(second, scaler: scaler, statusReplicas: 1) == 2)
    }

    /// kafka_test.go testScalingEnsureEvenDistributionOfPartitions: 10 partitions, lagThreshold 1: lag 5 -> 5
    /// replicas (a divisor of 10), lag 8 -> 10.
    @Test func e2eEnsureEvenDistributionOfPartitions() {
        var scaler = KedaKafkaScaler(trigger: KafkaTriggerSpec(
            consumerGroup: "g", topic: "t", lagThreshold: 1, activationLagThreshold: 1, ensureEvenDistributionOfPartitions: true))
        #expect(scaler.measure(Self.partitions(lags: [5, 0, 0, 0, 0, 0, 0, 0, 0, 0])).totalLag == 5)
        #expect(scaler.measure(Self.partitions(lags: [8, 0, 0, 0, 0, 0, 0, 0, 0, 0])).totalLag == 10)
        // Even with no lag the metric is one threshold (the smallest divisor 1 satisfies 1 * T >= 0): the HPA
        // never goes below one replica from this metric.
        let idle = scaler.measure(Self.partitions(lags: Array(repeating: 0, count: 10)))
        #expect(idle.totalLag == 1)
        #expect(!idle.isActive)
    }

    /// excludePersistentLag: a partition whose committed offset did not move since the previous measurement
    /// does not count for scaling, but still counts for activation (lagWithPersistent).
    @Test func excludePersistentLagNeedsTwoMeasurements() {
        var scaler = KedaKafkaScaler(trigger: KafkaTriggerSpec(consumerGroup: "g", topic: "t", lagThreshold: 100, excludePersistentLag: true))
        let stuck = [PartitionOffsets(partition: 0, logEndOffset: 150, committedOffset: 100),
                     PartitionOffsets(partition: 1, logEndOffset: 90, committedOffset: 60)]
        #expect(scaler.measure(stuck).totalLag == 80)   // first sight: counted, offsets remembered
        let moving = [PartitionOffsets(partition: 0, logEndOffset: 160, committedOffset: 100),
                      PartitionOffsets(partition: 1, logEndOffset: 95, committedOffset: 70)]
        let second = scaler.measure(moving)
        #expect(second.totalLag == 25)                   // partition 0 stuck at 100: excluded
        #expect(second.totalLagWithPersistent == 85)
        #expect(second.isActive)
        #expect(second.partitionsWithLag == 1)
    }

    @Test func partitionLimitationCountsOnlyListedPartitions() {
        var scaler = KedaKafkaScaler(trigger: KafkaTriggerSpec(consumerGroup: "g", topic: "t", partitionLimitation: [1, 2], lagThreshold: 10))
        let reading = scaler.measure(Self.partitions(lags: [1_000, 30, 40, 1_000]))
        #expect(reading.partitionCount == 2)
        #expect(reading.totalLag == 20)   // 70 / 10 = 7 > 2 partitions: capped at 2 * 10
        #expect(reading.totalLagWithPersistent == 70)
    }

    @Test func kedaRefusesInvalidTriggers() {
        #expect(KafkaTriggerSpec(consumerGroup: "g", topic: "t", lagThreshold: 0).validationErrors() == ["\"lagThreshold\" must be positive number"])
        #expect(!KafkaTriggerSpec(consumerGroup: "g", topic: "t", activationLagThreshold: -1).validationErrors().isEmpty)
        #expect(!KafkaTriggerSpec(consumerGroup: "g", topic: "t", allowIdleConsumers: true, limitToPartitionsWithLag: true).validationErrors().isEmpty)
        #expect(KafkaTriggerSpec(consumerGroup: "g", topic: "t").validationErrors().isEmpty)
    }
}
