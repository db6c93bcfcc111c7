/// kube-controller-manager's HPA flags, at their defaults. Milliseconds of virtual time.
public struct HPAControllerConfig: Sendable, Equatable, Hashable {
    /// `--horizontal-pod-autoscaler-sync-period` (15 s): each HPA is reconciled this long after the previous
    /// reconcile (the work queue's FixedItemIntervalRateLimiter), the first one this long after creation.
    public var syncPeriod: Int64 = 15_000
    /// `--horizontal-pod-autoscaler-downscale-stabilization` (5 min): the scale-down window when none is set.
    public var downscaleStabilizationWindow: Int64 = 300_000
    /// `--horizontal-pod-autoscaler-tolerance` (0.1).
    public var tolerance: Double = 0.1
    /// `--horizontal-pod-autoscaler-cpu-initialization-period` (5 min).
    public var cpuInitializationPeriod: Int64 = 300_000
    /// `--horizontal-pod-autoscaler-initial-readiness-delay` (30 s).
    public var delayOfInitialReadinessStatus: Int64 = 30_000

    public init() {}
}
