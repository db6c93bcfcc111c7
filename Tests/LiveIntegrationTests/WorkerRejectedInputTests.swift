import Core
import EventWire
import Foundation
import LiveKafka
import LivePostgres
@testable import LiveWorker
import Testing

/// A message PostgreSQL refuses for its own values (the ledger's CHECK on the amount), against a real
/// PostgreSQL and librdkafka's mock cluster: rejected and dead-lettered after its one attempt alone, never
/// counted towards MAX_ATTEMPTS; the events around it are applied exactly once.
@Suite("Worker rejected input against PostgreSQL", .serialized)
struct WorkerRejectedInputTests {
    typealias Store = WorkerLedgerStoreTests

    @Test("a batch entry refused by the CHECK is rejected by its own error, naming SQLSTATE and constraint", arguments: [true, false])
    func rejectedEntry(deduplicate: Bool) async throws {
        let f = try await Store.Fixture.make()
        // Two amounts whose sum leaves bigint: the batch may fail on the sum (22003) before either meets the
        // CHECK; the entry replayed alone meets the CHECK, and that decides.
        let huge = [Store.entry(1), Store.entry(2, account: "b", amount: .max), Store.entry(3, account: "c", amount: .max)]
        let result = await f.run(.applyBatch(BatchWrite(entries: huge, deduplicate: deduplicate, storeOffsets: [], workerID: "w")))
        #expect(result.failureKind == .rejected(entryIndex: 1), "\(result)")
        if case .failed(let failure) = result {
            #expect(failure.reason.hasPrefix("rejected_input: 23514 check_violation on constraint ledger_amount_cents_check: new row"),
                    "\(failure.reason)")
        }
        #expect(try await f.int("SELECT count(*) FROM ledger") == 0)
        await f.drop()
    }

    @Test("an account id past the accounts index's limit (54000) is permanent: retried within the budget", arguments: [true, false])
    func oversizedAccountIsPermanent(deduplicate: Bool) async throws {
        let f = try await Store.Fixture.make()
        let entries = [Store.entry(1), Store.entry(2, account: WorkerRuntimeTests.oversizedAccount.rawValue), Store.entry(3)]
        let result = await f.run(.applyBatch(BatchWrite(entries: entries, deduplicate: deduplicate, storeOffsets: [], workerID: "w")))
        #expect(result.failureKind == .permanent(entryIndex: 1), "\(result)")
        if case .failed(let failure) = result { #expect(failure.reason.hasPrefix("54000 index row size"), "\(failure.reason)") }
        await f.drop()
    }

    @Test("the worker dead-letters a CHECK violation after one attempt; its neighbours are applied once")
    func workerRejectsAtOnce() async throws {
        let h = try await WorkerHarness.make(partitions: 2)
        let at = Timestamp(milliseconds: 1_764_244_800_000)
        let poison = Event(id: EventID(high: 5, low: 1), account: AccountID("acct-0"), amountCents: 2_000_000_000_000, occurredAt: at)
        let good = try await h.sendAround(poison, goodIDHigh: 4)
        let worker = h.start(h.settings(.after, id: "r1", batch: 50, maxAttempts: 5))
        try await h.eventually(60, "the CHECK violation dead-lettered, its neighbours applied") {
            try await h.int("SELECT count(*) FROM ledger") == 4
                && worker.metric("events_dead_lettered_total", "reason=\"rejected_input\"") == 1
        }
        try await h.quiescent()
        try await h.expectExactlyOnce(good)
        #expect(try await h.int("SELECT count(*) FROM event_attempts") == 0, "rejected at once: no retry counted")
        #expect(try await h.int("SELECT count(*) FROM processed_events WHERE outcome = 'dead_lettered'") == 1)
        #expect(worker.metric("events_dead_lettered_total", "reason=\"max_attempts\"") == 0)
        #expect(worker.metric("events_failed_total", "class=\"permanent\"") == 0)
        #expect(worker.metric("events_failed_total", "class=\"rejected\"") >= 1)
        // At most the batch that held it and its attempt alone (retrying would add MAX_ATTEMPTS more).
        #expect(worker.metric("batches_total", "outcome=\"failed\"") <= 2)

        let letters = try await h.deadLetters(1)
        let letter = try #require(letters.first)
        #expect(letter.header("dlq-attempts") == "1")
        #expect(letter.header("dlq-source-partition") == "0" && letter.header("dlq-source-offset") == "1")
        let reason = letter.header("dlq-reason") ?? ""
        #expect(reason.hasPrefix("rejected_input: 23514 check_violation on constraint ledger_amount_cents_check: "), "\(reason)")
        #expect(letter.value == EventValue.encode(poison), "the original bytes")
        try await worker.stop()
        await h.drop()
    }
}
