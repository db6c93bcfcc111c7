import Core
import LivePostgres
import Logging

/// Carries out Core's `DatabaseWork` on one PostgreSQL connection, one transaction at a time, and reports the
/// outcome as Core's `DatabaseResult` with the failure class the client really saw.
///
/// Immutable; the `DatabaseLane` calls it from one task, which is what keeps the connection's transactions
/// from interleaving.
final class LedgerStore: Sendable {
    let connection: PostgresConnection
    let groupID: String
    let topic: String
    let settlementPeriodSeconds: Int64
    /// Settlements return the event ids of the ledger rows they counted (for the worker's history; it costs a
    /// scan of the ledger per settled period).
    let settledEvents: Bool
    private let logger: Logger

    init(connection: PostgresConnection, groupID: String, topic: String, settlementPeriodSeconds: Int, settledEvents: Bool = true,
         logger: Logger) {
        self.connection = connection
        self.groupID = groupID
        self.topic = topic
        self.settlementPeriodSeconds = Int64(settlementPeriodSeconds)
        self.settledEvents = settledEvents
        self.logger = logger
    }

    /// Registers the statements (prepared now, and again after every reconnect).
    func prepare() async throws(PostgresError) {
        for statement in LedgerSQL.all { try await connection.prepare(statement.name, statement.sql) }
    }

    /// Runs `work` as one transaction, in one job on the connection's thread, and says whether the connection
    /// is still up afterwards. A broken connection is re-opened once first; if that fails the work fails
    /// transiently and Core decides when to try again (its back-off, not a loop here).
    func run(_ work: DatabaseWork) async -> (result: DatabaseResult, connected: Bool) {
        await connection.withSynchronousAccess { pg in self.run(work, on: pg) }
    }

    private func run(_ work: DatabaseWork, on pg: SynchronousPostgres) -> (result: DatabaseResult, connected: Bool) {
        do throws(PostgresError) {
            if !pg.isConnected { try pg.reset() }
            return (.committed(try transaction(work, on: pg, optimistic: true)), true)
        } catch where error.sqlState == "23505" {
            // The optimistic guard met an event already processed (a replay after a zombie or an ambiguous
            // commit, or a duplicate message): run the batch again with the conflict-tolerant guard.
            pg.rollbackQuietly()
            do throws(PostgresError) {
                let reply = try beginAndApply(work, on: pg, optimistic: false)
                if let conflict = try conflict(in: work, reply: reply, on: pg) {
                    pg.rollbackQuietly()
                    return (.failed(conflict), pg.isConnected)
                }
                try pg.commit()
                return (.committed(reply), true)
            } catch {
                pg.rollbackQuietly()
                return (.failed(failure(for: error, work: work, on: pg)), pg.isConnected)
            }
        } catch {
            pg.rollbackQuietly()
            return (.failed(failure(for: error, work: work, on: pg)), pg.isConnected)
        }
    }

    private func transaction(_ work: DatabaseWork, on pg: SynchronousPostgres, optimistic: Bool) throws(PostgresError) -> DatabaseReply {
        let reply = try beginAndApply(work, on: pg, optimistic: optimistic)
        try pg.commit()
        return reply
    }

    /// Opens the work's transaction and applies the work in it, leaving COMMIT to the caller. The guarded batch
    /// (`after`'s every batch) sends BEGIN and its one statement together, one round trip instead of two. BEGIN
    /// is not dropped: a worker killed while the statement waits must leave a transaction the server rolls
    /// back, not a statement that commits after the worker is gone, unknown to its history. Other work (rarer,
    /// or `before`'s batch, which mimics a naive consumer) sends BEGIN on its own.
    private func beginAndApply(_ work: DatabaseWork, on pg: SynchronousPostgres, optimistic: Bool) throws(PostgresError) -> DatabaseReply {
        guard case .applyBatch(let write) = work, write.deduplicate else {
            try pg.begin()
            return try apply(work, on: pg, optimistic: optimistic)
        }
        let rows = try pg.beginAndExecute(prepared: Self.guardedBatchStatement(optimistic: optimistic),
                                          Self.guardedBatchParameters(write, groupID: groupID, topic: topic))
        return .batch(Self.guardedBatchOutcome(write, rows))
    }

