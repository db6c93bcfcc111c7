import Core

extension World {
    /// A paragraph for a `settlement-total-mismatch` finding: which row, which batch, which pod, when its
    /// transaction began and committed, and which settlement's snapshot missed or double-counted it.
    func explainSettlement(_ finding: SettlementTotalCheck.Finding) -> (text: String, cause: String) {
        let (text, cause) = explanation(of: finding)
        return (text.prefix(1).uppercased() + text.dropFirst(), cause)
    }

    private func explanation(of finding: SettlementTotalCheck.Finding) -> (text: String, cause: String) {
        let history = database.history
        switch finding.problem {
        case .totalDiffers(let index, let counted):
            let settlement = history.settlements[Int(index)]
            return ("The settlement of period \(settlement.period) by \(pods[Int(settlement.pod)].name) (committed at \(Timestamp(milliseconds: settlement.time))) recorded \(settlement.totalCents) cents, but the \(settlement.countedRows.count) ledger rows it counted sum to \(counted).",
                    "total differs from its rows")
        case .countedTwice(let first, let second, let rows, let cents, let example):
            let a = history.settlements[Int(first)]
            let b = history.settlements[Int(second)]
            let why = a.kind == .plainWindow || b.kind == .plainWindow
                ? "every replica runs the job on its own timer and each totals the same window"
                : "two runs counted the same batch"
            let which = rows == 1 ? describeRow(example) : "\(rows) ledger rows (\(cents) cents in all; one of them: \(describeRow(example)))"
            return ("\(which) counted by \(describeSettlement(first)) were counted again by \(describeSettlement(second)), so \(cents) cents were settled \(a.period == b.period ? "twice in period \(a.period)" : "in periods \(a.period) and \(b.period)"). Cause: \(why).",
                    "counted twice")
        case .uncounted(let first, let rows, let seer):
            return explainUncounted(first, rows: rows, seer: seer)
        }
    }

    private func explainUncounted(_ index: Int32, rows: Int, seer: Int32?) -> (text: String, cause: String) {
        let history = database.history
        let row = history.ledger[Int(index)]
        let transaction = history.transactions[Int(row.transaction)]
        let own = transaction.start / config.settlementPeriod
        let commit = row.transaction + 1
        let cents = history.ledger[Int(index)...].prefix { $0.transaction == row.transaction }.reduce(0) { $0 + $1.amountCents }
        var text = rows == 1 ? describeRow(index) : "\(rows) ledger rows of one transaction (\(cents) cents; one of them: \(describeRow(index)))"
        text += " counted by no settlement although period \(own) was settled."
        let missed = history.settlements.indices.filter {
            history.settlements[$0].period == own && history.settlements[$0].snapshotCommits < commit
        }
        if !missed.isEmpty {
            text += " The transaction began at \(Timestamp(milliseconds: transaction.start)) (applied_at, in period \(own)) and committed at \(Timestamp(milliseconds: transaction.commitTime)), after the snapshot of " +
                missed.map { describeSettlement(Int32($0)) }.joined(separator: ", ") + "."
        }
        if let seer {
            text += " Later, \(describeSettlement(seer)) saw it committed and did not count it."
        }
        let cause: String
        switch history.settlements.first?.kind ?? .marking {
        case .marking:
            cause = "batch left unmarked"
            text += " Cause: the exact settlement should have marked its batch in the next run that fenced a period."
        case .fencedWindow, .plainWindow:
            cause = "committed after the settlement snapshot"
            text += " Cause: the settlement totals rows by applied_at, the start of their transaction, but a snapshot shows what was committed: a batch that begins before a period ends and commits after that period's settlement read its snapshot falls in no settlement's window."
        }
        return (text, cause)
    }

    private func describeRow(_ index: Int32) -> String {
        let history = database.history
        let row = history.ledger[Int(index)]
        let transaction = history.transactions[Int(row.transaction)]
        let writer = transaction.writer
        var text = "the ledger row of event \(row.eventID) (\(history.account(of: row)), \(row.amountCents) cents) from p\(row.partition)@\(row.offset)"
        if row.batch >= 0 {
            text += ", in batch #\(row.batch) of \(history.batches[Int(row.batch)].rows) rows,"
        }
        text += " written by \(pods[Int(writer.pod)].name) (member m\(writer.member), generation \(writer.generation)) in tx #\(transaction.id) (began \(Timestamp(milliseconds: transaction.start)), committed \(Timestamp(milliseconds: transaction.commitTime)))"
        return text
    }

    private func describeSettlement(_ index: Int32) -> String {
        let settlement = database.history.settlements[Int(index)]
        return "the settlement of period \(settlement.period) by \(pods[Int(settlement.pod)].name) (\(settlement.kind.rawValue), snapshot at \(Timestamp(milliseconds: settlement.snapshotTime)), committed at \(Timestamp(milliseconds: settlement.time)))"
    }
}
