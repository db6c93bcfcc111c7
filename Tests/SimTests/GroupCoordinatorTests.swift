import Core
import Testing
@testable import Sim

@Suite("group coordinator")
struct GroupCoordinatorTests {
    @Test func roundCompletesWhenEveryMemberHasJoined() {
        var group = GroupCoordinator(protocol: .eager, partitions: 4)
        let first = group.join(pod: 0, member: nil, owned: [], now: 0, rebalanceTimeout: 30_000)
        let round1 = group.completeIfReady(now: 1)!
        #expect(round1.generation == 1 && round1.assignment == [[0, 1, 2, 3]])
        _ = group.join(pod: 1, member: nil, owned: [], now: 2, rebalanceTimeout: 30_000)
        #expect(group.completeIfReady(now: 3) == nil, "the first member has not rejoined yet")
        #expect(group.heartbeat(member: first, now: 4) == .rebalanceInProgress)
        _ = group.join(pod: 0, member: first, owned: [], now: 5, rebalanceTimeout: 30_000)
        let round2 = group.completeIfReady(now: 6)!
        #expect(round2.generation == 2 && round2.assignment == [[0, 1], [2, 3]])
    }

    @Test func commitsAreFencedByGenerationAndMembership() {
        var group = GroupCoordinator(protocol: .cooperative, partitions: 2)
        let member = group.join(pod: 0, member: nil, owned: [], now: 0, rebalanceTimeout: 30_000)
        _ = group.completeIfReady(now: 0)
        let offsets = [PartitionOffset(partition: 0, offset: 10)]
        #expect(group.commit(OffsetCommit(generation: 1, offsets: offsets), member: member, pod: 0, now: 1) == .committed)
        #expect(group.commit(OffsetCommit(generation: 0, offsets: offsets), member: member, pod: 0, now: 2) == .failed(.staleGeneration))
        #expect(group.commit(OffsetCommit(generation: 1, offsets: offsets), member: 99, pod: 9, now: 3) == .failed(.unknownMember))
        #expect(group.committed[0] == 10)
        #expect(group.commits.filter(\.accepted).count == 1)
    }

    @Test func silentMembersExpireAfterTheSessionTimeout() {
        var group = GroupCoordinator(protocol: .cooperative, partitions: 2)
        let quiet = group.join(pod: 0, member: nil, owned: [], now: 0, rebalanceTimeout: 30_000)
        _ = group.completeIfReady(now: 0)
        #expect(group.expire(now: 10_000, sessionTimeout: 10_000, rebalanceTimeout: 30_000).isEmpty)
        let expired = group.expire(now: 10_001, sessionTimeout: 10_000, rebalanceTimeout: 30_000)
        #expect(expired.map(\.id) == [quiet])
        #expect(group.heartbeat(member: quiet, now: 10_002) == .unknownMember)
    }

    @Test func leavingTriggersARoundAtOnce() {
        var group = GroupCoordinator(protocol: .eager, partitions: 2)
        let a = group.join(pod: 0, member: nil, owned: [], now: 0, rebalanceTimeout: 30_000)
        let b = group.join(pod: 1, member: nil, owned: [], now: 0, rebalanceTimeout: 30_000)
        _ = group.completeIfReady(now: 0)
        let left = group.leave(member: b, now: 5, rebalanceTimeout: 30_000)
        #expect(left)
        #expect(group.heartbeat(member: a, now: 6) == .rebalanceInProgress)
    }
}
