import Core
import Testing

/// Each `after` mechanism Core decides, switched off on its own (what `sim ablate` runs): the consumer must
/// behave as if the mechanism did not exist, and only that mechanism may change.
@Suite("after mode: safeguards switched off one at a time")
struct SafeguardSwitchTests {
    let deadline = Timestamp(milliseconds: 20_000)

    @Test func everyMechanismIsOnByDefault() {
        let configuration = ConsumerConfiguration(mode: .after, workerID: "w1")
        #expect(Safeguard.allCases.allSatisfy(configuration.has))
        let some = ConsumerConfiguration(mode: .after, workerID: "w1",
                                         disabledSafeguards: [.settlementFence, .idempotencyGuard, .settlementFence])
        #expect(some.disabledSafeguards == [.idempotencyGuard, .settlementFence], "sorted, no repeats")
    }

    @Test func withoutTheIdempotencyGuardBatchesAreUnguardedButStillStoreOffsets() {
        var guarded = Fixtures.runningAfter([0])
        var unguarded = Fixtures.runningAfter([0], without: [.idempotencyGuard])
        let messages = [Fixtures.message(0, 0), Fixtures.message(0, 1)]
        let on = guarded.messagesFetched(messages, now: .zero).batches[0].1
        let off = unguarded.messagesFetched(messages, now: .zero).batches[0].1
        #expect(on.deduplicate && !off.deduplicate)
        #expect(off.storeOffsets == [PartitionOffset(partition: 0, offset: 2)])
        #expect(off.entries.allSatisfy { $0.balance == .increment }, "still incremental: only the guard is gone")
    }

    @Test func withoutStoredOffsetsTheBatchStoresNoneAndKafkaStillHearsProgress() {
        var consumer = Fixtures.runningAfter([0], without: [.offsetsStoredWithEffects])
        let batch = consumer.messagesFetched([Fixtures.message(0, 0)], now: .zero).batches[0]
        #expect(batch.1.storeOffsets.isEmpty && batch.1.deduplicate)
        let done = consumer.databaseCompleted(batch.0, result: Fixtures.batchCommitted(applied: 1), now: .zero)
        #expect(done.commits.map(\.1.offsets) == [[PartitionOffset(partition: 0, offset: 1)]])
    }

    @Test func withoutLoadingOffsetsAnAssignedPartitionFetchesAtOnceFromKafkasPosition() {
        var consumer = Fixtures.machine(.after, without: [.offsetsLoadedOnAssignment])
        _ = consumer.start(now: .zero)
        let assigned = consumer.partitionsAssigned([0, 1], generation: 1, now: .zero)
        #expect(assigned.executes.isEmpty, "no loadOffsets")
        #expect(!assigned.contains(.pause([0, 1])))
        #expect(consumer.activePartitions == [0, 1] && consumer.pausedPartitions.isEmpty)
        let batch = consumer.messagesFetched([Fixtures.message(1, 7)], now: .zero).batches
        #expect(batch.map { $0.1.entries.map(\.offset) } == [[7]], "whatever the client fetched from its position")
    }

    @Test func withoutDrainingRevocationTheRevokedPartitionIsReleasedWhileItsTransactionRuns() {
        for disabled in [[], [Safeguard.drainingRevocation]] {
            var consumer = Fixtures.runningAfter([0, 1], stored: 5, without: disabled)
            let fetched = consumer.messagesFetched([Fixtures.message(0, 5)], now: .zero)
            #expect(fetched.batches.count == 1)
            let revoked = consumer.partitionsRevoked([0], generation: 2, now: .zero)
            if disabled.isEmpty {
                #expect(revoked.acknowledged.isEmpty && revoked.commits.isEmpty, "waits for the transaction")
                let done = consumer.databaseCompleted(fetched.batches[0].0, result: Fixtures.batchCommitted(applied: 1), now: .zero)
                #expect(done.commits.map(\.1.offsets) == [[PartitionOffset(partition: 0, offset: 6)]], "final commit")
            } else {
                // What the database held before the batch is committed, and the release follows its answer.
                #expect(revoked.commits.map(\.1.offsets) == [[PartitionOffset(partition: 0, offset: 5)]])
                let released = consumer.offsetCommitCompleted(revoked.commits[0].0, result: .committed, now: .zero)
                #expect(released.acknowledged == [0], "released with the batch still in flight")
                #expect(consumer.ownedPartitions == [1])
            }
        }
    }

