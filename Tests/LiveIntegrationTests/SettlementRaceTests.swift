import Core
import Foundation
import LivePostgres
@testable import LiveWorker
import Testing

/// The fenced settlement under the interleavings that break settling by time: a batch transaction that began
/// in a period and commits after that period's settlement read its snapshot, and two settlement runs at once.
/// Each interleaving is forced by a lock another session holds and observed in `pg_stat_activity`; periods are
/// explicit numbers. The planted designs (a settlement by `applied_at` window, and one that reads the unsettled
/// batches and then marks them by id) show that the audit catches what they get wrong.
@Suite("Exact settlement against PostgreSQL", .serialized)
struct SettlementRaceTests {
    typealias Fixture = WorkerLedgerStoreTests.Fixture

    enum Settler: String, CustomTestStringConvertible, Sendable {
        /// The worker's statement (`LedgerSQL.fencedSettlement`) through `LedgerStore`.
        case marking
        /// Planted: totals by `applied_at` window, nothing marked.
        case windowed
        /// Planted: marks the batches a plain read found unsettled, by id, without re-checking them.
        case checkThenMark

        var testDescription: String { rawValue }
    }

    @Test("a batch held open across its period's settlement is settled once, by the next run",
          arguments: [Settler.marking, .windowed])
    func batchCommitsAfterItsPeriodWasSettled(settler: Settler) async throws {
        let f = try await Fixture.make(periodSeconds: 60)
        let settlements = try await f.otherStore()
        let early = await f.run(WorkerLedgerStoreTests.guarded([WorkerLedgerStoreTests.entry(1, account: "x", amount: 700)]))
        #expect(early == .committed(.batch(BatchOutcome(applied: 1, skippedDuplicates: 0))))

        // Another session locks account x: the next batch begins (its applied_at is fixed now) and then waits.
        let blocker = try await TestDatabase.connect(f.url)
        try await blocker.begin()
        try await blocker.query("SELECT 1 FROM accounts WHERE account_id = 'x' FOR UPDATE")
        let blockerPID = await blocker.backendPID()
        let batchPID = await f.store.connection.backendPID()
        let held = Task {
            await f.run(WorkerLedgerStoreTests.guarded([
                WorkerLedgerStoreTests.entry(2, account: "x", amount: 50), WorkerLedgerStoreTests.entry(3, account: "y", amount: 25),
            ]))
        }
        try await f.check.waitUntilLockWait(of: batchPID, "the batch waits for account x") { $0.blockedBy == [blockerPID] }
        let period = try await f.int("""
            SELECT floor(extract(epoch FROM xact_start) / \(f.periodSeconds))::bigint FROM pg_stat_activity WHERE pid = \(batchPID)
            """)

        // The run for the batch's period (with look-back) happens now; then the batch commits; then the next run.
        try await settle(settler, on: settlements, from: period - 2, through: period, fixture: f)
        try await blocker.rollback()
        #expect(await held.value == .committed(.batch(BatchOutcome(applied: 2, skippedDuplicates: 0))))
        try await settle(settler, on: settlements, from: period - 1, through: period + 1, fixture: f)

        let audit = try await SettlementAudit.read(f.check)
        switch settler {
        case .marking:
            #expect(audit.isExact, "\(audit)")
            #expect(try await f.int("SELECT settled_period FROM ledger_batches WHERE total_cents = 75") == period + 1,
                    "the late batch is counted by the next run")
        case .windowed, .checkThenMark:
            #expect(audit.applied == 775)
            #expect(audit.settled == 700, "the held batch's 75 cents fall in no period: \(audit)")
        }
        await f.drop()
    }

    @Test("two settlement runs at once count every batch once (overlapping or disjoint ranges)",
          arguments: [(Settler.marking, true), (.marking, false), (.checkThenMark, false)])
    func concurrentRuns(settler: Settler, overlapping: Bool) async throws {
        let f = try await Fixture.make(periodSeconds: 60)
        let first = try await f.otherStore()
        let second = try await f.otherStore()
        for (serial, account) in [(1, "a"), (2, "b"), (3, "a")] {
            _ = await f.run(WorkerLedgerStoreTests.guarded([WorkerLedgerStoreTests.entry(UInt64(serial), account: account, amount: 10 * Int64(serial))]))
        }
        let period = try await f.int("SELECT floor(extract(epoch FROM now()) / \(f.periodSeconds))::bigint")
        // The first run's transaction waits at COMMIT (a deferred trigger on settlements takes an advisory lock
        // this session holds), with its fence rows and marks written and not committed.
        try await f.check.simpleQuery("""
            CREATE FUNCTION held_settlement() RETURNS trigger LANGUAGE plpgsql AS
              $$ BEGIN PERFORM pg_advisory_xact_lock_shared(7072); RETURN NULL; END $$;
            CREATE CONSTRAINT TRIGGER held_settlement AFTER INSERT ON settlements DEFERRABLE INITIALLY DEFERRED
              FOR EACH ROW EXECUTE FUNCTION held_settlement();
            """)
        try await f.check.query("SELECT pg_advisory_lock(7072)")
        let firstPID = await first.connection.backendPID()
        let secondPID = await second.connection.backendPID()
        let firstRun = Task { try await settle(settler, on: first, from: period - 1, through: period, fixture: f) }
        try await f.check.waitUntilLockWait(of: firstPID, "the first run waits at COMMIT") { $0.waitEvent == "advisory" }
        // The second run waits for the first: on its fence rows (overlapping) or on the batches it marked.
        let secondRun = Task {
            try await settle(settler, on: second, from: overlapping ? period - 1 : period + 1, through: period + 1, fixture: f)
        }
        try await f.check.waitUntilLockWait(of: secondPID, "the second run waits for the first") { $0.blockedBy == [firstPID] }
        try await f.check.query("SELECT pg_advisory_unlock(7072)")
        try await firstRun.value
        try await secondRun.value

        let audit = try await SettlementAudit.read(f.check)
        #expect(audit.applied == 60)
        switch settler {
        case .marking:
            #expect(audit.isExact, "\(audit)")
            #expect(try await f.int("SELECT coalesce(sum(total_cents), -1) FROM settlements WHERE period = \(period + 1)") == 0,
                    "the second run found every batch marked by the first")
        case .checkThenMark, .windowed:
            #expect(audit.settled == 120, "the second run marks the first run's batches again: \(audit)")
            #expect(!audit.isExact)
        }
        await f.drop()
    }

    /// One settlement run through `through` with look-back from `from`, by `settler`.
    private func settle(_ settler: Settler, on store: LedgerStore, from: Int64, through: Int64, fixture f: Fixture) async throws {
        switch settler {
        case .marking:
            let write = SettlementWrite(job: "settlement", fromPeriod: from, throughPeriod: through, fenced: true, settledBy: "w")
            let result = await store.run(.settle(write)).result
            guard case .committed = result else {
                throw SettlementFailed(periods: "\(from)...\(through)", result: "\(result)")
            }
        case .windowed, .checkThenMark:
            let sql = settler == .windowed ? Self.windowedSettlement : Self.checkThenMarkSettlement
            _ = try await store.connection.transaction { (c: PostgresConnection) throws(PostgresError) in
                try await c.query(sql, [.text("settlement"), .int64(from), .int64(through), .int64(Int64(f.periodSeconds)), .text("w")])
            }
        }
    }

    /// Totals by `applied_at` window: a batch that commits after its period's run is in no total.
    static let windowedSettlement = """
        WITH fence AS (
          INSERT INTO settlement_fence (job, period) SELECT $1, p FROM generate_series($2::bigint, $3::bigint) AS p
          ON CONFLICT (job, period) DO NOTHING RETURNING period
        ), totals AS (
          SELECT floor(extract(epoch FROM applied_at) / $4::bigint)::bigint AS period, sum(amount_cents) AS total FROM ledger
          WHERE applied_at >= to_timestamp($2::bigint * $4::bigint) AND applied_at < to_timestamp(($3::bigint + 1) * $4::bigint)
          GROUP BY 1
        )
        INSERT INTO settlements (job, period, total_cents, settled_by)
        SELECT $1, f.period, coalesce(t.total, 0), $5 FROM fence f LEFT JOIN totals t ON t.period = f.period
        """

    /// Reads the unsettled batches first and marks them by id: a concurrent run's marks are not re-checked.
    static let checkThenMarkSettlement = """
        WITH fence AS (
          INSERT INTO settlement_fence (job, period) SELECT $1, p FROM generate_series($2::bigint, $3::bigint) AS p
          ON CONFLICT (job, period) DO NOTHING RETURNING period
        ), unsettled AS MATERIALIZED (
          SELECT id FROM ledger_batches
          WHERE settled_period IS NULL AND applied_at < to_timestamp(((SELECT max(period) FROM fence) + 1) * $4::bigint)
        ), marked AS (
          UPDATE ledger_batches b
          SET settled_period = (SELECT min(f.period) FROM fence f
                                WHERE f.period >= floor(extract(epoch FROM b.applied_at) / $4::bigint)::bigint)
          FROM unsettled u WHERE b.id = u.id
          RETURNING b.settled_period, b.total_cents
        )
        INSERT INTO settlements (job, period, total_cents, settled_by)
        SELECT $1, f.period, coalesce((SELECT sum(m.total_cents) FROM marked m WHERE m.settled_period = f.period), 0), $5
        FROM fence f
        """
}

