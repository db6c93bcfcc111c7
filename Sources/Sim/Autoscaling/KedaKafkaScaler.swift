/// KEDA's Apache Kafka scaler (`type: kafka`, pkg/scalers/kafka_scaler.go): total consumer-group lag as an
/// external metric, capped so the HPA never asks for more consumers than partitions (almost, see `measure`).
///
/// A value type: the only state is what `excludePersistentLag` remembers between two measurements (upstream's
/// `previousOffsets`), which every call advances, whether KEDA's polling loop or the HPA's metric query made it.
public struct KedaKafkaScaler: Sendable, Equatable {
    public let trigger: KafkaTriggerSpec
    /// Committed offset seen at the previous measurement, by partition (lookups only, never iterated).
    private var previousOffsets: [Int: Int64] = [:]

    /// The trigger must pass `validationErrors()` (KEDA refuses to build a scaler otherwise): lagThreshold > 0.
    public init(trigger: KafkaTriggerSpec) {
        precondition(trigger.lagThreshold > 0, "lagThreshold must be positive (KafkaTriggerSpec.validationErrors)")
        self.trigger = trigger
    }

    /// The HPA metric target KEDA declares (GetMetricSpecForScaling + GetMetricTarget): `lagThreshold` as an
    /// AverageValue (or Value) quantity, i.e. lagThreshold * 1000 milli.
    public var metricTarget: HPAMetricTarget {
        let milli = trigger.lagThreshold * 1_000
        return trigger.metricType == .averageValue ? .averageValue(milli: milli) : .value(milli: milli)
    }

    /// getTotalLag + GetMetricsAndActivity. Partitions outside `partitionLimitation` are not read at all.
    ///
    /// The cap (when `allowIdleConsumers` is false, or with limitToPartitionsWithLag / even distribution) is
    /// applied only when `totalLag / lagThreshold > upperBound` in integer division, and then sets the lag to
    /// `upperBound * lagThreshold`. A lag strictly between P*T and (P+1)*T is therefore left as is, and the
    /// HPA's ceil(lag / T) asks for P+1 replicas: upstream's off-by-one, reproduced on purpose.
    public mutating func measure(_ partitions: [PartitionOffsets]) -> KafkaScalerReading {
        let considered = partitions.filter { offsets in
            trigger.partitionLimitation.map { $0.contains(offsets.partition) } ?? true
        }
        var totalLag: Int64 = 0
        var totalLagWithPersistent: Int64 = 0
        var partitionsWithLag: Int64 = 0
        for offsets in considered {
            let (lag, lagWithPersistent) = lagForPartition(offsets)
            totalLag += lag
            totalLagWithPersistent += lagWithPersistent
            if lag > 0 { partitionsWithLag += 1 }
        }
        let totalTopicPartitions = Int64(considered.count)
        let threshold = trigger.lagThreshold
        if !trigger.allowIdleConsumers || trigger.limitToPartitionsWithLag || trigger.ensureEvenDistributionOfPartitions {
            var upperBound = totalTopicPartitions
            if trigger.ensureEvenDistributionOfPartitions {
                totalLag = Self.nextBalancingFactor(totalLag: totalLag, partitions: totalTopicPartitions, threshold: threshold) * threshold
            }
            if trigger.limitToPartitionsWithLag {
                upperBound = partitionsWithLag
            }
            // Go's int64 division truncates toward zero, as Swift's does.
            if totalLag / threshold > upperBound {
                totalLag = upperBound * threshold
            }
        }
        return KafkaScalerReading(
            totalLag: totalLag, totalLagWithPersistent: totalLagWithPersistent,
            isActive: totalLagWithPersistent > trigger.activationLagThreshold,
            partitionCount: considered.count, partitionsWithLag: Int(partitionsWithLag)
        )
    }

    /// getLagForPartition: (lag used for scaling, lag used for activation).
    private mutating func lagForPartition(_ offsets: PartitionOffsets) -> (Int64, Int64) {
        guard let committed = offsets.committedOffset else {
            switch trigger.offsetResetPolicy {
            case .latest:
                // A new group would start at the end: one pending record, so that a consumer exists to commit.
                let lag: Int64 = trigger.scaleToZeroOnInvalidOffset ? 0 : 1
                return (lag, lag)
            case .earliest:
                // A new group would start at the beginning: the whole log end offset counts (this version does
                // not subtract the log start offset, so records deleted by retention count too).
                return trigger.scaleToZeroOnInvalidOffset ? (0, 0) : (offsets.logEndOffset, offsets.logEndOffset)
            }
        }
        let lag = offsets.logEndOffset - committed
        if trigger.excludePersistentLag {
            if let previous = previousOffsets[offsets.partition], previous == committed {
                // The group did not move since the last measurement: a stuck partition does not scale out.
                return (0, lag)
            }
            previousOffsets[offsets.partition] = committed
        }
        return (lag, lag)
    }

    /// getNextFactorThatBalancesConsumersToTopicPartitions: the smallest divisor f of the partition count with
    /// f * threshold >= lag, else the partition count.
    static func nextBalancingFactor(totalLag: Int64, partitions: Int64, threshold: Int64) -> Int64 {
        guard partitions >= 1 else { return partitions }
        for factor in 1...partitions where partitions % factor == 0 && factor * threshold >= totalLag {
            return factor
        }
        return partitions
    }
}
