import Core

/// A small PostgreSQL server: the tables of `db/schema.sql` the worker writes, connections, transactions and
/// row locks, driven one protocol step at a time (`begin`, `execute`, `commit`, `rollback`, `disconnect`) so
/// that the transactions of several clients interleave statement by statement, as the worker's do.
///
/// Semantics (PostgreSQL's READ COMMITTED, for the worker's statements):
/// - A statement sees a snapshot taken when it starts: what was committed before it, plus its own
///   transaction's writes. `now()` (`applied_at`) is the transaction's start, its BEGIN.
/// - Writes take row locks held until the transaction ends: a guard, fence or account row inserted, an account,
///   offset, attempt or `ledger_batches` row updated. A statement that must insert a key another open
///   transaction inserted (`ON CONFLICT`, or a unique key), or update a row another open transaction locked,
///   waits for that transaction; then it decides on the newest committed version (`ON CONFLICT DO NOTHING`
///   does nothing if the other committed, inserts if it aborted; `GREATEST` and `+` apply to the committed
///   value; `WHERE settled_period IS NULL` is checked again), as PostgreSQL's conflict re-check and
///   EvalPlanQual do.
/// - A statement is atomic: it runs at once when nothing it touches is locked by another transaction, and
///   otherwise waits as a whole, holding none of its own new locks, until that transaction ends; then it runs
///   again with the snapshot it started with. PostgreSQL instead takes locks one row at a time and may hold
///   some while it waits for another. For the worker's statements the outcome is the same: each locks its rows
///   in key order (event id, account, partition, period), every transaction takes its locks in one statement
///   (the before mode's account inserts are waited for before its update runs), and waiting statements resume
///   in the order they began to wait, so no lock a partial statement would hold changes who wins a key or its
///   value; and with one locking statement per transaction no wait cycle can form (a cycle would still be
///   reported as PostgreSQL does, `40P01`). The exception is the before mode's `rs_ensure_accounts`: like
///   PostgreSQL's insert it keeps the account rows it inserted before the one it waits at, and others wait for
///   those (the conformance test compares the waits).
/// - A failed statement writes nothing; its transaction keeps the locks of earlier statements until ROLLBACK.
/// - A client that disconnects leaves what it sent running: the server aborts the open transaction when it
///   notices, after a statement that was waiting has run. A server-side termination (`terminate`) aborts at
///   once and fails a waiting statement.
///
/// The model knows nothing of the simulator: clients are numbers, times are given by the caller, and
/// everything it committed is recorded in `history` for the checkers.
struct DatabaseModel {
    /// A `settlement_fence` row's key: the job's number in `fenceJobs`, the period (never negative).
    struct FenceKey: Hashable {
        var job: Int32
        var period: Int64
    }

    var history = DatabaseHistory()
    /// The settlement period length, in the unit of the times given (`$4` of the settlement statements).
    let settlementPeriod: Int64

    var connections: [Connection] = []
    var transactions: [Transaction] = []
    var commits: Int32 = 0
    var openTransactions = 0
    var waitingStatements = 0
    var waitOrder = 0

    /// `processed_events` by event id.
    var guards: GuardTable
    /// `accounts` by account id.
    var accountIndex = SlotIndex<AccountID>()
    var accounts: [VersionedValue] = []
    /// `consumer_offsets` by partition.
    var offsets: [VersionedValue] = []
    /// `event_attempts` by event id.
    var attemptIndex = SlotIndex<EventID>()
    var attempts: [VersionedValue] = []
    /// Per entry of the batch being run: its guard row number (-1: none yet) and account row number.
    var scratch: [Int32] = []
    /// `settlement_fence`: the jobs seen, and per job a row (or nil) per period.
    var fenceJobs: [String] = []
    var fences: [[GuardRow?]] = []
    /// `ledger_batches` rows an open settlement transaction is marking (few, and only while a run is open).
    var batchLocks: [(batch: Int32, transaction: Int32)] = []
    /// Committed batches with `settled_period IS NULL`, in commit order (the partial index of the schema).
    var unsettled: [Int32] = []
    /// Committed ledger rows by the period of their `applied_at`, as ranges of `history.ledger` (a transaction's
    /// rows are committed together and share its `applied_at`): the settlement windows' index, brought up to
    /// date when a window is read (`indexedRows` rows so far).
    var ledgerByPeriod: [[Range<Int32>]] = []
    var indexedRows = 0
    /// Whether an insert whose key another open transaction inserted waits for it, as PostgreSQL's unique
    /// index and `ON CONFLICT` do. Only the conformance test turns it off: the planted defect it must catch.
    var conflictsWait = true

    /// `expectedEvents` sizes the tables up front (a hint; they grow as needed).
    init(settlementPeriod: Int64, expectedEvents: Int = 0) {
        self.settlementPeriod = settlementPeriod
        guards = GuardTable(capacity: expectedEvents)
        history.ledger.reserveCapacity(expectedEvents)
    }

    /// The ledger's CHECK constraint (db/schema.sql).
    static let amountLimit: Int64 = 1_000_000_000_000

    /// The largest `accounts` primary-key entry PostgreSQL's btree (version 4, 8 kB pages) takes: a longer
    /// account id fails its insert with `54000`. The simulator's long ids are incompressible hex, so their
    /// length is their stored size.
    static let accountIndexLimit = 2_704

    static func fitsAccountIndex(_ account: AccountID) -> Bool { account.rawValue.utf8.count <= accountIndexLimit }

