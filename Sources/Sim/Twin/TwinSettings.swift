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
    /// Lag counts as drained under this much work per ready replica: half a second of a pod's capacity (1,000
    /// events, the shipped lagThreshold). A fixed mark, not the candidate's lagThreshold, so that raising the
    /// threshold cannot make the lag look drained sooner.
    public var drainMarkMilliseconds: Int64 = 500
    /// The freshness SLO's threshold (docs/slo.md: events applied within 30 s): the twin counts the time during
    /// which the backlog would take longer than this for the ready workers to apply.
    public var lagSLOSeconds: Int64 = 30
    /// The worker's ScaledObject as rendered from the manifests; KEDA generates its HPA from it.
    public var scaledObject: ScaledObjectSpec

    public init(scaledObject: ScaledObjectSpec) {
        self.scaledObject = scaledObject
    }

    public var lagThreshold: Int64 { scaledObject.trigger.lagThreshold }

    /// One line for reports: the parameters that shape scaling.
    public var autoscalingDescription: String {
        let hpa = scaledObject.generatedHPA
        func rules(_ rules: HPAScalingRules?) -> String {
            guard let rules else { return "default" }
            let policies = (rules.policies ?? []).map { "\($0.value)\($0.kind == .percent ? "%" : " pods")/\($0.periodSeconds)s" }
            return "window \(rules.stabilizationWindowSeconds.map { "\($0)s" } ?? "default") \(rules.selectPolicy?.rawValue ?? "Max")(\(policies.joined(separator: ",")))"
        }
        let trigger = scaledObject.trigger
        return "min \(scaledObject.minReplicaCount) max \(scaledObject.maxReplicaCount), lagThreshold \(trigger.lagThreshold), activation \(trigger.activationLagThreshold), allowIdleConsumers \(trigger.allowIdleConsumers), polling \(scaledObject.pollingIntervalSeconds)s, cooldown \(scaledObject.cooldownPeriodSeconds)s, up: \(rules(hpa.behavior?.scaleUp)), down: \(rules(hpa.behavior?.scaleDown))"
    }


    /// Lag (events) under which the backlog counts as drained, for `readyReplicas` ready workers.
    public func drainMark(readyReplicas: Int) -> Int64 {
        podCapacityEventsPerSecond * drainMarkMilliseconds / 1_000 * Int64(max(1, readyReplicas))
    }

    /// Whether a backlog of `lag` events would take the ready workers longer than the lag SLO to apply.
    public func overLagSLO(lag: Int64, readyReplicas: Int) -> Bool {
        guard lag > 0 else { return false }
        return lag > podCapacityEventsPerSecond * Int64(readyReplicas) * lagSLOSeconds
    }

    /// Milliseconds of database time per record at the configured capacity.
    public var databaseLatencyPerRecord: Int64 { eventsPerRecord * 1_000 / max(1, podCapacityEventsPerSecond) }
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
