import Core

extension DatabaseModel {
    /// `rs_fenced_settlement`, the exact settlement: a fence row per period from `fromPeriod` through
    /// `throughPeriod` (`DO NOTHING`); every committed batch the snapshot shows with `settled_period IS NULL`
    /// and `applied_at` before the end of `throughPeriod` is marked with the earliest newly fenced period at or
    /// after its own, and a settlement row per newly fenced period totals the batches marked with it. A batch
    /// that commits after the snapshot stays unsettled for the next run that fences a period: each batch is
    /// counted once, in one period, whatever the interleaving.
    mutating func fencedSettlement(_ write: SettlementWrite, _ transaction: Int32, snapshot: Snapshot) -> StatementResult {
        if let other = fenceBlocker(write, transaction) { return .blocked(on: other) }
        let newly = newlyFenced(write)
        guard !newly.isEmpty else { return .done(.settled([])) }
        let end = (write.throughPeriod + 1) * settlementPeriod
        var marked: [(batch: Int32, period: Int64)] = []
        for batch in unsettled where batch < snapshot.batches {
            let appliedAt = history.batches[Int(batch)].appliedAt
            guard appliedAt < end else { continue }
            let own = period(of: appliedAt)
            guard let target = newly.first(where: { $0 >= own }) else { continue }
            if let lock = batchLocks.first(where: { $0.batch == batch }), lock.transaction != transaction {
                return .blocked(on: lock.transaction)
            }
            marked.append((batch, target))
        }
        insertFences(newly, job: write.job, transaction)
        let first = Int32(connections[session(transaction)].writes.settlements.count)
        for (index, period) in newly.enumerated() {
            var row = WriteSet.Settlement(job: write.job, period: period, totalCents: 0, kind: .marking, snapshot: snapshot,
                                          countedRows: [], countedBatches: [])
            for mark in marked where mark.period == period {
                let batch = history.batches[Int(mark.batch)]
                row.totalCents += batch.totalCents
                row.countedBatches.append(mark.batch)
                row.countedRows.append(contentsOf: batch.firstRow..<batch.firstRow + batch.rows)
                batchLocks.append((mark.batch, transaction))
                connections[session(transaction)].writes.marks.append((mark.batch, first + Int32(index)))
            }
            connections[session(transaction)].writes.settlements.append(row)
        }
        return .done(.settled(settledRows(from: Int(first), transaction)))
    }

    /// The planted defect (`exact-settlement` off): the fence, and each newly fenced period totals the ledger
    /// rows the snapshot shows whose `applied_at` falls in it. A batch that began in the period and commits
    /// after the snapshot is counted by no run.
    mutating func windowSettlement(_ write: SettlementWrite, _ transaction: Int32, snapshot: Snapshot) -> StatementResult {
        if let other = fenceBlocker(write, transaction) { return .blocked(on: other) }
        let newly = newlyFenced(write)
        insertFences(newly, job: write.job, transaction)
        let first = connections[session(transaction)].writes.settlements.count
        for period in newly {
            connections[session(transaction)].writes.settlements.append(window(period, job: write.job, kind: .fencedWindow, snapshot: snapshot))
        }
        return .done(.settled(settledRows(from: first, transaction)))
    }

    /// `rs_plain_settlement` (before): a settlement row for `throughPeriod` with the total of its window. It
    /// inserts into no unique key, so it never waits.
    mutating func plainSettlement(_ write: SettlementWrite, _ transaction: Int32, snapshot: Snapshot) -> StatementResult {
        let first = connections[session(transaction)].writes.settlements.count
        connections[session(transaction)].writes.settlements.append(
            window(write.throughPeriod, job: write.job, kind: .plainWindow, snapshot: snapshot))
        return .done(.settled(settledRows(from: first, transaction)))
    }

    /// The statement's result rows: the settlement rows it wrote from `first` on, each with the event ids of the
    /// ledger rows it counted, ascending (`ORDER BY event_id`).
    private func settledRows(from first: Int, _ transaction: Int32) -> [SettledPeriod] {
        connections[session(transaction)].writes.settlements[first...].map { row in
            SettledPeriod(period: row.period, totalCents: row.totalCents, batches: row.countedBatches.count,
                          events: row.countedRows.map { history.ledger[Int($0)].eventID }.sorted())
        }
    }

    /// The ledger rows the snapshot shows with `applied_at` in `period`.
    private mutating func window(_ period: Int64, job: String, kind: DatabaseHistory.SettlementKind, snapshot: Snapshot) -> WriteSet.Settlement {
        var row = WriteSet.Settlement(job: job, period: period, totalCents: 0, kind: kind, snapshot: snapshot,
                                      countedRows: [], countedBatches: [])
        indexLedgerByPeriod()
        guard period >= 0, Int(period) < ledgerByPeriod.count else { return row }
        for range in ledgerByPeriod[Int(period)] where range.lowerBound < snapshot.ledgerRows {
            for index in range {
                row.totalCents += history.ledger[Int(index)].amountCents
                row.countedRows.append(index)
            }
        }
        return row
    }

    private mutating func fenceBlocker(_ write: SettlementWrite, _ transaction: Int32) -> Int32? {
        let job = fenceJob(write.job)
        for period in write.fromPeriod...write.throughPeriod {
            if let other = inserter(of: fence(job, period), other: transaction) { return other }
        }
        return nil
    }

    private func newlyFenced(_ write: SettlementWrite) -> [Int64] {
        let job = fenceJobs.firstIndex(of: write.job).map(Int32.init) ?? -1
        return (write.fromPeriod...write.throughPeriod).filter { job < 0 || fence(job, $0) == nil }
    }

    private mutating func insertFences(_ periods: [Int64], job name: String, _ transaction: Int32) {
        let job = fenceJob(name)
        for period in periods {
            precondition(period >= 0, "settlement periods are not negative")
            let p = Int(period)
            if fences[Int(job)].count <= p { fences[Int(job)] += Array(repeating: nil, count: p + 1 - fences[Int(job)].count) }
            fences[Int(job)][p] = GuardRow(outcome: 1, inserter: transaction)
            connections[session(transaction)].writes.fences.append(FenceKey(job: job, period: period))
        }
    }

    func fence(_ job: Int32, _ period: Int64) -> GuardRow? {
        let rows = fences[Int(job)]
        return period >= 0 && period < rows.count ? rows[Int(period)] : nil
    }

    /// The job's number, numbering it when new (a handful of jobs at most: a linear search).
    private mutating func fenceJob(_ name: String) -> Int32 {
        if let index = fenceJobs.firstIndex(of: name) { return Int32(index) }
        fenceJobs.append(name)
        fences.append([])
        return Int32(fenceJobs.count - 1)
    }

    /// Adds the rows committed since the last window read to `ledgerByPeriod`.
    private mutating func indexLedgerByPeriod() {
        while indexedRows < history.ledger.count {
            let transaction = history.ledger[indexedRows].transaction
            var end = indexedRows
            while end < history.ledger.count, history.ledger[end].transaction == transaction { end += 1 }
            let period = Int(self.period(of: history.transactions[Int(transaction)].start))
            if ledgerByPeriod.count <= period { ledgerByPeriod += Array(repeating: [], count: period + 1 - ledgerByPeriod.count) }
            ledgerByPeriod[period].append(Int32(indexedRows)..<Int32(end))
            indexedRows = end
        }
    }
}
