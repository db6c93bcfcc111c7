import Core
import Foundation
import LivePostgres
@testable import LiveWorker
import Logging
import Testing

/// Each `DatabaseWork` case against a real PostgreSQL, with the semantics Core's `DatabaseWork` documents (the
/// simulator's `DatabaseModel+Apply.swift` is the reference model).
@Suite("Worker ledger store against PostgreSQL", .serialized)
struct WorkerLedgerStoreTests {
    struct Fixture {
        let name: String
        let url: String
        let periodSeconds: Int
        let store: LedgerStore
        let check: PostgresConnection

        static func make(periodSeconds: Int = 60) async throws -> Fixture {
            let (name, url) = try await TestDatabase.makeDatabase()
            try await TestDatabase.migrateAndGrant(url)
            let store = try await makeStore(url: url, periodSeconds: periodSeconds)
            return Fixture(name: name, url: url, periodSeconds: periodSeconds, store: store,
                           check: try await TestDatabase.connect(url))
        }

        /// Another worker's store on the same database (its own connection, the least-privilege worker role).
        func otherStore() async throws -> LedgerStore {
            try await Self.makeStore(url: url, periodSeconds: periodSeconds)
        }

        private static func makeStore(url: String, periodSeconds: Int) async throws -> LedgerStore {
            let connection = try await TestDatabase.connect(TestDatabase.url(url, role: "worker"))
            let store = LedgerStore(connection: connection, groupID: "g", topic: "events",
                                    settlementPeriodSeconds: periodSeconds, logger: Logger(label: "test"))
            try await store.prepare()
            return store
        }

        func drop() async { await TestDatabase.drop(name) }

        func run(_ work: DatabaseWork) async -> DatabaseResult { await store.run(work).result }

        func int(_ sql: String) async throws -> Int64 {
            guard let value = try await check.query(sql).rows.first?.first ?? nil else { return -1 }
            return Int64(value) ?? -1
        }
    }

    static func entry(_ serial: UInt64, partition: PartitionID = 0, offset: Offset? = nil, account: String = "a",
                      amount: Int64 = 100, balance: BalanceWrite = .increment) -> BatchEntry {
        BatchEntry(partition: partition, offset: offset ?? Offset(serial),
                   event: Event(id: EventID(high: 7, low: serial), account: AccountID(account), amountCents: amount,
                                occurredAt: Timestamp(milliseconds: 0)),
                   balance: balance)
    }

    static func guarded(_ entries: [BatchEntry], store: [PartitionOffset] = []) -> DatabaseWork {
        .applyBatch(BatchWrite(entries: entries, deduplicate: true, storeOffsets: store, workerID: "w1"))
    }

