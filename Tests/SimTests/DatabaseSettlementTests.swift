import Core
import Testing
@testable import Sim

/// The settlement race across a period boundary, driven step by step: a batch begins in period 0, the run
/// settling period 0 reads its snapshot before the batch commits, the batch commits, the next run settles
/// period 1. The exact settlement counts the batch once (in period 1); the window settlement counts it
/// nowhere, and `settlement-total-mismatch` says so.
@Suite("database model: exact settlement")
struct DatabaseSettlementTests {
    /// Runs the race with `settle` as the settlement statement and returns the history.
    func race(_ settle: (SettlementWrite) -> DatabaseModel.Statement) -> DatabaseHistory {
        var h = DatabaseHarness()
        h.autocommit(.guardedBatch(h.write([0], amount: 100)), at: 5_000)
        let late = h.open(1, at: 9_990)
        _ = h.run(.guardedBatch(h.write([1], amount: 7)), on: late, at: 9_995)
        h.autocommit(settle(h.settlement(0, 0)), client: 2, at: 10_005)
        h.commit(late, at: 10_010)
        h.autocommit(settle(h.settlement(0, 1)), client: 3, at: 20_005)
        return h.db.history
    }

    @Test func theExactSettlementCountsALateBatchOnceInTheNextPeriod() {
        let history = race { .fencedSettlement($0) }
        #expect(history.settlements.map(\.period) == [0, 1])
        #expect(history.settlements.map(\.totalCents) == [100, 7], "the late batch lands in period 1")
        #expect(history.batches.map(\.settlement) == [0, 1])
        #expect(SettlementTotalCheck(history: history, period: 10_000, quiet: true).run().isEmpty)
    }

    @Test func theWindowSettlementMissesALateBatchAndTheCheckSaysWhich() {
        let history = race { .windowSettlement($0) }
        #expect(history.settlements.map(\.totalCents) == [100, 0])
        let findings = SettlementTotalCheck(history: history, period: 10_000, quiet: false).run()
        #expect(findings.count == 1)
        guard case .uncounted(let row, let rows, let seer) = findings.first?.problem else {
            Issue.record("expected an uncounted row, got \(findings)")
            return
        }
        #expect(history.ledger[Int(row)].eventID.low == 1 && rows == 1)
        #expect(seer == 1, "the period-1 run saw the batch committed and did not count it")
    }

    @Test func concurrentRunsMarkABatchOnce() {
        var h = DatabaseHarness()
        h.autocommit(.guardedBatch(h.write([0], amount: 5)), at: 1_000)
        h.autocommit(.guardedBatch(h.write([1], amount: 6)), at: 11_000)
        let first = h.open(1, at: 20_001)
        let second = h.open(2, at: 20_002)
        // The first run fences periods 0 and 1 and marks both batches; the second, fencing period 1, waits.
        #expect(h.run(.fencedSettlement(h.settlement(0, 1)), on: first, at: 20_001)
                == .done(.settled([SettledPeriod(period: 0, totalCents: 5, batches: 1, events: [h.ids[0]]),
                                   SettledPeriod(period: 1, totalCents: 6, batches: 1, events: [h.ids[1]])])))
        #expect(h.run(.fencedSettlement(h.settlement(1, 1)), on: second, at: 20_002) == .blocked(on: 2))
        let wakeups = h.commit(first, at: 20_003)
        #expect(wakeups == [DatabaseModel.Wakeup(connection: second, result: .done(.settled([])))])
        h.commit(second, at: 20_004)
        #expect(h.db.history.settlements.map(\.totalCents) == [5, 6])
        #expect(SettlementTotalCheck(history: h.db.history, period: 10_000, quiet: true).run().isEmpty)
    }

    @Test func aRunThatWaitsOnAMarkedBatchChecksAgain() {
        var h = DatabaseHarness()
        h.autocommit(.guardedBatch(h.write([0], amount: 5)), at: 1_000)
        let first = h.open(1, at: 10_001)
        #expect(h.run(.fencedSettlement(h.settlement(0, 0)), on: first, at: 10_001)
                == .done(.settled([SettledPeriod(period: 0, totalCents: 5, batches: 1, events: [h.ids[0]])])))
        // A second run fencing a later period meets the batch the first one is marking.
        let second = h.open(2, at: 20_001)
        #expect(h.run(.fencedSettlement(h.settlement(1, 1)), on: second, at: 20_001) == .blocked(on: 1))
        _ = h.commit(first, at: 20_002)
        h.commit(second, at: 20_003)
        #expect(h.db.history.settlements.map(\.totalCents) == [5, 0], "the batch was not counted again")
    }

    @Test func theCheckFindsDoubleCountsAndWrongTotals() {
        var h = DatabaseHarness()
        h.autocommit(.guardedBatch(h.write([0, 1], amount: 5)), at: 1_000)
        let plain = SettlementWrite(job: "s", fromPeriod: 0, throughPeriod: 0, fenced: false, settledBy: "w")
        h.autocommit(.plainSettlement(plain), client: 1, at: 10_001)
        h.autocommit(.plainSettlement(plain), client: 2, at: 10_002)
        var history = h.db.history
        let doubled = SettlementTotalCheck(history: history, period: 10_000, quiet: true).run()
        guard case .countedTwice(0, 1, 2, 10, _) = doubled.first?.problem, doubled.count == 1 else {
            Issue.record("expected one pair counting two rows twice, got \(doubled)")
            return
        }
        history.settlements.removeLast()
        history.settlements[0].totalCents = 11
        let wrong = SettlementTotalCheck(history: history, period: 10_000, quiet: true).run()
        guard case .totalDiffers(0, 10) = wrong.first?.problem, wrong.count == 1 else {
            Issue.record("expected a wrong total, got \(wrong)")
            return
        }
    }

    @Test func aBatchWhoseEventsWereAllProcessedWritesNoBatchRow() {
        var h = DatabaseHarness()
        h.autocommit(.guardedBatch(h.write([0])), at: 1_000)
        h.autocommit(.guardedBatch(h.write([0])), at: 2_000)
        #expect(h.db.history.batches.count == 1 && h.db.history.transactions.count == 2)
    }
}
