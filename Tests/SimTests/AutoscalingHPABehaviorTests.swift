import Testing
@testable import Sim

/// The HPA's behavior normalisation, ported from kubernetes/kubernetes pkg/controller/podautoscaler/
/// horizontal_test.go (TestScalingWithRules, TestNormalizeDesiredReplicasWithBehavior, TestStoreScaleEvents,
/// TestNormalizeDesiredReplicas). Go's time.Now() offsets become milliseconds before `now`.
@Suite("HPA behavior")
struct AutoscalingHPABehaviorTests {
    static let now: Int64 = 10_000_000

    /// horizontal_test.go generateScalingRules(pods, podsPeriod, percent, percentPeriod, stabilizationWindow).
    static func rules(_ pods: Int, _ podsPeriod: Int, _ percent: Int, _ percentPeriod: Int, _ window: Int) -> HPAScalingRules {
        var policies: [HPAScalingPolicy] = []
        if pods != 0 { policies.append(HPAScalingPolicy(.pods, value: pods, periodSeconds: podsPeriod)) }
        if percent != 0 { policies.append(HPAScalingPolicy(.percent, value: percent, periodSeconds: percentPeriod)) }
        return HPAScalingRules(stabilizationWindowSeconds: window, selectPolicy: .max, policies: policies)
    }

    /// generateEventsUniformDistribution(rawEvents, periodSeconds): events spread over the last period.
    static func events(_ changes: [Int], over periodSeconds: Int) -> [HorizontalPodAutoscaler.ScaleEvent] {
        let segment = Double(periodSeconds) / Double(changes.count)
        return changes.enumerated().map { index, change in
            let secondsAgo = Double(periodSeconds) - segment * Double(index + 1) + segment / 2
            return HorizontalPodAutoscaler.ScaleEvent(replicaChange: change, time: now - Int64(secondsAgo * 1_000), outdated: false)
        }
    }

    static func hpa(min: Int, max: Int, up: HPAScalingRules? = nil, down: HPAScalingRules? = nil) -> HorizontalPodAutoscaler {
        HorizontalPodAutoscaler(
            spec: HPASpec(name: "h", scaleTargetName: "d", minReplicas: min, maxReplicas: max,
                          metrics: [.external(name: "m", target: .averageValue(milli: 1_000))],
                          behavior: HPABehavior(scaleUp: up, scaleDown: down)),
            createdAt: 0)
    }

