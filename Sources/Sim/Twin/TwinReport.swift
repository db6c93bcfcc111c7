import Core

/// The twin's verdict for one seed: the exactly-once invariants of the run plus the autoscaling properties.
public struct TwinReport: Sendable {
    public struct Bounds: Hashable, Sendable {
        /// Lag must be back under the drain mark (`TwinSettings.drainMark`) this long after the burst ends.
        public var lagDrainSeconds: Int64 = 600
        /// Scale direction changes allowed in any window of `thrashWindowSeconds`.
        public var maxDirectionChanges = 4
        public var thrashWindowSeconds: Int64 = 600
        /// After a zone is lost: all desired pods ready again and lag back under the same mark.
        public var zoneRecoverySeconds: Int64 = 600

        public init() {}
    }

    public struct Finding: Hashable, Sendable {
        public var kind: String
        public var explanation: String
    }

    public var run: RunResult
    public var profile: TrafficProfile
    public var settings: TwinSettings
    public var maxReplicas: Int
    public var directionChanges: Int
    public var worstWindowDirectionChanges: Int
    public var lagPeak: Int64
    public var lagDrainSeconds: Int64?
    public var zoneLostAt: Int64?
    public var zoneRecoverySeconds: Int64?
    /// Time (sampled every `sampleInterval`) during which the backlog would take the ready workers longer than
    /// the lag SLO to apply (`TwinSettings.overLagSLO`).
    public var secondsOverLagSLO: Int64
    /// Worker pods the autoscaler asked for, integrated over the run (each sample stands for one interval): what
    /// the nodes must host, the cost.
    public var podSeconds: Int64
    public var findings: [Finding]

    public var passed: Bool { findings.isEmpty }

    /// `overshoot` is `TwinProbe.replicasBeyondPartitions` for these settings (computed once per sweep).
    public init(run: RunResult, profile: TrafficProfile, settings: TwinSettings, bounds: Bounds, zoneLostAt: Int64?,
                overshoot: TwinProbe.Overshoot?) {
        self.run = run
        self.profile = profile
        self.settings = settings
        let threshold = settings.lagThreshold
        let scaledObject = settings.scaledObject
        self.zoneLostAt = zoneLostAt
        let samples = run.samples
        maxReplicas = max(run.maxWorkerPods, samples.map(\.desiredReplicas).max() ?? 0)
        let changes = TwinReport.directionChanges(samples)
        directionChanges = changes.count
        worstWindowDirectionChanges = TwinReport.worstWindow(changes, window: bounds.thrashWindowSeconds * 1_000)
        lagPeak = samples.map(\.lagEvents).max() ?? 0
        let settled = { (sample: TwinSample) in sample.lagEvents <= settings.drainMark(readyReplicas: sample.readyReplicas) }
        let mark = settings.drainMark(readyReplicas: 1)
        lagDrainSeconds = samples.first { $0.time >= profile.burstEnd && settled($0) }.map { ($0.time - profile.burstEnd) / 1_000 }
        let interval = settings.sampleInterval / 1_000
        secondsOverLagSLO = Int64(samples.filter { settings.overLagSLO(lag: $0.lagEvents, readyReplicas: $0.readyReplicas) }.count) * interval
        podSeconds = samples.reduce(0) { $0 + Int64($1.desiredReplicas) } * interval
        if let lost = zoneLostAt {
            zoneRecoverySeconds = samples.first { $0.time > lost && $0.readyReplicas >= $0.desiredReplicas && settled($0) }
                .map { ($0.time - lost) / 1_000 }
        }
        var findings = run.violations.map { Finding(kind: $0.kind.rawValue, explanation: $0.explanation) }
        if let overshoot {
            findings.append(.init(kind: "replicas-exceed-partitions", explanation: "with the consumer group's lag held at \(overshoot.lagEvents) events (between \(run.partitions)x and \(run.partitions + 1)x the lagThreshold \(threshold)), KEDA's cap does not apply (it caps only when lag / threshold > partitions) and the HPA settles at \(overshoot.replicas) replicas for \(run.partitions) partitions: \(overshoot.replicas - run.partitions) would idle. maxReplicaCount \(scaledObject.maxReplicaCount) must not exceed the partition count."))
        } else if maxReplicas > run.partitions {
            findings.append(.init(kind: "replicas-exceed-partitions", explanation: "\(maxReplicas) worker replicas for \(run.partitions) partitions: \(maxReplicas - run.partitions) would idle with no partition (maxReplicaCount \(scaledObject.maxReplicaCount), KEDA's lag cap allows P+1 through the HPA's ceil)."))
        }
        if worstWindowDirectionChanges > bounds.maxDirectionChanges {
            findings.append(.init(kind: "scale-thrash", explanation: "\(worstWindowDirectionChanges) scale direction changes within \(bounds.thrashWindowSeconds) s (bound \(bounds.maxDirectionChanges)); each change is a consumer-group rebalance. Scale-down behavior: \(settings.autoscalingDescription)."))
        }
        if let drain = lagDrainSeconds {
            if drain > bounds.lagDrainSeconds {
                findings.append(.init(kind: "lag-not-drained", explanation: "lag took \(drain) s after the burst ended at \(Timestamp(milliseconds: profile.burstEnd)) to fall under \(mark) events per ready replica (bound \(bounds.lagDrainSeconds) s); peak \(lagPeak) events."))
            }
        } else {
            findings.append(.init(kind: "lag-not-drained", explanation: "lag never fell under \(mark) events per ready replica after the burst ended at \(Timestamp(milliseconds: profile.burstEnd)); peak \(lagPeak) events."))
        }
        if let lost = zoneLostAt {
            let recovered = zoneRecoverySeconds.map { $0 <= bounds.zoneRecoverySeconds } ?? false
            if !recovered {
                findings.append(.init(kind: "zone-recovery-slow", explanation: "after losing a zone at \(Timestamp(milliseconds: lost)) the workers \(zoneRecoverySeconds.map { "took \($0) s" } ?? "never") to be all ready with lag under \(mark) events per ready replica (bound \(bounds.zoneRecoverySeconds) s)."))
            }
        }
        self.findings = findings
    }

    /// Times at which the desired replica count changed direction (up after down, or down after up).
    static func directionChanges(_ samples: [TwinSample]) -> [Int64] {
        directionChanges(samples.map { ($0.time, $0.desiredReplicas) })
    }

    /// The same over (time, replicas) points.
    static func directionChanges(_ points: [(time: Int64, replicas: Int)]) -> [Int64] {
        var times: [Int64] = []
        var last = 0
        for (previous, point) in zip(points, points.dropFirst()) where point.replicas != previous.replicas {
            let direction = point.replicas > previous.replicas ? 1 : -1
            if last != 0, direction != last { times.append(point.time) }
            last = direction
        }
        return times
    }

    /// The most changes within any window of `window` milliseconds starting at a change.
    static func worstWindow(_ changes: [Int64], window: Int64) -> Int {
        changes.map { start in changes.filter { $0 >= start && $0 < start + window }.count }.max() ?? 0
    }
}
