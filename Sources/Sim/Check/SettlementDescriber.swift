import Core

/// The paragraph of a `settlement-total-mismatch` finding, one for a simulated run and a live history alike: which
/// settlement, which rows, which writer and when, and the cause. The sentences are the same; what differs is how
/// much the record knows (`Record`), and with it a few words.
struct SettlementDescriber {
    /// How much the database history behind the findings knows.
    enum Record {
        /// The simulator's database model: when each transaction began (its rows' `applied_at`, placed in a period
        /// of `settlementPeriod` milliseconds) and committed, which batch a row is in, which commits each snapshot saw.
        case model(settlementPeriod: Int64)
        /// A live history: when a worker sent each transaction and learnt of its commit, and when it sent each
        /// settlement; a row whose commit no line shows has no writer.
        case history
    }

    let database: DatabaseHistory
    let record: Record
    /// A pod's name, as the run calls it.
    let podName: (Int32) -> String
    /// A group member's name, as the run calls it.
    let memberName: (Int32) -> String

    /// The paragraph (its first letter capitalised) and the finding's cause.
    func explain(_ finding: SettlementTotalCheck.Finding) -> (text: String, cause: String) {
        let (text, cause) = sentences(finding)
        return (capitalised(text), cause)
    }

    private func sentences(_ finding: SettlementTotalCheck.Finding) -> (text: String, cause: String) {
        switch finding.problem {
        case .totalDiffers(let index, let counted):
            let settlement = database.settlements[Int(index)]
            let source = if case .history = record { " in the history" } else { "" }
            return ("The settlement of period \(settlement.period) by \(podName(settlement.pod)) (committed at \(Timestamp(milliseconds: settlement.time))) recorded \(settlement.totalCents) cents, but the \(settlement.countedRows.count) ledger rows it counted sum to \(counted)\(source).",
                    "total differs from its rows")
        case .countedTwice(let first, let second, let rows, let cents, let example):
            let a = database.settlements[Int(first)]
            let b = database.settlements[Int(second)]
            let why = a.kind == .plainWindow || b.kind == .plainWindow
                ? "every replica runs the job on its own timer and each totals the same window"
                : "two runs counted the same batch"
            let which = rows == 1 ? describeRow(example) : "\(rows) ledger rows (\(cents) cents in all; one of them: \(describeRow(example)))"
            return ("\(which) counted by \(describeSettlement(first)) were counted again by \(describeSettlement(second)), so \(cents) cents were settled \(a.period == b.period ? "twice in period \(a.period)" : "in periods \(a.period) and \(b.period)"). Cause: \(why).",
                    "counted twice")
        case .uncounted(let first, let rows, let seer):
            return uncounted(first, rows: rows, seer: seer)
        }
    }

    private func uncounted(_ index: Int32, rows: Int, seer: Int32?) -> (text: String, cause: String) {
        var text: String
        switch record {
        case .model(let settlementPeriod):
            let row = database.ledger[Int(index)]
            let transaction = database.transactions[Int(row.transaction)]
            let own = transaction.start / settlementPeriod
            let commit = row.transaction + 1
            let cents = database.ledger[Int(index)...].prefix { $0.transaction == row.transaction }.reduce(0) { $0 + $1.amountCents }
            text = rows == 1 ? describeRow(index) : "\(rows) ledger rows of one transaction (\(cents) cents; one of them: \(describeRow(index)))"
            text += " counted by no settlement although period \(own) was settled."
            let missed = database.settlements.indices.filter {
                database.settlements[$0].period == own && database.settlements[$0].snapshotCommits < commit
            }
            if !missed.isEmpty {
                text += " The transaction began at \(Timestamp(milliseconds: transaction.start)) (applied_at, in period \(own)) and committed at \(Timestamp(milliseconds: transaction.commitTime)), after the snapshot of " +
                    missed.map { describeSettlement(Int32($0)) }.joined(separator: ", ") + "."
            }
            if let seer {
                text += " Later, \(describeSettlement(seer)) saw it committed and did not count it."
            }
        case .history:
            text = rows == 1 ? describeRow(index) : "\(rows) ledger rows of one transaction (one of them: \(describeRow(index)))"
            text += " counted by no settlement although its period was settled."
            if let seer {
                text += " \(capitalised(describeSettlement(seer))) was sent after it committed and did not count it."
            }
        }
        switch database.settlements.first?.kind ?? .marking {
        case .marking:
            return (text + " Cause: the exact settlement should have marked its batch in the next run that fenced a period.",
                    "batch left unmarked")
        case .fencedWindow, .plainWindow:
            let start = if case .model = record { ", the start of their transaction" } else { "" }
            return (text + " Cause: the settlement totals rows by applied_at\(start), but a snapshot shows what was committed: a batch that begins before a period ends and commits after that period's settlement read its snapshot falls in no settlement's window.",
                    "committed after the settlement snapshot")
        }
    }

    private func describeRow(_ index: Int32) -> String {
        let row = database.ledger[Int(index)]
        let transaction = database.transactions[Int(row.transaction)]
        let writer = transaction.writer
        guard writer.pod >= 0 else {
            return "the ledger row of event \(row.eventID) (\(row.amountCents) cents), whose commit no history line shows"
        }
        let text = "the ledger row of event \(row.eventID) (\(database.account(of: row)), \(row.amountCents) cents) from p\(row.partition)@\(row.offset)"
        let by = "\(podName(writer.pod)) (member \(memberName(writer.member)), generation \(writer.generation))"
        switch record {
        case .model:
            let batch = row.batch >= 0 ? ", in batch #\(row.batch) of \(database.batches[Int(row.batch)].rows) rows," : ""
            return text + batch + " written by \(by) in tx #\(transaction.id) (began \(Timestamp(milliseconds: transaction.start)), committed \(Timestamp(milliseconds: transaction.commitTime)))"
        case .history:
            return text + ", written by \(by) in a transaction sent at \(Timestamp(milliseconds: writer.sentAt)) and committed by \(Timestamp(milliseconds: transaction.commitTime))"
        }
    }

    private func describeSettlement(_ index: Int32) -> String {
        let settlement = database.settlements[Int(index)]
        let snapshot = switch record {
        case .model: "\(settlement.kind.rawValue), snapshot at \(Timestamp(milliseconds: settlement.snapshotTime))"
        case .history: "sent at \(Timestamp(milliseconds: settlement.snapshotTime))"
        }
        return "the settlement of period \(settlement.period) by \(podName(settlement.pod)) (\(snapshot), committed at \(Timestamp(milliseconds: settlement.time)))"
    }

    private func capitalised(_ text: String) -> String {
        text.prefix(1).uppercased() + text.dropFirst()
    }
}
