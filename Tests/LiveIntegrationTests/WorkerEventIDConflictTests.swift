import Core
import EventWire
import Foundation
import LiveKafka
import LivePostgres
@testable import LiveWorker
import Testing

/// The same event id with another account or amount, against a real PostgreSQL (and the worker end to end):
/// rejected as `event_id_conflict`, never skipped as a duplicate; a true duplicate is still skipped.
@Suite("Worker event id conflicts against PostgreSQL", .serialized)
struct WorkerEventIDConflictTests {
    typealias Store = WorkerLedgerStoreTests

    @Test("a reuse with another amount or account is rejected with its entry; nothing of its batch is applied")
    func conflictAgainstAnAppliedEvent() async throws {
        let f = try await Store.Fixture.make()
        #expect(await f.run(Store.guarded([Store.entry(1, amount: 100)])) == .committed(.batch(BatchOutcome(applied: 1, skippedDuplicates: 0))))
        for conflicting in [Store.entry(1, offset: 7, amount: 200), Store.entry(1, offset: 7, account: "b", amount: 100)] {
            let result = await f.run(Store.guarded([Store.entry(2), conflicting, Store.entry(3)]))
            guard case .failed(let failure) = result else {
                Issue.record("\(result)")
                continue
            }
            #expect(failure.kind == .rejected(entryIndex: 1))
            #expect(failure.reason.hasPrefix("event_id_conflict: event \(conflicting.event.id) was applied to account a with 100 cents"),
                    "\(failure.reason)")
        }
        #expect(try await f.int("SELECT count(*) FROM ledger") == 1, "the rejected batches rolled back")
        // The same content at another offset is a duplicate, skipped silently as before.
        let duplicate = await f.run(Store.guarded([Store.entry(2), Store.entry(1, offset: 8, amount: 100)]))
        #expect(duplicate == .committed(.batch(BatchOutcome(applied: 1, skippedDuplicates: 1))))
        #expect(try await f.int("SELECT count(*) FROM processed_events WHERE account_id IS NULL OR amount_cents IS NULL") == 0,
                "the guard keeps the applied content")
        await f.drop()
    }

    @Test("two events with one id in one batch: the later one is rejected, a Kafka duplicate is not")
    func conflictInsideOneBatch() async throws {
        let f = try await Store.Fixture.make()
        let result = await f.run(Store.guarded([Store.entry(1, amount: 100), Store.entry(2), Store.entry(1, offset: 9, amount: 101)]))
        #expect(result.failureKind == .rejected(entryIndex: 2), "\(result)")
        #expect(try await f.int("SELECT count(*) FROM processed_events") == 0)
        let duplicate = await f.run(Store.guarded([Store.entry(1, amount: 100), Store.entry(1, offset: 9, amount: 100)]))
        #expect(duplicate == .committed(.batch(BatchOutcome(applied: 1, skippedDuplicates: 1))))
        await f.drop()
    }

    @Test("a guard row without content (written before the guard kept it, or dead-lettered) cannot conflict")
    func rowsWithoutContentStayDuplicates() async throws {
        let f = try await Store.Fixture.make()
        let legacy = Store.entry(1, amount: 100)
        try await f.check.query("""
            INSERT INTO processed_events (event_id, outcome, kafka_partition, kafka_offset) VALUES ('\(legacy.event.id)', 'applied', 0, 1)
            """)
        let result = await f.run(Store.guarded([Store.entry(1, offset: 5, amount: 999)]))
        #expect(result == .committed(.batch(BatchOutcome(applied: 0, skippedDuplicates: 1))))
        await f.drop()
    }

    @Test("the worker dead-letters a conflicting reuse with reason event_id_conflict and counts it")
    func workerDeadLettersTheConflict() async throws {
        let h = try await WorkerHarness.make(partitions: 2)
        let at = Timestamp(milliseconds: 1_764_244_800_000)
        let first = Event(id: EventID(high: 3, low: 1), account: AccountID("acct-1"), amountCents: 100, occurredAt: at)
        let reuse = Event(id: first.id, account: AccountID("acct-2"), amountCents: 500, occurredAt: at)
        let after = Event(id: EventID(high: 3, low: 2), account: AccountID("acct-1"), amountCents: 7, occurredAt: at)
        try await h.send(first, partition: 0)
        try await h.send(first, partition: 0)  // a producer retry: a true duplicate
        try await h.send(reuse, partition: 0)
        try await h.send(after, partition: 0)
        let worker = h.start(h.settings(.after, id: "c1", batch: 50))
        try await h.eventually(60, "the conflict dead-lettered, the events around it applied") {
            try await h.int("SELECT count(*) FROM ledger") == 2
                && worker.metric("event_id_conflicts_total") == 1
                && worker.metric("events_dead_lettered_total", "reason=\"event_id_conflict\"") == 1
        }
        #expect(try await h.int("SELECT balance_cents FROM accounts WHERE account_id = 'acct-1'") == 107)
        #expect(try await h.int("SELECT count(*) FROM accounts WHERE account_id = 'acct-2'") == 0)
        #expect(try await h.int("SELECT count(*) FROM event_attempts") == 0, "rejected at once: no retries counted")
        #expect(worker.metric("duplicates_skipped_total") >= 1)

        let letters = try await h.deadLetters(1)
        let letter = try #require(letters.first)
        let reason = letter.header("dlq-reason")
        #expect(reason?.hasPrefix("event_id_conflict: ") == true, "\(reason ?? "")")
        #expect(letter.header("dlq-source-offset") == "2")
        #expect(letter.value == EventValue.encode(reuse), "the original bytes")
        try await worker.stop()
        await h.drop()
    }
}

extension DatabaseResult {
    var failureKind: DatabaseFailure.Kind? {
        if case .failed(let failure) = self { return failure.kind }
        return nil
    }
}
