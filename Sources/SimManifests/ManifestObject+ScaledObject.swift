import Sim

/// A keda.sh ScaledObject with one kafka trigger, read the way KEDA reads it (trigger metadata are strings,
/// parsed with Go's strconv; KEDA's own checks applied).
extension ManifestObject {
    func scaledObjectSpec() throws(ManifestError) -> ScaledObjectSpec {
        let targetKind = try string("spec.scaleTargetRef.kind") ?? "Deployment"
        guard targetKind == "Deployment" else {
            throw invalid("spec.scaleTargetRef.kind", "must be Deployment for the twin, got \"\(targetKind)\"")
        }
        guard let triggers = node.at("spec.triggers")?.items, !triggers.isEmpty else {
            throw invalid("spec.triggers", "is missing")
        }
        var kafkaTriggers: [(index: Int, node: ManifestNode)] = []
        for (index, trigger) in triggers.enumerated() {
            let type = try string("type", in: trigger, field: "spec.triggers[\(index)].type") ?? ""
            guard type == "kafka" else {
                throw invalid("spec.triggers[\(index)].type", "is \"\(type)\": the twin models the kafka trigger only")
            }
            kafkaTriggers.append((index, trigger))
        }
        guard kafkaTriggers.count == 1, let trigger = kafkaTriggers.first else {
            throw invalid("spec.triggers", "has \(kafkaTriggers.count) kafka triggers: the twin models exactly one")
        }
        let spec = ScaledObjectSpec(
            name: name,
            scaleTargetName: try requiredString("spec.scaleTargetRef.name"),
            pollingIntervalSeconds: try nonNegative("spec.pollingInterval") ?? ScaledObjectSpec.defaultPollingIntervalSeconds,
            cooldownPeriodSeconds: try nonNegative("spec.cooldownPeriod") ?? ScaledObjectSpec.defaultCooldownPeriodSeconds,
            initialCooldownPeriodSeconds: try nonNegative("spec.initialCooldownPeriod") ?? 0,
            minReplicaCount: try nonNegative("spec.minReplicaCount") ?? 0,
            maxReplicaCount: try nonNegative("spec.maxReplicaCount") ?? ScaledObjectSpec.defaultMaxReplicaCount,
            idleReplicaCount: try nonNegative("spec.idleReplicaCount"),
            hpaName: try string("spec.advanced.horizontalPodAutoscalerConfig.name"),
            behavior: try behavior(at: "spec.advanced.horizontalPodAutoscalerConfig.behavior"),
            trigger: try kafkaTrigger(trigger.node, field: "spec.triggers[\(trigger.index)]")
        )
        if let error = spec.boundsErrors().first { throw invalid("spec", error) }
        return spec
    }

    private func nonNegative(_ path: String) throws(ManifestError) -> Int? {
        guard let value = try int(path) else { return nil }
        guard value >= 0 else { throw invalid(path, "must not be negative, got \(value)") }
        return value
    }

    private func kafkaTrigger(_ trigger: ManifestNode, field: String) throws(ManifestError) -> KafkaTriggerSpec {
        let metadata = try TriggerMetadata(trigger, of: self, field: field)
        for unsupported in ["bootstrapServersFromEnv", "consumerGroupFromEnv", "topicFromEnv"] where metadata.has(unsupported) {
            throw metadata.invalid(unsupported, "is not modelled: name the value in the manifest")
        }
        var metricType = KafkaTriggerSpec.MetricType.averageValue
        if let text = try string("metricType", in: trigger, field: field + ".metricType") {
            guard let parsed = KafkaTriggerSpec.MetricType(rawValue: text) else {
                throw invalid(field + ".metricType", "must be AverageValue or Value for a kafka trigger, got \"\(text)\"")
            }
            metricType = parsed
        }
        let spec = KafkaTriggerSpec(
            bootstrapServers: try metadata.required("bootstrapServers").split(separator: ",").map(String.init),
            consumerGroup: try metadata.required("consumerGroup"),
            topic: try metadata.required("topic"),
            partitionLimitation: try metadata.partitionList("partitionLimitation"),
            lagThreshold: try metadata.integer("lagThreshold", default: 10),
            activationLagThreshold: try metadata.integer("activationLagThreshold", default: 0),
            offsetResetPolicy: try metadata.choice("offsetResetPolicy", default: .latest, allowed: "latest or earliest"),
            allowIdleConsumers: try metadata.flag("allowIdleConsumers"),
            excludePersistentLag: try metadata.flag("excludePersistentLag"),
            scaleToZeroOnInvalidOffset: try metadata.flag("scaleToZeroOnInvalidOffset"),
            limitToPartitionsWithLag: try metadata.flag("limitToPartitionsWithLag"),
            ensureEvenDistributionOfPartitions: try metadata.flag("ensureEvenDistributionOfPartitions"),
            metricType: metricType
        )
        if let error = spec.validationErrors().first { throw invalid(field + ".metadata", error) }
        return spec
    }
}

extension String {
    var trimmingCharactersOfSpace: String { Substring(self).trimmingSpaces }
}
