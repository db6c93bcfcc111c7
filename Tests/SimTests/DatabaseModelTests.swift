import Core
import Testing
@testable import Sim

/// Builds statements and drives the model one protocol step at a time, as two or more clients would.
struct DatabaseHarness {
    var db = DatabaseModel(settlementPeriod: 10_000)
    let ids = (0..<8).map { EventID(high: 1, low: UInt64($0)) }
    /// The statements the last `run`'s failure resumed.
    var resumed: [DatabaseModel.Wakeup] = []

    func write(_ events: [Int], amount: Int64 = 10, account: String = "a", store: [PartitionOffset] = []) -> BatchWrite {
        BatchWrite(
            entries: events.map {
                BatchEntry(partition: 0, offset: Offset($0),
                           event: Event(id: ids[$0], account: AccountID(account), amountCents: amount, occurredAt: .zero),
                           balance: .increment)
            },
            deduplicate: true, storeOffsets: store, workerID: "w")
    }

    /// A new connection with a transaction begun at `time`.
    mutating func open(_ client: Int32, at time: Int64 = 0) -> Int32 {
        let connection = db.connect(client: client)
        db.begin(connection, writer: .init(pod: client, member: client, generation: 1), at: time)
        return connection
    }

    /// The statement's result; the statements its failure resumed are in `resumed`.
    mutating func run(_ statement: DatabaseModel.Statement, on connection: Int32, at time: Int64 = 0) -> DatabaseModel.StatementResult {
        let result: DatabaseModel.StatementResult
        (result, resumed) = db.execute(statement, on: connection, at: time)
        return result
    }

    @discardableResult
    mutating func commit(_ connection: Int32, at time: Int64 = 0) -> [DatabaseModel.Wakeup] {
        let (result, wakeups) = db.commit(connection, at: time)
        #expect(result == .done(.none))
        return wakeups
    }

    /// One transaction with one statement, committed at once.
    @discardableResult
    mutating func autocommit(_ statement: DatabaseModel.Statement, client: Int32 = 9, at time: Int64 = 0) -> DatabaseModel.StatementResult {
        let connection = open(client, at: time)
        let result = run(statement, on: connection, at: time)
        commit(connection, at: time)
        return result
    }

    /// Runs each statement in a transaction of its own, expects it to fail with `state` naming `entry`, rolls back;
    /// then nothing of the failed transactions is applied and the model is idle.
    mutating func expectFailure(of statements: [DatabaseModel.Statement], state: String, entry: Int,
                                sourceLocation: SourceLocation = #_sourceLocation) {
        for statement in statements {
            let c = open(1)
            guard case .failed(let error) = run(statement, on: c) else {
                Issue.record("expected a failure", sourceLocation: sourceLocation)
                return
            }
            #expect(error.state == state && error.entryIndex == entry, sourceLocation: sourceLocation)
            _ = db.rollback(c, at: 0)
        }
        #expect(db.history.ledger.isEmpty, "nothing of a failed transaction is applied", sourceLocation: sourceLocation)
        #expect(db.isIdle, sourceLocation: sourceLocation)
    }

    func settlement(_ from: Int64, _ through: Int64) -> SettlementWrite {
        SettlementWrite(job: "s", fromPeriod: from, throughPeriod: through, fenced: true, settledBy: "w")
    }

    var ledgerEvents: [UInt64] { db.history.ledger.map(\.eventID.low) }
}

@Suite("database model: statements")
struct DatabaseModelTests {
    @Test func guardedBatchesApplyEachEventOnceKeyedByEventID() {
        var h = DatabaseHarness()
        h.autocommit(.guardedBatch(h.write([0, 1])))
        // The same event ids at other offsets (a producer retry) are still duplicates: the guard keys by event id.
        var again = h.write([1, 2])
        again.entries[0].offset = 40
        #expect(h.autocommit(.guardedBatch(again)) == .done(.applied(1, balances: [])))
        #expect(h.ledgerEvents == [0, 1, 2])
        #expect(h.db.balance(of: AccountID("a")) == 30)
        #expect(h.db.history.skips.map(\.offset) == [40])
    }

    @Test func aKafkaDuplicateInsideOneBatchHasOneEffect() {
        var h = DatabaseHarness()
        #expect(h.autocommit(.guardedBatch(h.write([3, 3]))) == .done(.applied(1, balances: [])))
        let c = h.open(1)
        #expect(h.run(.optimisticGuardedBatch(h.write([4, 4])), on: c) == .failed(.uniqueViolation))
        #expect(h.db.commit(c, at: 0).0 == .failed(.inFailedTransaction), "COMMIT of a failed transaction rolls back")
        #expect(h.ledgerEvents == [3] && h.db.isIdle)
    }

