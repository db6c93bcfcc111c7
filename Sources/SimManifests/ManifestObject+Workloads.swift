import Sim

/// Deployments, autoscaling/v2 HPAs and Strimzi topics / node pools.
extension ManifestObject {
    func deploymentSpec() throws(ManifestError) -> DeploymentSpec {
        let pod = "spec.template.spec"
        guard let containers = node.at(pod + ".containers")?.items, let container = containers.first else {
            throw invalid(pod + ".containers", "is missing")
        }
        let c = pod + ".containers[0]"
        func milli(_ path: String) throws(ManifestError) -> Int64? {
            guard let text = try quantityText(path, in: container, field: "\(c).\(path)") else { return nil }
            guard let value = GoValueParsing.milliQuantity(text) else { throw invalid("\(c).\(path)", "is not a quantity: \"\(text)\"") }
            return value
        }
        let memoryMilli = try milli("resources.requests.memory")
        var spread: [TopologySpreadConstraint] = []
        for (index, item) in (node.at(pod + ".topologySpreadConstraints")?.items ?? []).enumerated() {
            let field = "\(pod).topologySpreadConstraints[\(index)]"
            let when = try string("whenUnsatisfiable", in: item, field: field + ".whenUnsatisfiable") ?? "DoNotSchedule"
            guard let policy = TopologySpreadConstraint.WhenUnsatisfiable(rawValue: when) else {
                throw invalid(field + ".whenUnsatisfiable", "must be DoNotSchedule or ScheduleAnyway, got \"\(when)\"")
            }
            spread.append(TopologySpreadConstraint(
                maxSkew: try requiredInt("maxSkew", in: item, field: field + ".maxSkew"),
                topologyKey: try requiredString("topologyKey", in: item),
                whenUnsatisfiable: policy
            ))
        }
        var environment: [EnvironmentVariable] = []
        for item in container["env"]?.items ?? [] {
            if let name = item["name"]?.scalarText, let value = item["value"]?.scalarText {
                environment.append(EnvironmentVariable(name: name, value: value))
            }
        }
        return DeploymentSpec(
            name: name,
            replicas: try int("spec.replicas"),
            containerName: try requiredString("name", in: container),
            cpuRequestMilli: try milli("resources.requests.cpu"),
            cpuLimitMilli: try milli("resources.limits.cpu"),
            memoryRequestBytes: memoryMilli.map { ($0 + 999) / 1_000 },
            terminationGracePeriodSeconds: try int(pod + ".terminationGracePeriodSeconds") ?? 30,
            preStopSleepSeconds: try int("lifecycle.preStop.sleep.seconds", in: container, field: c + ".lifecycle.preStop.sleep.seconds"),
            startupProbe: try probe("startupProbe", in: container, field: c + ".startupProbe"),
            readinessProbe: try probe("readinessProbe", in: container, field: c + ".readinessProbe"),
            livenessProbe: try probe("livenessProbe", in: container, field: c + ".livenessProbe"),
            topologySpread: spread,
            maxSurge: try intOrPercent("spec.strategy.rollingUpdate.maxSurge") ?? .percent(25),
            maxUnavailable: try intOrPercent("spec.strategy.rollingUpdate.maxUnavailable") ?? .percent(25),
            environment: environment
        )
    }

    private func probe(_ key: String, in container: ManifestNode, field: String) throws(ManifestError) -> ProbeSpec? {
        guard let probe = container[key], probe.pairs != nil else { return nil }
        func value(_ name: String, _ fallback: Int) throws(ManifestError) -> Int {
            try int(name, in: probe, field: "\(field).\(name)") ?? fallback
        }
        return ProbeSpec(
            initialDelaySeconds: try value("initialDelaySeconds", 0), periodSeconds: try value("periodSeconds", 10),
            timeoutSeconds: try value("timeoutSeconds", 1), successThreshold: try value("successThreshold", 1),
            failureThreshold: try value("failureThreshold", 3)
        )
    }

