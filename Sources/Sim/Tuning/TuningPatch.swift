/// The recommended settings as a kustomize Component (`kind: Component`): an overlay applies it by listing the
/// component's directory under `components:`. Map fields go in merge patches (they create what is missing);
/// list elements (the kafka trigger's metadata, the HPA's CPU target) in JSON 6902 patches that first test the
/// element is the one meant, so a reordered manifest fails the build instead of patching the wrong entry.
public enum TuningPatch {
    public static func component(header: [String], worker: ScaledObjectSpec, api: HPASpec?, apiCPUMetricIndex: Int?) -> String {
        var lines = header.map { "# \($0)" }
        lines += ["apiVersion: kustomize.config.k8s.io/v1alpha1", "kind: Component", "patches:"]
        lines += entry(target: ["group: keda.sh", "version: v1alpha1", "kind: ScaledObject", "name: \(worker.name)"],
                       patch: scaledObjectMerge(worker))
        lines += entry(target: ["group: keda.sh", "version: v1alpha1", "kind: ScaledObject", "name: \(worker.name)"],
                       patch: [
                           "- op: test", "  path: /spec/triggers/0/type", "  value: kafka",
                           "- op: add", "  path: /spec/triggers/0/metadata/lagThreshold", "  value: \"\(worker.trigger.lagThreshold)\"",
                           "- op: add", "  path: /spec/triggers/0/metadata/activationLagThreshold",
                           "  value: \"\(worker.trigger.activationLagThreshold)\"",
                       ])
        if let api {
            lines += entry(target: ["group: autoscaling", "version: v2", "kind: HorizontalPodAutoscaler", "name: \(api.name)"],
                           patch: hpaMerge(api))
            if let index = apiCPUMetricIndex, let percent = TuningSpaces.cpuTarget(api) {
                lines += entry(target: ["group: autoscaling", "version: v2", "kind: HorizontalPodAutoscaler", "name: \(api.name)"],
                               patch: [
                                   "- op: test", "  path: /spec/metrics/\(index)/resource/name", "  value: cpu",
                                   "- op: replace", "  path: /spec/metrics/\(index)/resource/target/averageUtilization",
                                   "  value: \(percent)",
                               ])
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func entry(target: [String], patch: [String]) -> [String] {
        ["  - target:"] + target.map { "      \($0)" } + ["    patch: |-"] + patch.map { "      \($0)" }
    }

    static func scaledObjectMerge(_ spec: ScaledObjectSpec) -> [String] {
        [
            "apiVersion: keda.sh/v1alpha1", "kind: ScaledObject", "metadata:", "  name: \(spec.name)", "spec:",
            "  minReplicaCount: \(spec.minReplicaCount)",
            "  maxReplicaCount: \(spec.maxReplicaCount)",
            "  pollingInterval: \(spec.pollingIntervalSeconds)",
            "  cooldownPeriod: \(spec.cooldownPeriodSeconds)",
            "  advanced:", "    horizontalPodAutoscalerConfig:", "      behavior:",
        ] + behavior(spec.behavior, indent: "        ")
    }

    static func hpaMerge(_ spec: HPASpec) -> [String] {
        ["apiVersion: autoscaling/v2", "kind: HorizontalPodAutoscaler", "metadata:", "  name: \(spec.name)", "spec:",
         "  behavior:"] + behavior(spec.behavior, indent: "    ")
    }

    private static func behavior(_ behavior: HPABehavior?, indent: String) -> [String] {
        let defaulted = behavior?.defaulted ?? HPABehavior().defaulted
        var lines: [String] = []
        for (name, rules) in [("scaleUp", defaulted.scaleUp), ("scaleDown", defaulted.scaleDown)] {
            guard let rules else { continue }
            lines.append("\(name):")
            if let window = rules.stabilizationWindowSeconds { lines.append("  stabilizationWindowSeconds: \(window)") }
            if let select = rules.selectPolicy { lines.append("  selectPolicy: \(select.rawValue)") }
            if let policies = rules.policies {
                lines.append("  policies:")
                for policy in policies {
                    lines += ["    - type: \(policy.kind.rawValue)", "      value: \(policy.value)", "      periodSeconds: \(policy.periodSeconds)"]
                }
            }
        }
        return lines.map { indent + $0 }
    }
}