    @Test func theOptimisticBatchFailsOnAProcessedEventAndWritesNothing() {
        var h = DatabaseHarness()
        h.autocommit(.guardedBatch(h.write([0])))
        let c = h.open(1)
        #expect(h.run(.optimisticGuardedBatch(h.write([1, 0])), on: c) == .failed(.uniqueViolation))
        #expect(h.run(.loadOffsets([0]), on: c) == .failed(.inFailedTransaction), "an aborted transaction refuses statements")
        _ = h.db.rollback(c, at: 0)
        #expect(h.ledgerEvents == [0])
        #expect(h.db.guardOutcome(of: h.ids[1]) == nil)
    }

    @Test func storedOffsetsNeverMoveBackwards() {
        var h = DatabaseHarness()
        h.autocommit(.guardedBatch(h.write([0], store: [PartitionOffset(partition: 0, offset: 7)])))
        h.autocommit(.guardedBatch(h.write([1], store: [PartitionOffset(partition: 0, offset: 3)])))
        #expect(h.db.storedOffset(0) == 7)
        #expect(h.autocommit(.loadOffsets([0, 1])) == .done(.offsets([StoredOffset(partition: 0, nextOffset: 7),
                                                                       StoredOffset(partition: 1, nextOffset: nil)])))
    }

    @Test func checkConstraintFailsTheBatchNamingTheEntry() {
        var h = DatabaseHarness()
        var write = h.write([0, 1, 2])
        write.entries[1].event.amountCents = 2_000_000_000_000
        h.expectFailure(of: [.optimisticGuardedBatch(write)], state: "23514", entry: 1)
    }

    @Test func oversizedAccountFailsTheAccountsIndexNamingTheEntry() {
        var h = DatabaseHarness()
        var write = h.write([0, 1, 2])
        write.entries[2].event.account = PlannedEvent.oversizedAccount(write.entries[2].event.account, event: write.entries[2].event.id)
        h.expectFailure(of: [.optimisticGuardedBatch(write), .guardedBatch(write)], state: "54000", entry: 2)
    }

    @Test func markDeadLetteredDoesNothingToAnExistingGuardRow() {
        var h = DatabaseHarness()
        h.autocommit(.guardedBatch(h.write([0])))
        h.autocommit(.markDeadLettered(DeadLetterMark(eventID: h.ids[0], partition: 0, offset: 0)))
        h.autocommit(.markDeadLettered(DeadLetterMark(eventID: h.ids[1], partition: 0, offset: 1)))
        #expect(h.db.guardOutcome(of: h.ids[0]) == 1, "applied stays applied (ON CONFLICT DO NOTHING)")
        #expect(h.db.guardOutcome(of: h.ids[1]) == 2)
        #expect(h.db.storedOffset(0) == 2)
    }

    @Test func recordFailureCountsOnTheCommittedValue() {
        var h = DatabaseHarness()
        let record = FailureRecord(eventID: h.ids[0], partition: 0, offset: 0, reason: "x")
        #expect(h.autocommit(.recordFailure(record)) == .done(.attempts(1)))
        let a = h.open(1)
        let b = h.open(2)
        #expect(h.run(.recordFailure(record), on: a) == .done(.attempts(2)))
        #expect(h.run(.recordFailure(record), on: b) == .blocked(on: 1))
        let wakeups = h.commit(a)
        #expect(wakeups == [DatabaseModel.Wakeup(connection: b, result: .done(.attempts(3)))])
        h.commit(b)
        #expect(h.db.attemptCount(of: h.ids[0]) == 3)
    }

    @Test func fencedSettlementRunsOncePerPeriodAndLooksBack() {
        var h = DatabaseHarness()
        let nothing = { (period: Int64) in SettledPeriod(period: period, totalCents: 0, batches: 0, events: []) }
        #expect(h.autocommit(.fencedSettlement(h.settlement(0, 2)), at: 30_000) == .done(.settled([nothing(0), nothing(1), nothing(2)])))
        #expect(h.autocommit(.fencedSettlement(h.settlement(0, 3)), at: 40_000) == .done(.settled([nothing(3)])))
        #expect(h.db.history.settlements.map(\.period) == [0, 1, 2, 3])
        let plain = SettlementWrite(job: "s", fromPeriod: 3, throughPeriod: 3, fenced: false, settledBy: "w")
        h.autocommit(.plainSettlement(plain), at: 40_000)
        h.autocommit(.plainSettlement(plain), at: 40_000)
        #expect(h.db.history.settlements.filter { $0.period == 3 }.count == 3, "unfenced runs double")
    }
}