    @Test func withoutDrainOnSigtermTheConsumerExitsAtOnce() {
        var consumer = Fixtures.runningAfter([0], without: [.drainOnSigterm])
        let fetched = consumer.messagesFetched([Fixtures.message(0, 0)], now: .zero)
        #expect(fetched.batches.count == 1)
        let term = consumer.shutdownRequested(now: .zero, deadline: deadline)
        #expect(term == [.exit], "no drain, no final commit, no LeaveGroup")
        #expect(consumer.isStopped)
    }

    @Test func withoutTheFenceSettlementRunsUnfencedForTheLastPeriodOnly() {
        for disabled in [[], [Safeguard.settlementFence]] {
            var consumer = Fixtures.machine(.after, without: disabled)
            let started = consumer.start(now: .zero)
            let boundary = started.scheduled(.settlement)!
            let due = consumer.timerFired(.settlement, now: boundary + 60_000)
            guard case .settle(let write) = due.executes.first?.1 else {
                Issue.record("no settlement: \(due)")
                continue
            }
            #expect(write.fenced == disabled.isEmpty)
            #expect(write.throughPeriod == 1)
            #expect(write.fromPeriod == (disabled.isEmpty ? 0 : 1), "the look-back belongs to the fence")
        }
    }

    @Test func withoutTheDurableCounterAttemptsAreCountedInMemoryAndForgottenWithThePartition() {
        var consumer = Fixtures.runningAfter([0], without: [.durableRetryCounter])
        var actions = consumer.messagesFetched([Fixtures.message(0, 3)], now: .zero)
        let alone = DatabaseResult.failed(.init(.permanent(entryIndex: 0), reason: "23514"))
        var now = Timestamp.zero
        for attempt in 1...2 {
            actions = consumer.databaseCompleted(actions.batches[0].0, result: alone, now: now)
            #expect(!actions.executes.contains { if case .recordFailure = $0.1 { return true } else { return false } },
                    "nothing durable")
            #expect(consumer.statistics.failuresCountedInMemory.last?.attempts == attempt)
            now = actions.scheduled(.partitionRetry(0))!
            if attempt == 1 { actions = consumer.timerFired(.partitionRetry(0), now: now) }
        }
        // The partition moves away during the back-off and comes back: the count starts again at 1.
        _ = consumer.partitionsRevoked([0], generation: 2, now: now)
        let back = consumer.partitionsAssigned([0], generation: 3, now: now)
        _ = consumer.databaseCompleted(back.executes[0].0, result: .committed(.offsets([.init(partition: 0, nextOffset: 3)])), now: now)
        actions = consumer.messagesFetched([Fixtures.message(0, 3)], now: now)
        _ = consumer.databaseCompleted(actions.batches[0].0, result: alone, now: now)
        #expect(consumer.statistics.failuresCountedInMemory.map(\.attempts) == [1, 2, 1])
    }

    @Test func withoutTheDeadLetterTopicPoisonIsSkippedAndMarkedHandled() {
        var consumer = Fixtures.runningAfter([0], without: [.deadLetterPoison, .durableRetryCounter])
        let undecodable = Message(partition: 0, offset: 0, payload: .undecodable(reason: "bad", raw: [1]))
        let fetched = consumer.messagesFetched([undecodable], now: .zero)
        #expect(fetched.deadLetters.isEmpty)
        guard case .markDeadLettered(let mark) = fetched.executes.first?.1 else {
            Issue.record("expected the skip to be recorded: \(fetched)")
            return
        }
        #expect(mark.nextOffset == PartitionOffset(partition: 0, offset: 1))
        var actions = consumer.databaseCompleted(fetched.executes[0].0, result: .committed(.none), now: .zero)
        actions = consumer.messagesFetched([Fixtures.message(0, 1)], now: .zero)
        let alone = DatabaseResult.failed(.init(.permanent(entryIndex: 0), reason: "23514"))
        var now = Timestamp.zero
        for _ in 1...5 {
            actions = consumer.databaseCompleted(actions.batches[0].0, result: alone, now: now)
            guard let retryAt = actions.scheduled(.partitionRetry(0)) else { break }
            now = retryAt
            actions = consumer.timerFired(.partitionRetry(0), now: now)
        }
        #expect(actions.deadLetters.isEmpty, "given up without a dead letter")
        #expect(actions.executes.contains { if case .markDeadLettered = $0.1 { return true } else { return false } })
    }
}
