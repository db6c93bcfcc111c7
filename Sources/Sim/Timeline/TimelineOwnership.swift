/// Who owned a partition, from one group round until the next, as the coordinator assigned it. The
/// revocation window before a round (eager members give everything up when they rejoin) is not in the
/// timeline data, so a segment starts when its round completed.
struct TimelineOwnership: Hashable, Sendable {
    var partition: Int32
    var from: Int64
    var until: Int64
    var pod: String
    var member: Int32
    var generation: Int32

    /// Segments per partition (index = partition number), each list in time order. A partition no member
    /// held in a round (withheld by a cooperative round, or an empty group) has no segment for that interval.
    static func segments(of timeline: Timeline) -> [[TimelineOwnership]] {
        var lanes = Array(repeating: [TimelineOwnership](), count: max(0, timeline.partitions))
        let rounds = timeline.rounds.sorted { ($0.time, $0.generation) < ($1.time, $1.generation) }
        for (index, round) in rounds.enumerated() {
            let until = index + 1 < rounds.count ? rounds[index + 1].time : max(round.time, timeline.duration)
            guard until > round.time else { continue }
            for owner in round.owners {
                for partition in owner.partitions where partition >= 0 && Int(partition) < lanes.count {
                    lanes[Int(partition)].append(TimelineOwnership(
                        partition: partition, from: round.time, until: until, pod: owner.pod, member: owner.member,
                        generation: round.generation))
                }
            }
        }
        return lanes
    }
}
