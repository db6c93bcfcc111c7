import Core
import Testing

@Suite("after mode: graceful shutdown")
struct ShutdownTests {
    let deadline = Timestamp(milliseconds: 20_000)

    @Test func drainWaitsForTheOpenTransactionThenCommitsLeavesAndExits() {
        var consumer = Fixtures.runningAfter([0])
        let fetched = consumer.messagesFetched([Fixtures.message(0, 0), Fixtures.message(0, 1)], now: .zero)
        let term = consumer.shutdownRequested(now: .zero, deadline: deadline)
        #expect(term.contains(.reportReadiness(false)))
        #expect(term.contains(.pause([0])))
        #expect(term.scheduled(.shutdownDeadline) == deadline)
        #expect(!term.exits)
        let done = consumer.databaseCompleted(fetched.batches[0].0, result: Fixtures.batchCommitted(applied: 2), now: .zero)
        #expect(done.commits.map(\.1.offsets) == [[PartitionOffset(partition: 0, offset: 2)]], "one final commit")
        #expect(!done.exits)
        let bye = consumer.offsetCommitCompleted(done.commits[0].0, result: .committed, now: .zero)
        #expect(bye.suffix(2) == [.leaveGroup, .exit])
        #expect(consumer.isStopped)
    }

    @Test func shutdownDuringRetryBackoffAbandonsTheRetryAndExitsCleanly() {
        var consumer = Fixtures.runningAfter([0], stored: 10)
        let fetched = consumer.messagesFetched([Fixtures.message(0, 10)], now: .zero)
        let failed = consumer.databaseCompleted(fetched.batches[0].0, result: .failed(.init(.transient, reason: "57P01")), now: .zero)
        let retryAt = failed.scheduled(.retryPipeline)!
        let term = consumer.shutdownRequested(now: .zero, deadline: deadline)
        #expect(term.contains(.cancelTimer(.retryPipeline)))
        #expect(term.batches.isEmpty, "the failed batch is not retried against the clock")
        // Kafka learns what the database holds (offset 10: nothing of the failed batch), then the consumer leaves.
        #expect(term.commits.map(\.1.offsets) == [[PartitionOffset(partition: 0, offset: 10)]])
        let bye = consumer.offsetCommitCompleted(term.commits[0].0, result: .committed, now: .zero)
        #expect(bye.suffix(2) == [.leaveGroup, .exit])
        #expect(consumer.timerFired(.retryPipeline, now: retryAt).isEmpty, "a late timer does nothing")
    }

    @Test func deadlineAbandonsWhatIsStillInFlight() {
        var consumer = Fixtures.runningAfter([0])
        _ = consumer.messagesFetched([Fixtures.message(0, 0)], now: .zero)
        _ = consumer.shutdownRequested(now: .zero, deadline: deadline)
        let late = consumer.timerFired(.shutdownDeadline, now: deadline)
        #expect(late == [.leaveGroup, .exit])
    }

    @Test func fetchedMessagesAreNotStartedAfterSigterm() {
        var consumer = Fixtures.runningAfter([0], batch: 1)
        let fetched = consumer.messagesFetched([Fixtures.message(0, 0), Fixtures.message(0, 1)], now: .zero)
        _ = consumer.shutdownRequested(now: .zero, deadline: deadline)
        #expect(consumer.messagesFetched([Fixtures.message(0, 2)], now: .zero).isEmpty)
        let done = consumer.databaseCompleted(fetched.batches[0].0, result: Fixtures.batchCommitted(applied: 1), now: .zero)
        #expect(done.batches.isEmpty)
        #expect(done.commits.map(\.1.offsets) == [[PartitionOffset(partition: 0, offset: 1)]])
    }

    @Test func drainWaitsForTheSettlementAndOffsetReadsItSent() {
        var consumer = Fixtures.runningAfter([0])
        let due = consumer.timerFired(.settlement, now: Timestamp(milliseconds: 60_000))
        let assigned = consumer.partitionsAssigned([1], generation: 2, now: Timestamp(milliseconds: 60_000))
        guard let settle = due.executes.first, let load = assigned.executes.first else {
            Issue.record("expected a settlement and an offset read in flight: \(due) \(assigned)")
            return
        }
        let term = consumer.shutdownRequested(now: Timestamp(milliseconds: 60_001), deadline: deadline + 60_000)
        #expect(!term.exits && !term.contains(.leaveGroup), "two transactions are still open")
        let settled = consumer.databaseCompleted(settle.0, result: .committed(.settlement(.init(settled: [SettledPeriod(period: 0, totalCents: 0, batches: 0, events: [])], fencedPeriods: 0))), now: Timestamp(milliseconds: 60_002))
        #expect(!settled.exits, "the offset read is still open")
        let loaded = consumer.databaseCompleted(load.0, result: .failed(.init(.transient, reason: "57P01")), now: Timestamp(milliseconds: 60_003))
        #expect(loaded.scheduled(.retryOffsetLoad) == nil, "no retry while draining")
        #expect(loaded.suffix(2) == [.leaveGroup, .exit], "nothing to commit: leave and exit")
    }
}
