/// `--objective 'lag-drain<=120s,thrash<=4'`: upper bounds on the measures, cost minimised under them. Every
/// candidate must also keep all of the twin's properties (exactly-once, replicas within partitions, no thrash
/// window, lag drained and a zone outage survived within their bounds).
public struct TuningObjective: Hashable, Sendable, CustomStringConvertible {
    public enum Measure: String, CaseIterable, Sendable {
        /// Worst seconds after the burst until the lag is under the drain mark.
        case lagDrain = "lag-drain"
        /// Worst seconds during which the backlog is over the lag SLO.
        case lagSLO = "lag-slo"
        /// Worst scale direction changes of the worker in a run.
        case thrash
        /// Mean worker pod-minutes per run.
        case podMinutes = "pod-minutes"
        /// Worst seconds the api is saturated.
        case apiOverload = "api-overload"
        /// Worst scale direction changes of the api in a run.
        case apiThrash = "api-thrash"

        var isTime: Bool { self == .lagDrain || self == .lagSLO || self == .apiOverload }
        var isApi: Bool { self == .apiOverload || self == .apiThrash }
    }

    public struct Bound: Hashable, Sendable {
        public var measure: Measure
        /// Seconds for times, a count or pod-minutes otherwise.
        public var limit: Double
    }

    public var bounds: [Bound]
    public var text: String
    /// When set, a worker candidate must also stay under this many direction changes in any thrash window
    /// (headroom under the twin's own bound, which `findings` enforce).
    public var windowChangesBelow: Int?

    /// Parses `measure<=value[s|m]` terms separated by commas; nil with a reason when malformed.
    public static func parse(_ text: String) -> Result<TuningObjective, ObjectiveError> {
        var bounds: [Bound] = []
        for term in text.split(separator: ",").map({ $0.trimmingCharacters(in: " ") }) where !term.isEmpty {
            let parts = term.split(separator: "<=", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, let measure = Measure(rawValue: parts[0].trimmingCharacters(in: " ")) else {
                return .failure(ObjectiveError(text: text, reason: "'\(term)' is not MEASURE<=VALUE (measures: \(Measure.allCases.map(\.rawValue).joined(separator: ", ")))"))
            }
            var value = parts[1].trimmingCharacters(in: " ")
            var scale = 1.0
            if measure.isTime, let unit = value.last, unit == "s" || unit == "m" {
                scale = unit == "m" ? 60 : 1
                value.removeLast()
            }
            guard let number = Double(value), number >= 0, number.isFinite else {
                return .failure(ObjectiveError(text: text, reason: "'\(term)': \(parts[1]) is not a non-negative number\(measure.isTime ? " of seconds (120s, 2m)" : "")"))
            }
            bounds.append(Bound(measure: measure, limit: number * scale))
        }
        guard !bounds.isEmpty else { return .failure(ObjectiveError(text: text, reason: "no bound given")) }
        return .success(TuningObjective(bounds: bounds, text: text, windowChangesBelow: nil))
    }

    public var description: String { text }

    public var workerBounds: [Bound] { bounds.filter { !$0.measure.isApi } }
    public var apiBounds: [Bound] { bounds.filter { $0.measure.isApi } }
    public func has(_ measure: Measure) -> Bool { bounds.contains { $0.measure == measure } }

    public static func value(_ measure: Measure, worker: WorkerScore) -> Double {
        switch measure {
        case .lagDrain: return worker.worstLagDrainSeconds.map(Double.init) ?? .infinity
        case .lagSLO: return Double(worker.worstSecondsOverLagSLO)
        case .thrash: return Double(worker.worstDirectionChanges)
        case .podMinutes: return worker.meanPodMinutes
        case .apiOverload, .apiThrash: return 0
        }
    }

    public static func value(_ measure: Measure, api: ApiScore) -> Double {
        switch measure {
        case .apiOverload: return Double(api.worstOverloadSeconds)
        case .apiThrash: return Double(api.worstDirectionChanges)
        default: return 0
        }
    }

    /// How far a worker candidate is from the objective: 0 when it meets every bound and keeps every property;
    /// otherwise the sum of relative excesses, plus 1 per broken property kind.
    public func shortfall(_ score: WorkerScore) -> Double {
        var total = Double(score.findings.count)
        if let below = windowChangesBelow, score.worstWindowDirectionChanges >= below {
            total += Double(score.worstWindowDirectionChanges - below + 1)
        }
        for bound in workerBounds {
            let value = TuningObjective.value(bound.measure, worker: score)
            if value > bound.limit { total += value.isFinite ? (value - bound.limit) / max(1, bound.limit) : 1_000 }
        }
        return total
    }

    public func meets(_ score: WorkerScore) -> Bool { shortfall(score) == 0 }

    /// Meets the objective with every bound tightened by `margin` (a fraction) and one scale direction change
    /// of headroom under the twin's thrash bound (`maxWindowChanges`): what a validation run must show, so that
    /// a candidate just inside the bounds on the seeds seen is not recommended for the seeds not seen.
    public func meetsWithHeadroom(_ score: WorkerScore, margin: Double, maxWindowChanges: Int) -> Bool {
        withHeadroom(margin: margin, maxWindowChanges: maxWindowChanges).meets(score)
    }

    /// This objective with every bound tightened by `margin` and the thrash headroom: what the search ranks by,
    /// so that it looks for candidates that keep a margin rather than ones that just pass on the seeds it sees.
    public func withHeadroom(margin: Double, maxWindowChanges: Int) -> TuningObjective {
        var tightened = self
        tightened.bounds = bounds.map { Bound(measure: $0.measure, limit: $0.limit * (1 - margin)) }
        tightened.windowChangesBelow = maxWindowChanges
        return tightened
    }

    /// The api bounds, with `api-overload` no worse than `shipped` when the objective names none; the api's
    /// scaling must also stay one change under the twin's thrash bound, as the worker's must.
    public func meets(_ score: ApiScore, shipped: ApiScore, maxWindowChanges: Int) -> Bool {
        var bounds = apiBounds
        if !has(.apiOverload) { bounds.append(Bound(measure: .apiOverload, limit: Double(shipped.worstOverloadSeconds))) }
        return score.worstWindowDirectionChanges < maxWindowChanges
            && bounds.allSatisfy { TuningObjective.value($0.measure, api: score) <= $0.limit }
    }
}

public struct ObjectiveError: Error, Hashable, Sendable, CustomStringConvertible {
    public var text: String
    public var reason: String
    public var description: String { "--objective '\(text)': \(reason)" }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var result = Substring(self)
        while result.first == set { result.removeFirst() }
        while result.last == set { result.removeLast() }
        return String(result)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> String { String(self).trimmingCharacters(in: set) }
}