    /// TestScalingWithRules: convertDesiredReplicasWithBehaviorRate with GenerateHPAScale{Up,Down}Rules.
    @Test(arguments: [
        // (name, current, desired, min, max, up rules, down rules, up events, down events, expected, reason)
        ("within range", 5, 7, 3, 8, nil, nil, [], [], 7, HPADecision.Reason.desiredWithinRange),
        ("below min", 3, 1, 2, 8, nil, nil, [], [], 2, .tooFewReplicas),
        ("min 0", 1, 0, 0, 10, nil, nil, [], [], 0, .desiredWithinRange),
        ("max < scaleUpLimit", 20, 1000, 1, 10, nil, nil, [], [], 10, .tooManyReplicas),
        ("more than max", 100, 1000, 100, 150, nil, nil, [], [], 150, .tooManyReplicas),
        ("user up policy", 3, 1000, 1, 2000, rules(0, 0, 1, 60, 0), nil, [], [], 4, .scaleUpLimit),
        ("user down policy", 1000, 3, 3, 2000, nil, rules(20, 60, 0, 0, 0), [], [], 980, .scaleDownLimit),
        ("default up", 10, 50, 1, 1000, nil, nil, [], [], 20, .scaleUpLimit),
        ("pods > percent", 10, 500, 1, 1000, rules(100, 60, 100, 60, 0), nil, [], [], 110, .scaleUpLimit),
        ("percent > pods", 10, 500, 1, 1000, rules(2, 60, 100, 60, 0), nil, [], [], 20, .scaleUpLimit),
        ("pod policy limit", 10, 50, 1, 1000, rules(30, 60, 0, 0, 0), nil, [], [], 40, .scaleUpLimit),
        ("percent policy limit", 10, 50, 1, 1000, rules(0, 0, 200, 60, 0), nil, [], [], 30, .scaleUpLimit),
        ("down percent > pods", 100, 2, 1, 1000, nil, rules(20, 60, 1, 60, 300), [], [], 80, .scaleDownLimit),
        ("down pods > percent", 100, 2, 1, 1000, nil, rules(2, 60, 1, 60, 300), [], [], 98, .scaleDownLimit),
        ("down large pods, min", 10, 0, 1, 1000, nil, rules(100, 60, 0, 0, 300), [], [], 1, .tooFewReplicas),
        ("down large percent, min", 10, 2, 5, 1000, nil, rules(0, 0, 100, 60, 300), [], [], 5, .tooFewReplicas),
        ("down pod limit", 10, 2, 1, 1000, nil, rules(5, 60, 0, 0, 300), [], [], 5, .scaleDownLimit),
        ("down percent limit", 10, 5, 1, 1000, nil, rules(0, 0, 50, 60, 300), [], [], 5, .desiredWithinRange),
        ("up events, max", 100, 500, 1, 200, rules(300, 60, 0, 0, 0), nil, events([1, 5, 9], over: 120), [], 200, .tooManyReplicas),
        ("up events block", 100, 500, 1, 1000, rules(5, 120, 0, 0, 0), nil, events([1, 5, 9], over: 120), [], 100, .scaleUpLimit),
        ("up events pods", 100, 500, 1, 1000, rules(150, 120, 0, 0, 0), nil, events([1, 5, 9], over: 120), [], 235, .scaleUpLimit),
        ("up events percent", 100, 500, 1, 1000, rules(0, 0, 200, 120, 0), nil, events([1, 5, 9], over: 120), [], 255, .scaleUpLimit),
        ("down events pods", 100, 2, 1, 1000, nil, rules(5, 120, 0, 0, 300), [], events([1, 5, 9], over: 120), 100, .scaleDownLimit),
        ("down events percent", 100, 0, 1, 1000, nil, rules(0, 0, 50, 120, 300), [], events([2, 4, 6], over: 120), 56, .scaleDownLimit),
        ("down events block", 100, 0, 1, 1000, nil, rules(0, 0, 10, 120, 300), [], events([10, 10, 10], over: 120), 100, .scaleDownLimit),
        ("down events allow", 10, 5, 1, 1000, nil, rules(0, 0, 1000, 120, 300), [], events([10, 10, 10], over: 120), 5, .desiredWithinRange),
    ] as [(String, Int, Int, Int, Int, HPAScalingRules?, HPAScalingRules?, [HorizontalPodAutoscaler.ScaleEvent], [HorizontalPodAutoscaler.ScaleEvent], Int, HPADecision.Reason)])
    func scalingWithRules(
        _ name: String, _ current: Int, _ desired: Int, _ min: Int, _ max: Int, _ up: HPAScalingRules?,
        _ down: HPAScalingRules?, _ upEvents: [HorizontalPodAutoscaler.ScaleEvent],
        _ downEvents: [HorizontalPodAutoscaler.ScaleEvent], _ expected: Int, _ reason: HPADecision.Reason
    ) {
        var hpa = Self.hpa(min: min, max: max, up: up, down: down)
        hpa.scaleUpEvents = upEvents
        hpa.scaleDownEvents = downEvents
        let behavior = hpa.spec.behavior!
        let (replicas, condition) = hpa.convertWithBehaviorRate(
            now: Self.now, current: current, desired: desired, upRules: behavior.scaleUp!, downRules: behavior.scaleDown!)
        #expect(replicas == expected, "\(name)")
        #expect(condition == reason, "\(name)")
    }

