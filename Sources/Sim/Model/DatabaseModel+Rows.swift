import Core

extension DatabaseModel {
    /// A client's session.
    struct Connection {
        var client: Int32
        /// The open transaction, or -1.
        var transaction: Int32 = -1
        var isOpen = true
        /// The client disconnected; the server has not finished with the session yet (a statement waits).
        var clientGone = false
        var waiting: Waiting?
        /// A waiting guarded batch that was the transaction's first write holds the guard rows it inserted
        /// before the row it waits on (`writes.guards`, nothing else), as PostgreSQL's statement does; it takes
        /// them back when it runs again.
        var holdsWhileWaiting = false
        /// The open transaction's writes (one per session; emptied, keeping its storage, when it ends).
        var writes = WriteSet()
    }

    /// A statement waiting for another transaction to end.
    struct Waiting {
        var statement: Statement
        var snapshot: Snapshot
        var on: Int32
        /// When it began to wait, relative to the others: waiting statements resume in this order.
        var order: Int
    }

    struct Transaction {
        enum State { case open, failed, committed, aborted }

        var connection: Int32
        var writer: Writer
        var start: Int64
        var state: State = .open
    }

    /// An insert-only row keyed by a unique key (`processed_events`, `settlement_fence`). It is committed when
    /// its inserter is; an aborted inserter's rows are removed.
    struct GuardRow {
        /// `processed_events.outcome`: 1 applied, 2 dead-lettered.
        var outcome: UInt8
        var inserter: Int32
    }

    /// A row updated in place (`accounts`, `consumer_offsets`, `event_attempts`): its committed value, and the
    /// open transaction holding its lock with the value it wrote. A row inserted by an open transaction has
    /// `exists == false` and `lockedBy` set.
    struct VersionedValue {
        var exists = false
        var value: Int64 = 0
        var lockedBy: Int32 = -1
        var pending: Int64 = 0

        /// The newest value `transaction` can build on: its own write, or the committed value.
        func latest(for transaction: Int32) -> Int64? {
            if lockedBy == transaction { return pending }
            return exists ? value : nil
        }

        func blocks(_ transaction: Int32) -> Int32? {
            lockedBy >= 0 && lockedBy != transaction ? lockedBy : nil
        }
    }

    /// Everything a transaction wrote, applied at COMMIT and dropped at ROLLBACK.
    struct WriteSet {
        struct Batch {
            var firstRow: Int32
            var rows: Int32
            var totalCents: Int64
        }

        struct Settlement {
            var job: String
            var period: Int64
            var totalCents: Int64
            var kind: DatabaseHistory.SettlementKind
            var snapshot: Snapshot
            var countedRows: [Int32]
            var countedBatches: [Int32]
        }

        /// Event ids of the guard rows inserted.
        var guards: [EventID] = [] { didSet { used |= 1 << 0 } }
        /// Ledger rows as the history will hold them, but with `transaction` -1 and `batch` an index into
        /// `batches` (or -1) until COMMIT.
        var ledger: [DatabaseHistory.LedgerRow] = [] { didSet { used |= 1 << 1 } }
        var batches: [Batch] = [] { didSet { used |= 1 << 2 } }
        var accounts: [Int32] = [] { didSet { used |= 1 << 3 } }
        var offsets: [Int32] = [] { didSet { used |= 1 << 4 } }
        var attempts: [Int32] = [] { didSet { used |= 1 << 5 } }
        var fences: [FenceKey] = [] { didSet { used |= 1 << 6 } }
        /// Batches this transaction marks, with the index into `settlements` of the row that counts them.
        var marks: [(batch: Int32, settlement: Int32)] = [] { didSet { used |= 1 << 7 } }
        var settlements: [Settlement] = [] { didSet { used |= 1 << 8 } }
        var skips: [(eventID: EventID, partition: PartitionID, offset: Offset)] = [] { didSet { used |= 1 << 9 } }

        /// Which of the arrays hold anything (bit per array, in declaration order): `clear` touches only those.
        var used: UInt16 = 0

        /// Empties the arrays, keeping their storage (one element at a time: `removeAll(keepingCapacity:)` is
        /// not specialised and cost more than the rest of a commit).
        mutating func clear() {
            guard used != 0 else { return }
            if used & 1 << 0 != 0 { while !guards.isEmpty { guards.removeLast() } }
            if used & 1 << 1 != 0 { while !ledger.isEmpty { ledger.removeLast() } }
            if used & 1 << 2 != 0 { while !batches.isEmpty { batches.removeLast() } }
            if used & 1 << 3 != 0 { while !accounts.isEmpty { accounts.removeLast() } }
            if used & 1 << 4 != 0 { while !offsets.isEmpty { offsets.removeLast() } }
            if used & 1 << 5 != 0 { while !attempts.isEmpty { attempts.removeLast() } }
            if used & 1 << 6 != 0 { while !fences.isEmpty { fences.removeLast() } }
            if used & 1 << 7 != 0 { while !marks.isEmpty { marks.removeLast() } }
            if used & 1 << 8 != 0 { while !settlements.isEmpty { settlements.removeLast() } }
            if used & 1 << 9 != 0 { while !skips.isEmpty { skips.removeLast() } }
            used = 0
        }
    }

    /// The session (connection index) of a transaction, where its writes are kept.
    func session(_ transaction: Int32) -> Int { Int(transactions[Int(transaction)].connection) }

    func isCommitted(_ row: GuardRow) -> Bool { transactions[Int(row.inserter)].state == .committed }

    /// The open transaction other than `transaction` that inserted the row, if any: inserting its key waits.
    func inserter(of row: GuardRow?, other transaction: Int32) -> Int32? {
        guard conflictsWait, let row, row.inserter != transaction, !isCommitted(row) else { return nil }
        return row.inserter
    }
}