/// The settlement invariant read from the database: every applied cent settled exactly once, in one period.
struct SettlementAudit: CustomStringConvertible {
    /// Sum of the ledger.
    let applied: Int64
    /// Sum of the settlement rows.
    let settled: Int64
    /// Batches no settlement counted.
    let unmarked: Int64
    /// Periods whose settlement rows do not total the ledger rows of the batches marked with that period.
    let periodMismatches: Int64

    var isExact: Bool { applied == settled && unmarked == 0 && periodMismatches == 0 }

    var description: String {
        "applied \(applied), settled \(settled), unmarked batches \(unmarked), periods with a wrong total \(periodMismatches)"
    }

    static func read(_ conn: PostgresConnection) async throws -> SettlementAudit {
        let rows = try await conn.query("""
            WITH counted AS (
              SELECT b.settled_period AS period, sum(l.amount_cents) AS total
              FROM ledger l JOIN ledger_batches b ON b.id = l.batch_id WHERE b.settled_period IS NOT NULL GROUP BY 1
            ), settled AS (
              SELECT period, sum(total_cents) AS total FROM settlements GROUP BY period
            )
            SELECT (SELECT coalesce(sum(amount_cents), 0) FROM ledger) AS applied,
                   (SELECT coalesce(sum(total_cents), 0) FROM settlements) AS settled,
                   (SELECT count(*) FROM ledger_batches WHERE settled_period IS NULL) AS unmarked,
                   (SELECT count(*) FROM settled s FULL JOIN counted c USING (period)
                    WHERE coalesce(s.total, 0) <> coalesce(c.total, 0)) AS mismatches
            """)
        return SettlementAudit(applied: rows.int64(0, "applied") ?? -1, settled: rows.int64(0, "settled") ?? -1,
                               unmarked: rows.int64(0, "unmarked") ?? -1, periodMismatches: rows.int64(0, "mismatches") ?? -1)
    }
}

private struct SettlementFailed: Error {
    let periods: String
    let result: String
}
