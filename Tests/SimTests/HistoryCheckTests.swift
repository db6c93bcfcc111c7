import Core
import Testing
@testable import Sim

/// The history's invariants on hand-written histories: each must flag the defect it names and nothing that
/// the replica-safe design does on purpose (a zombie's write, an ambiguous retry, a loss instead of a revocation).
@Suite("history invariants")
struct HistoryCheckTests {
    private typealias Batch = (pod: Int32, sent: Int64, ended: Int64, records: [PartitionOffset], committed: Bool)

    private func batch(_ pod: Int32, sent: Int64, ended: Int64, _ records: [PartitionOffset], committed: Bool = true) -> Batch {
        (pod, sent, ended, records, committed)
    }

    private func history(_ batches: [Batch], _ ownership: [History.Ownership]) -> History {
        var history = History()
        history.ownership = ownership
        for batch in batches {
            history.append(pod: batch.pod, member: batch.pod + 1, generation: 1, submitted: batch.sent, ended: batch.ended,
                           committed: batch.committed, records: batch.records)
        }
        return history
    }

    private func owns(_ pod: Int32, _ partitions: [PartitionID], at time: Int64, _ change: History.OwnershipChange) -> History.Ownership {
        History.Ownership(time: time, pod: pod, partitions: partitions, change: change)
    }

    private let p0at5 = PartitionOffset(partition: 0, offset: 5)

    @Test func aRecordCommittedBeforeTheNewOwnersAssignmentAndProcessedAgainIsAReplay() {
        let assigned = [owns(0, [0], at: 0, .assigned), owns(1, [0], at: 100, .assigned)]
        let replays = history([batch(0, sent: 10, ended: 15, [p0at5]), batch(1, sent: 110, ended: 115, [p0at5])], assigned)
            .replaysAfterCommit()
        #expect(replays.count == 1 && replays[0].record == p0at5 && replays[0].assignedAt == 100)
    }

    @Test func aZombieWriteOrAnAmbiguousRetryIsNoReplay() {
        // The first commit lands after the second consumer was given the partition (a zombie's, or a retry's).
        let assigned = [owns(0, [0], at: 0, .assigned), owns(1, [0], at: 100, .assigned)]
        let late = history([batch(0, sent: 90, ended: 105, [p0at5]), batch(1, sent: 110, ended: 115, [p0at5]),
                            batch(1, sent: 116, ended: 120, [p0at5])], assigned)
        #expect(late.replaysAfterCommit().isEmpty)
        // A transaction that did not commit processed nothing.
        let failed = history([batch(0, sent: 10, ended: 15, [p0at5], committed: false), batch(1, sent: 110, ended: 115, [p0at5])], assigned)
        #expect(failed.replaysAfterCommit().isEmpty)
    }

    @Test func aWriteInFlightAcrossARevocationOrSentAfterItIsLate() {
        let revoked = [owns(0, [0], at: 0, .assigned), owns(0, [0], at: 50, .revoked)]
        let late = history([batch(0, sent: 40, ended: 55, [p0at5]), batch(0, sent: 60, ended: 65, [p0at5]),
                            batch(0, sent: 20, ended: 30, [p0at5])], revoked).writesAfterRevocation()
        #expect(late.map(\.transaction) == [0, 1])
        #expect(late.allSatisfy { $0.revokedAt == 50 && $0.partition == 0 })
    }

    @Test func aLossIsNoRevocationAndAnUncommittedWriteWroteNothing() {
        let lost = history([batch(0, sent: 40, ended: 55, [p0at5])], [owns(0, [0], at: 0, .assigned), owns(0, [0], at: 50, .lost)])
        #expect(lost.writesAfterRevocation().isEmpty, "thrown out: the guard covers it, not the revocation")
        let uncommitted = history([batch(0, sent: 40, ended: 55, [p0at5], committed: false)],
                                  [owns(0, [0], at: 0, .assigned), owns(0, [0], at: 50, .revoked)])
        #expect(uncommitted.writesAfterRevocation().isEmpty)
    }

    @Test func anExitWithoutLeavingOrWithAnOpenTransactionOrPastTheGraceIsUnclean() {
        var history = History()
        history.shutdowns = [
            .init(pod: 0, sigterm: 0, ended: 10, exited: true, leaveRequested: true, openTransactions: 0),
            .init(pod: 1, sigterm: 0, ended: 10, exited: true, leaveRequested: false, openTransactions: 0),
            .init(pod: 2, sigterm: 0, ended: 10, exited: true, leaveRequested: true, openTransactions: 1),
            .init(pod: 3, sigterm: 0, ended: 30_000, exited: false, leaveRequested: false, openTransactions: 0),
            .init(pod: 4, sigterm: 0, ended: 5_000, exited: false, leaveRequested: false, openTransactions: 1),
        ]
        #expect(history.uncleanShutdowns(gracePeriod: 30_000) == [1, 2, 3], "a fault's SIGKILL during the drain is no unclean exit")
    }

    private func failure(_ pod: Int32, _ attempts: Int, at time: Int64, durable: Bool) -> History.FailureCount {
        History.FailureCount(time: time, pod: pod, event: 7, partition: 0, offset: 5, attempts: attempts, durable: durable)
    }

    @Test func aCountThatRestartedPastTheBudgetIsAnOverrunAndASharedDurableCountIsNot() {
        var history = History()
        history.failureCounts = [1, 2, 3].map { failure(0, $0, at: Int64($0), durable: false) }
            + [1, 2, 3].map { failure(1, $0, at: 10 + Int64($0), durable: false) }
        let overruns = history.retryBudgetOverruns(maxAttempts: 5)
        #expect(overruns.map(\.failure) == [5] && overruns[0].attempt == 6, "the 6th failure, counted as 2")
        // Two consumers sharing the database's counter (a zombie and the new owner) go past the budget by one,
        // but every count includes the failures before it.
        history.failureCounts = (1...6).map { failure(Int32($0 % 2), $0, at: Int64($0), durable: true) }
        #expect(history.retryBudgetOverruns(maxAttempts: 5).isEmpty)
    }

    @Test func aCommitThatMovesBackWithinAMembersGenerationIsARegression() {
        func commit(_ member: Int32, generation: Int32, _ offset: Offset, accepted: Bool = true) -> GroupCoordinator.CommitRecord {
            .init(time: offset, pod: 0, member: member, generation: generation, offset: PartitionOffset(partition: 0, offset: offset),
                  accepted: accepted)
        }
        let commits = [commit(1, generation: 1, 10), commit(1, generation: 1, 12), commit(1, generation: 1, 11),
                       commit(1, generation: 2, 5), commit(2, generation: 2, 4), commit(1, generation: 2, 3, accepted: false)]
        let found = GroupCoordinator.regressions(in: commits)
        #expect(found.count == 1 && found[0].commit == 2 && found[0].previous == 1,
                "a new generation, another member or a refused commit may go lower")
    }
}
