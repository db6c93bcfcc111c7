/// The outcome of one HPA sync.
public struct HPADecision: Sendable, Equatable, Hashable {
    /// Why the count is what it is: upstream's ScalingLimited / AbleToScale reasons, plus the early exits.
    public enum Reason: String, Sendable, Hashable {
        case desiredWithinRange = "DesiredWithinRange"
        case scaleUpLimit = "ScaleUpLimit"
        case scaleDownLimit = "ScaleDownLimit"
        case tooManyReplicas = "TooManyReplicas"
        case tooFewReplicas = "TooFewReplicas"
        /// scale.spec.replicas is 0 and minReplicas is not: the HPA does nothing (KEDA owns 0 <-> 1).
        case scalingDisabled = "ScalingDisabled"
        /// Current count above maxReplicas: set to max without looking at metrics.
        case aboveMaxReplicas = "AboveMaxReplicas"
        /// Current count below minReplicas: set to min without looking at metrics.
        case belowMinReplicas = "BelowMinReplicas"
        /// No metric could be computed (or one failed while the others would scale down): no change.
        case failedComputeMetricsReplicas = "FailedComputeMetricsReplicas"
    }

    /// The new `scale.spec.replicas` (equal to the current count when nothing changes).
    public let desiredReplicas: Int
    public let rescaled: Bool
    /// The metrics' proposal (max over metrics) before stabilization and rate limits; nil when not computed.
    public let metricProposal: Int?
    /// The proposal after the stabilization window; nil when not computed.
    public let stabilizedRecommendation: Int?
    public let reason: Reason

    public init(desiredReplicas: Int, rescaled: Bool, metricProposal: Int?, stabilizedRecommendation: Int?, reason: Reason) {
        self.desiredReplicas = desiredReplicas
        self.rescaled = rescaled
        self.metricProposal = metricProposal
        self.stabilizedRecommendation = stabilizedRecommendation
        self.reason = reason
    }
}
