/// One HPA as kube-controller-manager's HorizontalController handles it (pkg/controller/podautoscaler/
/// horizontal.go): the per-HPA memory (recommendations, scale events) and `reconcile`, one sync.
///
/// Virtual time is Int64 milliseconds. Upstream compares `time.Time`s with After/Before, which are strict;
/// the same strictness is kept here, so a recommendation or scale event exactly one window old is outside it.
public struct HorizontalPodAutoscaler: Sendable, Equatable {
    public let spec: HPASpec
    public let config: HPAControllerConfig
    /// When the controller will next sync this HPA.
    public private(set) var nextSyncAt: Int64
    /// Unstabilized recommendations, oldest slots reused (a.recommendations[key]).
    public internal(set) var recommendations: [TimestampedValue] = []
    /// Replicas added / removed by past rescales (a.scaleUpEvents / a.scaleDownEvents), only kept with a behavior.
    public internal(set) var scaleUpEvents: [ScaleEvent] = []
    public internal(set) var scaleDownEvents: [ScaleEvent] = []

    public struct TimestampedValue: Sendable, Equatable, Hashable {
        public var value: Int
        public var time: Int64
    }

    public struct ScaleEvent: Sendable, Equatable, Hashable {
        public var replicaChange: Int
        public var time: Int64
        public var outdated: Bool
    }

    /// `spec` as written; the API server's defaulting (behavior fields, minReplicas, metrics) is applied here.
    public init(spec: HPASpec, config: HPAControllerConfig = HPAControllerConfig(), createdAt: Int64) {
        self.spec = spec.defaulted
        self.config = config
        self.nextSyncAt = createdAt + config.syncPeriod
    }

    public func isDue(now: Int64) -> Bool { now >= nextSyncAt }

    /// The effective per-direction tolerances (behavior.scale{Up,Down}.tolerance, else the controller's).
    public var tolerances: HPATolerances {
        HPATolerances(
            scaleDown: spec.behavior?.scaleDown?.tolerance ?? config.tolerance,
            scaleUp: spec.behavior?.scaleUp?.tolerance ?? config.tolerance
        )
    }

    /// The scale-down stabilization window in effect (maybeInitScaleDownStabilizationWindow), in ms.
    public var scaleDownStabilizationWindow: Int64 {
        guard let behavior = spec.behavior else { return config.downscaleStabilizationWindow }
        return behavior.scaleDown?.stabilizationWindowSeconds.map { Int64($0) * 1_000 } ?? config.downscaleStabilizationWindow
    }

    /// The brief's shape for the common single-metric case. `statusReplicas` defaults to `currentReplicas`.
    public mutating func reconcile(
        now: Int64, currentReplicas: Int, statusReplicas: Int? = nil, readyReplicas: Int, metric: HPAMetricReading
    ) -> Int {
        let target = HPAScaleTarget(
            specReplicas: currentReplicas, statusReplicas: statusReplicas ?? currentReplicas, readyReplicas: readyReplicas
        )
        return reconcile(now: now, target: target, readings: [metric]).desiredReplicas
    }

    /// reconcileAutoscaler: one sync. `readings` are in the order of `spec.metrics`.
    public mutating func reconcile(now: Int64, target: HPAScaleTarget, readings: [HPAMetricReading]) -> HPADecision {
        precondition(readings.count == spec.metrics.count, "one reading per spec.metrics entry")
        nextSyncAt = now + config.syncPeriod
        let currentReplicas = target.specReplicas
        if recommendations.isEmpty {
            recommendations = [TimestampedValue(value: currentReplicas, time: now)]   // recordInitialRecommendation
        }
        let minReplicas = spec.minReplicas
        if currentReplicas == 0 && minReplicas != 0 {
            return HPADecision(desiredReplicas: 0, rescaled: false, metricProposal: nil, stabilizedRecommendation: nil, reason: .scalingDisabled)
        }
        if currentReplicas > spec.maxReplicas || currentReplicas < minReplicas {
            let desired = currentReplicas > spec.maxReplicas ? spec.maxReplicas : minReplicas
            storeScaleEvent(now: now, previous: currentReplicas, new: desired)
            return HPADecision(
                desiredReplicas: desired, rescaled: true, metricProposal: nil, stabilizedRecommendation: nil,
                reason: currentReplicas > spec.maxReplicas ? .aboveMaxReplicas : .belowMinReplicas
            )
        }
        guard let proposal = computeReplicasForMetrics(now: now, target: target, readings: readings) else {
            return HPADecision(
                desiredReplicas: currentReplicas, rescaled: false, metricProposal: nil, stabilizedRecommendation: nil,
                reason: .failedComputeMetricsReplicas
            )
        }
        let prenormalized = max(0, proposal)
        let (stabilized, desired, reason) = spec.behavior == nil
            ? normalizeLegacy(now: now, current: currentReplicas, prenormalized: prenormalized)
            : normalizeWithBehaviors(now: now, current: currentReplicas, prenormalized: prenormalized)
        let rescaled = desired != currentReplicas
        if rescaled {
            storeScaleEvent(now: now, previous: currentReplicas, new: desired)
        }
        return HPADecision(
            desiredReplicas: rescaled ? desired : currentReplicas, rescaled: rescaled, metricProposal: proposal,
            stabilizedRecommendation: stabilized, reason: reason
        )
    }

    // MARK: - Metrics

    /// computeReplicasForMetrics: the largest proposal; nil when every metric failed, or when some failed and
    /// the rest would scale down.
    func computeReplicasForMetrics(now: Int64, target: HPAScaleTarget, readings: [HPAMetricReading]) -> Int? {
        var replicas = 0
        var invalid = 0
        for (metric, reading) in zip(spec.metrics, readings) {
            switch proposal(for: metric, reading: reading, now: now, target: target) {
            case .success(let proposal):
                if replicas == 0 || proposal > replicas { replicas = proposal }
            case .failure:
                invalid += 1
            }
        }
        if invalid >= spec.metrics.count || (invalid > 0 && replicas < target.specReplicas) {
            return nil
        }
        return replicas
    }

    func proposal(for metric: HPAMetricSpec, reading: HPAMetricReading, now: Int64, target: HPAScaleTarget)
        -> Result<Int, HPAMetricError> {
        switch (metric, reading) {
        case (_, .unavailable):
            return .failure(.metricsUnavailable)
        case (.resource(let name, .utilization(let percent)), .pods(let pods)):
            return HPAReplicaCalculator.resourceUtilizationReplicas(
                currentReplicas: target.specReplicas, targetUtilization: percent, pods: pods, isCPU: name == "cpu",
                tolerances: tolerances, now: now, config: config
            ).map(\.replicas)
        case (.external(_, .averageValue(let milli)), .external(let values)):
            return .success(HPAReplicaCalculator.externalAverageValueReplicas(
                statusReplicas: target.statusReplicas, targetPerPodMilli: milli, milliValues: values, tolerances: tolerances
            ))
        case (.external(_, .value(let milli)), .external(let values)):
            return .success(HPAReplicaCalculator.externalValueReplicas(
                specReplicas: target.specReplicas, readyReplicas: target.readyReplicas, targetMilli: milli,
                milliValues: values, tolerances: tolerances
            ))
        default:
            // A reading of the wrong kind, or a target kind the twin does not model (Resource AverageValue).
            return .failure(.metricsUnavailable)
        }
    }
}
