/// Why the HPA could not compute a proposal from one metric (the sync then keeps the current count when no
/// metric worked, or when a working one would scale down).
public enum HPAMetricError: Error, Sendable, Equatable, Hashable {
    case metricsUnavailable
    case noPodsReturned
    case noMetricsForTargetedPods
    case missingRequest
    case noMetricsMatchedKnownPods
}
