/// The two normalisations of horizontal.go: with a `behavior` (stabilization windows, rate policies) and the
/// legacy one for an HPA without any (max-of-window stabilization, at most max(2 x current, 4) per sync).
extension HorizontalPodAutoscaler {
    /// normalizeDesiredReplicasWithBehaviors = stabilizeRecommendationWithBehaviors +
    /// convertDesiredReplicasWithBehaviorRate. Returns (stabilized, desired, reason).
    mutating func normalizeWithBehaviors(now: Int64, current: Int, prenormalized: Int)
        -> (Int, Int, HPADecision.Reason) {
        let behavior = spec.behavior!
        let upRules = behavior.scaleUp ?? HPAScalingRules.defaultScaleUp
        let downRules = behavior.scaleDown ?? HPAScalingRules.defaultScaleDown
        let stabilized = stabilizeWithBehaviors(
            now: now, current: current, desired: prenormalized,
            upWindow: Int64(upRules.stabilizationWindowSeconds ?? 0) * 1_000, downWindow: scaleDownStabilizationWindow
        )
        let (desired, reason) = convertWithBehaviorRate(
            now: now, current: current, desired: stabilized, upRules: upRules, downRules: downRules
        )
        return (stabilized, desired, reason)
    }

    /// stabilizeRecommendationWithBehaviors: the recommendation is pulled up to the lowest of the scale-up window
    /// and down to the highest of the scale-down window, starting from the current count; then the unstabilized
    /// value is recorded, replacing a sample older than both windows (the last such one) or appended.
    mutating func stabilizeWithBehaviors(now: Int64, current: Int, desired: Int, upWindow: Int64, downWindow: Int64) -> Int {
        let upCutoff = now - upWindow
        let downCutoff = now - downWindow
        var upRecommendation = desired
        var downRecommendation = desired
        var oldSample: Int?
        for (index, record) in recommendations.enumerated() {
            if record.time > upCutoff { upRecommendation = min(record.value, upRecommendation) }
            if record.time > downCutoff { downRecommendation = max(record.value, downRecommendation) }
            if record.time < upCutoff && record.time < downCutoff { oldSample = index }
        }
        var recommendation = current
        if recommendation < upRecommendation { recommendation = upRecommendation }
        if recommendation > downRecommendation { recommendation = downRecommendation }
        record(TimestampedValue(value: desired, time: now), replacing: oldSample)
        return recommendation
    }

    /// convertDesiredReplicasWithBehaviorRate.
    func convertWithBehaviorRate(now: Int64, current: Int, desired: Int, upRules: HPAScalingRules, downRules: HPAScalingRules)
        -> (Int, HPADecision.Reason) {
        if desired > current {
            var scaleUpLimit = Self.scaleUpLimit(now: now, current: current, up: scaleUpEvents, down: scaleDownEvents, rules: upRules)
            if scaleUpLimit < current { scaleUpLimit = current }
            var maximumAllowed = spec.maxReplicas
            var reason = HPADecision.Reason.tooManyReplicas
            if maximumAllowed > scaleUpLimit {
                maximumAllowed = scaleUpLimit
                reason = .scaleUpLimit
            }
            if desired > maximumAllowed { return (maximumAllowed, reason) }
        } else if desired < current {
            var scaleDownLimit = Self.scaleDownLimit(now: now, current: current, up: scaleUpEvents, down: scaleDownEvents, rules: downRules)
            if scaleDownLimit > current { scaleDownLimit = current }
            var minimumAllowed = spec.minReplicas
            var reason = HPADecision.Reason.tooFewReplicas
            if minimumAllowed < scaleDownLimit {
                minimumAllowed = scaleDownLimit
                reason = .scaleDownLimit
            }
            if desired < minimumAllowed { return (minimumAllowed, reason) }
        }
        return (desired, .desiredWithinRange)
    }

    /// calculateScaleUpLimitWithScalingRules: per policy, the count at the start of its period plus what it
    /// allows; Max picks the largest, Min the smallest, Disabled forbids scaling up.
    static func scaleUpLimit(now: Int64, current: Int, up: [ScaleEvent], down: [ScaleEvent], rules: HPAScalingRules) -> Int {
        let select = rules.selectPolicy ?? .max
        if select == .disabled { return current }
        var result = select == .min ? Int(Int32.max) : Int(Int32.min)
        for policy in rules.policies ?? [] {
            let periodStart = replicas(atStartOf: policy.periodSeconds, now: now, current: current, up: up, down: down)
            let proposed: Int
            switch policy.kind {
            case .pods:
                proposed = periodStart + policy.value
            case .percent:
                // Rounded up so that a small percentage still adds a pod; doubles as upstream's float64.
                proposed = HPAReplicaCalculator.ceilToInt(Double(periodStart) * (1 + Double(policy.value) / 100))
            }
            result = select == .min ? min(result, proposed) : max(result, proposed)
        }
        return result
    }

