import Core

/// `settlement-total-mismatch` over a live history: the settlement rows the workers recorded (each with its total
/// and the events of the ledger rows it counted, as the statement returned them) and the ledger rows the
/// history shows (the committed batches' applied entries), in the shape the simulator's `SettlementTotalCheck`
/// reads, run through that checker.
extension LiveHistory {
    /// The history's ledger and settlement rows as the database history the checker reads, or nil when a
    /// worker did not record its settlements' totals. A settlement's counted event names the ledger row of that
    /// event the history shows (of several, one the same settlement did not name yet, preferring one that
    /// committed in the settled period); an event the history shows no application of (its transaction
    /// committed while the worker was killed, or with an unknown outcome) gets a row of its own, with the
    /// amount the producer sent. Times: a row's `applied_at` is taken as the moment its worker learnt of the
    /// commit (the latest it can be), a settlement's snapshot as the moment its worker sent it (the earliest it
    /// can be), so a row the checker calls seen by a snapshot certainly was. `start` (`applied_at`) is in Unix
    /// milliseconds, as the periods are; the other times count from `origin`.
    func settlementDatabase() -> DatabaseHistory? {
        guard !settlements.isEmpty, settlements.allSatisfy({ $0.totalCents != nil }) else { return nil }
        var database = DatabaseHistory()
        var accounts: [String: Int32] = [:]
        var rowsOf: [Int32: [Int32]] = [:]
        func account(_ name: String) -> Int32 {
            if let index = accounts[name] { return index }
            accounts[name] = Int32(database.accounts.count)
            database.accounts.append(AccountID(name))
            return Int32(database.accounts.count - 1)
        }
        func append(_ entry: LedgerEntry, writer: DatabaseModel.Writer) {
            // A transaction per commit the history saw (its rows are contiguous: `applications` is in commit order).
            if let last = database.transactions.last, last.writer == writer, last.commitTime == entry.committed {} else {
                database.transactions.append(DatabaseHistory.Transaction(
                    id: Int32(database.transactions.count), writer: writer, start: origin + entry.committed, commitTime: entry.committed))
            }
            rowsOf[entry.event, default: []].append(Int32(database.ledger.count))
            database.ledger.append(DatabaseHistory.LedgerRow(
                eventID: EventID(uuidString: eventName(entry.event)) ?? EventID(high: 0, low: UInt64(entry.event)),
                amountCents: entry.amountCents, offset: entry.offset, partition: entry.partition,
                account: account(entry.account), transaction: Int32(database.transactions.count - 1), batch: -1))
        }
        for entry in ledger {
            append(entry, writer: DatabaseModel.Writer(pod: entry.pod, member: entry.member, generation: entry.generation,
                                                       sentAt: entry.submitted))
        }
        let recorded = database.transactions.count
        for (index, settlement) in settlements.enumerated() {
            var counted: [Int32] = []
            for event in settlement.counted {
                let candidates = (rowsOf[event] ?? []).filter { !counted.contains($0) }
                let inPeriod = candidates.first { database.appliedAt(database.ledger[Int($0)]) / settlementPeriod == settlement.period }
                if let row = inPeriod ?? candidates.first {
                    counted.append(row)
                    continue
                }
                let planned = Int(event) < produced.count ? produced[Int(event)] : nil
                append(LedgerEntry(event: event, amountCents: planned?.amountCents ?? 0, account: planned?.account ?? "", pod: -1,
                                   member: -1, generation: 0, partition: -1, offset: -1, submitted: settlement.submitted,
                                   committed: settlement.submitted),
                       writer: DatabaseModel.Writer(pod: -1, member: -1, generation: Int32(-1 - index)))
                counted.append(Int32(database.ledger.count - 1))
            }
            let seen = database.transactions[..<recorded].prefix { $0.commitTime < settlement.submitted }.count
            database.settlements.append(DatabaseHistory.Settlement(
                job: "settlement", period: settlement.period, totalCents: settlement.totalCents ?? 0,
                kind: mode == .after ? .marking : .plainWindow, transaction: -1, pod: settlement.pod, time: settlement.time,
                snapshotCommits: Int32(seen), snapshotTime: settlement.submitted, countedRows: counted, countedBatches: []))
        }
        return database
    }

    /// Every committed transaction is in the history: each worker wrote its exit line with no transaction open,
    /// and no COMMIT outcome was unknown. Otherwise a settlement the history does not show may have counted a
    /// row, and a row no recorded settlement counted is not evidence of a miss.
    var recordsEveryCommit: Bool {
        ambiguousTransactions == 0 && exitsWithOpenTransactions == 0 && exited.allSatisfy { $0 }
    }

    /// The checker's findings as violations: a total that differs from its rows, a row counted twice, and
    /// (only when the history records every commit) a row of a settled period no settlement counted.
    func settlementTotalViolations(_ tally: inout Tally, explain: Bool) -> [Violation] {
        guard let database = settlementDatabase() else { return [] }
        let complete = recordsEveryCommit
        let findings = SettlementTotalCheck(history: database, period: settlementPeriod, quiet: false).run().filter {
            if case .uncounted = $0.problem { return complete }
            return true
        }
        tally.settlementMismatches = findings.count
        let describer = SettlementDescriber(database: database, record: .history,
                                            podName: { podName($0) }, memberName: { memberName($0) })
        return findings.map { finding in
            let row = finding.row.map { database.ledger[Int($0)] }
            let (text, cause) = describer.explain(finding)
            return Violation(kind: .settlementTotalMismatch, explanation: explain ? text : "", cause: cause, time: finding.time,
                             partition: row.flatMap { $0.partition >= 0 ? $0.partition : nil },
                             offset: row.flatMap { $0.offset >= 0 ? $0.offset : nil })
        }
    }
}
