import Core

/// The worker's side of one pod's database connection: what `LedgerStore` sends for each `DatabaseWork`, one
/// job at a time in submission order (`DatabaseLane`). Pure: it says which protocol step comes next; the world
/// carries the steps to the server model with latency.
///
/// Per job: BEGIN, the work's statements, COMMIT. A failed statement is followed by ROLLBACK (the worker's
/// `rollbackQuietly`) and the failure, unless the connection is gone. The optimistic guarded batch that meets
/// a processed event (23505) rolls back and runs the conflict-tolerant statement in a new transaction; when
/// that skipped an entry, `rs_guard_conflicts` looks for a conflicting reuse of an event id, and one found
/// rolls the transaction back and rejects that entry (`event_id_conflict`).
/// Not modelled: the entry-by-entry replay that names a batch's failing entry after a permanent error (it runs
/// in a transaction that is rolled back; the model reports the entry with the error).
final class DatabaseClient {
    enum Step: Hashable {
        /// (Re)open the connection: one round trip, refused while the server is down.
        case connect
        /// The job's statement at this index; `begins`: BEGIN went first (its round trip is part of this step).
        case statement(Int, begins: Bool)
        case commit
        case rollback
    }

    enum Next {
        case send(Step)
        case finish(DatabaseResult)
    }

    enum Plan: Equatable {
        /// One statement for the work (bookkeeping, settlements, offsets).
        case single
        /// `rs_optimistic_guarded_batch`, then `rs_guarded_batch` in a new transaction if it met 23505.
        case optimistic
        case guarded
        /// The check-then-insert defect: SELECT, then the write.
        case checked
        /// Before: `rs_ensure_accounts`, `rs_plain_batch`, and the offsets if Core asked to store any.
        case plain
    }

    /// A step on its way to the server, or waiting there for a lock.
    struct InFlight {
        var step: Step
        /// When the client sends it: for a step with a BEGIN first, when BEGIN's answer arrives.
        var sentAt: Int64
        /// When BEGIN is sent (steps that begin a transaction), else -1.
        var beginSentAt: Int64 = -1
        /// When BEGIN ran on the server: the transaction's `now()`. -1 when the step does not begin one.
        var beginAt: Int64 = -1
        var arrival: Int64
        var blocked = false
        /// Who began the transaction: the pod's group membership when it sent BEGIN.
        var writer: DatabaseModel.Writer?
    }

    /// The last statement of the job, sent but not yet run: the world runs it at its arrival time when the
    /// server next does anything (see `World.deferStatement`), and has sent the COMMIT that follows it.
    struct Deferred {
        var flight: InFlight
        var order: UInt64
    }

    /// The run's planted defects: false switches the guard to check-then-insert, the settlement to the
    /// `applied_at` window.
    let guardOnConflict: Bool
    let exactSettlement: Bool
    /// False: the planted defect that skips `rs_guard_conflicts` (`RunOptions.guardComparesContent`).
    let guardComparesContent: Bool

    init(guardOnConflict: Bool = true, exactSettlement: Bool = true, guardComparesContent: Bool = true) {
        self.guardOnConflict = guardOnConflict
        self.exactSettlement = exactSettlement
        self.guardComparesContent = guardComparesContent
    }

    var deferred: Deferred?
    var connection: Int32 = -1
    /// The model's number of the transaction this client began last (for traces).
    var transaction: Int32 = -1
    var pending: [(RequestID, DatabaseWork)] = []
    var inFlight: InFlight?
    /// Identifies the scheduled arrival of `inFlight`; an arrival with another serial is stale.
    var serial: UInt32 = 0
    var dead = false

    // The job being carried out, if `busy`.
    var busy = false
    var request = RequestID(0)
    var work = DatabaseWork.loadOffsets([])
    var plan = Plan.single
    var reply = DatabaseReply.none
    /// The check-then-insert SELECT's answer, per entry.
    var absent: [Bool] = []
    var failure: DatabaseFailure?

    var isIdle: Bool { !busy && pending.isEmpty && inFlight == nil && deferred == nil }

    func takeNextJob() -> Bool {
        guard !pending.isEmpty else { return false }
        let (request, work) = pending.removeFirst()
        start(request, work)
        return true
    }

    func start(_ request: RequestID, _ work: DatabaseWork) {
        self.request = request
        self.work = work
        switch work {
        case .applyBatch(let write) where write.deduplicate: plan = guardOnConflict ? .optimistic : .checked
        case .applyBatch: plan = .plain
        default: plan = .single
        }
        reply = .none
        failure = nil
        busy = true
    }

    /// The job is over (answered, or its client died).
    func endJob() {
        busy = false
        work = .loadOffsets([])
        reply = .none
    }

    static let firstStep = Step.statement(0, begins: true)

    var statementCount: Int {
        switch plan {
        case .single, .optimistic: return 1
        case .guarded: return guardComparesContent ? 2 : 1
        case .checked: return 2
        case .plain:
            guard case .applyBatch(let write) = work else { return 2 }
            return write.storeOffsets.isEmpty ? 2 : 3
        }
    }

    /// The statements `LedgerStore.apply` sends for the work, in order.
    func statement(at index: Int) -> DatabaseModel.Statement {
        switch work {
        case .loadOffsets(let partitions): return .loadOffsets(partitions)
        case .recordFailure(let record): return .recordFailure(record)
        case .markDeadLettered(let mark): return .markDeadLettered(mark)
        case .settle(let write) where write.fenced: return exactSettlement ? .fencedSettlement(write) : .windowSettlement(write)
        case .settle(let write): return .plainSettlement(write)
        case .applyBatch(let write):
            switch (plan, index) {
            case (.optimistic, _): return .optimisticGuardedBatch(write)
            case (.checked, 0): return .selectGuard(write.entries.map(\.event.id))
            case (.checked, _): return .checkedBatch(write, absent: absent)
            case (.plain, 0): return .ensureAccounts(Self.distinctAccounts(write))
            case (.plain, 1): return .plainBatch(write)
            case (.plain, _):
                return .guardedBatch(BatchWrite(entries: [], deduplicate: true, storeOffsets: write.storeOffsets,
                                                workerID: write.workerID))
            case (.guarded, 1): return .guardConflicts(write)
            case (.guarded, _), (.single, _): return .guardedBatch(write)
            }
        }
    }

