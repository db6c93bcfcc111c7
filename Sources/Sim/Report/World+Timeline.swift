import Core

extension World {
    func timeline(violations: [Violation]) -> Timeline {
        var spans: [Timeline.PodSpan] = []
        var freezes: [Timeline.Freeze] = []
        for (index, pod) in pods.enumerated() {
            let entries = journal.entries.filter { $0.pod == Int32(index) }
            let started = entries.first { $0.kind == .started }?.time ?? 0
            var ended: Int64?
            var reason = ""
            for entry in entries {
                switch entry.kind {
                case .killed: (ended, reason) = (entry.time, "killed")
                case .exited(let left): (ended, reason) = (entry.time, left ? "exited (left group)" : "exited")
                case .frozen(let until): freezes.append(.init(pod: pod.name, from: entry.time, until: until))
                default: break
                }
            }
            if pod.isAlive { ended = nil }
            spans.append(.init(name: pod.name, started: started, ended: ended, endReason: reason))
        }
        let rounds = coordinator.rounds.map { round in
            Timeline.Round(time: round.time, generation: round.generation, owners: round.members.indices.map {
                .init(pod: pods[Int(round.pods[$0])].name, member: round.members[$0],
                      partitions: round.assignment[$0].map { Int32($0) })
            })
        }
        let commits = coordinator.commits.map {
            Timeline.Commit(time: $0.time, pod: pods[Int($0.pod)].name, member: $0.member, generation: $0.generation,
                            partition: $0.offset.partition, offset: $0.offset.offset, accepted: $0.accepted)
        }
        return Timeline(
            seed: scenario.seed, mode: mode.rawValue, partitions: scenario.partitions, duration: now, pods: spans,
            freezes: freezes, rounds: rounds, commits: commits,
            faults: journal.faults.map { .init(time: $0.time, label: $0.kind.rawValue, detail: $0.detail) },
            scaling: journal.scaleSteps.map { .init(time: $0.time, label: "scale to \($0.replicas)", detail: "") },
            violations: violations.map {
                .init(time: $0.time, kind: $0.kind.rawValue, cause: $0.cause, partition: $0.partition, offset: $0.offset,
                      explanation: $0.explanation)
            })
    }
}
