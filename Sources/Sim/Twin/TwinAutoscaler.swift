/// KEDA's scale loop and the HPA it generates, driven by the twin: the exact models of Sources/Sim/Autoscaling
/// fed with the consumer group's offsets (in events: records times `eventsPerRecord`).
struct TwinAutoscaler {
    private(set) var controller: KedaScaledObjectController
    let eventsPerRecord: Int64

    init(scaledObject: ScaledObjectSpec, eventsPerRecord: Int64, createdAt: Int64) {
        controller = KedaScaledObjectController(spec: scaledObject, createdAt: createdAt)
        self.eventsPerRecord = eventsPerRecord
    }

    /// When either loop runs next.
    var nextDue: Int64 { min(controller.nextPollAt, controller.hpa.nextSyncAt) }

    func offsets(logEnds: [Int64], committed: [Int64?]) -> [PartitionOffsets] {
        logEnds.indices.map {
            PartitionOffsets(partition: $0, logEndOffset: logEnds[$0] * eventsPerRecord,
                             committedOffset: committed[$0].map { $0 * eventsPerRecord })
        }
    }

    /// Total lag in events as the scaler reads it (before its cap), for the curves.
    func lag(_ offsets: [PartitionOffsets]) -> Int64 {
        offsets.reduce(0) { $0 + max(0, $1.logEndOffset - ($1.committedOffset ?? 0)) }
    }

    /// Runs whichever loops are due at `now`; returns the Deployment's new replica count, if one changed it.
    mutating func step(now: Int64, specReplicas: Int, statusReplicas: Int, readyReplicas: Int,
                       offsets: [PartitionOffsets]) -> Int? {
        var replicas = specReplicas
        var changed = false
        if now >= controller.nextPollAt, let set = controller.poll(now: now, currentReplicas: replicas, partitions: offsets).newReplicas {
            replicas = set
            changed = true
        }
        if controller.hpa.isDue(now: now) {
            let target = HPAScaleTarget(specReplicas: replicas, statusReplicas: statusReplicas, readyReplicas: readyReplicas)
            let (decision, _) = controller.syncHPA(now: now, target: target, partitions: offsets)
            if decision.desiredReplicas != replicas {
                replicas = decision.desiredReplicas
                changed = true
            }
        }
        return changed ? replicas : nil
    }
}
