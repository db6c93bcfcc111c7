/// A KEDA `ScaledObject` (keda.sh/v1alpha1) with one kafka trigger, with KEDA's defaults applied.
public struct ScaledObjectSpec: Sendable, Equatable, Hashable {
    public var name: String
    public var scaleTargetName: String
    /// `pollingInterval` (default 30 s): how often KEDA's scale loop asks the scaler whether it is active.
    public var pollingIntervalSeconds: Int
    /// `cooldownPeriod` (default 300 s): only for scaling to zero (or to idleReplicaCount) after the last activity.
    public var cooldownPeriodSeconds: Int
    /// `initialCooldownPeriod` (default 0 s): after creation, before the first scale to zero.
    public var initialCooldownPeriodSeconds: Int
    /// `minReplicaCount` (default 0).
    public var minReplicaCount: Int
    /// `maxReplicaCount` (default 100).
    public var maxReplicaCount: Int
    /// `idleReplicaCount`: the count while inactive, instead of minReplicaCount; nil = not used.
    public var idleReplicaCount: Int?
    /// `advanced.horizontalPodAutoscalerConfig.name`; nil = `keda-hpa-<name>`.
    public var hpaName: String?
    /// `advanced.horizontalPodAutoscalerConfig.behavior`, copied verbatim into the generated HPA.
    public var behavior: HPABehavior?
    public var trigger: KafkaTriggerSpec

    public static let defaultPollingIntervalSeconds = 30
    public static let defaultCooldownPeriodSeconds = 300
    public static let defaultMaxReplicaCount = 100

    public init(
        name: String, scaleTargetName: String,
        pollingIntervalSeconds: Int = ScaledObjectSpec.defaultPollingIntervalSeconds,
        cooldownPeriodSeconds: Int = ScaledObjectSpec.defaultCooldownPeriodSeconds,
        initialCooldownPeriodSeconds: Int = 0, minReplicaCount: Int = 0,
        maxReplicaCount: Int = ScaledObjectSpec.defaultMaxReplicaCount, idleReplicaCount: Int? = nil,
        hpaName: String? = nil, behavior: HPABehavior? = nil, trigger: KafkaTriggerSpec
    ) {
        self.name = name
        self.scaleTargetName = scaleTargetName
        self.pollingIntervalSeconds = pollingIntervalSeconds
        self.cooldownPeriodSeconds = cooldownPeriodSeconds
        self.initialCooldownPeriodSeconds = initialCooldownPeriodSeconds
        self.minReplicaCount = minReplicaCount
        self.maxReplicaCount = maxReplicaCount
        self.idleReplicaCount = idleReplicaCount
        self.hpaName = hpaName
        self.behavior = behavior
        self.trigger = trigger
    }

    /// The HPA KEDA creates (controllers/keda/hpa.go newHPAForScaledObject): minReplicas = minReplicaCount if
    /// > 0, else 1 (an HPA cannot hold zero; KEDA's own loop does 0 <-> 1); maxReplicas = maxReplicaCount;
    /// one External metric per trigger, target `lagThreshold` as AverageValue (or Value); behavior verbatim.
    /// As stored by the API server, i.e. with `behavior` defaulted.
    public var generatedHPA: HPASpec {
        let thresholdMilli = trigger.lagThreshold * 1_000
        let target: HPAMetricTarget = trigger.metricType == .averageValue
            ? .averageValue(milli: thresholdMilli) : .value(milli: thresholdMilli)
        return HPASpec(
            name: hpaName ?? String("keda-hpa-\(name)".prefix(63)),
            scaleTargetName: scaleTargetName,
            minReplicas: minReplicaCount > 0 ? minReplicaCount : 1,
            maxReplicas: maxReplicaCount,
            metrics: [.external(name: trigger.metricName(), target: target)],
            behavior: behavior
        ).defaulted
    }

    /// KEDA's admission checks (CheckReplicaCountBoundsAreValid): min <= max, idle < min.
    public func boundsErrors() -> [String] {
        var errors: [String] = []
        if minReplicaCount > maxReplicaCount {
            errors.append("MinReplicaCount=\(minReplicaCount) must be less than MaxReplicaCount=\(maxReplicaCount)")
        }
        if let idle = idleReplicaCount, idle >= minReplicaCount {
            errors.append("IdleReplicaCount=\(idle) must be less than MinReplicaCount=\(minReplicaCount)")
        }
        return errors
    }
}
