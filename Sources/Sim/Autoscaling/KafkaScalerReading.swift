/// One answer of KEDA's Kafka scaler (GetMetricsAndActivity): the external metric the HPA divides by the
/// target, and whether the trigger is active.
public struct KafkaScalerReading: Sendable, Equatable, Hashable {
    /// The metric: summed lag after the persistent-lag exclusion and the partition caps.
    public let totalLag: Int64
    /// The summed lag without the persistent-lag exclusion and without caps: what activation compares.
    public let totalLagWithPersistent: Int64
    /// `totalLagWithPersistent > activationLagThreshold`.
    public let isActive: Bool
    /// Partitions considered (after `partitionLimitation`).
    public let partitionCount: Int
    /// Partitions whose (possibly excluded) lag is > 0.
    public let partitionsWithLag: Int

    /// The value served to the HPA in milli-units: GenerateMetricInMili formats `float64(totalLag)` with "%.3f"
    /// and parses it as a Quantity, which is exactly `totalLag * 1000` for every lag below 2^53.
    public var metricMilliValue: Int64 { totalLag * 1_000 }
}
