/// KEDA's handling of one ScaledObject: the scale loop that polls the scaler every `pollingInterval` and owns
/// the 0 <-> min (or idle) transitions (pkg/scaling/scale_handler.go startScaleLoop, pkg/scaling/executor/
/// scale_scaledobjects.go RequestScale), and the HPA it generates, which owns everything between min and max
/// and reads the same scaler through KEDA's metrics server at each of its syncs.
public struct KedaScaledObjectController: Sendable, Equatable {
    public let spec: ScaledObjectSpec
    public private(set) var scaler: KedaKafkaScaler
    public private(set) var hpa: HorizontalPodAutoscaler
    public let createdAt: Int64
    /// `status.lastActiveTime`: the last poll that found the trigger active (nil before the first).
    public private(set) var lastActiveTime: Int64?
    /// When the scale loop polls next: immediately at creation, then every pollingInterval.
    public private(set) var nextPollAt: Int64

    public init(spec: ScaledObjectSpec, hpaConfig: HPAControllerConfig = HPAControllerConfig(), createdAt: Int64) {
        self.spec = spec
        self.scaler = KedaKafkaScaler(trigger: spec.trigger)
        self.hpa = HorizontalPodAutoscaler(spec: spec.generatedHPA, config: hpaConfig, createdAt: createdAt)
        self.createdAt = createdAt
        self.nextPollAt = createdAt
    }

    /// What one poll of the scale loop did.
    public struct PollResult: Sendable, Equatable, Hashable {
        public enum Action: Sendable, Equatable, Hashable {
            /// Left the replica count alone (the HPA handles it, or nothing to do).
            case none
            /// Activated from zero / idle: set the target to this count.
            case activated(Int)
            /// Cooldown over while inactive: set the target to idleReplicaCount or minReplicaCount.
            case deactivated(Int)
            /// Inactive and below minReplicaCount (no idle mode): set it back to min.
            case raisedToMinimum(Int)
            /// Inactive, would scale to zero / idle, but the cooldown has not passed.
            case coolingDown
        }

        public let reading: KafkaScalerReading
        public let action: Action

        /// The replica count KEDA sets, if it sets one.
        public var newReplicas: Int? {
            switch action {
            case .activated(let count), .deactivated(let count), .raisedToMinimum(let count): return count
            case .none, .coolingDown: return nil
            }
        }
    }

    /// One iteration of the scale loop (checkScalers -> RequestScale) at `now`, with the target's current
    /// `spec.replicas`. Schedules the next poll one pollingInterval later.
    public mutating func poll(now: Int64, currentReplicas: Int, partitions: [PartitionOffsets]) -> PollResult {
        nextPollAt = now + Int64(spec.pollingIntervalSeconds) * 1_000
        let reading = scaler.measure(partitions)
        return PollResult(reading: reading, action: requestScale(now: now, currentReplicas: currentReplicas, isActive: reading.isActive))
    }

    /// RequestScale (no errors, no fallback, no pause annotations in the twin).
    mutating func requestScale(now: Int64, currentReplicas: Int, isActive: Bool) -> PollResult.Action {
        let minReplicas = spec.minReplicaCount
        if isActive {
            if (spec.idleReplicaCount != nil && currentReplicas < minReplicas) || currentReplicas == 0 {
                // scaleFromZeroOrIdle: to minReplicaCount, or 1 when that is 0.
                lastActiveTime = now
                return .activated(minReplicas > 0 ? minReplicas : 1)
            }
            lastActiveTime = now
            return .none
        }
        if let idle = spec.idleReplicaCount, currentReplicas > idle {
            return scaleToZeroOrIdle(now: now)
        }
        if currentReplicas > 0 && minReplicas == 0 {
            return scaleToZeroOrIdle(now: now)
        }
        if spec.idleReplicaCount == nil && currentReplicas < minReplicas {
            return .raisedToMinimum(minReplicas)
        }
        return .none
    }

    /// scaleToZeroOrIdle: only once `lastActiveTime + cooldownPeriod` (or, never active, creation +
    /// initialCooldownPeriod) is strictly in the past.
    func scaleToZeroOrIdle(now: Int64) -> PollResult.Action {
        let cooledDown: Bool
        if let lastActiveTime {
            cooledDown = lastActiveTime + Int64(spec.cooldownPeriodSeconds) * 1_000 < now
        } else {
            cooledDown = createdAt + Int64(spec.initialCooldownPeriodSeconds) * 1_000 < now
        }
        guard cooledDown else { return .coolingDown }
        return .deactivated(spec.idleReplicaCount ?? spec.minReplicaCount)
    }

    /// One sync of the generated HPA. Its External metric query reaches KEDA's metrics server, which asks the
    /// scaler afresh (no `useCachedMetrics`), so the persistent-lag memory advances here too; but only when the
    /// HPA gets as far as computing metrics (not at 0 replicas, nor outside min..max). The reading is nil then.
    public mutating func syncHPA(now: Int64, target: HPAScaleTarget, partitions: [PartitionOffsets]) -> (HPADecision, KafkaScalerReading?) {
        let current = target.specReplicas
        let computesMetrics = !(current == 0 && hpa.spec.minReplicas != 0)
            && current <= hpa.spec.maxReplicas && current >= hpa.spec.minReplicas
        let reading = computesMetrics ? scaler.measure(partitions) : nil
        let metric: HPAMetricReading = reading.map { .external(milliValues: [$0.metricMilliValue]) } ?? .unavailable
        return (hpa.reconcile(now: now, target: target, readings: [metric]), reading)
    }
}
