/// The replica proposals of pkg/controller/podautoscaler/replica_calculator.go, one function per metric kind
/// the manifests use. Ratios are IEEE doubles computed in upstream's order of operations (Swift's Double and
/// Go's float64 round identically), and `ceil` is applied to the same double, so boundary cases such as
/// ceil((40 / 30) * 3) = 4 come out as upstream's do; integer steps (utilization percentages) truncate as Go's
/// int64 division does.
public enum HPAReplicaCalculator {
    /// GetResourceReplicas for a `Utilization` target (e.g. cpu 70 %). `currentReplicas` is scale.spec.replicas.
    /// Returns the proposal and the utilization percentage it was based on.
    public static func resourceUtilizationReplicas(
        currentReplicas: Int, targetUtilization: Int, pods: [HPAPodSample], isCPU: Bool, tolerances: HPATolerances,
        now: Int64, config: HPAControllerConfig
    ) -> Result<(replicas: Int, utilization: Int), HPAMetricError> {
        guard !pods.isEmpty else { return .failure(.noPodsReturned) }
        let groups = group(pods, isCPU: isCPU, now: now, config: config)
        // metrics: pod index -> usage; unready and ignored pods are removed, missing pods have none.
        var metrics: [(index: Int, value: Int64)] = groups.ready.map { ($0, pods[$0].usage!.milli) }
        guard !metrics.isEmpty else { return .failure(.noMetricsForTargetedPods) }
        var requests: [Int64] = []
        for pod in pods {
            guard let request = pod.requestMilli else { return .failure(.missingRequest) }
            requests.append(request)
        }
        guard let first = utilizationRatio(metrics, requests: requests, target: targetUtilization) else {
            return .failure(.noMetricsMatchedKnownPods)
        }
        let usageRatio = first.ratio
        let scaleUpWithUnready = !groups.unready.isEmpty && usageRatio > 1.0
        if !scaleUpWithUnready && groups.missing.isEmpty {
            if tolerances.isWithin(usageRatio) {
                return .success((currentReplicas, first.utilization))
            }
            return .success((ceilToInt(usageRatio * Double(groups.ready.count)), first.utilization))
        }
        if !groups.missing.isEmpty {
            if usageRatio < 1.0 {
                // Scale-down: a pod without a sample counts as using max(100 %, target) of its request.
                let fallback = Int64(max(100, targetUtilization))
                metrics += groups.missing.map { ($0, requests[$0] * fallback / 100) }
            } else if usageRatio > 1.0 {
                metrics += groups.missing.map { ($0, 0) }
            }
        }
        if scaleUpWithUnready {
            metrics += groups.unready.map { ($0, 0) }
        }
        guard let second = utilizationRatio(metrics, requests: requests, target: targetUtilization) else {
            return .failure(.noMetricsMatchedKnownPods)
        }
        let newUsageRatio = second.ratio
        if tolerances.isWithin(newUsageRatio) || (usageRatio < 1.0 && newUsageRatio > 1.0)
            || (usageRatio > 1.0 && newUsageRatio < 1.0) {
            return .success((currentReplicas, first.utilization))
        }
        let newReplicas = ceilToInt(newUsageRatio * Double(metrics.count))
        if (newUsageRatio < 1.0 && newReplicas > currentReplicas) || (newUsageRatio > 1.0 && newReplicas < currentReplicas) {
            return .success((currentReplicas, first.utilization))
        }
        return .success((newReplicas, first.utilization))
    }

    /// GetExternalPerPodMetricReplicas: an External metric with an `AverageValue` target (what KEDA generates).
    /// Readiness plays no part: the ratio divides by scale.status.replicas and the proposal is ceil(usage / target).
    public static func externalAverageValueReplicas(
        statusReplicas: Int, targetPerPodMilli: Int64, milliValues: [Int64], tolerances: HPATolerances
    ) -> Int {
        let usage = summedUsage(milliValues)
        let usageRatio = Double(usage) / (Double(targetPerPodMilli) * Double(statusReplicas))
        if tolerances.isWithin(usageRatio) {
            return statusReplicas
        }
        let proposal = (Double(usage) / Double(targetPerPodMilli)).rounded(.up)
        return proposal > Double(Int32.max) ? Int(Int32.max) : Int(proposal)
    }

