/// The platform twin's parameters: the cluster, the unit of traffic, and the autoscaling read from the
/// manifests. Milliseconds throughout.
public struct TwinSettings: Hashable, Sendable {
    public var zones = 3
    /// Worker pods a node holds (its allocatable CPU over the worker's request).
    public var podsPerNode = 2
    public var nodesPerZone = 1
    /// Cluster Autoscaler: scan interval and how long a new node takes to join (EC2 launch + kubelet + CNI).
    public var clusterScanInterval: Int64 = 10_000
    public var nodeAddDelay: ClosedRange<Int64> = 60_000...120_000
    /// One simulated record stands for this many events, so a 30-minute run at thousands of events per second
    /// stays small; lag and capacity are reported in events.
    public var eventsPerRecord: Int64 = 100
    /// Events per second one worker pod applies (the database cost per record follows from it).
    public var podCapacityEventsPerSecond: Int64 = 2_000
    /// Partition leader election after a broker is lost.
    public var leaderFailover: ClosedRange<Int64> = 5_000...15_000
    /// Curves are sampled, and the HPA syncs, this often (the HPA's 15 s sync period).
    public var sampleInterval: Int64 = 15_000
    public var autoscaling: AutoscalingSpec

    public init(autoscaling: AutoscalingSpec) {
        self.autoscaling = autoscaling
    }

    /// Milliseconds of database time per record at the configured capacity.
    public var databaseLatencyPerRecord: Int64 { eventsPerRecord * 1_000 / max(1, podCapacityEventsPerSecond) }
}

/// What the autoscaler needs from the manifests (the worker's ScaledObject and the HPA KEDA makes of it).
public struct AutoscalingSpec: Hashable, Sendable {
    public var minReplicas = 1
    public var maxReplicas = 12
    public var lagThreshold: Int64 = 1_000
    public var activationLagThreshold: Int64 = 0
    public var allowIdleConsumers = false
    public var pollingIntervalSeconds: Int64 = 30
    public var cooldownPeriodSeconds: Int64 = 300
    public var scaleUpStabilizationSeconds: Int64 = 0
    public var scaleDownStabilizationSeconds: Int64 = 300
    /// Pods-type policies: at most `pods` per `periodSeconds`; nil means the HPA default.
    public var scaleUpPodsPerPeriod: (pods: Int, periodSeconds: Int64)?
    public var scaleDownPodsPerPeriod: (pods: Int, periodSeconds: Int64)?

    public init() {}

    public static func == (lhs: AutoscalingSpec, rhs: AutoscalingSpec) -> Bool { lhs.description == rhs.description }
    public func hash(into hasher: inout Hasher) { hasher.combine(description) }

    public var description: String {
        "min=\(minReplicas) max=\(maxReplicas) lag=\(lagThreshold) activation=\(activationLagThreshold) idle=\(allowIdleConsumers) poll=\(pollingIntervalSeconds)s cooldown=\(cooldownPeriodSeconds)s up=\(scaleUpStabilizationSeconds)s/\(scaleUpPodsPerPeriod.map { "\($0.pods)/\($0.periodSeconds)s" } ?? "default") down=\(scaleDownStabilizationSeconds)s/\(scaleDownPodsPerPeriod.map { "\($0.pods)/\($0.periodSeconds)s" } ?? "default")"
    }
}

/// One point of the twin's curves.
public struct TwinSample: Hashable, Sendable {
    public var time: Int64
    public var desiredReplicas: Int
    public var readyReplicas: Int
    public var pendingPods: Int
    public var lagEvents: Int64
    public var producedEventsPerSecond: Int64
}