    /// `rs_ensure_accounts`' parameter: the batch's accounts, sorted, each once.
    private static func distinctAccounts(_ write: BatchWrite) -> [AccountID] {
        var accounts = write.entries.map(\.event.account)
        accounts.sort()
        var distinct: [AccountID] = []
        for account in accounts where distinct.last != account { distinct.append(account) }
        return distinct
    }

    /// The step the client sends after `step` if the server answers it normally (a statement's rows, COMMIT's
    /// and ROLLBACK's acknowledgement): nil when that answer ends the job.
    func nextAfterSuccess(_ step: Step) -> Step? {
        guard case .statement(let index, _) = step else { return nil }
        // `rs_guard_conflicts` runs only after a guarded batch that skipped an entry, as in `LedgerStore`.
        if plan == .guarded, index == 0, case .batch(let outcome) = reply, outcome.skippedDuplicates == 0 { return .commit }
        return index + 1 < statementCount ? .statement(index + 1, begins: false) : .commit
    }

    /// What the client does once the server answered `step` (never `.blocked`).
    func advance(after step: Step, _ result: DatabaseModel.StatementResult) -> Next {
        switch step {
        case .connect:
            if case .failed(let error) = result { return .finish(.failed(Self.failure(error, duringCommit: false))) }
            return .send(Self.firstStep)
        case .statement(let index, _):
            switch result {
            case .done(.conflict(let conflict?)):
                guard case .applyBatch(let write) = work else { return .send(.rollback) }
                failure = DatabaseFailure.eventIDConflict(entryIndex: conflict.entry, event: write.entries[conflict.entry].event,
                                                          appliedAccount: conflict.account, appliedAmountCents: conflict.amountCents)
                return .send(.rollback)
            case .done(let answer):
                absorb(answer, of: index)
                return .send(nextAfterSuccess(step)!)
            case .failed(var error):
                if error.connectionLost { return .finish(.failed(Self.failure(error, duringCommit: false))) }
                if plan == .plain, index == 0, case .applyBatch(let write) = work, let position = error.entryIndex {
                    // `rs_ensure_accounts` failed at an account: the worker's replay names its first entry.
                    let account = Self.distinctAccounts(write)[position]
                    error.entryIndex = write.entries.firstIndex { $0.event.account == account }
                }
                if plan == .optimistic, error.state == "23505" {
                    plan = .guarded
                } else {
                    failure = Self.failure(error, duringCommit: false)
                }
                return .send(.rollback)
            case .blocked:
                preconditionFailure("a waiting statement has no answer yet")
            }
        case .commit:
            if case .failed(let error) = result { return .finish(.failed(Self.failure(error, duringCommit: true))) }
            return .finish(.committed(reply))
        case .rollback:
            if let failure { return .finish(.failed(failure)) }
            return .send(Self.firstStep)  // the optimistic guard's fallback, `plan == .guarded`
        }
    }

    private func absorb(_ answer: DatabaseModel.Reply, of index: Int) {
        switch answer {
        case .guardRows(let present):
            // The effect for every event the SELECT found absent: once per event, also when Kafka holds it
            // twice in the batch.
            guard case .applyBatch(let write) = work else { return }
            var seen = Set<EventID>()
            absent = write.entries.indices.map { !present[$0] && seen.insert(write.entries[$0].event.id).inserted }
        case .applied(let applied, let balances):
            // The before mode's offsets-only statement does not change the batch's answer.
            guard case .applyBatch(let write) = work, !(plan == .plain && index == 2) else { return }
            reply = .batch(BatchOutcome(applied: applied, skippedDuplicates: write.entries.count - applied, balances: balances))
        case .offsets(let stored): reply = .offsets(stored)
        case .attempts(let count): reply = .attempts(count)
        case .settled(let rows):
            guard case .settle(let write) = work else { return }
            let span = Int(write.throughPeriod - write.fromPeriod + 1)
            reply = .settlement(SettlementOutcome(settled: rows, fencedPeriods: write.fenced ? span - rows.count : 0))
        case .none, .conflict: break
        }
    }

    /// The failure class the worker reports (`PostgresError.classify`, then `LedgerStore`): a lost connection
    /// during COMMIT is ambiguous; connection failures, serialization failures and deadlocks are transient; an
    /// entry refused for its own values (`DatabaseFailure.rejects`) is rejected; the rest permanent.
    static func failure(_ error: DatabaseModel.SQLError, duringCommit: Bool) -> DatabaseFailure {
        let connectionFailure = error.connectionLost || error.state.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(error.state)
        if duringCommit && connectionFailure { return DatabaseFailure(.ambiguous, reason: error.text) }
        if connectionFailure || ["40001", "40P01", "55P03", "57014", "25P03"].contains(error.state) || error.state.hasPrefix("53") {
            return DatabaseFailure(.transient, reason: error.text, sqlState: error.state)
        }
        if DatabaseFailure.rejects(sqlState: error.state), let entry = error.entryIndex {
            return .rejectedEntry(entry, sqlState: error.state, message: error.message, constraint: error.constraint)
        }
        return DatabaseFailure(.permanent(entryIndex: error.entryIndex), reason: error.text)
    }
}
