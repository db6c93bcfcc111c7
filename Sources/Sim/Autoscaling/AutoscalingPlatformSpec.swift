/// Everything the twin reads from the app manifests: the worker with its ScaledObject (and the HPA KEDA makes of
/// it), the api with its HPA, and the topic the worker consumes.
public struct AutoscalingPlatformSpec: Sendable, Equatable, Hashable {
    public var worker: DeploymentSpec
    public var workerScaledObject: ScaledObjectSpec
    public var api: DeploymentSpec
    public var apiHPA: HPASpec
    public var topic: KafkaTopicSpec
    /// Broker count of the Kafka node pool, when the manifests have one.
    public var kafkaBrokers: Int?

    public init(
        worker: DeploymentSpec, workerScaledObject: ScaledObjectSpec, api: DeploymentSpec, apiHPA: HPASpec,
        topic: KafkaTopicSpec, kafkaBrokers: Int? = nil
    ) {
        self.worker = worker
        self.workerScaledObject = workerScaledObject
        self.api = api
        self.apiHPA = apiHPA
        self.topic = topic
        self.kafkaBrokers = kafkaBrokers
    }

    /// The HPA KEDA creates for the worker, as the API server stores it.
    public var workerHPA: HPASpec { workerScaledObject.generatedHPA }

    /// The properties the manifests must have; empty when all hold.
    public func validate() -> [SpecViolation] {
        var violations: [SpecViolation] = []
        let scaled = workerScaledObject
        let trigger = scaled.trigger
        for error in scaled.boundsErrors() + trigger.validationErrors() {
            violations.append(SpecViolation(.rejectedByKeda, "ScaledObject \(scaled.name): \(error)"))
        }
        if scaled.maxReplicaCount > topic.partitions {
            violations.append(SpecViolation(.maxReplicasAbovePartitions,
                "ScaledObject \(scaled.name) allows maxReplicaCount \(scaled.maxReplicaCount) consumers but topic \(topic.topicName) has \(topic.partitions) partitions: \(scaled.maxReplicaCount - topic.partitions) of them would idle"))
        }
        if trigger.allowIdleConsumers {
            violations.append(SpecViolation(.idleConsumersAllowed,
                "ScaledObject \(scaled.name) sets allowIdleConsumers: true, so its metric is not capped at the partition count"))
        }
        if scaled.minReplicaCount < 1 {
            violations.append(SpecViolation(.minReplicasZero,
                "ScaledObject \(scaled.name) has minReplicaCount \(scaled.minReplicaCount): the consumer group can vanish"))
        }
        if trigger.topic != topic.topicName {
            violations.append(SpecViolation(.triggerTopicMismatch,
                "ScaledObject \(scaled.name) watches topic \"\(trigger.topic)\" but the KafkaTopic is \"\(topic.topicName)\""))
        }
        if scaled.scaleTargetName != worker.name {
            violations.append(SpecViolation(.scaleTargetMismatch,
                "ScaledObject \(scaled.name) scales \"\(scaled.scaleTargetName)\", not the worker Deployment \"\(worker.name)\""))
        }
        if apiHPA.scaleTargetName != api.name {
            violations.append(SpecViolation(.scaleTargetMismatch,
                "HPA \(apiHPA.name) scales \"\(apiHPA.scaleTargetName)\", not the api Deployment \"\(api.name)\""))
        }
        if apiHPA.minReplicas > apiHPA.maxReplicas || apiHPA.maxReplicas < 1 {
            violations.append(SpecViolation(.hpaBounds,
                "HPA \(apiHPA.name) has minReplicas \(apiHPA.minReplicas) and maxReplicas \(apiHPA.maxReplicas)"))
        }
        for hpa in [workerHPA, apiHPA] {
            let window = HorizontalPodAutoscaler(spec: hpa, createdAt: 0).scaleDownStabilizationWindow
            if window == 0 {
                violations.append(SpecViolation(.noScaleDownStabilization,
                    "HPA \(hpa.name) has a scale-down stabilization window of 0 s: every dip removes a pod"))
            }
        }
        if let drain = worker.environmentValue("SHUTDOWN_GRACE_SECONDS").flatMap(Int.init) {
            let needed = drain + (worker.preStopSleepSeconds ?? 0)
            if worker.terminationGracePeriodSeconds <= needed {
                violations.append(SpecViolation(.gracePeriodTooShort,
                    "Deployment \(worker.name): terminationGracePeriodSeconds \(worker.terminationGracePeriodSeconds) is not above preStop \(worker.preStopSleepSeconds ?? 0) s + drain \(drain) s"))
            }
        }
        return violations
    }
}