    @Test("guarded batch: applied once, a replay is skipped, a duplicate inside one batch counts once")
    func guardedBatch() async throws {
        let f = try await Fixture.make()
        let first = [Self.entry(1, amount: 100), Self.entry(2, account: "b", amount: -30), Self.entry(3, amount: 5)]
        let result = await f.run(Self.guarded(first, store: [PartitionOffset(partition: 0, offset: 4)]))
        #expect(result == .committed(.batch(BatchOutcome(applied: 3, skippedDuplicates: 0))))
        // The same events again (an ambiguous commit retried, or a zombie) plus one new, plus a Kafka-level
        // duplicate of the new one at a later offset.
        let replay = first + [Self.entry(4, amount: 1), Self.entry(4, offset: 9, amount: 1)]
        let second = await f.run(Self.guarded(replay, store: [PartitionOffset(partition: 0, offset: 10)]))
        #expect(second == .committed(.batch(BatchOutcome(applied: 1, skippedDuplicates: 4))))
        #expect(try await f.int("SELECT count(*) FROM ledger") == 4)
        #expect(try await f.int("SELECT balance_cents FROM accounts WHERE account_id = 'a'") == 106)
        #expect(try await f.int("SELECT balance_cents FROM accounts WHERE account_id = 'b'") == -30)
        #expect(try await f.int("SELECT count(*) FROM processed_events WHERE outcome = 'applied'") == 4)
        #expect(try await f.int("SELECT next_offset FROM consumer_offsets WHERE kafka_partition = 0") == 10)
        // One batch row per transaction that applied something, with the count and total of its ledger rows.
        #expect(try await f.int("SELECT count(*) FROM ledger_batches") == 2)
        #expect(try await f.int("SELECT count(*) FROM ledger WHERE batch_id IS NULL") == 0)
        #expect(try await f.int("""
            SELECT count(*) FROM ledger_batches b WHERE settled_period IS NOT NULL
              OR (entries, total_cents) <> (SELECT count(*), sum(amount_cents) FROM ledger WHERE batch_id = b.id)
            """) == 0)
        #expect(await f.run(Self.guarded(replay)) == .committed(.batch(BatchOutcome(applied: 0, skippedDuplicates: 5))))
        #expect(try await f.int("SELECT count(*) FROM ledger_batches") == 2, "a batch of duplicates only writes no batch row")
        await f.drop()
    }

    @Test("stored offsets never move backwards (a zombie's late batch cannot rewind them)")
    func offsetsMonotonic() async throws {
        let f = try await Fixture.make()
        _ = await f.run(Self.guarded([Self.entry(1)], store: [PartitionOffset(partition: 3, offset: 50)]))
        _ = await f.run(Self.guarded([Self.entry(2)], store: [PartitionOffset(partition: 3, offset: 20)]))
        let loaded = await f.run(.loadOffsets([3, 4]))
        #expect(loaded == .committed(.offsets([StoredOffset(partition: 3, nextOffset: 50), StoredOffset(partition: 4, nextOffset: nil)])))
        await f.drop()
    }

    @Test("unguarded batch: every entry has its effect; overwrite and increment as Core asked; balances returned")
    func plainBatch() async throws {
        let f = try await Fixture.make()
        try await f.check.query("INSERT INTO accounts (account_id, balance_cents) VALUES ('a', 1000), ('c', 7)")
        let entries = [
            Self.entry(1, account: "a", amount: 10),  // increment: 1010
            Self.entry(2, account: "b", amount: 5),  // new account, increment: 5
            Self.entry(3, account: "c", amount: 1, balance: .overwrite(500)),  // cached total wins: 500
            Self.entry(4, account: "c", amount: 2),  // increment after the overwrite: 502
            Self.entry(1, account: "a", amount: 10),  // the same event again: a second effect (no guard)
        ]
        let result = await f.run(.applyBatch(BatchWrite(entries: entries, deduplicate: false, storeOffsets: [], workerID: "w")))
        guard case .committed(.batch(let outcome)) = result else {
            Issue.record("\(result)")
            await f.drop()
            return
        }
        #expect(outcome.applied == 5)
        #expect(Set(outcome.balances) == [AccountBalance(account: AccountID("a"), balanceCents: 1020),
                                           AccountBalance(account: AccountID("b"), balanceCents: 5),
                                           AccountBalance(account: AccountID("c"), balanceCents: 502)])
        #expect(try await f.int("SELECT count(*) FROM ledger") == 5)
        #expect(try await f.int("SELECT count(*) FROM processed_events") == 0, "before mode has no guard")
        await f.drop()
    }

    @Test("a rejected entry is named, and nothing of its batch is applied", arguments: [true, false])
    func permanentFailureIndex(deduplicate: Bool) async throws {
        let f = try await Fixture.make()
        var entries = (1...6).map { Self.entry(UInt64($0)) }
        entries[4] = Self.entry(5, amount: 2_000_000_000_000)  // beyond the ledger's CHECK constraint
        let result = await f.run(.applyBatch(BatchWrite(entries: entries, deduplicate: deduplicate, storeOffsets: [], workerID: "w")))
        guard case .failed(let failure) = result else {
            Issue.record("\(result)")
            await f.drop()
            return
        }
        #expect(failure.kind == .rejected(entryIndex: 4))
        #expect(failure.reason.hasPrefix("rejected_input: 23514 check_violation on constraint ledger_amount_cents_check: "),
                "\(failure.reason)")
        #expect(try await f.int("SELECT count(*) FROM ledger") == 0)
        #expect(try await f.int("SELECT count(*) FROM processed_events") == 0)
        // The connection is usable afterwards (the replay rolled back).
        #expect(await f.run(Self.guarded([Self.entry(9)])) == .committed(.batch(BatchOutcome(applied: 1, skippedDuplicates: 0))))
        await f.drop()
    }

    @Test("attempts are counted durably; marking dead-lettered stores the offset after the event")
    func failuresAndDeadLetters() async throws {
        let f = try await Fixture.make()
        let id = EventID(high: 7, low: 42)
        let record = FailureRecord(eventID: id, partition: 2, offset: 41, reason: "23514 check")
        #expect(await f.run(.recordFailure(record)) == .committed(.attempts(1)))
        #expect(await f.run(.recordFailure(record)) == .committed(.attempts(2)))
        #expect(await f.run(.markDeadLettered(DeadLetterMark(eventID: id, partition: 2, offset: 41))) == .committed(.none))
        #expect(await f.run(.markDeadLettered(DeadLetterMark(eventID: nil, partition: 2, offset: 43))) == .committed(.none))
        #expect(try await f.int("SELECT count(*) FROM processed_events WHERE outcome = 'dead_lettered'") == 1)
        #expect(try await f.int("SELECT next_offset FROM consumer_offsets WHERE kafka_partition = 2") == 44)
        // A dead-lettered event is never applied later (a replayed copy is skipped by the guard).
        #expect(await f.run(Self.guarded([Self.entry(42, partition: 2, offset: 41)]))
                == .committed(.batch(BatchOutcome(applied: 0, skippedDuplicates: 1))))
        await f.drop()
    }

    @Test("fenced settlement: one row per period across runs, with look-back; unfenced: one row per run")
    func settlement() async throws {
        let f = try await Fixture.make(periodSeconds: 10)
        let now = Int64(Date().timeIntervalSince1970)
        let period = now / 10
        _ = await f.run(Self.guarded([Self.entry(1, amount: 70), Self.entry(2, amount: -20)]))
        let fenced = { (from: Int64, through: Int64, by: String) in
            DatabaseWork.settle(SettlementWrite(job: "settlement", fromPeriod: from, throughPeriod: through, fenced: true, settledBy: by))
        }
        let events = [EventID(high: 7, low: 1), EventID(high: 7, low: 2)]
        let empty = { (period: Int64) in SettledPeriod(period: period, totalCents: 0, batches: 0, events: []) }
        #expect(await f.run(fenced(period - 2, period, "w1"))
                == .committed(.settlement(SettlementOutcome(
                    settled: [empty(period - 2), empty(period - 1), SettledPeriod(period: period, totalCents: 50, batches: 1, events: events)],
                    fencedPeriods: 0))))
        #expect(await f.run(fenced(period - 2, period + 1, "w2"))
                == .committed(.settlement(SettlementOutcome(settled: [empty(period + 1)], fencedPeriods: 3))))
        #expect(try await f.int("SELECT total_cents FROM settlements WHERE period = \(period)") == 50,
                "the total is what the ledger applied during the period")
        let unfenced = DatabaseWork.settle(SettlementWrite(job: "settlement", fromPeriod: period, throughPeriod: period, fenced: false, settledBy: "w3"))
        #expect(await f.run(unfenced)
                == .committed(.settlement(SettlementOutcome(
                    settled: [SettledPeriod(period: period, totalCents: 50, batches: 0, events: events)], fencedPeriods: 0))),
                "the window's rows, named by event")
        _ = await f.run(unfenced)
        #expect(try await f.int("SELECT count(*) FROM settlements WHERE period = \(period)") == 3, "before mode doubles")
        await f.drop()
    }

    @Test("account ids with array-literal syntax in them are stored exactly")
    func awkwardAccountIDs() async throws {
        let f = try await Fixture.make()
        let accounts = ["a,b", "{c}", "\"q\"", "back\\slash", "NULL", " sp ace ", "é😀", "x\ny"]
        let entries = accounts.enumerated().map { Self.entry(UInt64($0.offset + 1), account: $0.element, amount: Int64($0.offset + 1)) }
        #expect(await f.run(Self.guarded(entries)) == .committed(.batch(BatchOutcome(applied: accounts.count, skippedDuplicates: 0))))
        let rows = try await f.check.query("SELECT account_id, balance_cents FROM accounts")
        var stored: [String: Int64] = [:]
        for row in 0..<rows.count { stored[rows.value(row, "account_id")!] = rows.int64(row, "balance_cents") }
        #expect(stored == Dictionary(uniqueKeysWithValues: accounts.enumerated().map { ($0.element, Int64($0.offset + 1)) }))
        await f.drop()
    }

    @Test("a lost connection fails transiently, and the next work reconnects")
    func transientThenReconnect() async throws {
        let f = try await Fixture.make()
        let pid = await f.store.connection.backendPID()
        try await f.check.query("SELECT pg_terminate_backend($1)", [.int32(pid)])
        let failed = await f.run(Self.guarded([Self.entry(1)]))
        guard case .failed(let failure) = failed else {
            Issue.record("expected a failure, got \(failed)")
            await f.drop()
            return
        }
        #expect(failure.kind == .transient, "\(failure.reason)")
        #expect(await f.run(Self.guarded([Self.entry(1)])) == .committed(.batch(BatchOutcome(applied: 1, skippedDuplicates: 0))))
        await f.drop()
    }

    @Test("a connection lost while COMMIT is in flight is ambiguous, and the guard makes the retry harmless")
    func ambiguousCommit() async throws {
        let f = try await Fixture.make()
        // A deferred constraint trigger runs at COMMIT and waits there for an advisory lock this test holds: the
        // batch's COMMIT is provably in flight (seen in pg_stat_activity) when its backend is killed.
        try await f.check.simpleQuery("""
            CREATE FUNCTION held_commit() RETURNS trigger LANGUAGE plpgsql AS
              $$ BEGIN PERFORM pg_advisory_xact_lock_shared(7071); RETURN NULL; END $$;
            CREATE CONSTRAINT TRIGGER held_commit AFTER INSERT ON ledger DEFERRABLE INITIALLY DEFERRED
              FOR EACH ROW EXECUTE FUNCTION held_commit();
            """)
        try await f.check.query("SELECT pg_advisory_lock(7071)")
        let pid = await f.store.connection.backendPID()
        let batch = Task { await f.run(Self.guarded([Self.entry(1)])) }
        try await f.check.waitUntilLockWait(of: pid, "the batch's COMMIT waits in the deferred trigger") {
            $0.query == "COMMIT" && $0.waitEvent == "advisory"
        }
        try await f.check.query("SELECT pg_terminate_backend($1)", [.int32(pid)])
        let result = await batch.value
        try await f.check.query("SELECT pg_advisory_unlock(7071)")
        guard case .failed(let failure) = result else {
            Issue.record("expected a failure, got \(result)")
            await f.drop()
            return
        }
        #expect(failure.kind == .ambiguous, "\(failure.reason)")
        try await f.check.simpleQuery("DROP TRIGGER held_commit ON ledger")
        #expect(await f.run(Self.guarded([Self.entry(1)])) == .committed(.batch(BatchOutcome(applied: 1, skippedDuplicates: 0))),
                "nothing was applied (the server rolled back), so the retry applies it once")
        #expect(try await f.int("SELECT count(*) FROM ledger") == 1)
        await f.drop()
    }

    /// A worker's batch waits on a lock (another session holds account x) when the worker ends: its process dies
    /// (the connection's socket is shut down, as the kernel does for a killed process) or its server process is
    /// terminated. The batch is BEGIN plus one statement, so either way the server rolls it back: the history
    /// a worker keeps of what it committed stays exact. (Sent alone, autocommit, the statement of a dead worker
    /// would commit once the lock is free: `PostgresPipelinedBeginTests.autocommitCommitsAfterClientDies`.)
    @Test("a batch whose worker ends while it waits on a lock commits nothing, and the retry applies it once",
          arguments: [ClientEnding.clientDies, .backendTerminated])
    func endedWhileWaiting(ending: ClientEnding) async throws {
        let f = try await Fixture.make()
        #expect(await f.run(Self.guarded([Self.entry(1, account: "x")])) == .committed(.batch(BatchOutcome(applied: 1, skippedDuplicates: 0))))
        let blocker = try await TestDatabase.connect(f.url)
        try await blocker.begin()
        try await blocker.query("SELECT 1 FROM accounts WHERE account_id = 'x' FOR UPDATE")
        let result = try await ending.end(f.store.connection, waitingOn: blocker, observer: f.check,
                                          "the batch waits for account x") {
            await f.run(Self.guarded([Self.entry(2, account: "x")]))
        }
        guard case .failed(let failure) = result else {
            Issue.record("expected a failure, got \(result)")
            await f.drop()
            return
        }
        #expect(failure.kind == .transient, "\(failure.reason)")
        #expect(try await f.int("SELECT count(*) FROM ledger") == 1, "the batch that waited is rolled back")
        #expect(try await f.int("SELECT count(*) FROM processed_events") == 1)
        #expect(await f.run(Self.guarded([Self.entry(2, account: "x")])) == .committed(.batch(BatchOutcome(applied: 1, skippedDuplicates: 0))),
                "the next work reconnects; nothing was applied, so the retry applies the batch once")
        #expect(try await f.int("SELECT balance_cents FROM accounts WHERE account_id = 'x'") == 200)
        await f.drop()
    }
}
