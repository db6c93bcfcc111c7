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
        guard let metadata = trigger["metadata"], let pairs = metadata.pairs else {
            throw invalid(field + ".metadata", "is missing")
        }
        // metadata is map[string]string in KEDA's CRD: unquoted numbers or booleans are refused.
        var values: [String: String] = [:]
        for pair in pairs {
            guard case .scalar(let text, .string) = pair.value else {
                throw invalid("\(field).metadata.\(pair.key)", "must be a string (quote it), got \(Self.describe(pair.value))")
            }
            values[pair.key] = text
        }
        for unsupported in ["bootstrapServersFromEnv", "consumerGroupFromEnv", "topicFromEnv"] where values[unsupported] != nil {
            throw invalid("\(field).metadata.\(unsupported)", "is not modelled: name the value in the manifest")
        }
        func required(_ key: String) throws(ManifestError) -> String {
            guard let value = values[key], !value.isEmpty else { throw invalid("\(field).metadata.\(key)", "is missing") }
            return value
        }
        func flag(_ key: String) throws(ManifestError) -> Bool {
            guard let text = values[key] else { return false }
            guard let value = GoValueParsing.bool(text) else {
                throw invalid("\(field).metadata.\(key)", "must be a boolean (true/false), got \"\(text)\"")
            }
            return value
        }
        func integer(_ key: String, default fallback: Int64) throws(ManifestError) -> Int64 {
            guard let text = values[key] else { return fallback }
            guard let value = GoValueParsing.int64(text) else {
                throw invalid("\(field).metadata.\(key)", "must be an integer, got \"\(text)\"")
            }
            return value
        }
        var policy = KafkaTriggerSpec.OffsetResetPolicy.latest
        if let text = values["offsetResetPolicy"] {
            guard let parsed = KafkaTriggerSpec.OffsetResetPolicy(rawValue: text) else {
                throw invalid("\(field).metadata.offsetResetPolicy", "must be latest or earliest, got \"\(text)\"")
            }
            policy = parsed
        }
        var limitation: [Int]?
        if let text = values["partitionLimitation"], !text.trimmingCharactersOfSpace.isEmpty {
            guard let parsed = GoValueParsing.partitionList(text) else {
                throw invalid("\(field).metadata.partitionLimitation", "is not a list like 1,2,10-20: \"\(text)\"")
            }
            limitation = parsed
        }
        var metricType = KafkaTriggerSpec.MetricType.averageValue
        if let text = try string("metricType", in: trigger, field: field + ".metricType") {
            guard let parsed = KafkaTriggerSpec.MetricType(rawValue: text) else {
                throw invalid(field + ".metricType", "must be AverageValue or Value for a kafka trigger, got \"\(text)\"")
            }
            metricType = parsed
        }
        let spec = KafkaTriggerSpec(
            bootstrapServers: try required("bootstrapServers").split(separator: ",").map(String.init),
            consumerGroup: try required("consumerGroup"),
            topic: try required("topic"),
            partitionLimitation: limitation,
            lagThreshold: try integer("lagThreshold", default: 10),
            activationLagThreshold: try integer("activationLagThreshold", default: 0),
            offsetResetPolicy: policy,
            allowIdleConsumers: try flag("allowIdleConsumers"),
            excludePersistentLag: try flag("excludePersistentLag"),
            scaleToZeroOnInvalidOffset: try flag("scaleToZeroOnInvalidOffset"),
            limitToPartitionsWithLag: try flag("limitToPartitionsWithLag"),
            ensureEvenDistributionOfPartitions: try flag("ensureEvenDistributionOfPartitions"),
            metricType: metricType
        )
        if let error = spec.validationErrors().first { throw invalid(field + ".metadata", error) }
        return spec
    }
}

extension String {
    var trimmingCharactersOfSpace: String { Substring(self).trimmingSpaces }
}