    /// After a conflict-tolerant batch that skipped entries: the first skipped entry that reuses an applied
    /// event's id with another account or amount, as the failure that rejects it (the caller rolls back, so the
    /// entries before it are applied again in the next batch). Nil when every skip was a true duplicate.
    private func conflict(in work: DatabaseWork, reply: DatabaseReply, on pg: SynchronousPostgres) throws(PostgresError) -> DatabaseFailure? {
        guard case .applyBatch(let write) = work, write.deduplicate, case .batch(let outcome) = reply,
              outcome.skippedDuplicates > 0 else { return nil }
        let rows = try pg.execute(prepared: LedgerSQL.guardConflicts.name, Self.guardConflictsParameters(write))
        guard rows.count > 0, let entry = rows.int64(0, "entry"), write.entries.indices.contains(Int(entry)),
              let account = rows.value(0, "account_id"), let amount = rows.int64(0, "amount_cents") else { return nil }
        return DatabaseFailure.eventIDConflict(entryIndex: Int(entry), event: write.entries[Int(entry)].event,
                                               appliedAccount: AccountID(account), appliedAmountCents: amount)
    }

    /// `SELECT 1`: the database gauge when no work has run for a while.
    func probe() async -> Bool {
        await connection.withSynchronousAccess { pg in
            do throws(PostgresError) {
                if !pg.isConnected { try pg.reset() }
                try pg.query("SELECT 1")
                return true
            } catch {
                return false
            }
        }
    }

    private func apply(_ work: DatabaseWork, on conn: SynchronousPostgres, optimistic: Bool) throws(PostgresError) -> DatabaseReply {
        switch work {
        case .loadOffsets(let partitions):
            let rows = try conn.execute(prepared: LedgerSQL.loadOffsets.name,
                                        Self.loadOffsetsParameters(partitions, groupID: groupID, topic: topic))
            var stored: [PartitionID: Offset] = [:]
            for row in 0..<rows.count {
                guard let partition = rows.int64(row, "kafka_partition"), let next = rows.int64(row, "next_offset") else { continue }
                stored[PartitionID(partition)] = next
            }
            return .offsets(partitions.map { StoredOffset(partition: $0, nextOffset: stored[$0]) })
        case .applyBatch(let write):
            return .batch(try applyBatch(write, on: conn, optimistic: optimistic))
        case .recordFailure(let record):
            let rows = try conn.execute(prepared: LedgerSQL.recordFailure.name, Self.recordFailureParameters(record))
            return .attempts(Int(rows.int64(0, "attempts") ?? 1))
        case .markDeadLettered(let mark):
            try conn.execute(prepared: LedgerSQL.markDeadLettered.name,
                             Self.markDeadLetteredParameters(mark, groupID: groupID, topic: topic))
            return .none
        case .settle(let write):
            return .settlement(try settle(write, on: conn))
        }
    }

    /// `optimistic`: the guard rows go in with a plain INSERT, which fails (23505) if any event was processed
    /// before. In the normal case (nothing processed twice) that is cheaper than `ON CONFLICT DO NOTHING`'s
    /// speculative insertion, and the caller falls back to the conflict-tolerant statement when it fails.
    private func applyBatch(_ write: BatchWrite, on conn: SynchronousPostgres, optimistic: Bool) throws(PostgresError) -> BatchOutcome {
        let entries = write.entries
        if write.deduplicate {
            let rows = try conn.execute(prepared: Self.guardedBatchStatement(optimistic: optimistic),
                                        Self.guardedBatchParameters(write, groupID: groupID, topic: topic))
            return Self.guardedBatchOutcome(write, rows)
        }
        // Unguarded (`before`). Stored offsets are never part of it in Core, but honour them if asked.
        try conn.execute(prepared: LedgerSQL.ensureAccounts.name, Self.ensureAccountsParameters(write))
        let rows = try conn.execute(prepared: LedgerSQL.plainBatch.name, Self.plainBatchParameters(write))
        if !write.storeOffsets.isEmpty {
            try conn.execute(prepared: LedgerSQL.guardedBatch.name, Self.offsetsOnlyParameters(write, groupID: groupID, topic: topic))
        }
        var balances: [AccountBalance] = []
        balances.reserveCapacity(rows.count)
        for row in 0..<rows.count {
            guard let account = rows.value(row, "account_id"), let balance = rows.int64(row, "balance_cents") else { continue }
            balances.append(AccountBalance(account: AccountID(account), balanceCents: balance))
        }
        return BatchOutcome(applied: entries.count, skippedDuplicates: 0, balances: balances)
    }

