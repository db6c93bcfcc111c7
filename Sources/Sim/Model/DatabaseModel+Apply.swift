import Core

extension DatabaseModel {
    /// Who is writing, for the application log.
    struct Writer {
        var pod: Int32
        var member: Int32
        var generation: Int32
    }

    /// Runs `work` as one transaction; `index` maps a record (partition, offset) to its planned event, `account`
    /// maps a planned event to its account index.
    mutating func apply(_ work: DatabaseWork, writer: Writer, time: Int64, ambiguous: Bool,
                        index: (PartitionID, Offset) -> Int32, account: (Int32) -> Int) -> Outcome {
        transactions += 1
        let reply: DatabaseReply
        switch work {
        case .loadOffsets(let partitions):
            reply = .offsets(partitions.map { StoredOffset(partition: $0, nextOffset: storedOffsets[Int($0)]) })
        case .applyBatch(let write):
            if let bad = write.entries.firstIndex(where: { abs($0.event.amountCents) > DatabaseModel.amountLimit }) {
                return .failed(DatabaseFailure(.permanent(entryIndex: bad),
                                               reason: "23514 new row for relation \"ledger\" violates check constraint \"ledger_amount_cents_check\""))
            }
            reply = .batch(applyBatch(write, writer: writer, time: time, ambiguous: ambiguous, index: index, account: account))
        case .recordFailure(let record):
            let event = Int(index(record.partition, record.offset))
            attempts[event] += 1
            reply = .attempts(Int(attempts[event]))
        case .markDeadLettered(let mark):
            if mark.eventID != nil { guardRows[Int(index(mark.partition, mark.offset))] = 2 }
            store(mark.nextOffset)
            reply = .none
        case .settle(let write):
            reply = .settlement(settle(write, pod: writer.pod, time: time))
        }
        return ambiguous ? .appliedButAmbiguous(reply) : .applied(reply)
    }

    private mutating func applyBatch(_ write: BatchWrite, writer: Writer, time: Int64, ambiguous: Bool,
                                     index: (PartitionID, Offset) -> Int32, account: (Int32) -> Int) -> BatchOutcome {
        var applied = 0
        var skipped = 0
        var touched: [Int] = []
        for entry in write.entries {
            let event = index(entry.partition, entry.offset)
            if write.deduplicate {
                guard guardRows[Int(event)] == 0 else {
                    skipped += 1
                    continue
                }
                guardRows[Int(event)] = 1
            }
            applied += 1
            effects[Int(event)] += 1
            applications.append(Application(event: event, time: time, pod: writer.pod, member: writer.member,
                                             generation: writer.generation, partition: entry.partition,
                                             offset: entry.offset, ambiguous: ambiguous))
            let accountIndex = account(event)
            switch entry.balance {
            case .increment: balances[accountIndex] += entry.event.amountCents
            case .overwrite(let value): balances[accountIndex] = value
            }
            if !write.deduplicate, !touched.contains(accountIndex) { touched.append(accountIndex) }
        }
        for offset in write.storeOffsets { store(offset) }
        // Only the `before` cache reads balances back; skip building them for `after`.
        let balances = touched.map { accountIndex in
            let id = write.entries.first { account(index($0.partition, $0.offset)) == accountIndex }!.event.account
            return AccountBalance(account: id, balanceCents: self.balances[accountIndex])
        }
        return BatchOutcome(applied: applied, skippedDuplicates: skipped, balances: balances)
    }

    /// `consumer_offsets` upsert that never moves backwards (GREATEST), so a zombie cannot rewind it.
    private mutating func store(_ offset: PartitionOffset) {
        let partition = Int(offset.partition)
        storedOffsets[partition] = max(storedOffsets[partition] ?? offset.offset, offset.offset)
    }

    private mutating func settle(_ write: SettlementWrite, pod: Int32, time: Int64) -> SettlementOutcome {
        guard write.fenced else {
            settlements.append(SettlementRow(period: write.throughPeriod, pod: pod, time: time))
            return SettlementOutcome(settledPeriods: [write.throughPeriod], fencedPeriods: 0)
        }
        var settled: [Int64] = []
        var fenced = 0
        for period in write.fromPeriod...write.throughPeriod {
            guard fencedPeriods.insert(period).inserted else {
                fenced += 1
                continue
            }
            settlements.append(SettlementRow(period: period, pod: pod, time: time))
            settled.append(period)
        }
        return SettlementOutcome(settledPeriods: settled, fencedPeriods: fenced)
    }
}
