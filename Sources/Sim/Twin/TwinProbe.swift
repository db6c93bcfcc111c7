/// Holds the consumer group's lag steady at chosen values and lets the real KEDA + HPA models settle, to find
/// a lag at which they ask for more replicas than partitions. Traffic rarely parks lag in the narrow band
/// where KEDA's cap lets P+1 through (P×T < lag < (P+1)×T), but a group running at full capacity does hold
/// lag steady, so a twin that only sampled traffic would miss it.
public enum TwinProbe {
    public struct Overshoot: Hashable, Sendable {
        public var lagEvents: Int64
        public var replicas: Int
    }

    /// The first steady lag (in steps of a quarter threshold, up to (P+2)×T) at which the settled replica count
    /// exceeds `partitions`, or nil.
    public static func replicasBeyondPartitions(_ settings: TwinSettings, partitions: Int) -> Overshoot? {
        let threshold = settings.lagThreshold
        let step = max(1, threshold / 4)
        var lag: Int64 = 0
        while lag <= Int64(partitions + 2) * threshold {
            for start in [settings.scaledObject.minReplicaCount, partitions / 2, partitions] {
                let replicas = settle(settings, partitions: partitions, lag: lag, from: max(1, start))
                if replicas > partitions { return Overshoot(lagEvents: lag, replicas: replicas) }
            }
            lag += step
        }
        return nil
    }

    /// Ten minutes of HPA syncs and KEDA polls with the lag held at `lag`, starting from `start` ready replicas
    /// (the HPA's 10% tolerance hides the overshoot from a group already at P, not from one scaling up to it);
    /// the replica count they end with.
    static func settle(_ settings: TwinSettings, partitions: Int, lag: Int64, from start: Int) -> Int {
        var controller = KedaScaledObjectController(spec: settings.scaledObject, createdAt: 0)
        let perPartition = lag / Int64(partitions)
        let offsets = (0..<partitions).map { partition in
            let extra: Int64 = partition < Int(lag % Int64(partitions)) ? 1 : 0
            return PartitionOffsets(partition: partition, logEndOffset: 1_000_000 + perPartition + extra, committedOffset: 1_000_000)
        }
        var replicas = min(start, settings.scaledObject.maxReplicaCount)
        var now: Int64 = 0
        while now <= 600_000 {
            if now >= controller.nextPollAt, let set = controller.poll(now: now, currentReplicas: replicas, partitions: offsets).newReplicas {
                replicas = set
            }
            if controller.hpa.isDue(now: now) {
                let target = HPAScaleTarget(specReplicas: replicas, statusReplicas: replicas, readyReplicas: replicas)
                replicas = controller.syncHPA(now: now, target: target, partitions: offsets).0.desiredReplicas
            }
            now = min(controller.nextPollAt, controller.hpa.nextSyncAt)
        }
        return replicas
    }
}
