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
        let synced = group.leaderSynced(generation: 1)
        #expect(synced)
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

    /// Apache Kafka's `handleCommitOffsets`: a commit in the new generation while the round waits for the
    /// leader's SyncGroup is answered REBALANCE_IN_PROGRESS, one in the old generation ILLEGAL_GENERATION, and a
    /// commit during PreparingRebalance is still accepted.
    @Test func commitsDuringCompletingRebalanceAreAnsweredRebalanceInProgress() {
        var group = GroupCoordinator(protocol: .cooperative, partitions: 2)
        let a = group.join(pod: 0, member: nil, owned: [], now: 0, rebalanceTimeout: 30_000)
        _ = group.completeIfReady(now: 0)
        let first = group.leaderSynced(generation: 1)
        #expect(first && group.isStable)
        let b = group.join(pod: 1, member: nil, owned: [], now: 10, rebalanceTimeout: 30_000)
        let offsets = [PartitionOffset(partition: 0, offset: 3)]
        #expect(group.commit(OffsetCommit(generation: 1, offsets: offsets), member: a, pod: 0, now: 11) == .committed,
                "PreparingRebalance: commits of the current generation go through")
        _ = group.join(pod: 0, member: a, owned: [0, 1], now: 12, rebalanceTimeout: 30_000)
        let round = group.completeIfReady(now: 12)
        #expect(round?.generation == 2 && !group.isStable && group.isCompleting(2))
        #expect(group.commit(OffsetCommit(generation: 2, offsets: offsets), member: b, pod: 1, now: 13) == .failed(.rebalanceInProgress))
        #expect(group.commit(OffsetCommit(generation: 1, offsets: offsets), member: a, pod: 0, now: 13) == .failed(.staleGeneration))
        let second = group.leaderSynced(generation: 2)
        #expect(second && group.isStable)
        #expect(group.commit(OffsetCommit(generation: 2, offsets: offsets), member: b, pod: 1, now: 14) == .committed)
    }

    @Test func aRoundAbandonedBeforeItsLeaderSyncedNeverBecomesStable() {
        var group = GroupCoordinator(protocol: .cooperative, partitions: 2)
        let a = group.join(pod: 0, member: nil, owned: [], now: 0, rebalanceTimeout: 30_000)
        _ = group.completeIfReady(now: 0)
        #expect(group.isCompleting(1))
        let left = group.leave(member: a, now: 1, rebalanceTimeout: 30_000)
        #expect(left && !group.isCompleting(1))
        let abandoned = group.leaderSynced(generation: 1)
        #expect(!abandoned, "the SyncGroup of an abandoned round is refused")
    }
}
