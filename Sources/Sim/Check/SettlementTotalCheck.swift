import Core

/// `settlement-total-mismatch`: every applied cent is settled exactly once. Read from the database's history
/// (each settlement row with the ledger rows it counted):
/// - a settlement row's total equals the sum of the ledger rows it counted;
/// - no ledger row is counted by two settlement rows;
/// - no committed ledger row is left uncounted once its period was settled and a settlement that saw the row
///   committed has run for its period or a later one (it could have counted it and did not), or once the run
///   is quiet (nothing more will come).
/// Findings are grouped the way they are caused: one per pair of settlement rows that counted the same rows,
/// one per transaction whose rows no settlement counted.
struct SettlementTotalCheck {
    struct Finding {
        enum Problem {
            case totalDiffers(settlement: Int32, counted: Int64)
            /// `rows` ledger rows (`cents` in all, `example` one of them) counted by `first`, then by `second`.
            case countedTwice(first: Int32, second: Int32, rows: Int, cents: Int64, example: Int32)
            /// The rows of one transaction (`first ..< first + rows`) no settlement counted; `sawIt`: a
            /// settlement of their period or a later one whose snapshot showed them.
            case uncounted(first: Int32, rows: Int, sawIt: Int32?)
        }

        var problem: Problem
        var time: Int64
        /// A ledger row to place the finding at.
        var row: Int32?
    }

    let history: DatabaseHistory
    let period: Int64
    /// The run became quiet: a row still uncounted in a settled period will never be counted.
    let quiet: Bool

    func run() -> [Finding] {
        var findings: [Finding] = []
        var countedBy = Array(repeating: Int32(-1), count: history.ledger.count)
        for (index, settlement) in history.settlements.enumerated() {
            var sum: Int64 = 0
            var twice: [(first: Int32, rows: Int, cents: Int64, example: Int32)] = []
            for row in settlement.countedRows {
                let amount = history.ledger[Int(row)].amountCents
                sum += amount
                let first = countedBy[Int(row)]
                guard first >= 0 else {
                    countedBy[Int(row)] = Int32(index)
                    continue
                }
                if let at = twice.firstIndex(where: { $0.first == first }) {
                    twice[at].rows += 1
                    twice[at].cents += amount
                } else {
                    twice.append((first, 1, amount, row))
                }
            }
            for pair in twice {
                findings.append(Finding(problem: .countedTwice(first: pair.first, second: Int32(index), rows: pair.rows,
                                                               cents: pair.cents, example: pair.example),
                                        time: settlement.time, row: pair.example))
            }
            if sum != settlement.totalCents {
                findings.append(Finding(problem: .totalDiffers(settlement: Int32(index), counted: sum), time: settlement.time, row: nil))
            }
        }
        return findings + uncounted(countedBy)
    }

    /// Rows of a settled period that no settlement counted although one saw them, or the run is over; grouped
    /// by transaction (a transaction's rows are contiguous and share its `applied_at`).
    private func uncounted(_ countedBy: [Int32]) -> [Finding] {
        guard let last = history.settlements.map(\.period).max(), last >= 0 else { return [] }
        var settled = Array(repeating: false, count: Int(last) + 1)
        // newest[p]: the settlement with the newest snapshot among those of period p or later.
        var newest = Array(repeating: Int32(-1), count: Int(last) + 2)
        for (index, settlement) in history.settlements.enumerated() where settlement.period >= 0 {
            let p = Int(settlement.period)
            settled[p] = true
            if newest[p] < 0 || history.settlements[Int(newest[p])].snapshotCommits < settlement.snapshotCommits {
                newest[p] = Int32(index)
            }
        }
        for p in stride(from: Int(last) - 1, through: 0, by: -1) {
            let later = newest[p + 1]
            if later >= 0, newest[p] < 0 || history.settlements[Int(newest[p])].snapshotCommits < history.settlements[Int(later)].snapshotCommits {
                newest[p] = later
            }
        }
        var findings: [Finding] = []
        var index = 0
        while index < history.ledger.count {
            let transaction = history.ledger[index].transaction
            var end = index
            while end < history.ledger.count, history.ledger[end].transaction == transaction { end += 1 }
            defer { index = end }
            let missing = (index..<end).filter { countedBy[$0] < 0 }
            let own = history.transactions[Int(transaction)].start / period
            guard let first = missing.first, own <= last, settled[Int(own)] else { continue }
            // Commits are numbered from 1 in commit order; history.transactions is that order.
            let seer = newest[Int(own)]
            let saw = seer >= 0 && history.settlements[Int(seer)].snapshotCommits >= transaction + 1
            guard saw || quiet else { continue }
            findings.append(Finding(problem: .uncounted(first: Int32(first), rows: missing.count, sawIt: saw ? seer : nil),
                                    time: history.transactions[Int(transaction)].commitTime, row: Int32(first)))
        }
        return findings
    }
}

extension World {
    func settlementTotalViolations(_ tally: inout Tally) -> [Violation] {
        let findings = SettlementTotalCheck(history: database.history, period: config.settlementPeriod, quiet: stopped).run()
        tally.settlementMismatches = findings.count
        let describer = SettlementDescriber(database: database.history, record: .model(settlementPeriod: config.settlementPeriod),
                                            podName: { self.pods[Int($0)].name }, memberName: { "m\($0)" })
        return findings.map { finding in
            let row = finding.row.map { database.history.ledger[Int($0)] }
            let (text, cause) = options.explain ? describer.explain(finding) : ("", "")
            return Violation(kind: .settlementTotalMismatch, explanation: text, cause: cause, time: finding.time,
                             partition: row?.partition, offset: row?.offset)
        }
    }
}
