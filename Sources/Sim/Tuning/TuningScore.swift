/// How one worker candidate did over the search seeds: the worst case of each service measure, the mean cost,
/// and the twin's properties. The four front axes are minimised.
public struct WorkerScore: Hashable, Sendable {
    public var seeds = 0
    /// nil when the lag did not drain in some seed.
    public var worstLagDrainSeconds: Int64? = 0
    public var worstSecondsOverLagSLO: Int64 = 0
    /// Summed over the seeds.
    public var podSeconds: Int64 = 0
    public var worstDirectionChanges = 0
    /// The most direction changes within one thrash window (the twin's no-thrash property bounds it).
    public var worstWindowDirectionChanges = 0
    public var maxReplicas = 0
    /// Kinds of the twin's findings in any seed (invariants and properties), sorted.
    public var findings: [String] = []

    public init() {}

    public init(_ report: TwinReport) {
        seeds = 1
        worstLagDrainSeconds = report.lagDrainSeconds
        worstSecondsOverLagSLO = report.secondsOverLagSLO
        podSeconds = report.podSeconds
        worstDirectionChanges = report.directionChanges
        worstWindowDirectionChanges = report.worstWindowDirectionChanges
        maxReplicas = report.maxReplicas
        findings = Array(Set(report.findings.map(\.kind))).sorted()
    }

    public mutating func merge(_ other: WorkerScore) {
        seeds += other.seeds
        if let mine = worstLagDrainSeconds, let theirs = other.worstLagDrainSeconds {
            worstLagDrainSeconds = max(mine, theirs)
        } else {
            worstLagDrainSeconds = nil
        }
        worstSecondsOverLagSLO = max(worstSecondsOverLagSLO, other.worstSecondsOverLagSLO)
        podSeconds += other.podSeconds
        worstDirectionChanges = max(worstDirectionChanges, other.worstDirectionChanges)
        worstWindowDirectionChanges = max(worstWindowDirectionChanges, other.worstWindowDirectionChanges)
        maxReplicas = max(maxReplicas, other.maxReplicas)
        findings = Array(Set(findings + other.findings)).sorted()
    }

    public var meanPodMinutes: Double { Double(podSeconds) / 60 / Double(max(1, seeds)) }
    public var passesTwin: Bool { findings.isEmpty }

    /// The front's axes: worst lag-drain (a lag that never drained counts as infinite), worst time over the lag
    /// SLO, mean pod-minutes, worst direction changes.
    public var axes: [Double] {
        [worstLagDrainSeconds.map(Double.init) ?? .infinity, Double(worstSecondsOverLagSLO), meanPodMinutes,
         Double(worstDirectionChanges)]
    }
}

/// How one api candidate did over the search seeds (the api twin: its CPU HPA under the same offered load).
public struct ApiScore: Hashable, Sendable {
    public var seeds = 0
    public var worstOverloadSeconds: Int64 = 0
    public var podSeconds: Int64 = 0
    public var worstDirectionChanges = 0
    public var worstWindowDirectionChanges = 0
    public var maxReplicas = 0

    public init() {}

    public init(_ outcome: ApiTwin.Outcome) {
        seeds = 1
        worstOverloadSeconds = outcome.overloadSeconds
        podSeconds = outcome.podSeconds
        worstDirectionChanges = outcome.directionChanges
        worstWindowDirectionChanges = outcome.worstWindowDirectionChanges
        maxReplicas = outcome.maxReplicas
    }

    public mutating func merge(_ other: ApiScore) {
        seeds += other.seeds
        worstOverloadSeconds = max(worstOverloadSeconds, other.worstOverloadSeconds)
        podSeconds += other.podSeconds
        worstDirectionChanges = max(worstDirectionChanges, other.worstDirectionChanges)
        worstWindowDirectionChanges = max(worstWindowDirectionChanges, other.worstWindowDirectionChanges)
        maxReplicas = max(maxReplicas, other.maxReplicas)
    }

    public var meanPodMinutes: Double { Double(podSeconds) / 60 / Double(max(1, seeds)) }

    /// Worst overload, mean pod-minutes, worst direction changes.
    public var axes: [Double] { [Double(worstOverloadSeconds), meanPodMinutes, Double(worstDirectionChanges)] }
}

/// The non-dominated points of a set (every axis minimised): a point is on the front when no other point is at
/// least as good on every axis and better on one.
public enum ParetoFront {
    public static func members(_ points: [[Double]]) -> [Bool] {
        points.map { point in
            !points.contains { other in
                zip(other, point).allSatisfy { $0 <= $1 } && zip(other, point).contains { $0 < $1 }
            }
        }
    }
}
