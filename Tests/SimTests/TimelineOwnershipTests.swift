import Testing
@testable import Sim

@Suite("timeline: partition ownership from group rounds")
struct TimelineOwnershipTests {
    private func timeline(_ rounds: [Timeline.Round], partitions: Int = 3, duration: Int64 = 1_000) -> Timeline {
        Timeline(seed: 1, mode: "after", partitions: partitions, duration: duration, pods: [], freezes: [], rounds: rounds,
                 commits: [], faults: [], scaling: [], violations: [])
    }

    @Test func eachRoundOwnsUntilTheNextAndTheLastUntilTheEnd() {
        let lanes = TimelineOwnership.segments(of: timeline([
            .init(time: 100, generation: 1, owners: [.init(pod: "w0.1", member: 1, partitions: [0, 1, 2])]),
            .init(time: 400, generation: 2, owners: [.init(pod: "w0.1", member: 1, partitions: [0, 1]),
                                                     .init(pod: "w1.1", member: 2, partitions: [2])]),
        ]))
        #expect(lanes[0].map { [$0.from, $0.until, Int64($0.generation)] } == [[100, 400, 1], [400, 1_000, 2]])
        #expect(lanes[2].map(\.pod) == ["w0.1", "w1.1"])
        #expect(lanes[2].last?.member == 2)
    }

    @Test func aWithheldPartitionHasAGapAndOutOfRangePartitionsAreIgnored() {
        let lanes = TimelineOwnership.segments(of: timeline([
            .init(time: 100, generation: 1, owners: [.init(pod: "w0.1", member: 1, partitions: [0, 1, 7, -1])]),
            .init(time: 300, generation: 2, owners: [.init(pod: "w0.1", member: 1, partitions: [0])]),
            .init(time: 600, generation: 3, owners: [.init(pod: "w1.1", member: 2, partitions: [1])]),
        ], partitions: 2))
        #expect(lanes.count == 2)
        #expect(lanes[1].map { [$0.from, $0.until] } == [[100, 300], [600, 1_000]])
        #expect(lanes[0].map { [$0.from, $0.until] } == [[100, 300], [300, 600]])
    }
}
