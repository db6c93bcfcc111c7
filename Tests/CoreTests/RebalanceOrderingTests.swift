import Core
import Testing

@Suite("after mode: rebalance orderings")
struct RebalanceOrderingTests {
    @Test func revocationDuringAnOpenTransactionWaitsForItThenCommitsThenAcknowledges() {
        var consumer = Fixtures.runningAfter([0, 1])
        let fetched = consumer.messagesFetched([Fixtures.message(0, 0), Fixtures.message(1, 0)], now: .zero)
        let request = fetched.batches[0].0
        let revoked = consumer.partitionsRevoked([0], generation: 2, now: .zero)
        #expect(revoked.acknowledged.isEmpty, "partition 0 is in the open transaction")
        #expect(revoked.commits.isEmpty)
        let done = consumer.databaseCompleted(request, result: Fixtures.batchCommitted(applied: 2), now: .zero)
        let finalCommit = done.commits.first { $0.1.offsets.contains { $0.partition == 0 } }
        #expect(finalCommit?.1.generation == 2)
        #expect(done.acknowledged.isEmpty, "acknowledged only after the commit answers")
        let ack = consumer.offsetCommitCompleted(finalCommit!.0, result: .committed, now: .zero)
        #expect(ack.acknowledged == [0])
        #expect(consumer.ownedPartitions == [1])
    }

    @Test func revocationOfAPartitionNotInTheTransactionIsAcknowledgedAtOnce() {
        var consumer = Fixtures.runningAfter([0, 1])
        _ = consumer.messagesFetched([Fixtures.message(0, 0)], now: .zero)
        let revoked = consumer.partitionsRevoked([1], generation: 2, now: .zero)
        #expect(revoked.acknowledged == [1])
    }

    @Test func queuedMessagesOfARevokedPartitionAreNotStarted() {
        var consumer = Fixtures.runningAfter([0, 1], batch: 1)
        let fetched = consumer.messagesFetched([Fixtures.message(0, 0), Fixtures.message(1, 0), Fixtures.message(1, 1)], now: .zero)
        #expect(fetched.batches.map { $0.1.entries.map(\.partition) } == [[0]])
        let revoked = consumer.partitionsRevoked([1], generation: 2, now: .zero)
        #expect(revoked.acknowledged == [1])
        let done = consumer.databaseCompleted(fetched.batches[0].0, result: Fixtures.batchCommitted(applied: 1), now: .zero)
        #expect(done.batches.isEmpty, "partition 1's queued messages belong to the next owner")
        #expect(consumer.queuedEvents == 0)
        #expect(consumer.ownedPartitions == [0])
    }

    @Test func transactionFinishingAfterThePartitionWasLostCommitsNothingForIt() {
        var consumer = Fixtures.runningAfter([0, 1])
        let fetched = consumer.messagesFetched([Fixtures.message(0, 0), Fixtures.message(1, 0)], now: .zero)
        let lost = consumer.partitionsLost([0], now: .zero)
        #expect(lost.acknowledged == [0], "lost partitions are released at once: committing is no longer allowed")
        let done = consumer.databaseCompleted(fetched.batches[0].0, result: Fixtures.batchCommitted(applied: 2), now: .zero)
        #expect(done.commits.map(\.1.offsets) == [[PartitionOffset(partition: 1, offset: 1)]])
    }

    @Test func commitRejectedForAStaleGenerationIsNotRetriedUnderTheNewOne() {
        var consumer = Fixtures.runningAfter([0])
        let fetched = consumer.messagesFetched([Fixtures.message(0, 0)], now: .zero)
        let done = consumer.databaseCompleted(fetched.batches[0].0, result: Fixtures.batchCommitted(applied: 1), now: .zero)
        let (request, commit) = done.commits[0]
        #expect(commit.generation == 1)
        // Meanwhile the group moved on: partition 0 went elsewhere in generation 2.
        _ = consumer.partitionsLost([0], now: .zero)
        _ = consumer.partitionsAssigned([3], generation: 2, now: .zero)
        let answer = consumer.offsetCommitCompleted(request, result: .failed(.staleGeneration), now: .zero)
        #expect(answer.commits.isEmpty)
        #expect(consumer.statistics.offsetCommitsFailed == 1)
    }

    @Test func revocationWhileBackingOffDropsTheRevokedPartOfTheRetry() {
        var consumer = Fixtures.runningAfter([0, 1])
        let fetched = consumer.messagesFetched([Fixtures.message(0, 0), Fixtures.message(1, 0)], now: .zero)
        let failed = consumer.databaseCompleted(fetched.batches[0].0, result: .failed(.init(.transient, reason: "08006")), now: .zero)
        let retryAt = failed.scheduled(.retryPipeline)!
        let revoked = consumer.partitionsRevoked([0], generation: 2, now: .zero)
        #expect(revoked.acknowledged == [0], "nothing of partition 0 is in flight: release it now")
        let retry = consumer.timerFired(.retryPipeline, now: retryAt)
        #expect(retry.batches.map { $0.1.entries.map(\.partition) } == [[1]])
    }

    @Test func reassignedPartitionStartsFromTheDatabaseAgain() {
        var consumer = Fixtures.runningAfter([0], stored: 5)
        _ = consumer.partitionsLost([0], now: .zero)
        let again = consumer.partitionsAssigned([0], generation: 4, now: .zero)
        #expect(again.executes.contains { if case .loadOffsets([0]) = $0.1 { return true } else { return false } })
    }
}
