import Core

extension DatabaseModel {
    /// Who runs a transaction: the pod, and its group membership when the transaction began (for explanations).
    struct Writer: Hashable, Sendable {
        var pod: Int32
        var member: Int32
        var generation: Int32
        /// When the consumer handed the work to its database lane (it may wait there behind earlier work).
        var sentAt: Int64 = 0
    }

    /// One statement the worker sends, one case per prepared statement of `LedgerSQL`, plus the planted defects
    /// that switched-off safeguards stand for (they have no counterpart in `LedgerSQL`).
    enum Statement: Hashable, Sendable {
        /// `rs_guarded_batch`: a guard row per event (`ON CONFLICT (event_id) DO NOTHING`), a ledger row and the
        /// balance change for each guard row inserted, one `ledger_batches` row when any ledger row was, the
        /// offsets (`GREATEST`).
        case guardedBatch(BatchWrite)
        /// `rs_optimistic_guarded_batch`: the same with a plain guard INSERT, which fails with 23505 when an
        /// event was processed before (or twice in the batch).
        case optimisticGuardedBatch(BatchWrite)
        /// `rs_guard_conflicts`: the first entry whose event id has an applied guard row with another account
        /// or amount (after a guarded batch that skipped entries).
        case guardConflicts(BatchWrite)
        /// `rs_ensure_accounts` (before): an account row for each account, `ON CONFLICT DO NOTHING`.
        case ensureAccounts([AccountID])
        /// `rs_plain_batch` (before): a ledger row per entry, no guard; the balance as Core asked.
        case plainBatch(BatchWrite)
        /// `rs_record_failure`: `event_attempts` upsert, `attempts + 1`.
        case recordFailure(FailureRecord)
        /// `rs_mark_dead_lettered`: guard row `dead_lettered` (`DO NOTHING`), the offset after it (`GREATEST`).
        case markDeadLettered(DeadLetterMark)
        /// `rs_load_offsets`.
        case loadOffsets([PartitionID])
        /// `rs_fenced_settlement` (after): fence rows, then every unsettled batch the snapshot shows is marked
        /// with the earliest newly fenced period at or after its own, and totalled into that period's row.
        case fencedSettlement(SettlementWrite)
        /// `rs_plain_settlement` (before): a settlement row for the period with the total of the ledger rows
        /// whose `applied_at` falls in it.
        case plainSettlement(SettlementWrite)
        /// Planted defect (`exact-settlement` off): fence rows, and each newly fenced period totals the ledger
        /// rows whose `applied_at` falls in it, without marking anything.
        case windowSettlement(SettlementWrite)
        /// Planted defect (`guard-insert-on-conflict` off), first statement: `SELECT event_id FROM
        /// processed_events WHERE event_id = ANY($1)`.
        case selectGuard([EventID])
        /// Planted defect, second statement: the guard rows (`DO NOTHING`), and the effect for every entry the
        /// earlier SELECT found absent (`absent[i]`), whatever the insert did.
        case checkedBatch(BatchWrite, absent: [Bool])
    }

    /// What a statement returns.
    enum Reply: Hashable, Sendable {
        case none
        /// Batches: the ledger rows inserted; `balances` for the plain batch (Core's before-mode cache).
        case applied(Int, balances: [AccountBalance])
        /// `guardConflicts`: the first conflicting entry, nil when none.
        case conflict(GuardConflict?)
        /// `selectGuard`: whether each event id has a guard row in the statement's snapshot.
        case guardRows([Bool])
        case offsets([StoredOffset])
        case attempts(Int)
        /// Settlements: per settlement row this statement inserted, ascending by period, its total and what it
        /// counted (`rs_fenced_settlement`'s and `rs_plain_settlement`'s result rows).
        case settled([SettledPeriod])
    }

    /// A row of `rs_guard_conflicts`: the entry and the content its event id was applied with.
    struct GuardConflict: Hashable, Sendable {
        var entry: Int
        var account: AccountID
        var amountCents: Int64
    }

    /// An error as PostgreSQL reports it. `connectionLost`: the client saw the connection drop (no SQLSTATE
    /// from the server; libpq reports the connection as bad), the way `PostgresError.classify` sees it.
    struct SQLError: Hashable, Sendable {
        var state: String
        var message: String
        var entryIndex: Int?
        var connectionLost = false
        /// The constraint PostgreSQL names with the error (`PG_DIAG_CONSTRAINT_NAME`).
        var constraint: String?

        var text: String { "\(state) \(message)" }
    }

    enum StatementResult: Hashable, Sendable {
        case done(Reply)
        /// The statement waits for transaction `on` to end (a row it must insert or lock is that transaction's).
        case blocked(on: Int32)
        case failed(SQLError)
    }

    /// A statement that had waited and has now run, reported by whatever ended the transaction it waited for.
    struct Wakeup: Hashable, Sendable {
        var connection: Int32
        var result: StatementResult
    }

    /// What a statement can see (READ COMMITTED: what was committed when it started): the number of commits
    /// and of committed ledger and batch rows at that moment (both tables grow in commit order).
    struct Snapshot: Hashable, Sendable {
        var commits: Int32
        var ledgerRows: Int32
        var batches: Int32
        var time: Int64
    }
}

extension DatabaseModel.SQLError {
    static func checkViolation(entry: Int) -> Self {
        Self(state: "23514", message: "new row for relation \"ledger\" violates check constraint \"ledger_amount_cents_check\"",
             entryIndex: entry, constraint: "ledger_amount_cents_check")
    }

    /// An account id longer than the primary key's btree takes (`accountIndexLimit`); PostgreSQL's message
    /// gives the row's size, the model the id's.
    static func indexRowTooLarge(entry: Int, account: AccountID) -> Self {
        Self(state: "54000", message: "index row size \(account.rawValue.utf8.count) exceeds btree version 4 maximum 2704 for index \"accounts_pkey\"",
             entryIndex: entry)
    }

    static let uniqueViolation = Self(
        state: "23505", message: "duplicate key value violates unique constraint \"processed_events_pkey\"")
    static let deadlock = Self(state: "40P01", message: "deadlock detected")
    static let inFailedTransaction = Self(
        state: "25P02", message: "current transaction is aborted, commands ignored until end of transaction block")
    /// A statement that waited for a row lock until the worker's `statement_timeout` (`stuck-account` poison).
    static let statementTimeout = Self(state: "57014", message: "canceling statement due to statement timeout")
    static let serializationFailure = Self(state: "40001", message: "could not serialize access due to concurrent update")
    static let terminated = Self(state: "57P01", message: "terminating connection due to administrator command",
                                 connectionLost: true)
    static let connectionClosed = Self(state: "08006", message: "server closed the connection unexpectedly",
                                       connectionLost: true)
    static let commitConnectionLost = Self(state: "08006", message: "server closed the connection while COMMIT was in flight",
                                           connectionLost: true)
    static let connectionRefused = Self(state: "08001", message: "could not connect to server: Connection refused",
                                        connectionLost: true)
}
