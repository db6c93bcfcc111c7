import Core

extension DatabaseModel {
    /// Runs a statement (first try, or again after a wait with its original snapshot); a blocked statement is
    /// parked on its connection until the transaction it waits for ends.
    mutating func attempt(_ statement: Statement, snapshot: Snapshot, connection: Int32, at time: Int64) -> StatementResult {
        let transaction = connections[Int(connection)].transaction
        let result: StatementResult
        switch statement {
        case .guardedBatch(let write): result = guardedBatch(write, transaction, optimistic: false)
        case .optimisticGuardedBatch(let write): result = guardedBatch(write, transaction, optimistic: true)
        case .checkedBatch(let write, let absent): result = checkedBatch(write, absent: absent, transaction)
        case .selectGuard(let ids): result = selectGuard(ids, transaction)
        case .guardConflicts(let write): result = guardConflicts(write, transaction)
        case .ensureAccounts(let ids): result = ensureAccounts(ids, transaction)
        case .plainBatch(let write): result = plainBatch(write, transaction)
        case .recordFailure(let record): result = recordFailure(record, transaction)
        case .markDeadLettered(let mark): result = markDeadLettered(mark, transaction)
        case .loadOffsets(let partitions): result = loadOffsets(partitions, transaction)
        case .fencedSettlement(let write): result = fencedSettlement(write, transaction, snapshot: snapshot)
        case .windowSettlement(let write): result = windowSettlement(write, transaction, snapshot: snapshot)
        case .plainSettlement(let write): result = plainSettlement(write, transaction, snapshot: snapshot)
        }
        switch result {
        case .blocked(let other):
            if waits(other, for: transaction) {
                transactions[Int(transaction)].state = .failed
                return .failed(.deadlock)
            }
            waitOrder += 1
            connections[Int(connection)].waiting = Waiting(statement: statement, snapshot: snapshot, on: other, order: waitOrder)
            waitingStatements += 1
        case .failed:
            transactions[Int(transaction)].state = .failed
        case .done:
            break
        }
        return result
    }

    /// Whether `start` already waits, directly or through others, for `target` (waiting would close a cycle).
    private func waits(_ start: Int32, for target: Int32) -> Bool {
        var current = start
        for _ in 0...connections.count {
            if current == target { return true }
            guard let waiting = connections[Int(transactions[Int(current)].connection)].waiting else { return false }
            current = waiting.on
        }
        return false
    }

    /// Ends a transaction, then resumes the statements that waited for it in the order they began to wait.
    /// A resumed statement whose client has gone is followed by the abort of its transaction, which may
    /// resume others in turn.
    mutating func end(_ transaction: Int32, committed: Bool, at time: Int64) -> [Wakeup] {
        finish(transaction, committed: committed, at: time)
        return resumeWaiters(of: transaction, at: time)
    }

    /// A statement of `transaction` failed: its rows and locks go now, the transaction stays failed on its
    /// connection until ROLLBACK, and the statements that waited for it resume.
    mutating func abortAtError(_ transaction: Int32, at time: Int64) -> [Wakeup] {
        discardWrites(session(transaction), of: transaction)
        return resumeWaiters(of: transaction, at: time)
    }

    /// Resumes the statements that waited for `transaction` (which has ended or failed), in the order they
    /// began to wait. A resumed statement that fails releases its own locks at once and one whose client has
    /// gone aborts its transaction; either may resume others in turn.
    private mutating func resumeWaiters(of transaction: Int32, at time: Int64) -> [Wakeup] {
        guard waitingStatements > 0 else { return [] }
        var wakeups: [Wakeup] = []
        var ending = [transaction]
        while let current = ending.popLast() {
            var woken: [(order: Int, connection: Int32)] = []
            for index in connections.indices {
                if let waiting = connections[index].waiting, waiting.on == current {
                    woken.append((waiting.order, Int32(index)))
                }
            }
            woken.sort { $0.order < $1.order }
            for (_, connection) in woken {
                let waiting = connections[Int(connection)].waiting!
                connections[Int(connection)].waiting = nil
                waitingStatements -= 1
                let result = attempt(waiting.statement, snapshot: waiting.snapshot, connection: connection, at: time)
                if case .blocked = result { continue }
                let resumed = connections[Int(connection)].transaction
                if connections[Int(connection)].clientGone {
                    connections[Int(connection)].isOpen = false
                    finish(resumed, committed: false, at: time)
                    ending.append(resumed)
                    continue
                }
                if case .failed = result {
                    discardWrites(Int(connection), of: resumed)
                    ending.append(resumed)
                }
                wakeups.append(Wakeup(connection: connection, result: result))
            }
        }
        return wakeups
    }

