/// A property of the autoscaling manifests that the twin requires of the platform, broken.
public struct SpecViolation: Sendable, Equatable, Hashable, CustomStringConvertible {
    public enum Rule: String, Sendable, Hashable, CaseIterable {
        /// maxReplicaCount above the topic's partitions: consumers past the partition count idle.
        case maxReplicasAbovePartitions = "max-replicas-above-partitions"
        /// allowIdleConsumers lets KEDA's metric ask for more consumers than partitions.
        case idleConsumersAllowed = "idle-consumers-allowed"
        /// minReplicaCount 0: the consumer group can vanish (no commits, no lag alerts, a cold start per burst).
        case minReplicasZero = "min-replicas-zero"
        /// A scale-down stabilization window of 0: every dip in lag or CPU removes a pod (thrash).
        case noScaleDownStabilization = "no-scale-down-stabilization"
        /// KEDA or the API server would refuse the object (bounds, trigger metadata).
        case rejectedByKeda = "rejected-by-keda"
        case hpaBounds = "hpa-bounds"
        /// The trigger watches a topic other than the KafkaTopic in the manifests.
        case triggerTopicMismatch = "trigger-topic-mismatch"
        /// The autoscaler targets another Deployment than the one given.
        case scaleTargetMismatch = "scale-target-mismatch"
        /// terminationGracePeriodSeconds not above preStop sleep + the worker's drain deadline.
        case gracePeriodTooShort = "grace-period-too-short"
    }

    public let rule: Rule
    public let message: String

    public init(_ rule: Rule, _ message: String) {
        self.rule = rule
        self.message = message
    }

    public var description: String { "\(rule.rawValue): \(message)" }
}
