import Core

/// What the database committed, in commit order: the facts the checkers read. Nothing here changes after it is
/// recorded except `Batch.settlement` (the commit of the settlement run that counted the batch sets it), so a
/// history taken from a live database (ledger, ledger_batches, settlements) can be checked the same way.
struct DatabaseHistory {
    /// A committed transaction.
    struct Transaction {
        /// The model's transaction number (`tx #n` in traces).
        var id: Int32
        var writer: DatabaseModel.Writer
        /// `now()` of the transaction: when its BEGIN ran; `applied_at` of the rows it wrote.
        var start: Int64
        var commitTime: Int64
        /// The client was told the transaction failed although it committed (the reply to COMMIT was lost).
        var replyLost = false
    }

    /// A ledger row: one application of an event's effect.
    /// (`applied_at` is its transaction's `start`.)
    struct LedgerRow {
        var eventID: EventID
        var amountCents: Int64
        var offset: Offset
        var partition: PartitionID
        /// Index into `accounts`.
        var account: Int32
        /// Index into `transactions`.
        var transaction: Int32
        /// Index into `batches`; -1 for rows written without a batch row (the before mode's plain batch).
        var batch: Int32
    }

    /// A `ledger_batches` row.
    struct Batch {
        var transaction: Int32
        /// Its ledger rows are `firstRow ..< firstRow + rows` (a transaction's rows are committed together).
        var firstRow: Int32
        var rows: Int32
        var totalCents: Int64
        var appliedAt: Int64
        /// Index into `settlements` of the settlement row that counted it; -1 while unsettled.
        var settlement: Int32 = -1
    }

    enum SettlementKind: String {
        /// The exact settlement: marks batches.
        case marking
        /// Fenced, totals an `applied_at` window (the planted defect).
        case fencedWindow = "fenced window"
        /// Every replica, totals an `applied_at` window (before).
        case plainWindow = "plain window"
    }

    /// A settlement row and what it counted.
    struct Settlement {
        var job: String
        var period: Int64
        var totalCents: Int64
        var kind: SettlementKind
        var transaction: Int32
        var pod: Int32
        /// When its transaction committed.
        var time: Int64
        /// The statement's snapshot: it saw the first `snapshotCommits` commits, taken at `snapshotTime`.
        var snapshotCommits: Int32
        var snapshotTime: Int64
        /// Indices into `ledger` of the rows its total counted.
        var countedRows: [Int32]
        /// Indices into `batches` it marked (the marking kind only).
        var countedBatches: [Int32]
    }

    /// An entry a guarded batch skipped because its event already had a guard row.
    struct Skip {
        var transaction: Int32
        var eventID: EventID
        var partition: PartitionID
        var offset: Offset
    }

    var transactions: [Transaction] = []
    /// Account ids, numbered in the order the database first wrote them.
    var accounts: [AccountID] = []
    var ledger: [LedgerRow] = []
    var batches: [Batch] = []
    var settlements: [Settlement] = []
    var skips: [Skip] = []

    func account(of row: LedgerRow) -> AccountID { accounts[Int(row.account)] }
    func appliedAt(_ row: LedgerRow) -> Int64 { transactions[Int(row.transaction)].start }
    func writer(of row: LedgerRow) -> DatabaseModel.Writer { transactions[Int(row.transaction)].writer }
    func commitTime(of row: LedgerRow) -> Int64 { transactions[Int(row.transaction)].commitTime }
}
