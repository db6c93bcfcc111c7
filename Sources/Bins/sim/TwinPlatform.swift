import Sim

/// The twin's platform as the manifests declare it: the worker's autoscaling and the topic's partitions.
struct TwinPlatform {
    var settings: TwinSettings
    var partitions: Int
    var spec: AutoscalingPlatformSpec

    static func load(_ path: String) throws -> TwinPlatform {
        let spec = try ManifestReader.loadForCommand(path)
        let scaledObject = spec.workerScaledObject
        let behavior = scaledObject.generatedHPA.behavior?.defaulted ?? HPABehavior().defaulted
        var autoscaling = AutoscalingSpec()
        autoscaling.minReplicas = scaledObject.minReplicaCount
        autoscaling.maxReplicas = scaledObject.maxReplicaCount
        autoscaling.lagThreshold = scaledObject.trigger.lagThreshold
        autoscaling.activationLagThreshold = scaledObject.trigger.activationLagThreshold
        autoscaling.allowIdleConsumers = scaledObject.trigger.allowIdleConsumers
        autoscaling.pollingIntervalSeconds = Int64(scaledObject.pollingIntervalSeconds)
        autoscaling.cooldownPeriodSeconds = Int64(scaledObject.cooldownPeriodSeconds)
        autoscaling.scaleUpStabilizationSeconds = Int64(behavior.scaleUp?.stabilizationWindowSeconds ?? 0)
        autoscaling.scaleDownStabilizationSeconds = Int64(behavior.scaleDown?.stabilizationWindowSeconds ?? 300)
        if let pods = behavior.scaleUp?.policies?.first(where: { $0.kind == .pods }) {
            autoscaling.scaleUpPodsPerPeriod = (pods.value, Int64(pods.periodSeconds))
        }
        if let pods = behavior.scaleDown?.policies?.first(where: { $0.kind == .pods }) {
            autoscaling.scaleDownPodsPerPeriod = (pods.value, Int64(pods.periodSeconds))
        }
        return TwinPlatform(settings: TwinSettings(autoscaling: autoscaling), partitions: spec.topic.partitions, spec: spec)
    }
}
