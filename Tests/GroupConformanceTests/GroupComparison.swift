/// Two traces of one scenario compared step by step on `Observe.comparable` lines. Generations advanced may
/// be more in the live trace (a round the mock repeats) but never fewer; in such a step a revoke commit the
/// extra round caused and the mock refused (REBALANCE_IN_PROGRESS, nothing stored) is listed, not failed.
/// Assignments and committed offsets are compared in every step regardless.
struct GroupComparison {
    var mismatches: [String] = []
    var extraRounds: [String] = []

    init(_ scenario: GroupScenario, sim: GroupTrace, live: GroupTrace) {
        guard sim.steps.count == live.steps.count else {
            mismatches.append("step counts differ: \(sim.steps.count) vs \(live.steps.count)")
            return
        }
        for (index, (a, b)) in zip(sim.steps, live.steps).enumerated() {
            let simLines = Observe.comparable(a, scenario.rebalanceProtocol)
            let liveLines = Observe.comparable(b, scenario.rebalanceProtocol)
            let repeated = (b.generations ?? 0) > (a.generations ?? 0)
            for line in simLines where !liveLines.contains(line) {
                mismatches.append("step \(index) \(a.action): simulator \(line) | mock \(liveLines.joined(separator: "; "))")
            }
            for line in liveLines where !simLines.contains(line) {
                if repeated, line.hasPrefix("commit "), line.hasSuffix("-> REBALANCE_IN_PROGRESS") {
                    extraRounds.append("step \(index) \(a.action): repeated round: mock \(line)")
                    continue
                }
                mismatches.append("step \(index) \(a.action): mock \(line) | simulator \(simLines.joined(separator: "; "))")
            }
            switch (a.generations, b.generations) {
            case let (s?, l?) where l < s:
                mismatches.append("step \(index) \(a.action): simulator advanced \(s) generations, mock \(l)")
            case let (s?, l?) where l > s:
                extraRounds.append("step \(index) \(a.action): mock advanced \(l) generations, simulator \(s)")
            case (nil, nil), (_?, _?):
                break
            default:
                mismatches.append("step \(index) \(a.action): generations \(String(describing: a.generations)) vs \(String(describing: b.generations))")
            }
        }
    }
}
