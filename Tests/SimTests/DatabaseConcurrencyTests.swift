import Core
import Testing
@testable import Sim

/// READ COMMITTED as the worker's statements meet it: waits on keys and rows other transactions hold, what
/// each does once the other ends, snapshots, and sessions that end.
@Suite("database model: concurrency")
struct DatabaseConcurrencyTests {
    @Test func aConflictWaitsThenDoesNothingWhenTheOtherCommits() {
        var h = DatabaseHarness()
        let zombie = h.open(1)
        let owner = h.open(2)
        #expect(h.run(.guardedBatch(h.write([0, 1])), on: zombie) == .done(.applied(2, balances: [])))
        #expect(h.run(.guardedBatch(h.write([1, 2])), on: owner) == .blocked(on: 0))
        #expect(!h.db.isIdle)
        let wakeups = h.commit(zombie)
        #expect(wakeups == [DatabaseModel.Wakeup(connection: owner, result: .done(.applied(1, balances: [])))])
        h.commit(owner)
        #expect(h.ledgerEvents == [0, 1, 2])
        #expect(h.db.balance(of: AccountID("a")) == 30)
        #expect(h.db.isIdle)
    }

    @Test func aConflictWaitsThenInsertsWhenTheOtherAborts() {
        var h = DatabaseHarness()
        let first = h.open(1)
        let second = h.open(2)
        _ = h.run(.guardedBatch(h.write([0])), on: first)
        #expect(h.run(.guardedBatch(h.write([0])), on: second) == .blocked(on: 0))
        let wakeups = h.db.rollback(first, at: 0)
        #expect(wakeups == [DatabaseModel.Wakeup(connection: second, result: .done(.applied(1, balances: [])))])
        h.commit(second)
        #expect(h.db.history.ledger.count == 1 && h.db.history.transactions.map(\.writer.pod) == [2])
    }

    @Test func aFailedStatementReleasesItsLocksAtTheErrorNotAtRollback() {
        var h = DatabaseHarness()
        let first = h.open(1)
        let second = h.open(2)
        _ = h.run(.guardedBatch(h.write([0])), on: first)
        #expect(h.run(.guardedBatch(h.write([0])), on: second) == .blocked(on: 0))
        // The holder's next statement fails its CHECK: the transaction aborts there, and the waiter resumes
        // before any ROLLBACK, as in PostgreSQL.
        let failed = h.run(.guardedBatch(h.write([1], amount: 2_000_000_000_000)), on: first)
        #expect(failed == .failed(.checkViolation(entry: 0)), "\(failed)")
        #expect(h.resumed == [DatabaseModel.Wakeup(connection: second, result: .done(.applied(1, balances: [])))])
        #expect(h.run(.guardedBatch(h.write([2])), on: first) == .failed(.inFailedTransaction))
        #expect(h.db.rollback(first, at: 0).isEmpty)
        h.commit(second)
        #expect(h.db.history.ledger.count == 1 && h.db.history.transactions.map(\.writer.pod) == [2])
    }

    @Test func theOptimisticGuardWaitsThenFailsWith23505() {
        var h = DatabaseHarness()
        let first = h.open(1)
        let second = h.open(2)
        _ = h.run(.guardedBatch(h.write([0])), on: first)
        #expect(h.run(.optimisticGuardedBatch(h.write([0])), on: second) == .blocked(on: 0))
        #expect(h.commit(first) == [DatabaseModel.Wakeup(connection: second, result: .failed(.uniqueViolation))])
    }