    /// GetExternalMetricReplicas: an External metric with a `Value` target; scales the Ready pods' count.
    public static func externalValueReplicas(
        specReplicas: Int, readyReplicas: Int, targetMilli: Int64, milliValues: [Int64], tolerances: HPATolerances
    ) -> Int {
        let usageRatio = Double(summedUsageCapped(milliValues)) / Double(targetMilli)
        guard specReplicas != 0 else {
            // Scale from zero (HPAScaleToZero): ceil of the ratio alone.
            return ceilToInt(usageRatio)
        }
        if tolerances.isWithin(usageRatio) {
            return specReplicas
        }
        let proposal = usageRatio * Double(readyReplicas)
        return proposal > Double(Int32.max) ? Int(Int32.max) : ceilToInt(proposal)
    }

    // MARK: - Helpers

    /// groupPods: ready, unready (pending, or for cpu not yet trustworthy), missing (no sample); failed and
    /// deleting pods are ignored.
    static func group(_ pods: [HPAPodSample], isCPU: Bool, now: Int64, config: HPAControllerConfig)
        -> (ready: [Int], unready: [Int], missing: [Int]) {
        var ready: [Int] = []
        var unready: [Int] = []
        var missing: [Int] = []
        for (index, pod) in pods.enumerated() {
            if pod.isDeleting || pod.phase == .failed { continue }
            if pod.phase == .pending { unready.append(index); continue }
            guard let usage = pod.usage else { missing.append(index); continue }
            if isCPU {
                var isUnready: Bool
                if let condition = pod.readyCondition, let start = pod.startTime {
                    if start + config.cpuInitializationPeriod > now {
                        // Still initialising: trust the sample only once a full window followed the last transition.
                        isUnready = !condition.isReady || usage.timestamp < condition.lastTransitionTime + usage.window
                    } else {
                        // Unready and never been ready since start.
                        isUnready = !condition.isReady
                            && start + config.delayOfInitialReadinessStatus > condition.lastTransitionTime
                    }
                } else {
                    isUnready = true
                }
                if isUnready { unready.append(index); continue }
            }
            ready.append(index)
        }
        return (ready, unready, missing)
    }

    /// metrics.GetResourceUtilizationRatio: utilization = int32(sum(usage) * 100 / sum(requests)) in integer
    /// arithmetic, ratio = utilization / target as doubles (the percentage is truncated before the division).
    static func utilizationRatio(_ metrics: [(index: Int, value: Int64)], requests: [Int64], target: Int)
        -> (ratio: Double, utilization: Int)? {
        var metricsTotal: Int64 = 0
        var requestsTotal: Int64 = 0
        for metric in metrics {
            metricsTotal += metric.value
            requestsTotal += requests[metric.index]
        }
        guard requestsTotal != 0 else { return nil }
        let utilization = Int(Int32(truncatingIfNeeded: metricsTotal * 100 / requestsTotal))
        return (Double(utilization) / Double(target), utilization)
    }

    /// GetExternalPerPodMetricReplicas' sum: any negative running total (overflow, or a negative value) becomes
    /// Int64.max, as upstream's `if usage < 0` does.
    static func summedUsage(_ values: [Int64]) -> Int64 {
        var usage: Int64 = 0
        for value in values {
            let (sum, overflow) = usage.addingReportingOverflow(value)
            if overflow || sum < 0 { return .max }
            usage = sum
        }
        return usage
    }

    /// GetExternalMetricReplicas' sum: saturates only on positive overflow.
    static func summedUsageCapped(_ values: [Int64]) -> Int64 {
        var usage: Int64 = 0
        for value in values {
            if value > 0 && usage > Int64.max - value { return .max }
            usage += value
        }
        return usage
    }

    /// `int32(math.Ceil(x))` for the finite, in-range values these ratios produce.
    static func ceilToInt(_ value: Double) -> Int {
        let rounded = value.rounded(.up)
        guard rounded.isFinite else { return rounded > 0 ? Int(Int32.max) : 0 }
        return Int(max(min(rounded, Double(Int32.max)), Double(Int32.min)))
    }
}
