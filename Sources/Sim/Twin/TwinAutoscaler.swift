/// KEDA's Kafka scaler feeding an HPA, as the twin runs it: every sync it reads the consumer group's lag,
/// turns it into the external metric and lets the HPA algorithm decide the Deployment's replicas.
struct TwinAutoscaler {
    let spec: AutoscalingSpec
    let partitions: Int
    let eventsPerRecord: Int64
    /// (time, recommendation) for stabilization windows.
    private var recommendations: [(Int64, Int)] = []
    /// (time, replica change) for rate policies.
    private var changes: [(Int64, Int)] = []

    init(spec: AutoscalingSpec, partitions: Int, eventsPerRecord: Int64) {
        self.spec = spec
        self.partitions = partitions
        self.eventsPerRecord = eventsPerRecord
    }

    /// Total lag in events over every partition: log end minus committed (earliest when none is committed).
    func lag(logEnds: [Int64], committed: [Int64?]) -> Int64 {
        zip(logEnds, committed).reduce(0) { $0 + max(0, $1.0 - ($1.1 ?? 0)) } * eventsPerRecord
    }

    mutating func desiredReplicas(now: Int64, current: Int, ready: Int, lagEvents: Int64) -> Int {
        var metric = lagEvents
        if !spec.allowIdleConsumers { metric = min(metric, Int64(partitions) * spec.lagThreshold) }
        let base = max(ready, 1)
        let ratio = Double(metric) / Double(Int64(base) * spec.lagThreshold)
        var desired = abs(ratio - 1) <= 0.1 ? current : Int((Double(base) * ratio).rounded(.up))
        desired = min(max(desired, spec.minReplicas), spec.maxReplicas)
        recommendations.append((now, desired))
        recommendations.removeAll { now - $0.0 > max(spec.scaleDownStabilizationSeconds, spec.scaleUpStabilizationSeconds) * 1_000 }
        if desired < current {
            let window = recommendations.filter { now - $0.0 <= spec.scaleDownStabilizationSeconds * 1_000 }
            desired = min(current, window.map(\.1).max() ?? desired)
            if let policy = spec.scaleDownPodsPerPeriod {
                let recent = changes.filter { now - $0.0 < policy.periodSeconds * 1_000 && $0.1 < 0 }.reduce(0) { $0 - $1.1 }
                desired = max(desired, current - max(0, policy.pods - recent))
            }
        } else if desired > current {
            let window = recommendations.filter { now - $0.0 <= spec.scaleUpStabilizationSeconds * 1_000 }
            desired = max(current, window.map(\.1).min() ?? desired)
            if let policy = spec.scaleUpPodsPerPeriod {
                let recent = changes.filter { now - $0.0 < policy.periodSeconds * 1_000 && $0.1 > 0 }.reduce(0) { $0 + $1.1 }
                desired = min(desired, current + max(0, policy.pods - recent))
            }
        }
        if desired != current { changes.append((now, desired - current)) }
        return desired
    }
}