    private func intOrPercent(_ path: String) throws(ManifestError) -> IntOrPercent? {
        guard let value = node.at(path) else { return nil }
        switch value {
        case .scalar(let text, .int): if let count = Int(text) { return .count(count) }
        case .scalar(let text, .string): if text.hasSuffix("%"), let percent = Int(text.dropLast()) { return .percent(percent) }
        default: break
        }
        throw invalid(path, "must be an integer or a percentage like \"25%\", got \(Self.describe(value))")
    }

    func hpaSpec() throws(ManifestError) -> HPASpec {
        guard apiVersion == "autoscaling/v2" else {
            throw invalid("apiVersion", "must be autoscaling/v2 (the version with behavior), got \(apiVersion)")
        }
        var metrics: [HPAMetricSpec] = []
        for (index, item) in (node.at("spec.metrics")?.items ?? []).enumerated() {
            let field = "spec.metrics[\(index)]"
            let type = try string("type", in: item, field: field + ".type") ?? ""
            switch type {
            case "Resource":
                let resource = try requiredString("resource.name", in: item)
                metrics.append(.resource(name: resource, target: try metricTarget(item, at: "resource.target", field: field + ".resource.target")))
            case "External":
                let metric = try requiredString("external.metric.name", in: item)
                metrics.append(.external(name: metric, target: try metricTarget(item, at: "external.target", field: field + ".external.target")))
            default:
                throw invalid(field + ".type", "is \"\(type)\": the twin models Resource and External metrics")
            }
        }
        let minReplicas = try int("spec.minReplicas") ?? 1
        let maxReplicas = try requiredInt("spec.maxReplicas")
        guard minReplicas <= maxReplicas, maxReplicas >= 1 else {
            throw invalid("spec", "minReplicas \(minReplicas) and maxReplicas \(maxReplicas) are out of order")
        }
        return HPASpec(
            name: name, scaleTargetName: try requiredString("spec.scaleTargetRef.name"), minReplicas: minReplicas,
            maxReplicas: maxReplicas, metrics: metrics, behavior: try behavior(at: "spec.behavior")
        )
    }

    private func metricTarget(_ item: ManifestNode, at path: String, field: String) throws(ManifestError) -> HPAMetricTarget {
        let type = try string(path + ".type", in: item, field: field + ".type") ?? ""
        func quantity(_ key: String) throws(ManifestError) -> Int64 {
            guard let text = try quantityText("\(path).\(key)", in: item, field: "\(field).\(key)"),
                  let milli = GoValueParsing.milliQuantity(text) else {
                throw invalid("\(field).\(key)", "is missing or not a quantity")
            }
            return milli
        }
        switch type {
        case "Utilization":
            return .utilization(percent: try requiredInt(path + ".averageUtilization", in: item, field: field + ".averageUtilization"))
        case "AverageValue": return .averageValue(milli: try quantity("averageValue"))
        case "Value": return .value(milli: try quantity("value"))
        default: throw invalid(field + ".type", "must be Utilization, AverageValue or Value, got \"\(type)\"")
        }
    }

    func kafkaTopicSpec() throws(ManifestError) -> KafkaTopicSpec {
        let partitions = try requiredInt("spec.partitions")
        guard partitions >= 1 else { throw invalid("spec.partitions", "must be at least 1, got \(partitions)") }
        return KafkaTopicSpec(
            name: name, topicName: try string("spec.topicName"), partitions: partitions,
            replicas: try int("spec.replicas") ?? 1
        )
    }

    /// A KafkaNodePool's broker count (0 for a controller-only pool).
    func brokerCount() throws(ManifestError) -> Int {
        let roles = (node.at("spec.roles")?.items ?? []).compactMap(\.scalarText)
        return roles.contains("broker") ? try requiredInt("spec.replicas") : 0
    }
}