    private static func guardedBatchStatement(optimistic: Bool) -> String {
        optimistic ? LedgerSQL.optimisticGuardedBatch.name : LedgerSQL.guardedBatch.name
    }

    private static func guardedBatchOutcome(_ write: BatchWrite, _ rows: PostgresRows) -> BatchOutcome {
        let applied = Int(rows.int64(0, "applied") ?? 0)
        return BatchOutcome(applied: applied, skippedDuplicates: write.entries.count - applied)
    }

    private func settle(_ write: SettlementWrite, on conn: SynchronousPostgres) throws(PostgresError) -> SettlementOutcome {
        let statement = write.fenced ? LedgerSQL.fencedSettlement.name : LedgerSQL.plainSettlement.name
        let parameters = write.fenced
            ? Self.fencedSettlementParameters(write, periodSeconds: settlementPeriodSeconds, countedEvents: settledEvents)
            : Self.plainSettlementParameters(write, periodSeconds: settlementPeriodSeconds, countedEvents: settledEvents)
        let rows = try conn.execute(prepared: statement, parameters)
        let settled = (0..<rows.count).compactMap { row -> SettledPeriod? in
            guard let period = rows.int64(row, "period"), let total = rows.int64(row, "total_cents") else { return nil }
            let events = (rows.value(row, "events") ?? "").split(separator: ",").compactMap { EventID(uuidText: $0.utf8) }
            return SettledPeriod(period: period, totalCents: total, batches: Int(rows.int64(row, "batches") ?? 0), events: events)
        }
        let span = write.fenced ? Int(write.throughPeriod - write.fromPeriod + 1) : settled.count
        return SettlementOutcome(settled: settled, fencedPeriods: span - settled.count)
    }

    // MARK: - Failures

    private func failure(for error: PostgresError, work: DatabaseWork, on pg: SynchronousPostgres) -> DatabaseFailure {
        let reason = (error.sqlState.map { "\($0) " } ?? "") + error.message
        switch error.classification {
        case .transient:
            return DatabaseFailure(.transient, reason: reason, sqlState: error.sqlState)
        case .ambiguous:
            return DatabaseFailure(.ambiguous, reason: reason)
        case .permanent:
            guard case .applyBatch(let write) = work else { return DatabaseFailure(.permanent(entryIndex: nil), reason: reason) }
            guard let failing = failingEntry(of: write, failure: error, on: pg) else {
                return DatabaseFailure(.permanent(entryIndex: nil), reason: reason)
            }
            // Judged by the entry's own error: a batch can fail where no entry alone would in the same way
            // (the sums of two huge amounts overflow before either meets the CHECK).
            if let state = failing.error.sqlState, DatabaseFailure.rejects(sqlState: state) {
                return .rejectedEntry(failing.index, sqlState: state, message: failing.error.message,
                                      constraint: failing.error.constraint)
            }
            return DatabaseFailure(.permanent(entryIndex: failing.index), reason: reason)
        }
    }

    /// Replays a failed batch one entry at a time under savepoints, inside a transaction that is rolled back,
    /// to name the first entry that fails on its own, with its own error (Core isolates exactly that event). A
    /// batch of one is its own entry. Nil when none fails alone (the failure needed the whole batch) or the
    /// connection broke meanwhile.
    private func failingEntry(of write: BatchWrite, failure: PostgresError, on pg: SynchronousPostgres) -> (index: Int, error: PostgresError)? {
        guard write.entries.count > 1 else { return write.entries.isEmpty ? nil : (0, failure) }
        do throws(PostgresError) {
            try pg.begin()
            var found: (index: Int, error: PostgresError)?
            for (index, entry) in write.entries.enumerated() {
                try pg.query("SAVEPOINT rs_entry")
                let single = BatchWrite(entries: [entry], deduplicate: write.deduplicate, storeOffsets: [], workerID: write.workerID)
                do throws(PostgresError) {
                    _ = try applyBatch(single, on: pg, optimistic: false)
                    try pg.query("RELEASE SAVEPOINT rs_entry")
                } catch where error.classification == .permanent {
                    found = (index, error)
                    break
                }
            }
            try pg.query("ROLLBACK")
            return found
        } catch {
            logger.warning("could not replay the failed batch entry by entry: \(error)")
            pg.rollbackQuietly()
            return nil
        }
    }
}