    /// TestNormalizeDesiredReplicasWithBehavior: stabilizeRecommendationWithBehaviors, values and stored log.
    @Test(arguments: [
        // (name, records (value, minutes ago), current, desired, up window s, down window s, expected, stored)
        ("empty, down", [], 100, 5, 0, 0, 5, [5]),
        ("simple down", [(4, 2), (5, 1)], 100, 3, 0, 180, 5, [4, 5, 3]),
        ("simple up", [(4, 2), (5, 1)], 1, 7, 300, 0, 4, [4, 5, 7]),
        ("no down stabilization", [(1, 2), (2, 1)], 100, 3, 300, 0, 3, [1, 2, 3]),
        ("no up stabilization", [(4, 2), (5, 1)], 1, 3, 0, 300, 3, [4, 5, 3]),
        ("reuse, down", [(10, 10), (9, 9)], 100, 3, 0, 0, 3, [10, 3]),
        ("reuse, up", [(10, 10), (9, 9)], 1, 100, 0, 0, 100, [10, 100]),
        ("reuse obsolete, down", [(10, 10), (4, 1), (5, 2), (9, 9)], 100, 3, 0, 180, 5, [10, 4, 5, 3]),
        ("reuse obsolete, up", [(10, 100), (6, 1), (5, 2), (9, 3)], 1, 100, 300, 0, 5, [100, 6, 5, 9]),
    ] as [(String, [(Int, Int64)], Int, Int, Int64, Int64, Int, [Int])])
    func stabilizationWindows(
        _ name: String, _ records: [(Int, Int64)], _ current: Int, _ desired: Int, _ upWindow: Int64,
        _ downWindow: Int64, _ expected: Int, _ stored: [Int]
    ) {
        var hpa = Self.hpa(min: 1, max: 1_000)
        hpa.recommendations = records.map { .init(value: $0.0, time: Self.now - $0.1 * 60_000) }
        let result = hpa.stabilizeWithBehaviors(now: Self.now, current: current, desired: desired,
                                                upWindow: upWindow * 1_000, downWindow: downWindow * 1_000)
        #expect(result == expected, "\(name)")
        #expect(hpa.recommendations.map(\.value) == stored, "\(name)")
    }

    /// TestStoreScaleEvents: getReplicasChangePerPeriod(60) before, then the stored events after storeScaleEvent.
    @Test(arguments: [
        // (name, previous events (change, seconds ago), rules, change in 60 s, stored (change, outdated))
        ("two-policy, empty", [], rules(10, 60, 100, 60, 0), 0, [(5, false)]),
        ("replace outdated", [(7, 61)], rules(10, 60, 100, 60, 0), 0, [(5, false)]),
        ("keep actual", [(7, 58)], rules(10, 60, 100, 60, 0), 7, [(7, false), (5, false)]),
        ("one of two replaced", [(7, 61), (6, 59)], rules(10, 60, 0, 0, 0), 6, [(5, false), (6, false)]),
        ("different periods", [(8, 29), (6, 59), (7, 61), (9, 61)], rules(10, 60, 100, 30, 0), 14,
         [(8, false), (6, false), (7, true), (5, false)]),
        ("both actual", [(7, 58), (6, 59)], rules(10, 120, 100, 30, 0), 13, [(7, false), (6, false), (5, false)]),
    ] as [(String, [(Int, Int64)], HPAScalingRules, Int, [(Int, Bool)])])
    func storeScaleEvents(
        _ name: String, _ previous: [(Int, Int64)], _ rules: HPAScalingRules, _ changeIn60s: Int, _ stored: [(Int, Bool)]
    ) {
        let events = previous.map { HorizontalPodAutoscaler.ScaleEvent(replicaChange: $0.0, time: Self.now - $0.1 * 1_000, outdated: false) }
        var up = Self.hpa(min: 1, max: 100, up: rules)
        up.scaleUpEvents = events
        #expect(HorizontalPodAutoscaler.changes(in: 60, now: Self.now, events: up.scaleUpEvents) == changeIn60s, "\(name)")
        up.storeScaleEvent(now: Self.now, previous: 10, new: 15)
        #expect(up.scaleUpEvents.map(\.replicaChange) == stored.map(\.0), "\(name) up")
        #expect(up.scaleUpEvents.map(\.outdated) == stored.map(\.1), "\(name) up")
        var down = Self.hpa(min: 1, max: 100, down: rules)
        down.scaleDownEvents = events
        down.storeScaleEvent(now: Self.now, previous: 10, new: 5)
        #expect(down.scaleDownEvents.map(\.replicaChange) == stored.map(\.0), "\(name) down")
        #expect(down.scaleDownEvents.map(\.outdated) == stored.map(\.1), "\(name) down")
    }