    private mutating func finish(_ transaction: Int32, committed: Bool, at time: Int64) {
        let session = session(transaction)
        transactions[Int(transaction)].state = committed ? .committed : .aborted
        connections[session].transaction = -1
        openTransactions -= 1
        if committed {
            apply(session, of: transaction, at: time)
        } else {
            releaseLocks(session, of: transaction)
        }
        connections[session].writes.clear()
        connections[session].holdsWhileWaiting = false
    }

    /// Drops the rows and locks the session's transaction holds and clears its pending writes; the transaction
    /// itself stays on its connection (failed at an error, or about to run its statement again).
    mutating func discardWrites(_ session: Int, of transaction: Int32) {
        releaseLocks(session, of: transaction)
        connections[session].writes.clear()
        connections[session].holdsWhileWaiting = false
    }

    /// Drops the session's uncommitted rows and locks (a rollback, or a statement taking back its writes).
    mutating func releaseLocks(_ session: Int, of transaction: Int32) {
        let writes = connections[session].writes
        for id in writes.guards { guards.remove(id) }
        for key in writes.fences { fences[Int(key.job)][Int(key.period)] = nil }
        for slot in writes.accounts { accounts[Int(slot)].lockedBy = -1 }
        for partition in writes.offsets { offsets[Int(partition)].lockedBy = -1 }
        for slot in writes.attempts { attempts[Int(slot)].lockedBy = -1 }
        if !writes.marks.isEmpty { batchLocks.removeAll { $0.transaction == transaction } }
    }

    private mutating func apply(_ session: Int, of transaction: Int32, at time: Int64) {
        commits += 1
        let record = Int32(history.transactions.count)
        let start = transactions[Int(transaction)].start
        history.transactions.append(DatabaseHistory.Transaction(
            id: transaction, writer: transactions[Int(transaction)].writer, start: start, commitTime: time))
        let used = connections[session].writes.used
        if used & 1 << 3 != 0 { for slot in connections[session].writes.accounts { accounts[Int(slot)].commitPending() } }
        if used & 1 << 4 != 0 { for partition in connections[session].writes.offsets { offsets[Int(partition)].commitPending() } }
        if used & 1 << 5 != 0 { for slot in connections[session].writes.attempts { attempts[Int(slot)].commitPending() } }
        let firstRow = Int32(history.ledger.count)
        let firstBatch = Int32(history.batches.count)
        let rows = connections[session].writes.ledger.count
        if rows > 0 {
            for index in 0..<rows {
                connections[session].writes.ledger[index].transaction = record
                if connections[session].writes.ledger[index].batch >= 0 { connections[session].writes.ledger[index].batch += firstBatch }
            }
            history.ledger.append(contentsOf: connections[session].writes.ledger)
        }
        for batch in used & 1 << 2 != 0 ? connections[session].writes.batches : [] {
            unsettled.append(Int32(history.batches.count))
            history.batches.append(DatabaseHistory.Batch(
                transaction: record, firstRow: firstRow + batch.firstRow, rows: batch.rows, totalCents: batch.totalCents,
                appliedAt: start))
        }
        guard used & (1 << 7 | 1 << 8 | 1 << 9) != 0 else { return }
        let firstSettlement = Int32(history.settlements.count)
        for settlement in used & 1 << 8 != 0 ? connections[session].writes.settlements : [] {
            history.settlements.append(DatabaseHistory.Settlement(
                job: settlement.job, period: settlement.period, totalCents: settlement.totalCents, kind: settlement.kind,
                transaction: record, pod: transactions[Int(transaction)].writer.pod, time: time,
                snapshotCommits: settlement.snapshot.commits, snapshotTime: settlement.snapshot.time,
                countedRows: settlement.countedRows, countedBatches: settlement.countedBatches))
        }
        if used & 1 << 7 != 0 {
            for mark in connections[session].writes.marks {
                history.batches[Int(mark.batch)].settlement = firstSettlement + mark.settlement
            }
            batchLocks.removeAll { $0.transaction == transaction }
            unsettled.removeAll { history.batches[Int($0)].settlement >= 0 }
        }
        for skip in used & 1 << 9 != 0 ? connections[session].writes.skips : [] {
            history.skips.append(DatabaseHistory.Skip(transaction: record, eventID: skip.eventID,
                                                      partition: skip.partition, offset: skip.offset))
        }
    }
}

extension DatabaseModel.VersionedValue {
    mutating func commitPending() {
        exists = true
        value = pending
        lockedBy = -1
    }

    /// Takes the row's lock for `transaction` (if it does not hold it yet) and returns the value to build on.
    mutating func lock(for transaction: Int32) -> Int64? {
        if lockedBy == transaction { return pending }
        lockedBy = transaction
        pending = value
        return exists ? value : nil
    }
}
