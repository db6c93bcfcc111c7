/// `spec.behavior` of an HPA (or `advanced.horizontalPodAutoscalerConfig.behavior` of a ScaledObject) as written.
public struct HPABehavior: Sendable, Equatable, Hashable {
    public var scaleUp: HPAScalingRules?
    public var scaleDown: HPAScalingRules?

    public init(scaleUp: HPAScalingRules? = nil, scaleDown: HPAScalingRules? = nil) {
        self.scaleUp = scaleUp
        self.scaleDown = scaleDown
    }

    /// What the API server stores (`SetDefaults_HorizontalPodAutoscalerBehavior`): both directions present, every
    /// unset field from the defaults, except the scale-down window, which the controller fills at sync time.
    public var defaulted: HPABehavior {
        HPABehavior(
            scaleUp: (scaleUp ?? HPAScalingRules()).filling(from: .defaultScaleUp),
            scaleDown: (scaleDown ?? HPAScalingRules()).filling(from: .defaultScaleDown)
        )
    }
}