    /// TestStoreScaleEvents "no behavior": nothing is stored.
    @Test func noBehaviorStoresNoEvents() {
        var hpa = HorizontalPodAutoscaler(spec: HPASpec(name: "h", scaleTargetName: "d", maxReplicas: 10), createdAt: 0)
        hpa.storeScaleEvent(now: Self.now, previous: 10, new: 15)
        #expect(hpa.scaleUpEvents.isEmpty)
    }

    /// TestNormalizeDesiredReplicas (no behavior, 5 min window): stabilized value and log length.
    @Test(arguments: [
        ("empty log", [], 5, 5, 1),
        ("stabilize", [(4, 2), (5, 1)], 3, 5, 3),
        ("no stabilize", [(1, 2), (2, 1)], 3, 3, 3),
        ("no stabilize - old", [(10, 10), (9, 9)], 3, 3, 2),
        ("stabilize - old", [(10, 10), (4, 1), (5, 2), (9, 9)], 3, 5, 4),
    ] as [(String, [(Int, Int64)], Int, Int, Int)])
    func legacyStabilization(_ name: String, _ records: [(Int, Int64)], _ desired: Int, _ expected: Int, _ length: Int) {
        var hpa = HorizontalPodAutoscaler(spec: HPASpec(name: "h", scaleTargetName: "d", maxReplicas: 1_000), createdAt: 0)
        hpa.recommendations = records.map { .init(value: $0.0, time: Self.now - $0.1 * 60_000) }
        let (stabilized, _, _) = hpa.normalizeLegacy(now: Self.now, current: 100, prenormalized: desired)
        #expect(stabilized == expected, "\(name)")
        #expect(hpa.recommendations.count == length, "\(name)")
    }

    /// The window boundary: upstream's After/Before are strict. With a behavior, a recommendation exactly one
    /// window old no longer holds the count up; without one (legacy), it still does.
    @Test func windowBoundaryIsStrictWithBehaviorAndInclusiveWithout() {
        var withBehavior = Self.hpa(min: 1, max: 10, down: HPAScalingRules(stabilizationWindowSeconds: 300))
        withBehavior.recommendations = [.init(value: 8, time: Self.now - 300_000)]
        #expect(withBehavior.stabilizeWithBehaviors(now: Self.now, current: 8, desired: 2, upWindow: 0, downWindow: 300_000) == 2)
        var legacy = HorizontalPodAutoscaler(spec: HPASpec(name: "h", scaleTargetName: "d", maxReplicas: 10), createdAt: 0)
        legacy.recommendations = [.init(value: 8, time: Self.now - 300_000)]
        #expect(legacy.normalizeLegacy(now: Self.now, current: 8, prenormalized: 2).0 == 8)
    }

    /// API defaulting (pkg/apis/autoscaling/v2/defaults.go): a partial behavior gets the default policies.
    @Test func behaviorDefaulting() {
        let defaulted = HPABehavior(scaleDown: HPAScalingRules(stabilizationWindowSeconds: 60)).defaulted
        #expect(defaulted.scaleUp == HPAScalingRules.defaultScaleUp)
        #expect(defaulted.scaleDown?.stabilizationWindowSeconds == 60)
        #expect(defaulted.scaleDown?.selectPolicy == .max)
        #expect(defaulted.scaleDown?.policies == [HPAScalingPolicy(.percent, value: 100, periodSeconds: 15)])
        // The scale-down window left unset is the controller's 300 s.
        let hpa = HorizontalPodAutoscaler(spec: HPASpec(name: "h", scaleTargetName: "d", maxReplicas: 5,
                                                       behavior: HPABehavior(scaleUp: HPAScalingRules())), createdAt: 0)
        #expect(hpa.scaleDownStabilizationWindow == 300_000)
    }
}
