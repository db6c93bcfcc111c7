import Core
import Testing
@testable import Sim

@Suite("database model")
struct DatabaseModelTests {
    let ids = (0..<4).map { EventID(high: 1, low: UInt64($0)) }

    func write(_ events: [Int], guarded: Bool, amount: Int64 = 10, store: [PartitionOffset] = []) -> DatabaseWork {
        .applyBatch(BatchWrite(
            entries: events.map {
                BatchEntry(partition: 0, offset: Offset($0),
                           event: Event(id: ids[$0], account: AccountID("a"), amountCents: amount, occurredAt: .zero),
                           balance: .increment)
            },
            deduplicate: guarded, storeOffsets: store, workerID: "w"))
    }

    func apply(_ db: inout DatabaseModel, _ work: DatabaseWork, ambiguous: Bool = false) -> DatabaseModel.Outcome {
        db.apply(work, writer: .init(pod: 0, member: 1, generation: 1), time: 0, ambiguous: ambiguous,
                 index: { _, offset in Int32(offset) }, account: { _ in 0 })
    }

    @Test func guardedBatchesApplyEachEventOnce() {
        var db = DatabaseModel(events: 4, accounts: 1, partitions: 1)
        _ = apply(&db, write([0, 1], guarded: true))
        let second = apply(&db, write([1, 2], guarded: true))
        guard case .applied(.batch(let outcome)) = second else {
            Issue.record("unexpected \(second)")
            return
        }
        #expect(outcome.applied == 1 && outcome.skippedDuplicates == 1)
        #expect(db.effects == [1, 1, 1, 0])
        #expect(db.balances == [30])
    }

    @Test func unguardedBatchesApplyAgain() {
        var db = DatabaseModel(events: 4, accounts: 1, partitions: 1)
        _ = apply(&db, write([0], guarded: false), ambiguous: true)
        _ = apply(&db, write([0], guarded: false))
        #expect(db.effects[0] == 2)
        #expect(db.applications.map(\.ambiguous) == [true, false])
    }

    @Test func storedOffsetsNeverMoveBackwards() {
        var db = DatabaseModel(events: 4, accounts: 1, partitions: 1)
        _ = apply(&db, write([0], guarded: true, store: [PartitionOffset(partition: 0, offset: 7)]))
        _ = apply(&db, write([1], guarded: true, store: [PartitionOffset(partition: 0, offset: 3)]))
        #expect(db.storedOffsets[0] == 7)
    }

    @Test func checkConstraintFailsTheBatchPermanentlyNamingTheEntry() {
        var db = DatabaseModel(events: 4, accounts: 1, partitions: 1)
        var work = write([0, 1, 2], guarded: true)
        if case .applyBatch(var batch) = work {
            batch.entries[1].event.amountCents = 2_000_000_000_000
            work = .applyBatch(batch)
        }
        guard case .failed(let failure) = apply(&db, work) else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.kind == .permanent(entryIndex: 1))
        #expect(db.effects == [0, 0, 0, 0], "nothing of a failed transaction is applied")
    }

    @Test func fencedSettlementRunsOncePerPeriodAndLooksBack() {
        var db = DatabaseModel(events: 1, accounts: 1, partitions: 1)
        let catchUp = SettlementWrite(job: "s", fromPeriod: 0, throughPeriod: 2, fenced: true, settledBy: "w")
        _ = apply(&db, .settle(catchUp))
        _ = apply(&db, .settle(catchUp))
        #expect(db.settlements.map(\.period) == [0, 1, 2])
        _ = apply(&db, .settle(SettlementWrite(job: "s", fromPeriod: 3, throughPeriod: 3, fenced: false, settledBy: "w")))
        _ = apply(&db, .settle(SettlementWrite(job: "s", fromPeriod: 3, throughPeriod: 3, fenced: false, settledBy: "w")))
        #expect(db.settlements.filter { $0.period == 3 }.count == 2, "unfenced runs double")
    }
}
