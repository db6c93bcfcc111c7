/// The grids `sim tune` searches: the worker's ScaledObject (KEDA's trigger and loop, the generated HPA's
/// bounds and behavior) and the api's HPA. Values bracket the shipped ones at the scales an operator would try;
/// each dimension also holds the shipped value.
public enum TuningSpaces {
    public static func worker(_ shipped: ScaledObjectSpec, partitions: Int) -> TuningSpace<ScaledObjectSpec> {
        let maxima = Array(Set([max(1, partitions / 3), max(1, partitions / 2), max(1, partitions * 3 / 4), partitions])).sorted()
        let minima = [1, 2, 3].filter { $0 <= partitions }
        let dimensions: [TuningDimension<ScaledObjectSpec>] = [
            .make("lagThreshold", shipped: shipped, values: [Int64(250), 500, 1_000, 2_000, 4_000, 8_000],
                  read: { $0.trigger.lagThreshold }, write: { $0.trigger.lagThreshold = $1 }, label: { "\($0)" }, less: <),
            .make("activationLagThreshold", shipped: shipped, values: [Int64(0), 100, 1_000],
                  read: { $0.trigger.activationLagThreshold }, write: { $0.trigger.activationLagThreshold = $1 },
                  label: { "\($0)" }, less: <),
            .make("pollingInterval", shipped: shipped, values: [5, 15, 30, 60],
                  read: { $0.pollingIntervalSeconds }, write: { $0.pollingIntervalSeconds = $1 }, label: { "\($0)s" }, less: <),
            .make("cooldownPeriod", shipped: shipped, values: [60, 300, 900],
                  read: { $0.cooldownPeriodSeconds }, write: { $0.cooldownPeriodSeconds = $1 }, label: { "\($0)s" }, less: <),
            .make("minReplicaCount", shipped: shipped, values: minima,
                  read: { $0.minReplicaCount }, write: { $0.minReplicaCount = $1 }, label: { "\($0)" }, less: <),
            .make("maxReplicaCount", shipped: shipped, values: maxima.filter { $0 <= partitions },
                  read: { $0.maxReplicaCount }, write: { $0.maxReplicaCount = $1 }, label: { "\($0)" }, less: <),
        ] + behaviorDimensions(
            shipped: shipped, behavior: \.behavior,
            upWindows: [0, 30, 60, 120],
            upPolicies: [
                rules([.init(.pods, value: 2, periodSeconds: 60)], .max),
                rules([.init(.pods, value: 4, periodSeconds: 60)], .max),
                rules([.init(.pods, value: 4, periodSeconds: 15)], .max),
                rules([.init(.pods, value: 4, periodSeconds: 15), .init(.percent, value: 100, periodSeconds: 15)], .max),
            ],
            downWindows: [60, 120, 300, 600],
            downPolicies: [
                rules([.init(.pods, value: 1, periodSeconds: 300)], .min),
                rules([.init(.pods, value: 1, periodSeconds: 120)], .min),
                rules([.init(.pods, value: 1, periodSeconds: 60)], .min),
                rules([.init(.pods, value: 2, periodSeconds: 60)], .min),
                rules([.init(.percent, value: 50, periodSeconds: 60)], .min),
            ]
        )
        return TuningSpace(shippedSpec: shipped, dimensions: dimensions)
    }

    public static func api(_ shipped: HPASpec) -> TuningSpace<HPASpec> {
        let dimensions: [TuningDimension<HPASpec>] = [
            .make("averageUtilization", shipped: shipped, values: [50, 60, 70, 80, 90],
                  read: { cpuTarget($0) ?? 0 }, write: { setCPUTarget(&$0, $1) }, label: { "\($0)%" }, less: <),
        ] + behaviorDimensions(
            shipped: shipped, behavior: \.behavior,
            upWindows: [0, 30, 60],
            upPolicies: [
                rules([.init(.pods, value: 1, periodSeconds: 30)], .max),
                rules([.init(.pods, value: 4, periodSeconds: 15)], .max),
                rules([.init(.percent, value: 100, periodSeconds: 15)], .max),
            ],
            downWindows: [60, 300, 600],
            downPolicies: [
                rules([.init(.pods, value: 1, periodSeconds: 60)], .min),
                rules([.init(.pods, value: 2, periodSeconds: 60)], .min),
                rules([.init(.percent, value: 50, periodSeconds: 60)], .min),
            ]
        )
        return TuningSpace(shippedSpec: shipped, dimensions: dimensions)
    }

