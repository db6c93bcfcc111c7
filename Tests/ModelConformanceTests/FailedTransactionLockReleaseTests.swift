import Core
import LivePostgres
import Testing

/// When PostgreSQL releases the locks of a transaction whose statement failed: at the error, before the
/// client's ROLLBACK (its `AbortTransaction` runs at the error; the block then waits for ROLLBACK holding
/// nothing). The model does the same (`DatabaseModel.execute` reports the statements the failure resumed);
/// this test runs the interleaving on both, step by step, with the ROLLBACK as a step of its own.
@Suite("Lock release of a failed transaction", .serialized)
struct FailedTransactionLockReleaseTests {
    @Test("PostgreSQL and the model resume a waiter at the failing statement, not at the ROLLBACK")
    func locksAreReleasedAtTheError() async throws {
        let run = try await ConformanceRun.make()
        let now = try await run.owner.query("SELECT floor(extract(epoch FROM now()))::bigint AS s").int64(0, "s") ?? 0
        let base = now / DatabaseModelConformanceTests.periodSeconds
        let live = try await ConformanceLiveSide(url: run.url, observer: run.owner, sessions: 2,
                                                 periodSeconds: DatabaseModelConformanceTests.periodSeconds, base: base)
        var model = ConformanceModelSide(sessions: 2, periodMilliseconds: DatabaseModelConformanceTests.periodSeconds * 1000,
                                         base: base)
        let shared = Event(id: EventID(high: 1, low: 1), account: AccountID("acct-0"), amountCents: 100,
                           occurredAt: Timestamp(milliseconds: 0))
        let poison = Event(id: EventID(high: 2, low: 2), account: AccountID("acct-1"), amountCents: 2_000_000_000_000,
                           occurredAt: Timestamp(milliseconds: 0))
        func batch(_ event: Event, offset: Offset) -> ConformanceStatement {
            .batch(BatchWrite(entries: [BatchEntry(partition: 0, offset: offset, event: event, balance: .increment)],
                              deduplicate: true, storeOffsets: [], workerID: "conformance"), optimistic: false)
        }
        let steps: [ConformanceStep] = [
            .begin(0), .statement(0, batch(shared, offset: 0)), .begin(1), .statement(1, batch(shared, offset: 1)),
            .statement(0, batch(poison, offset: 2)), .rollback(0), .commit(1),
        ]
        var observed: [ConformanceObservation] = []
        var expected: [ConformanceObservation] = []
        var time: Int64 = 0
        for step in steps {
            let (observation, at) = try await live.run(step)
            if step.isBegin { time = at }
            observed.append(observation)
            expected.append(model.run(step, at: time))
        }
        try await live.close()
        await run.drop()
        #expect(observed[3].answer == .waits && expected[3].answer == .waits, "s1's batch waits for s0's guard row")
        #expect(observed[4].answer == .error("23514"))
        #expect(observed[4].resumed == [1: .ok("applied 1")], "PostgreSQL resumes s1 at s0's failed statement")
        #expect(expected[4].answer == .error("23514"))
        #expect(expected[4].resumed == [1: .ok("applied 1")] && expected[5].resumed.isEmpty,
                "the model resumes s1 at s0's failed statement too")
    }
}
