import Core

/// Paragraphs for a live run's `settlement-total-mismatch` findings, with the causes the simulator names
/// (`SettlementExplanation.swift`): which settlement, which rows, which worker wrote them and when.
extension LiveHistory {
    func explainSettlement(_ finding: SettlementTotalCheck.Finding, _ database: DatabaseHistory) -> (text: String, cause: String) {
        switch finding.problem {
        case .totalDiffers(let index, let counted):
            let settlement = database.settlements[Int(index)]
            return ("The settlement of period \(settlement.period) by \(podName(settlement.pod)) (committed at \(Timestamp(milliseconds: settlement.time))) recorded \(settlement.totalCents) cents, but the \(settlement.countedRows.count) ledger rows it counted sum to \(counted) in the history.",
                    "total differs from its rows")
        case .countedTwice(let first, let second, let rows, let cents, let example):
            let a = database.settlements[Int(first)]
            let b = database.settlements[Int(second)]
            let why = mode == .before
                ? "every replica runs the job on its own timer and each totals the same window"
                : "two runs counted the same batch"
            let which = rows == 1 ? describeRow(example, database) : "\(rows) ledger rows (\(cents) cents in all; one of them: \(describeRow(example, database)))"
            return ("\(which.prefix(1).uppercased() + which.dropFirst()) counted by \(describeSettlement(first, database)) were counted again by \(describeSettlement(second, database)), so \(cents) cents were settled \(a.period == b.period ? "twice in period \(a.period)" : "in periods \(a.period) and \(b.period)"). Cause: \(why).",
                    "counted twice")
        case .uncounted(let first, let rows, let seer):
            var text = rows == 1 ? describeRow(first, database) : "\(rows) ledger rows of one transaction (one of them: \(describeRow(first, database)))"
            text = text.prefix(1).uppercased() + text.dropFirst() + " counted by no settlement although its period was settled."
            if let seer { text += " \(describeSettlement(seer, database).prefix(1).uppercased())\(describeSettlement(seer, database).dropFirst()) was sent after it committed and did not count it." }
            if mode == .after {
                return (text + " Cause: the exact settlement should have marked its batch in the next run that fenced a period.", "batch left unmarked")
            }
            return (text + " Cause: the settlement totals rows by applied_at, but a snapshot shows what was committed: a batch that begins before a period ends and commits after that period's settlement read its snapshot falls in no settlement's window.",
                    "committed after the settlement snapshot")
        }
    }

    private func describeRow(_ index: Int32, _ database: DatabaseHistory) -> String {
        let row = database.ledger[Int(index)]
        let transaction = database.transactions[Int(row.transaction)]
        let writer = transaction.writer
        guard writer.pod >= 0 else {
            return "the ledger row of event \(row.eventID) (\(row.amountCents) cents), whose commit no history line shows"
        }
        return "the ledger row of event \(row.eventID) (\(database.account(of: row)), \(row.amountCents) cents) from p\(row.partition)@\(row.offset), written by \(podName(writer.pod)) (member \(memberName(writer.member)), generation \(writer.generation)) in a transaction sent at \(Timestamp(milliseconds: writer.sentAt)) and committed by \(Timestamp(milliseconds: transaction.commitTime))"
    }

    private func describeSettlement(_ index: Int32, _ database: DatabaseHistory) -> String {
        let settlement = database.settlements[Int(index)]
        return "the settlement of period \(settlement.period) by \(podName(settlement.pod)) (sent at \(Timestamp(milliseconds: settlement.snapshotTime)), committed at \(Timestamp(milliseconds: settlement.time)))"
    }
}
