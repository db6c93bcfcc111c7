/// The `type: kafka` trigger of a ScaledObject (`triggers[].metadata`), with KEDA's defaults.
public struct KafkaTriggerSpec: Sendable, Equatable, Hashable {
    public enum OffsetResetPolicy: String, Sendable, Hashable {
        case latest
        case earliest
    }

    public var bootstrapServers: [String]
    public var consumerGroup: String
    /// Empty: every topic the group has committed offsets for (not modelled; the shipped trigger names one).
    public var topic: String
    /// Only these partitions count (`partitionLimitation`); nil = all of them.
    public var partitionLimitation: [Int]?
    public var lagThreshold: Int64
    public var activationLagThreshold: Int64
    public var offsetResetPolicy: OffsetResetPolicy
    public var allowIdleConsumers: Bool
    public var excludePersistentLag: Bool
    public var scaleToZeroOnInvalidOffset: Bool
    public var limitToPartitionsWithLag: Bool
    public var ensureEvenDistributionOfPartitions: Bool
    /// `triggers[].metricType`: AverageValue (KEDA's default) or Value; Utilization is refused by KEDA.
    public var metricType: MetricType

    public enum MetricType: String, Sendable, Hashable {
        case averageValue = "AverageValue"
        case value = "Value"
    }

    public init(
        bootstrapServers: [String] = [], consumerGroup: String, topic: String, partitionLimitation: [Int]? = nil,
        lagThreshold: Int64 = 10, activationLagThreshold: Int64 = 0, offsetResetPolicy: OffsetResetPolicy = .latest,
        allowIdleConsumers: Bool = false, excludePersistentLag: Bool = false, scaleToZeroOnInvalidOffset: Bool = false,
        limitToPartitionsWithLag: Bool = false, ensureEvenDistributionOfPartitions: Bool = false,
        metricType: MetricType = .averageValue
    ) {
        self.bootstrapServers = bootstrapServers
        self.consumerGroup = consumerGroup
        self.topic = topic
        self.partitionLimitation = partitionLimitation
        self.lagThreshold = lagThreshold
        self.activationLagThreshold = activationLagThreshold
        self.offsetResetPolicy = offsetResetPolicy
        self.allowIdleConsumers = allowIdleConsumers
        self.excludePersistentLag = excludePersistentLag
        self.scaleToZeroOnInvalidOffset = scaleToZeroOnInvalidOffset
        self.limitToPartitionsWithLag = limitToPartitionsWithLag
        self.ensureEvenDistributionOfPartitions = ensureEvenDistributionOfPartitions
        self.metricType = metricType
    }

    /// The external metric name KEDA registers: `s<triggerIndex>-kafka-<topic>` (GenerateMetricNameWithIndex).
    public func metricName(triggerIndex: Int = 0) -> String {
        "s\(triggerIndex)-" + (topic.isEmpty ? "kafka-\(consumerGroup)-topics" : "kafka-\(topic)")
    }

    /// KEDA's own checks (kafkaMetadata.Validate): a trigger failing them never gets a scaler.
    public func validationErrors() -> [String] {
        var errors: [String] = []
        if lagThreshold <= 0 { errors.append("\"lagThreshold\" must be positive number") }
        if activationLagThreshold < 0 { errors.append("\"activationLagThreshold\" must be a non-negative number") }
        if allowIdleConsumers && limitToPartitionsWithLag {
            errors.append("allowIdleConsumers and limitToPartitionsWithLag cannot be set simultaneously")
        }
        if topic.isEmpty && limitToPartitionsWithLag {
            errors.append("topic must be specified when using limitToPartitionsWithLag")
        }
        if limitToPartitionsWithLag && ensureEvenDistributionOfPartitions {
            errors.append("limitToPartitionsWithLag and ensureEvenDistributionOfPartitions cannot be set simultaneously")
        }
        if topic.isEmpty && ensureEvenDistributionOfPartitions {
            errors.append("topic must be specified when using ensureEvenDistributionOfPartitions")
        }
        return errors
    }
}
