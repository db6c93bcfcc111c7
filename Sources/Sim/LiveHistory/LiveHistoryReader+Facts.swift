import Core

extension LiveHistoryReader {
    /// One line, in time order, into the facts the checkers read.
    mutating func take(_ line: Line, at time: Int64, sigterms: inout [Int32: Int64]) throws(LiveHistoryError) {
        let value = line.value
        let pod = line.pod
        let fail = { (reason: String) in LiveHistoryError(file: line.file, line: line.number, reason: reason) }
        switch value["k"]?.stringValue ?? "" {
        case "assigned", "revoked", "lost":
            let change: History.OwnershipChange = value["k"] == .string("assigned") ? .assigned : value["k"] == .string("revoked") ? .revoked : .lost
            let partitions = (value["partitions"]?.arrayValue ?? []).compactMap { $0.intValue.map(PartitionID.init) }
            result.history.ownership.append(History.Ownership(time: time, pod: pod, partitions: partitions, change: change))
        case "batch":
            try batch(value, pod: pod, at: time, fail: fail)
        case "failure-record", "dead-letter-mark":
            guard let partition = value["partition"]?.intValue else { throw fail("no partition") }
            transaction(value, pod: pod, at: time, records: [], partition: PartitionID(partition))
        case "failure":
            guard let id = value["event"]?.stringValue, let partition = value["partition"]?.intValue,
                  let offset = value["offset"]?.intValue, let attempts = value["attempts"]?.intValue
            else { throw fail("a failure needs event, partition, offset, attempts") }
            result.history.failureCounts.append(History.FailureCount(
                time: time, pod: pod, event: event(id), partition: PartitionID(partition), offset: offset, attempts: Int(attempts),
                durable: value["durable"] != .bool(false)))
        case "commit":
            let member = member(value["member"])
            let generation = Int32(value["gen"]?.intValue ?? 0)
            for pair in value["offsets"]?.arrayValue ?? [] {
                guard let partition = pair.arrayValue?.first?.intValue, let offset = pair.arrayValue?.last?.intValue else { throw fail("bad offsets") }
                result.commits.append(GroupCoordinator.CommitRecord(
                    time: time, pod: pod, member: member, generation: generation,
                    offset: PartitionOffset(partition: PartitionID(partition), offset: offset), accepted: value["ok"] == .bool(true)))
            }
        case "settle":
            try settle(value, pod: pod, at: time, fail: fail)
        case "dead-letter":
            guard value["ok"] == .bool(true) else { return }
            let id = value["event"]?.stringValue
            result.deadLetters.append(LiveHistory.DeadLetter(event: id.map { event($0) }, pod: pod, time: time,
                                                             reason: value["reason"]?.stringValue ?? ""))
        case "sigterm":
            sigterms[pod] = time
        case "exit":
            result.exited[Int(pod)] = true
            if (value["open"]?.intValue ?? 0) > 0 { result.exitsWithOpenTransactions += 1 }
            if let sigterm = sigterms.removeValue(forKey: pod) {
                result.history.shutdowns.append(History.Shutdown(
                    pod: pod, sigterm: sigterm, ended: time, exited: true, leaveRequested: value["left"] == .bool(true),
                    openTransactions: Int(value["open"]?.intValue ?? 0)))
            }
        default:
            break  // start and kinds a newer worker writes
        }
    }

