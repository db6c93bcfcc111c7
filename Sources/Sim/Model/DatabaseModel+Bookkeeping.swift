import Core

extension DatabaseModel {
    /// `rs_record_failure`: `attempts + 1` on the newest committed count (a new row starts at 1).
    mutating func recordFailure(_ record: FailureRecord, _ transaction: Int32) -> StatementResult {
        if let slot = attemptIndex.find(record.eventID), let other = attempts[Int(slot)].blocks(transaction) {
            return .blocked(on: other)
        }
        let (slot, new) = attemptIndex.slot(for: record.eventID)
        if new { attempts.append(VersionedValue()) }
        if attempts[Int(slot)].lockedBy != transaction { connections[session(transaction)].writes.attempts.append(slot) }
        let count = (attempts[Int(slot)].lock(for: transaction) ?? 0) + 1
        attempts[Int(slot)].pending = count
        return .done(.attempts(Int(count)))
    }

    /// `rs_mark_dead_lettered`: a `dead_lettered` guard row when the event decoded (`DO NOTHING` when it has
    /// one: an event applied or dead-lettered before keeps its row), and the offset after it (`GREATEST`).
    mutating func markDeadLettered(_ mark: DeadLetterMark, _ transaction: Int32) -> StatementResult {
        if let id = mark.eventID, let other = inserter(of: guardRow(id), other: transaction) { return .blocked(on: other) }
        if let other = offsetBlocker([mark.nextOffset], transaction) { return .blocked(on: other) }
        if let id = mark.eventID { insertGuardIfAbsent(id, outcome: 2, transaction) }
        storeOffsets([mark.nextOffset], transaction)
        return .done(.none)
    }

    /// `rs_load_offsets`: a plain read; it never waits.
    func loadOffsets(_ partitions: [PartitionID], _ transaction: Int32) -> StatementResult {
        .done(.offsets(partitions.map { partition in
            let p = Int(partition)
            let stored = p < offsets.count ? offsets[p].latest(for: transaction) : nil
            return StoredOffset(partition: partition, nextOffset: stored)
        }))
    }
}