    /// calculateScaleDownLimitWithBehaviors: per policy, the count at the start of its period minus what it
    /// allows; Max (the default) means the largest change, i.e. the smallest count.
    static func scaleDownLimit(now: Int64, current: Int, up: [ScaleEvent], down: [ScaleEvent], rules: HPAScalingRules) -> Int {
        let select = rules.selectPolicy ?? .max
        if select == .disabled { return current }
        var result = select == .min ? Int(Int32.min) : Int(Int32.max)
        for policy in rules.policies ?? [] {
            let periodStart = replicas(atStartOf: policy.periodSeconds, now: now, current: current, up: up, down: down)
            let proposed: Int
            switch policy.kind {
            case .pods:
                proposed = periodStart - policy.value
            case .percent:
                // int32(float64(...)) truncates toward zero.
                proposed = Int(Double(periodStart) * (1 - Double(policy.value) / 100))
            }
            result = select == .min ? max(result, proposed) : min(result, proposed)
        }
        return result
    }

    /// The replica count at the start of a policy's period: the current count with the period's changes undone.
    static func replicas(atStartOf periodSeconds: Int, now: Int64, current: Int, up: [ScaleEvent], down: [ScaleEvent]) -> Int {
        current - changes(in: periodSeconds, now: now, events: up) + changes(in: periodSeconds, now: now, events: down)
    }

    /// getReplicasChangePerPeriod: replicas changed by events strictly newer than `now - period`.
    static func changes(in periodSeconds: Int, now: Int64, events: [ScaleEvent]) -> Int {
        let cutoff = now - Int64(periodSeconds) * 1_000
        return events.reduce(0) { $0 + ($1.time > cutoff ? $1.replicaChange : 0) }
    }

    /// storeScaleEvent: only with a behavior. Events older than the direction's longest policy period are
    /// marked outdated; the last outdated slot is reused, else the event is appended.
    mutating func storeScaleEvent(now: Int64, previous: Int, new: Int) {
        guard let behavior = spec.behavior else { return }
        let scalingUp = new > previous
        let rules = (scalingUp ? behavior.scaleUp : behavior.scaleDown) ?? HPAScalingRules()
        let longestPeriod = (rules.policies ?? []).map(\.periodSeconds).max() ?? 0
        let cutoff = now - Int64(max(0, longestPeriod)) * 1_000
        var events = scalingUp ? scaleUpEvents : scaleDownEvents
        var oldSample: Int?
        for index in events.indices {
            if events[index].time < cutoff { events[index].outdated = true }
            if events[index].outdated { oldSample = index }
        }
        let event = ScaleEvent(replicaChange: scalingUp ? new - previous : previous - new, time: now, outdated: false)
        if let oldSample { events[oldSample] = event } else { events.append(event) }
        if scalingUp { scaleUpEvents = events } else { scaleDownEvents = events }
    }

    /// normalizeDesiredReplicas (no behavior): stabilizeRecommendation, then convertDesiredReplicasWithRules.
    mutating func normalizeLegacy(now: Int64, current: Int, prenormalized: Int) -> (Int, Int, HPADecision.Reason) {
        // stabilizeRecommendation: the max of the window; here a sample exactly at the cutoff still counts
        // (upstream tests `Before(cutoff)` for "old", not `After`).
        let cutoff = now - config.downscaleStabilizationWindow
        var maxRecommendation = prenormalized
        var oldSample: Int?
        for (index, record) in recommendations.enumerated() {
            if record.time < cutoff {
                oldSample = index
            } else if record.value > maxRecommendation {
                maxRecommendation = record.value
            }
        }
        record(TimestampedValue(value: prenormalized, time: now), replacing: oldSample)
        // convertDesiredReplicasWithRules: scale-up limited to max(2 x current, 4) per sync.
        let scaleUpLimit = Int(max(2.0 * Double(current), 4.0))
        var maximumAllowed = spec.maxReplicas
        var reason = HPADecision.Reason.tooManyReplicas
        if spec.maxReplicas > scaleUpLimit {
            maximumAllowed = scaleUpLimit
            reason = .scaleUpLimit
        }
        if maxRecommendation < spec.minReplicas { return (maxRecommendation, spec.minReplicas, .tooFewReplicas) }
        if maxRecommendation > maximumAllowed { return (maxRecommendation, maximumAllowed, reason) }
        return (maxRecommendation, maxRecommendation, .desiredWithinRange)
    }

    private mutating func record(_ value: TimestampedValue, replacing index: Int?) {
        if let index { recommendations[index] = value } else { recommendations.append(value) }
    }
}
