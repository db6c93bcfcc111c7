import Core
import EventWire
import Foundation
import LiveKafka
import LivePostgres
@testable import LiveWorker
import Testing

/// An event whose statement always fails transiently, against a real PostgreSQL and librdkafka's mock cluster:
/// a session holds its account's row (inserted, never committed) for the whole test and the worker's role has a 1 s
/// `statement_timeout`, so every transaction that writes that account is cancelled with `57014`. The worker
/// takes the stuck batch apart, applies the neighbours once, and dead-letters the event as `retries_exhausted`.
@Suite("Worker stuck event against PostgreSQL", .serialized)
struct WorkerStuckEventTests {
    @Test("an event that always hits statement_timeout is isolated and dead-lettered; its neighbours are applied once")
    func statementTimeoutIsIsolated() async throws {
        let h = try await WorkerHarness.make(partitions: 2)
        let admin = try await TestDatabase.connect()
        try await admin.query("ALTER ROLE worker IN DATABASE \(h.database.name) SET statement_timeout = '1s'")
        // The stuck session: an open transaction inserted the account's row and never ends, so every insert of that
        // key (the worker's upsert) waits for it.
        let stuckSession = try await TestDatabase.connect(h.database.url)
        try await stuckSession.query("BEGIN")
        try await stuckSession.query("INSERT INTO accounts (account_id) VALUES ('acct-stuck')")

        let at = Timestamp(milliseconds: 1_764_244_800_000)
        let stuck = Event(id: EventID(high: 7, low: 1), account: AccountID("acct-stuck"), amountCents: 100, occurredAt: at)
        let good = try await h.sendAround(stuck, goodIDHigh: 6)
        let worker = h.start(h.settings(.after, id: "s1", batch: 50, maxAttempts: 3))
        try await h.eventually(90, "the stuck event dead-lettered, its neighbours applied") {
            try await h.int("SELECT count(*) FROM ledger") == 4
                && worker.metric("events_dead_lettered_total", "reason=\"retries_exhausted\"") == 1
        }
        try await h.quiescent()
        try await h.expectExactlyOnce(good)
        #expect(try await h.int("SELECT attempts FROM event_attempts") == 3, "its failures alone counted durably up to MAX_ATTEMPTS")
        #expect(try await h.int("SELECT count(*) FROM processed_events WHERE outcome = 'dead_lettered'") == 1)
        #expect(try await h.int("SELECT count(*) FROM ledger WHERE account_id = 'acct-stuck'") == 0)
        #expect(worker.metric("events_failed_total", "class=\"transient\"") >= 3)
        #expect(worker.metric("events_dead_lettered_total", "reason=\"max_attempts\"") == 0)
        #expect(worker.metric("batches_isolated_total") >= 1, "the stuck batch was taken apart")

        let letters = try await h.deadLetters(1)
        let letter = try #require(letters.first)
        #expect(letter.header("dlq-attempts") == "3")
        #expect(letter.header("dlq-source-partition") == "0" && letter.header("dlq-source-offset") == "1")
        let reason = letter.header("dlq-reason") ?? ""
        #expect(reason.hasPrefix("retries_exhausted: failed transiently 3 times alone while the database worked: 57014 "), "\(reason)")
        #expect(letter.value == EventValue.encode(stuck), "the original bytes")
        try await worker.stop()
        try await stuckSession.query("ROLLBACK")
        await h.drop()
    }
}
