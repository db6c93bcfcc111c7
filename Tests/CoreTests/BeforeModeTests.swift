import Core
import Testing

@Suite("before mode: a faithful copy of common practice")
struct BeforeModeTests {
    @Test func autoCommitCommitsHandedOffOffsetsEvenIfNotApplied() {
        var consumer = Fixtures.runningBefore([0])
        let fetched = consumer.messagesFetched([Fixtures.message(0, 0), Fixtures.message(0, 1)], now: .zero)
        #expect(fetched.batches.count == 1)
        #expect(!fetched.batches[0].1.deduplicate)
        #expect(fetched.batches[0].1.storeOffsets.isEmpty)
        // The transaction has not answered, yet the 5 s timer commits offset 2: a crash now loses both events.
        let tick = consumer.timerFired(.autoCommit, now: Timestamp(milliseconds: 5_000))
        #expect(tick.commits.map(\.1.offsets) == [[PartitionOffset(partition: 0, offset: 2)]])
        #expect(tick.scheduled(.autoCommit) == Timestamp(milliseconds: 10_000))
    }

    @Test func startSchedulesAutoCommitAndSettlement() {
        var consumer = Fixtures.machine(.before)
        let actions = consumer.start(now: Timestamp(milliseconds: 1_500))
        #expect(actions.contains(.reportReadiness(true)))
        #expect(actions.scheduled(.autoCommit) == Timestamp(milliseconds: 6_500))
        #expect(actions.scheduled(.settlement) == Timestamp(milliseconds: 60_000))
    }

    @Test func revocationCommitsStoredOffsetsForEverythingThenDropsQueuedMessages() {
        var consumer = Fixtures.runningBefore([0, 1], batch: 1)
        let fetched = consumer.messagesFetched([Fixtures.message(0, 0), Fixtures.message(0, 1), Fixtures.message(1, 0)], now: .zero)
        #expect(fetched.batches.count == 1)
        let revoked = consumer.partitionsRevoked([0, 1], generation: 2, now: .zero)
        #expect(revoked.commits.count == 1)
        #expect(Set(revoked.commits[0].1.offsets) == [PartitionOffset(partition: 0, offset: 2), PartitionOffset(partition: 1, offset: 1)])
        #expect(revoked.acknowledged.isEmpty, "the Java client commits synchronously before it lets the rebalance go on")
        let ack = consumer.offsetCommitCompleted(revoked.commits[0].0, result: .committed, now: .zero)
        #expect(ack.acknowledged == [0, 1])
        #expect(consumer.queuedEvents == 0, "queued messages were dropped though their offsets were committed")
    }

    @Test func sigtermExitsAtOnceEvenWithATransactionOpen() {
        var consumer = Fixtures.runningBefore([0])
        _ = consumer.messagesFetched([Fixtures.message(0, 0)], now: .zero)
        let actions = consumer.shutdownRequested(now: .zero, deadline: Timestamp(milliseconds: 20_000))
        #expect(actions == [.exit])
        #expect(consumer.isStopped)
    }

    @Test func failuresAreRetriedImmediatelyThenTheBatchIsDeadLettered() {
        var consumer = Fixtures.runningBefore([0])
        var actions = consumer.messagesFetched([Fixtures.message(0, 0), Fixtures.message(0, 1)], now: .zero)
        var attempts = 0
        while let (request, _) = actions.batches.first {
            attempts += 1
            #expect(actions.scheduled(.retryPipeline) == nil, "no back-off")
            actions = consumer.databaseCompleted(request, result: .failed(.init(.transient, reason: "connection refused")), now: .zero)
        }
        #expect(attempts == 10)
        #expect(actions.deadLetters.map(\.1.offset) == [0, 1], "a database blip sends good events to the dead-letter topic")
        #expect(actions.deadLetters[0].1.reason.contains("connection refused"))
    }

    @Test func ambiguousCommitIsRetriedAsIfNothingHappened() {
        var consumer = Fixtures.runningBefore([0])
        let first = consumer.messagesFetched([Fixtures.message(0, 0)], now: .zero)
        let retry = consumer.databaseCompleted(first.batches[0].0, result: .failed(.init(.ambiguous, reason: "EOF during COMMIT")), now: .zero)
        #expect(retry.batches.count == 1)
        #expect(retry.batches[0].1.entries == first.batches[0].1.entries, "the same effects again, without a guard")
        #expect(!retry.batches[0].1.deduplicate)
    }

    @Test func totalsCachedInMemoryOverwriteTheDatabase() {
        var consumer = Fixtures.runningBefore([0])
        let first = consumer.messagesFetched([Fixtures.message(0, 0, amount: 5)], now: .zero)
        #expect(first.batches[0].1.entries[0].balance == .increment, "first sight of an account reads it from the database")
        _ = consumer.databaseCompleted(
            first.batches[0].0,
            result: Fixtures.batchCommitted(applied: 1, balances: [AccountBalance(account: AccountID("acct-1"), balanceCents: 5)]),
            now: .zero)
        let second = consumer.messagesFetched([Fixtures.message(0, 1, amount: 7), Fixtures.message(0, 2, amount: 1)], now: .zero)
        #expect(second.batches[0].1.entries.map(\.balance) == [.overwrite(12), .overwrite(13)])
    }

    @Test func undecodableMessagesAreSkippedSilently() {
        var consumer = Fixtures.runningBefore([0])
        let junk = Message(partition: 0, offset: 0, payload: .undecodable(reason: "not JSON", raw: [0x7B]))
        let actions = consumer.messagesFetched([junk, Fixtures.message(0, 1)], now: .zero)
        #expect(actions.batches[0].1.entries.map(\.offset) == [1])
        #expect(actions.deadLetters.isEmpty)
    }

    @Test func oneReplicaWithoutFaultsAppliesEachEventOnce() {
        var consumer = Fixtures.runningBefore([0], batch: 3)
        var applied: [Offset] = []
        var actions = consumer.messagesFetched((0..<10).map { Fixtures.message(0, Offset($0)) }, now: .zero)
        while let (request, write) = actions.batches.first {
            applied += write.entries.map(\.offset)
            actions = consumer.databaseCompleted(request, result: Fixtures.batchCommitted(applied: write.entries.count), now: .zero)
        }
        #expect(applied == Array(0..<10))
    }
}
