import Core
import Testing
@testable import Sim

@Suite("partition assignors")
struct AssignorTests {
    @Test func rangeGivesContiguousChunksWithTheRemainderFirst() {
        let result = Assignor.range(members: [3, 7, 9], partitions: 8)
        #expect(result == [[0, 1, 2], [3, 4, 5], [6, 7]])
    }

    @Test func cooperativeStickyKeepsOwnedPartitionsAndWithholdsMovingOnes() {
        // m1 owned everything; m2 just joined.
        let first = Assignor.cooperativeSticky(members: [1, 2], owned: [Array(0..<12), []], partitions: 12)
        #expect(first[0] == Array(0..<6), "m1 keeps its quota of what it owns")
        #expect(first[1].isEmpty, "partitions 6-11 are withheld until m1 has revoked them")
        let second = Assignor.cooperativeSticky(members: [1, 2], owned: [first[0], []], partitions: 12)
        #expect(second[0] == Array(0..<6))
        #expect(second[1] == Array(6..<12), "the follow-up round hands them over")
    }

    @Test(arguments: 1...8)
    func cooperativeStickyConvergesToABalancedCompleteAssignment(members count: Int) {
        var random = Xoshiro256(seed: UInt64(count))
        let members = (0..<count).map { Int32($0 + 1) }
        var owned: [[PartitionID]] = Array(repeating: [], count: count)
        for partition in 0..<12 where random.chance(2, in: 3) {
            owned[random.int(0...(count - 1))].append(PartitionID(partition))
        }
        var assignment = Assignor.cooperativeSticky(members: members, owned: owned, partitions: 12)
        for (index, partitions) in assignment.enumerated() {
            #expect(Set(partitions).isSubset(of: Set(owned[index]).union(Set((0..<12).map { PartitionID($0) }).subtracting(owned.flatMap { $0 }))),
                    "a member gets only what it owned or what nobody owned")
        }
        assignment = Assignor.cooperativeSticky(members: members, owned: assignment, partitions: 12)
        #expect(assignment.flatMap { $0 }.sorted() == (0..<12).map { PartitionID($0) })
        let sizes = assignment.map(\.count)
        #expect(sizes.max()! - sizes.min()! <= 1)
    }
}