    // MARK: - Protocol

    mutating func connect(client: Int32) -> Int32 {
        connections.append(Connection(client: client))
        return Int32(connections.count - 1)
    }

    func isOpen(_ connection: Int32) -> Bool { connections[Int(connection)].isOpen }

    /// BEGIN at `time`: the transaction's `now()`. Returns its number.
    @discardableResult
    mutating func begin(_ connection: Int32, writer: Writer, at time: Int64) -> Int32 {
        precondition(connections[Int(connection)].isOpen && connections[Int(connection)].transaction < 0)
        let id = Int32(transactions.count)
        transactions.append(Transaction(connection: connection, writer: writer, start: time))
        connections[Int(connection)].transaction = id
        openTransactions += 1
        return id
    }

    /// Runs a statement in the connection's open transaction. A statement that fails aborts the transaction at
    /// once, as PostgreSQL's `AbortTransaction` does at the error: its rows and locks go, and the statements that
    /// waited for them resume (the wakeups); the transaction stays on the connection, failed, until ROLLBACK.
    mutating func execute(_ statement: Statement, on connection: Int32, at time: Int64) -> (StatementResult, [Wakeup]) {
        let transaction = connections[Int(connection)].transaction
        precondition(connections[Int(connection)].isOpen && transaction >= 0 && connections[Int(connection)].waiting == nil)
        guard transactions[Int(transaction)].state == .open else { return (.failed(.inFailedTransaction), []) }
        let snapshot = Snapshot(commits: commits, ledgerRows: Int32(history.ledger.count),
                                batches: Int32(history.batches.count), time: time)
        let result = attempt(statement, snapshot: snapshot, connection: connection, at: time)
        guard case .failed = result else { return (result, []) }
        return (result, abortAtError(transaction, at: time))
    }

    /// COMMIT: applies the transaction's writes and wakes the statements that waited for it. A failed
    /// transaction rolls back instead (PostgreSQL answers `ROLLBACK`; the worker reports 25P02).
    mutating func commit(_ connection: Int32, at time: Int64) -> (StatementResult, [Wakeup]) {
        let transaction = connections[Int(connection)].transaction
        precondition(connections[Int(connection)].isOpen && transaction >= 0 && connections[Int(connection)].waiting == nil)
        guard transactions[Int(transaction)].state == .open else {
            return (.failed(.inFailedTransaction), end(transaction, committed: false, at: time))
        }
        return (.done(.none), end(transaction, committed: true, at: time))
    }

    mutating func rollback(_ connection: Int32, at time: Int64) -> [Wakeup] {
        let transaction = connections[Int(connection)].transaction
        guard transaction >= 0 else { return [] }
        return end(transaction, committed: false, at: time)
    }

    /// The server notices the client is gone: the open transaction aborts now, or, if a statement is waiting,
    /// once it has run.
    mutating func disconnect(_ connection: Int32, at time: Int64) -> [Wakeup] {
        let c = Int(connection)
        guard connections[c].isOpen else { return [] }
        connections[c].clientGone = true
        guard connections[c].waiting == nil else { return [] }
        connections[c].isOpen = false
        let transaction = connections[c].transaction
        return transaction >= 0 ? end(transaction, committed: false, at: time) : []
    }

    /// The server ends the session (shutdown, fail-over): a waiting statement fails, the transaction aborts.
    mutating func terminate(_ connection: Int32, at time: Int64) -> [Wakeup] {
        let c = Int(connection)
        guard connections[c].isOpen else { return [] }
        var wakeups: [Wakeup] = []
        if connections[c].waiting != nil {
            connections[c].waiting = nil
            waitingStatements -= 1
            if !connections[c].clientGone { wakeups.append(Wakeup(connection: connection, result: .failed(.terminated))) }
        }
        connections[c].isOpen = false
        let transaction = connections[c].transaction
        if transaction >= 0 { wakeups += end(transaction, committed: false, at: time) }
        return wakeups
    }

    // MARK: - Read-only views

    /// No transaction open and no statement waiting.
    var isIdle: Bool { openTransactions == 0 && waitingStatements == 0 }

    /// Committed `ledger_batches` rows no settlement has counted yet (indices into `history.batches`, in commit
    /// order).
    var unsettledBatches: [Int32] { unsettled }

    /// The committed balance of an account (0 when it has no row).
    func balance(of account: AccountID) -> Int64 {
        guard let slot = accountIndex.find(account) else { return 0 }
        return accounts[Int(slot)].exists ? accounts[Int(slot)].value : 0
    }

    /// The committed next offset stored for a partition.
    func storedOffset(_ partition: PartitionID) -> Offset? {
        let p = Int(partition)
        guard p < offsets.count, offsets[p].exists else { return nil }
        return offsets[p].value
    }

    /// The committed guard row of an event: 1 applied, 2 dead-lettered, nil none.
    func guardOutcome(of event: EventID) -> UInt8? {
        guard let row = guardRow(event), isCommitted(row) else { return nil }
        return row.outcome
    }

    /// The committed `event_attempts.attempts` of an event (0 when it has no row).
    func attemptCount(of event: EventID) -> Int {
        guard let slot = attemptIndex.find(event), attempts[Int(slot)].exists else { return 0 }
        return Int(attempts[Int(slot)].value)
    }

    func period(of time: Int64) -> Int64 { time >= 0 ? time / settlementPeriod : (time - settlementPeriod + 1) / settlementPeriod }
}