    /// The scale-up and scale-down window and policies of an HPA behavior (the ScaledObject's generated HPA or
    /// the api's), in that order, over the given grids.
    static func behaviorDimensions<Spec: Sendable>(
        shipped: Spec, behavior: WritableKeyPath<Spec, HPABehavior?> & Sendable,
        upWindows: [Int], upPolicies: [Policies], downWindows: [Int], downPolicies: [Policies]
    ) -> [TuningDimension<Spec>] {
        [(true, "scaleUp", upWindows, upPolicies), (false, "scaleDown", downWindows, downPolicies)].flatMap {
            (up: Bool, prefix: String, windows: [Int], grid: [Policies]) -> [TuningDimension<Spec>] in
            [
                .make("\(prefix).window", shipped: shipped, values: windows,
                      read: { window($0[keyPath: behavior], up: up) }, write: { setWindow(&$0[keyPath: behavior], up: up, $1) },
                      label: { "\($0)s" }, less: <),
                .make("\(prefix).policies", shipped: shipped, values: grid,
                      read: { policies($0[keyPath: behavior], up: up) },
                      write: { setPolicies(&$0[keyPath: behavior], up: up, $1) }, label: policyLabel),
            ]
        }
    }

    /// A direction's policies and select policy as one searched value (the window is its own dimension).
    public struct Policies: Equatable, Sendable {
        public var selectPolicy: HPASelectPolicy
        public var policies: [HPAScalingPolicy]
    }

    static func rules(_ policies: [HPAScalingPolicy], _ select: HPASelectPolicy) -> Policies {
        Policies(selectPolicy: select, policies: policies)
    }

    static func policyLabel(_ value: Policies) -> String {
        let list = value.policies.map { "\($0.value)\($0.kind == .percent ? "%" : "pod")/\($0.periodSeconds)s" }
        return value.policies.count > 1 ? "\(value.selectPolicy.rawValue)(\(list.joined(separator: ",")))" : list.joined()
    }

    /// The stabilization window in effect (defaulted as the API server and controller do).
    static func window(_ behavior: HPABehavior?, up: Bool) -> Int {
        let rules = up ? behavior?.defaulted.scaleUp : behavior?.defaulted.scaleDown
        return rules?.stabilizationWindowSeconds ?? (up ? 0 : 300)
    }

    static func setWindow(_ behavior: inout HPABehavior?, up: Bool, _ seconds: Int) {
        var value = behavior ?? HPABehavior()
        if up {
            value.scaleUp = (value.scaleUp ?? HPAScalingRules()).with { $0.stabilizationWindowSeconds = seconds }
        } else {
            value.scaleDown = (value.scaleDown ?? HPAScalingRules()).with { $0.stabilizationWindowSeconds = seconds }
        }
        behavior = value
    }

    static func policies(_ behavior: HPABehavior?, up: Bool) -> Policies {
        let defaulted = behavior?.defaulted ?? HPABehavior().defaulted
        let rules = (up ? defaulted.scaleUp : defaulted.scaleDown) ?? HPAScalingRules()
        return Policies(selectPolicy: rules.selectPolicy ?? .max, policies: rules.policies ?? [])
    }

    static func setPolicies(_ behavior: inout HPABehavior?, up: Bool, _ value: Policies) {
        var current = behavior ?? HPABehavior()
        let update = { (rules: HPAScalingRules?) in
            (rules ?? HPAScalingRules()).with {
                $0.selectPolicy = value.selectPolicy
                $0.policies = value.policies
            }
        }
        if up { current.scaleUp = update(current.scaleUp) } else { current.scaleDown = update(current.scaleDown) }
        behavior = current
    }

    /// The CPU `Utilization` target of an HPA, if it has one.
    public static func cpuTarget(_ spec: HPASpec) -> Int? {
        for metric in spec.metrics {
            if case .resource("cpu", .utilization(let percent)) = metric { return percent }
        }
        return nil
    }

    static func setCPUTarget(_ spec: inout HPASpec, _ percent: Int) {
        spec.metrics = spec.metrics.map { metric in
            if case .resource("cpu", .utilization) = metric { return .resource(name: "cpu", target: .utilization(percent: percent)) }
            return metric
        }
    }
}

extension HPAScalingRules {
    func with(_ change: (inout HPAScalingRules) -> Void) -> HPAScalingRules {
        var copy = self
        change(&copy)
        return copy
    }
}