    @Test func greatestAppliesToTheLatestCommittedOffsetUnderConcurrency() {
        for (firstOffset, secondOffset) in [(7, 3), (3, 7)] as [(Offset, Offset)] {
            var h = DatabaseHarness()
            let first = h.open(1)
            let second = h.open(2)
            _ = h.run(.guardedBatch(h.write([0], store: [PartitionOffset(partition: 0, offset: firstOffset)])), on: first)
            #expect(h.run(.guardedBatch(h.write([1], store: [PartitionOffset(partition: 0, offset: secondOffset)])), on: second)
                == .blocked(on: 0), "the offset row is locked")
            #expect(h.db.storedOffset(0) == nil, "nothing committed yet")
            h.commit(first)
            #expect(h.db.storedOffset(0) == firstOffset)
            h.commit(second)
            #expect(h.db.storedOffset(0) == 7)
        }
    }

    @Test func aBalanceUpsertAddsToTheCommittedBalanceAfterWaiting() {
        var h = DatabaseHarness()
        let first = h.open(1)
        let second = h.open(2)
        _ = h.run(.guardedBatch(h.write([0], amount: 5)), on: first)
        #expect(h.run(.guardedBatch(h.write([1], amount: 7)), on: second) == .blocked(on: 0))
        h.commit(first)
        h.commit(second)
        #expect(h.db.balance(of: AccountID("a")) == 12)
    }

    @Test func aSnapshotReadMissesAnUncommittedBatch() {
        var h = DatabaseHarness()
        let batch = h.open(1, at: 9_000)
        _ = h.run(.guardedBatch(h.write([0], amount: 5)), on: batch)
        let plain = SettlementWrite(job: "s", fromPeriod: 0, throughPeriod: 0, fenced: false, settledBy: "w")
        h.autocommit(.plainSettlement(plain), at: 10_001)
        h.commit(batch, at: 10_002)
        h.autocommit(.plainSettlement(plain), at: 10_003)
        #expect(h.db.history.settlements.map(\.totalCents) == [0, 5])
        #expect(h.db.history.settlements.map(\.countedRows.count) == [0, 1])
    }

    @Test func theCheckThenInsertDefectDuplicatesUnderOverlap() {
        var h = DatabaseHarness()
        let zombie = h.open(1)
        let owner = h.open(2)
        #expect(h.run(.selectGuard([h.ids[0]]), on: zombie) == .done(.guardRows([false])))
        #expect(h.run(.selectGuard([h.ids[0]]), on: owner) == .done(.guardRows([false])))
        _ = h.run(.checkedBatch(h.write([0]), absent: [true]), on: zombie)
        #expect(h.run(.checkedBatch(h.write([0]), absent: [true]), on: owner) == .blocked(on: 0))
        h.commit(zombie)
        h.commit(owner)
        #expect(h.ledgerEvents == [0, 0], "the guard insert did nothing, the effect went ahead")
    }

    @Test func aDisconnectAbortsTheOpenTransactionAndReleasesItsLocks() {
        var h = DatabaseHarness()
        let killed = h.open(1)
        let other = h.open(2)
        _ = h.run(.guardedBatch(h.write([0], store: [PartitionOffset(partition: 0, offset: 1)])), on: killed)
        #expect(h.run(.guardedBatch(h.write([0])), on: other) == .blocked(on: 0))
        let wakeups = h.db.disconnect(killed, at: 0)
        #expect(wakeups == [DatabaseModel.Wakeup(connection: other, result: .done(.applied(1, balances: [])))])
        #expect(!h.db.isOpen(killed))
        h.commit(other)
        #expect(h.db.storedOffset(0) == nil, "the killed transaction's offset is gone")
        #expect(h.db.history.transactions.map(\.writer.pod) == [2])
    }

    @Test func aWaitingStatementOfADisconnectedClientRunsThenItsTransactionAborts() {
        var h = DatabaseHarness()
        let holder = h.open(1)
        let gone = h.open(2)
        _ = h.run(.guardedBatch(h.write([0])), on: holder)
        #expect(h.run(.guardedBatch(h.write([0, 1])), on: gone) == .blocked(on: 0))
        #expect(h.db.disconnect(gone, at: 0).isEmpty)
        #expect(h.db.isOpen(gone), "the server finishes the statement first")
        #expect(h.commit(holder).isEmpty, "nobody is told: the client is gone")
        #expect(!h.db.isOpen(gone) && h.db.isIdle)
        #expect(h.ledgerEvents == [0])
    }

    @Test func aServerTerminationFailsAWaitingStatement() {
        var h = DatabaseHarness()
        let holder = h.open(1)
        let waiter = h.open(2)
        _ = h.run(.guardedBatch(h.write([0])), on: holder)
        _ = h.run(.guardedBatch(h.write([0])), on: waiter)
        var wakeups = h.db.terminate(waiter, at: 0)
        wakeups += h.db.terminate(holder, at: 0)
        #expect(wakeups == [DatabaseModel.Wakeup(connection: waiter, result: .failed(.terminated))])
        #expect(h.db.isIdle && h.db.history.ledger.isEmpty)
    }

    @Test func aWaitCycleIsADeadlock() {
        var h = DatabaseHarness()
        let one = h.open(1)
        let two = h.open(2)
        // Each inserts an account the other then inserts too: ON CONFLICT waits for an uncommitted insert. (A plain
        // batch's UPDATE would not wait: it does not see a row another open transaction inserted.)
        _ = h.run(.ensureAccounts([AccountID("x")]), on: one)
        _ = h.run(.ensureAccounts([AccountID("y")]), on: two)
        #expect(h.run(.ensureAccounts([AccountID("y")]), on: one) == .blocked(on: 1))
        #expect(h.run(.ensureAccounts([AccountID("x")]), on: two) == .failed(.deadlock))
    }

    @Test func concurrentFencedSettlementsSettleAPeriodOnce() {
        var h = DatabaseHarness()
        h.autocommit(.guardedBatch(h.write([0], amount: 5)), at: 1_000)
        let first = h.open(1, at: 10_001)
        let second = h.open(2, at: 10_002)
        #expect(h.run(.fencedSettlement(h.settlement(0, 0)), on: first, at: 10_001)
                == .done(.settled([SettledPeriod(period: 0, totalCents: 5, batches: 1, events: [h.ids[0]])])))
        #expect(h.run(.fencedSettlement(h.settlement(0, 0)), on: second, at: 10_002) == .blocked(on: 1))
        #expect(h.commit(first, at: 10_003) == [DatabaseModel.Wakeup(connection: second, result: .done(.settled([])))])
        h.commit(second, at: 10_004)
        #expect(h.db.history.settlements.map(\.totalCents) == [5])
        #expect(h.db.unsettledBatches.isEmpty)
    }
}