    private mutating func batch(_ value: JSONValue, pod: Int32, at time: Int64,
                                fail: (String) -> LiveHistoryError) throws(LiveHistoryError) {
        var entries: [(event: Int32, record: PartitionOffset, amount: Int64, account: String)] = []
        for entry in value["entries"]?.arrayValue ?? [] {
            guard let fields = entry.arrayValue, fields.count >= 3, let id = fields[0].stringValue,
                  let partition = fields[1].intValue, let offset = fields[2].intValue
            else { throw fail("a batch entry is [event id, partition, offset, amount, account]") }
            let index = event(id)
            let amount = fields.count > 3 ? fields[3].intValue : nil
            let account = fields.count > 4 ? fields[4].stringValue : nil
            let planned = Int(index) < result.produced.count ? result.produced[Int(index)] : nil
            entries.append((index, PartitionOffset(partition: PartitionID(partition), offset: offset),
                            amount ?? planned?.amountCents ?? 0, account ?? planned?.account ?? ""))
            result.recordEvents[partition << 40 | offset] = index
        }
        let transaction = transaction(value, pod: pod, at: time, records: entries.map(\.record), partition: nil)
        guard transaction.committed else { return }
        let applied = Int(value["applied"]?.intValue ?? Int64(entries.count))
        if applied < entries.count { result.partialBatches += 1 }
        for entry in entries {
            let seen = effects(of: entry.event) > 0
            // A guarded batch that skipped entries skipped those already applied (what its guard checks).
            if applied < entries.count && seen { continue }
            if Int(entry.event) >= result.produced.count { result.unexpectedApplications += 1 }
            result.applications.append(Application(
                event: entry.event, time: time, pod: pod, member: transaction.member, generation: transaction.generation,
                partition: entry.record.partition, offset: entry.record.offset, ambiguous: false, row: Int32(result.applications.count)))
            result.ledger.append(LiveHistory.LedgerEntry(
                event: entry.event, amountCents: entry.amount, account: entry.account, pod: pod, member: transaction.member,
                generation: transaction.generation, partition: entry.record.partition, offset: entry.record.offset,
                submitted: transaction.submitted, committed: time))
            countEffect(of: entry.event)
        }
    }

    /// A settlement transaction's result: its rows (`periods`; `totals` with what each counted), or an
    /// unknown COMMIT outcome.
    private mutating func settle(_ value: JSONValue, pod: Int32, at time: Int64,
                                 fail: (String) -> LiveHistoryError) throws(LiveHistoryError) {
        if value["ambiguous"] == .bool(true) { result.ambiguousTransactions += 1 }
        guard value["committed"] != .bool(false) else { return }
        let submitted = (value["submitted"]?.intValue ?? time + result.origin) - result.origin
        var totals: [Int64: (total: Int64, batches: Int, counted: [Int32])] = [:]
        for row in value["totals"]?.arrayValue ?? [] {
            guard let fields = row.arrayValue, fields.count == 4, let period = fields[0].intValue, let total = fields[1].intValue,
                  let batches = fields[2].intValue, let events = fields[3].arrayValue
            else { throw fail("a settlement total is [period, total cents, batches, [event ids]]") }
            var counted: [Int32] = []
            for id in events {
                guard let id = id.stringValue else { throw fail("a counted event id is a string") }
                counted.append(event(id))
            }
            totals[period] = (total, Int(batches), counted)
        }
        for period in value["periods"]?.arrayValue ?? [] {
            guard let period = period.intValue else { throw fail("bad period") }
            let row = totals[period]
            if value["totals"] != nil && row == nil { throw fail("period \(period) settled without its total") }
            result.settlements.append(LiveHistory.Settlement(period: period, pod: pod, time: time, submitted: submitted,
                                                             totalCents: row?.total, batches: row?.batches ?? 0,
                                                             counted: row?.counted ?? []))
        }
    }

    func effects(of event: Int32) -> Int32 {
        Int(event) < result.effects.count ? result.effects[Int(event)] : 0
    }

    mutating func countEffect(of event: Int32) {
        if result.effects.count <= Int(event) { result.effects += Array(repeating: 0, count: Int(event) + 1 - result.effects.count) }
        result.effects[Int(event)] += 1
    }

    @discardableResult
    private mutating func transaction(_ value: JSONValue, pod: Int32, at time: Int64, records: [PartitionOffset],
                                      partition: PartitionID?) -> History.Transaction {
        let committed = value["committed"] == .bool(true)
        if value["ambiguous"] == .bool(true) { result.ambiguousTransactions += 1 }
        result.history.append(pod: pod, member: member(value["member"]), generation: Int32(value["gen"]?.intValue ?? 0),
                              submitted: (value["submitted"]?.intValue ?? time + result.origin) - result.origin, ended: time,
                              committed: committed, records: records, partition: partition)
        return result.history.transactions[result.history.transactions.count - 1]
    }
}
