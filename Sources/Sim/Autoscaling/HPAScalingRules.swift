/// `spec.behavior.scaleUp` or `.scaleDown` as written: nil means "not set", which the API server's defaulting
/// (`GenerateHPAScale{Up,Down}Rules` in pkg/apis/autoscaling/v2/defaults.go) and the controller fill in.
public struct HPAScalingRules: Sendable, Equatable, Hashable {
    public var stabilizationWindowSeconds: Int?
    public var selectPolicy: HPASelectPolicy?
    public var policies: [HPAScalingPolicy]?
    /// `tolerance` (HPAConfigurableTolerance, Kubernetes 1.33+); nil = the controller-wide 0.1.
    public var tolerance: Double?

    public init(
        stabilizationWindowSeconds: Int? = nil, selectPolicy: HPASelectPolicy? = nil,
        policies: [HPAScalingPolicy]? = nil, tolerance: Double? = nil
    ) {
        self.stabilizationWindowSeconds = stabilizationWindowSeconds
        self.selectPolicy = selectPolicy
        self.policies = policies
        self.tolerance = tolerance
    }

    /// The API server's scale-up default: 0 s stabilization, Max of +4 pods or +100 % per 15 s.
    public static let defaultScaleUp = HPAScalingRules(
        stabilizationWindowSeconds: 0, selectPolicy: .max,
        policies: [HPAScalingPolicy(.pods, value: 4, periodSeconds: 15), HPAScalingPolicy(.percent, value: 100, periodSeconds: 15)]
    )

    /// The API server's scale-down default: -100 % per 15 s, Max. The window stays unset on purpose: the
    /// controller fills it from `--horizontal-pod-autoscaler-downscale-stabilization` (300 s).
    public static let defaultScaleDown = HPAScalingRules(
        stabilizationWindowSeconds: nil, selectPolicy: .max,
        policies: [HPAScalingPolicy(.percent, value: 100, periodSeconds: 15)]
    )

    /// `copyHPAScalingRules(from: self, to: defaults)`: every field set here wins, the rest comes from `defaults`.
    public func filling(from defaults: HPAScalingRules) -> HPAScalingRules {
        HPAScalingRules(
            stabilizationWindowSeconds: stabilizationWindowSeconds ?? defaults.stabilizationWindowSeconds,
            selectPolicy: selectPolicy ?? defaults.selectPolicy,
            policies: policies ?? defaults.policies,
            tolerance: tolerance ?? defaults.tolerance
        )
    }
}
