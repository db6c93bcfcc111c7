/// What one of an HPA's metrics returned at a sync, in the order of `HPASpec.metrics`.
public enum HPAMetricReading: Sendable, Equatable, Hashable {
    /// A Resource metric: the target's pods with their requests and metrics-server samples.
    case pods([HPAPodSample])
    /// An External metric: the values the external metrics API returned, in milli-units (summed upstream).
    case external(milliValues: [Int64])
    /// The metrics API failed for this metric.
    case unavailable
}

/// The scale subresource of the target and the readiness the controller lists, at a sync.
public struct HPAScaleTarget: Sendable, Equatable, Hashable {
    /// `scale.spec.replicas`: what the Deployment was last told (the HPA's "current replicas").
    public var specReplicas: Int
    /// `scale.status.replicas`: non-terminated pods that exist (External AverageValue divides by this).
    public var statusReplicas: Int
    /// Running pods whose Ready condition is true (External/Object Value targets multiply by this).
    public var readyReplicas: Int

    public init(specReplicas: Int, statusReplicas: Int, readyReplicas: Int) {
        self.specReplicas = specReplicas
        self.statusReplicas = statusReplicas
        self.readyReplicas = readyReplicas
    }
}
