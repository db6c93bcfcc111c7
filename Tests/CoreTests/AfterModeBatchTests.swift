import Core
import Testing

@Suite("after mode: offsets, effects and dedup")
struct AfterModeBatchTests {
    @Test func assignmentLoadsStoredOffsetsBeforeFetching() {
        var consumer = Fixtures.machine(.after)
        _ = consumer.start(now: .zero)
        let actions = consumer.partitionsAssigned([0, 1], generation: 3, now: .zero)
        #expect(actions.contains(.pause([0, 1])))
        #expect(actions.executes.count == 1)
        guard case .loadOffsets(let partitions) = actions.executes[0].1 else {
            Issue.record("expected an offset load, got \(actions)")
            return
        }
        #expect(partitions == [0, 1])
        let loaded = consumer.databaseCompleted(
            actions.executes[0].0,
            result: .committed(.offsets([StoredOffset(partition: 0, nextOffset: 42), StoredOffset(partition: 1, nextOffset: nil)])),
            now: .zero)
        #expect(loaded.contains(.seek(PartitionOffset(partition: 0, offset: 42))))
        #expect(!loaded.contains { if case .seek(let o) = $0 { return o.partition == 1 } else { return false } })
        #expect(loaded.contains(.resume([0, 1])))
    }

    @Test func messagesFetchedBeforeTheSeekAreDropped() {
        var consumer = Fixtures.runningAfter([0], stored: 10)
        let actions = consumer.messagesFetched([Fixtures.message(0, 8), Fixtures.message(0, 9), Fixtures.message(0, 10)], now: .zero)
        let write = actions.batches[0].1
        #expect(write.entries.map(\.offset) == [10])
    }

    @Test func batchDeduplicatesAndStoresOffsetsInTheSameTransaction() {
        var consumer = Fixtures.runningAfter([0, 1])
        let actions = consumer.messagesFetched(
            [Fixtures.message(0, 0), Fixtures.message(0, 1), Fixtures.message(1, 5)], now: .zero)
        let write = actions.batches[0].1
        #expect(write.deduplicate)
        #expect(write.entries.allSatisfy { $0.balance == .increment })
        #expect(Set(write.storeOffsets) == [PartitionOffset(partition: 0, offset: 2), PartitionOffset(partition: 1, offset: 6)])
        #expect(actions.commits.isEmpty, "nothing may be committed to Kafka before the database commit")
    }

    @Test func kafkaCommitFollowsTheDatabaseCommitWithTheCurrentGeneration() {
        var consumer = Fixtures.runningAfter([0])
        let fetched = consumer.messagesFetched([Fixtures.message(0, 0), Fixtures.message(0, 1)], now: .zero)
        let done = consumer.databaseCompleted(fetched.batches[0].0, result: Fixtures.batchCommitted(applied: 2), now: .zero)
        #expect(done.commits.count == 1)
        #expect(done.commits[0].1 == OffsetCommit(generation: 1, offsets: [PartitionOffset(partition: 0, offset: 2)]))
        #expect(consumer.statistics.eventsApplied == 2)
    }

    @Test func onlyOneBatchIsInFlightAndTheNextStartsWhenItCommits() {
        var consumer = Fixtures.runningAfter([0], batch: 2)
        let first = consumer.messagesFetched((0..<5).map { Fixtures.message(0, Offset($0)) }, now: .zero)
        #expect(first.batches.count == 1)
        #expect(first.batches[0].1.entries.map(\.offset) == [0, 1])
        #expect(consumer.messagesFetched([], now: .zero).batches.isEmpty)
        let second = consumer.databaseCompleted(first.batches[0].0, result: Fixtures.batchCommitted(applied: 2), now: .zero)
        #expect(second.batches.map { $0.1.entries.map(\.offset) } == [[2, 3]])
    }

    @Test func backpressurePausesFetchingAndResumesBelowOneBatch() {
        var consumer = Fixtures.runningAfter([0], batch: 2)
        let actions = consumer.messagesFetched((0..<7).map { Fixtures.message(0, Offset($0)) }, now: .zero)
        #expect(actions.contains(.pause([0])), "5 queued >= high watermark 4")
        let next = consumer.databaseCompleted(actions.batches[0].0, result: Fixtures.batchCommitted(applied: 2), now: .zero)
        #expect(!next.contains(.resume([0])), "3 queued: still above one batch")
        let after = consumer.databaseCompleted(next.batches[0].0, result: Fixtures.batchCommitted(applied: 2), now: .zero)
        #expect(after.contains(.resume([0])))
    }

    @Test func derivedTotalsLiveInTheDatabase() {
        var consumer = Fixtures.runningAfter([0])
        let first = consumer.messagesFetched([Fixtures.message(0, 0, amount: 5)], now: .zero)
        let reply = Fixtures.batchCommitted(applied: 1, balances: [AccountBalance(account: AccountID("acct-1"), balanceCents: 5)])
        let second = consumer.databaseCompleted(first.batches[0].0, result: reply, now: .zero)
        _ = second
        let third = consumer.messagesFetched([Fixtures.message(0, 1, amount: 7)], now: .zero)
        #expect(third.batches[0].1.entries[0].balance == .increment, "after mode never writes a total it remembers")
    }
}

@Suite("after mode: periodic commit refresh")
struct CommitRefreshTests {
    @Test func failedProgressCommitIsRepairedByThePeriodicCommit() {
        var consumer = Fixtures.runningAfter([0])
        let fetched = consumer.messagesFetched([Fixtures.message(0, 0)], now: .zero)
        let done = consumer.databaseCompleted(fetched.batches[0].0, result: Fixtures.batchCommitted(applied: 1), now: .zero)
        _ = consumer.offsetCommitCompleted(done.commits[0].0, result: .failed(.unavailable("coordinator moving")), now: .zero)
        let tick = consumer.timerFired(.autoCommit, now: Timestamp(milliseconds: 5_000))
        #expect(tick.commits.map(\.1.offsets) == [[PartitionOffset(partition: 0, offset: 1)]])
        _ = consumer.offsetCommitCompleted(tick.commits[0].0, result: .committed, now: .zero)
        let quiet = consumer.timerFired(.autoCommit, now: Timestamp(milliseconds: 10_000))
        #expect(quiet.commits.isEmpty, "nothing to repair once Kafka has what the database has")
    }

    @Test func periodicCommitNeverCommitsBeyondTheDatabase() {
        var consumer = Fixtures.runningAfter([0])
        _ = consumer.messagesFetched([Fixtures.message(0, 0), Fixtures.message(0, 1)], now: .zero)
        let tick = consumer.timerFired(.autoCommit, now: Timestamp(milliseconds: 5_000))
        #expect(tick.commits.isEmpty, "fetched but not yet committed in the database")
    }
}
