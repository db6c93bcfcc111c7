import Core

extension DatabaseModel {
    /// `rs_guarded_batch` (`optimistic`: `rs_optimistic_guarded_batch`). Waits for an open transaction that
    /// inserted one of the events' guard rows, or locked an account or offset row the batch writes.
    mutating func guardedBatch(_ write: BatchWrite, _ transaction: Int32, optimistic: Bool) -> StatementResult {
        let session = session(transaction)
        if connections[session].holdsWhileWaiting { discardWrites(session, of: transaction) }
        if connections[session].writes.used == 0 { return guardedBatchAlone(write, transaction, optimistic: optimistic) }
        if let blocked = scanBatch(write, transaction, absent: nil, failIfProcessed: optimistic) { return blocked }
        return applyScanned(write, transaction) { model, index, entry in
            // A guard row here is older, or an earlier entry's of this batch (a Kafka-level duplicate).
            if model.insertGuard(entry.event.id, known: model.scratch[2 * index], outcome: 1, transaction) { return .apply }
            return optimistic ? nil : .skip
        }
    }

    /// `guardedBatch` as the transaction's first write (the worker's case), in PostgreSQL's order: every guard
    /// row first (the first conflict in event id order decides: wait for its open inserter, or `23505` for the
    /// optimistic statement), then the ledger rows' CHECK, then the account rows (the first held one in
    /// account order is waited for), then the offsets. Guard rows are written in one pass over the batch; when
    /// the statement must wait it takes back what it wrote.
    private mutating func guardedBatchAlone(_ write: BatchWrite, _ transaction: Int32, optimistic: Bool) -> StatementResult {
        let session = session(transaction)
        guards.reserve(write.entries.count)
        scratch.removeAll(keepingCapacity: true)
        var stop: (id: EventID, waitFor: Int32)?
        for entry in write.entries {
            let bucket = guards.bucket(of: entry.event.id)
            if guards.isUsed(bucket), guards.buckets[bucket].inserter >= 0 {
                let existing = guards.buckets[bucket]
                let other = inserter(of: GuardRow(outcome: existing.outcome, inserter: existing.inserter), other: transaction)
                if other != nil || optimistic, stop.map({ entry.event.id < $0.id }) ?? true {
                    stop = (entry.event.id, other ?? -1)
                }
                scratch.append(-1)
                continue
            }
            guards.set(entry.event.id, at: bucket, outcome: 1, inserter: transaction)
            connections[session].writes.guards.append(entry.event.id)
            scratch.append(0)
        }
        if let stop {
            // PostgreSQL inserts in event id order and waits at the first row another transaction inserted,
            // holding the rows before it.
            if stop.waitFor >= 0 { return takeBack(session, waitingFor: stop.waitFor, keepingGuardsBelow: stop.id) }
            return .failed(.uniqueViolation)
        }
        for (index, entry) in write.entries.enumerated() where scratch[index] >= 0 {
            guard abs(entry.event.amountCents) <= Self.amountLimit else { return .failed(.checkViolation(entry: index)) }
        }
        var held: (account: AccountID, by: Int32)?
        var oversized: (account: AccountID, entry: Int)?
        for (index, entry) in write.entries.enumerated() where scratch[index] >= 0 {
            guard Self.fitsAccountIndex(entry.event.account) else {
                if oversized.map({ entry.event.account < $0.account }) ?? true { oversized = (entry.event.account, index) }
                continue
            }
            let account = accountSlot(entry.event.account)
            scratch[index] = account
            if let other = accounts[Int(account)].blocks(transaction), held.map({ entry.event.account < $0.account }) ?? true {
                held = (entry.event.account, other)
            }
        }
        // Accounts are upserted in account order: an oversized id before the first held row fails the index.
        if let oversized, held.map({ oversized.account < $0.account }) ?? true {
            return .failed(.indexRowTooLarge(entry: oversized.entry, account: oversized.account))
        }
        // Every guard row is in when the accounts (then the offsets) are locked.
        if let held { return takeBack(session, waitingFor: held.by, keepingGuardsBelow: nil) }
        if let other = offsetBlocker(write.storeOffsets, transaction) { return takeBack(session, waitingFor: other, keepingGuardsBelow: nil) }
        var applied: Int32 = 0
        var total: Int64 = 0
        for (index, entry) in write.entries.enumerated() where scratch[index] >= 0 {
            applyEffect(entry, account: scratch[index], batch: 0, transaction)
            applied += 1
            total += entry.event.amountCents
        }
        for (index, entry) in write.entries.enumerated() where scratch[index] < 0 {
            connections[session].writes.skips.append((entry.event.id, entry.partition, entry.offset))
        }
        finishBatch(write, applied: applied, total: total, firstRow: 0, transaction)
        return .done(.applied(Int(applied), balances: []))
    }

    /// Undoes what a statement wrote before it met a row another transaction holds (the transaction had
    /// written nothing before it), except the guard rows PostgreSQL's statement holds while it waits: those
    /// below `keepingGuardsBelow` in event id order, or all of them (nil); and waits for that transaction.
    private mutating func takeBack(_ session: Int, waitingFor other: Int32, keepingGuardsBelow limit: EventID?) -> StatementResult {
        var kept: [EventID] = []
        for id in connections[session].writes.guards {
            if limit.map({ id < $0 }) ?? true { kept.append(id) } else { guards.remove(id) }
        }
        for slot in connections[session].writes.accounts { accounts[Int(slot)].lockedBy = -1 }
        for partition in connections[session].writes.offsets { offsets[Int(partition)].lockedBy = -1 }
        connections[session].writes.clear()
        if !kept.isEmpty {
            connections[session].writes.guards = kept
            connections[session].holdsWhileWaiting = true
        }
        return .blocked(on: other)
    }

    /// The planted check-then-insert defect's write: guard rows `DO NOTHING`, the effect where the SELECT
    /// before it found no guard row.
    mutating func checkedBatch(_ write: BatchWrite, absent: [Bool], _ transaction: Int32) -> StatementResult {
        if let blocked = scanBatch(write, transaction, absent: absent, failIfProcessed: false) { return blocked }
        return applyScanned(write, transaction) { model, index, entry in
            _ = model.insertGuard(entry.event.id, known: model.scratch[2 * index], outcome: 1, transaction)
            return absent[index] ? .apply : .skip
        }
    }

    /// What a scanned batch does with one entry once its guard row is settled.
    private enum EntryStep { case apply, skip }

    /// A scanned batch's entries in order (`scratch` as `scanBatch` left it): `step` writes the entry's guard
    /// row and says whether the entry has its effect or is skipped as processed; nil fails the statement with
    /// `23505` (the optimistic statement). An amount beyond the limit fails it with the CHECK's `23514`.
    private mutating func applyScanned(_ write: BatchWrite, _ transaction: Int32,
                                       step: (inout DatabaseModel, Int, BatchEntry) -> EntryStep?) -> StatementResult {
        var applied: Int32 = 0
        var total: Int64 = 0
        let batch = Int32(connections[session(transaction)].writes.batches.count)
        let firstRow = Int32(connections[session(transaction)].writes.ledger.count)
        var oversized: (account: AccountID, entry: Int)?
        for (index, entry) in write.entries.enumerated() {
            guard let decision = step(&self, index, entry) else { return .failed(.uniqueViolation) }
            guard decision == .apply else {
                connections[session(transaction)].writes.skips.append((entry.event.id, entry.partition, entry.offset))
                continue
            }
            guard abs(entry.event.amountCents) <= Self.amountLimit else { return .failed(.checkViolation(entry: index)) }
            guard Self.fitsAccountIndex(entry.event.account) else {
                if oversized.map({ entry.event.account < $0.account }) ?? true { oversized = (entry.event.account, index) }
                continue
            }
            applyEffect(entry, account: scratch[2 * index + 1], batch: batch, transaction)
            applied += 1
            total += entry.event.amountCents
        }
        // The ledger rows (and their CHECK) go in before the accounts are upserted.
        if let oversized { return .failed(.indexRowTooLarge(entry: oversized.entry, account: oversized.account)) }
        finishBatch(write, applied: applied, total: total, firstRow: firstRow, transaction)
        return .done(.applied(Int(applied), balances: []))
    }

    /// What a batch would wait for (nil: nothing). Fills `scratch` with each entry's guard row (1 when it has
    /// one, -1 when not) and account row number (-1 when the account has no row yet). An entry whose event
    /// has a guard row writes no account (`absent`, when given, decides instead: the check-then-insert defect).
    private mutating func scanBatch(_ write: BatchWrite, _ transaction: Int32, absent: [Bool]?, failIfProcessed: Bool) -> StatementResult? {
        scratch.removeAll(keepingCapacity: true)
        for (index, entry) in write.entries.enumerated() {
            var guardSlot: Int32 = -1
            if let row = guards.row(entry.event.id) {
                if let other = inserter(of: row, other: transaction) { return .blocked(on: other) }
                if failIfProcessed { return .failed(.uniqueViolation) }
                guardSlot = 1
            }
            var accountSlot: Int32 = -1
            if absent?[index] ?? (guardSlot < 0) {
                accountSlot = accountIndex.find(entry.event.account) ?? -1
                if accountSlot >= 0, let other = accounts[Int(accountSlot)].blocks(transaction) { return .blocked(on: other) }
            }
            scratch.append(guardSlot)
            scratch.append(accountSlot)
        }
        if let other = offsetBlocker(write.storeOffsets, transaction) { return .blocked(on: other) }
        return nil
    }

    private mutating func finishBatch(_ write: BatchWrite, applied: Int32, total: Int64, firstRow: Int32, _ transaction: Int32) {
        if applied > 0 {
            connections[session(transaction)].writes.batches.append(WriteSet.Batch(firstRow: firstRow, rows: applied, totalCents: total))
        }
        storeOffsets(write.storeOffsets, transaction)
    }

    /// The planted check-then-insert defect's read: which events have a guard row in the snapshot. A plain
    /// SELECT never waits.
    func selectGuard(_ ids: [EventID], _ transaction: Int32) -> StatementResult {
        .done(.guardRows(ids.map { id in guardRow(id).map { isCommitted($0) || $0.inserter == transaction } ?? false }))
    }

    /// `rs_guard_conflicts`: the first entry, in batch order, whose event has an `applied` guard row the
    /// statement sees (committed, or the transaction's own) with another account or amount. Never waits.
    func guardConflicts(_ write: BatchWrite, _ transaction: Int32) -> StatementResult {
        for (index, entry) in write.entries.enumerated() {
            guard let row = guards.row(entry.event.id), row.outcome == 1, isCommitted(row) || row.inserter == transaction,
                  let content = guards.content(of: entry.event.id), content.account >= 0 else { continue }
            if accountIndex.find(entry.event.account) != content.account || content.amount != entry.event.amountCents {
                return .done(.conflict(GuardConflict(entry: index, account: accountIDs[Int(content.account)], amountCents: content.amount)))
            }
        }
        return .done(.conflict(nil))
    }

    /// `rs_ensure_accounts`: an account row for each account (`DO NOTHING`), in account order (`ids` are
    /// sorted); at one an open transaction holds it waits, keeping the rows it inserted before, as
    /// PostgreSQL's insert does row by row (others then wait for those).
    mutating func ensureAccounts(_ ids: [AccountID], _ transaction: Int32) -> StatementResult {
        for (position, id) in ids.enumerated() {
            if let other = accountBlocker(id, transaction) { return .blocked(on: other) }
            // `entryIndex` is the id's position here; the client names the batch entry.
            guard Self.fitsAccountIndex(id) else { return .failed(.indexRowTooLarge(entry: position, account: id)) }
            let slot = Int(accountSlot(id))
            guard !accounts[slot].exists, accounts[slot].lockedBy != transaction else { continue }
            accounts[slot].lockedBy = transaction
            accounts[slot].pending = 0
            connections[session(transaction)].writes.accounts.append(Int32(slot))
        }
        return .done(.none)
    }

    /// `rs_plain_batch`: a ledger row per entry; each account's balance is the last `overwrite` value plus
    /// the increments after it, or the stored balance plus the increments. An account without a row is not
    /// updated (the UPDATE finds nothing), as in PostgreSQL; nor is one another open transaction inserted, which
    /// the UPDATE's snapshot does not show, so it does not wait for it either.
    mutating func plainBatch(_ write: BatchWrite, _ transaction: Int32) -> StatementResult {
        for entry in write.entries {
            guard let slot = accountIndex.find(entry.event.account), accounts[Int(slot)].exists else { continue }
            if let other = accounts[Int(slot)].blocks(transaction) { return .blocked(on: other) }
        }
        var touched: [Int32] = []
        for (index, entry) in write.entries.enumerated() {
            guard abs(entry.event.amountCents) <= Self.amountLimit else { return .failed(.checkViolation(entry: index)) }
            let slot = accountSlot(entry.event.account)
            appendLedgerRow(entry, account: slot, batch: -1, transaction)
            guard accounts[Int(slot)].exists || accounts[Int(slot)].lockedBy == transaction else { continue }
            if !touched.contains(slot) { touched.append(slot) }
            let base = lockAccount(slot, transaction)
            switch entry.balance {
            case .increment: accounts[Int(slot)].pending = base + entry.event.amountCents
            case .overwrite(let value): accounts[Int(slot)].pending = value
            }
        }
        let balances = touched.map { AccountBalance(account: accountIDs[Int($0)], balanceCents: accounts[Int($0)].pending) }
        return .done(.applied(write.entries.count, balances: balances))
    }

    // MARK: - Rows

    func guardRow(_ id: EventID) -> GuardRow? { guards.row(id) }

    func accountBlocker(_ id: AccountID, _ transaction: Int32) -> Int32? {
        guard let slot = accountIndex.find(id) else { return nil }
        return accounts[Int(slot)].blocks(transaction)
    }

    func offsetBlocker(_ stored: [PartitionOffset], _ transaction: Int32) -> Int32? {
        for offset in stored where Int(offset.partition) < offsets.count {
            if let other = offsets[Int(offset.partition)].blocks(transaction) { return other }
        }
        return nil
    }

    mutating func accountSlot(_ id: AccountID) -> Int32 {
        let (slot, new) = accountIndex.slot(for: id)
        if new {
            accounts.append(VersionedValue())
            history.accounts.append(id)
        }
        return slot
    }

    var accountIDs: [AccountID] { accountIndex.keys }

    /// Locks an account row for the transaction (inserting it when it has none) and returns its balance.
    mutating func lockAccount(_ slot: Int32, _ transaction: Int32) -> Int64 {
        if accounts[Int(slot)].lockedBy != transaction {
            connections[session(transaction)].writes.accounts.append(slot)
        }
        return accounts[Int(slot)].lock(for: transaction) ?? 0
    }

    /// Inserts the event's guard row unless it has one (`known` >= 0: the caller looked it up and found a
    /// row). Returns whether it inserted.
    mutating func insertGuard(_ id: EventID, known: Int32, outcome: UInt8, _ transaction: Int32) -> Bool {
        guard known < 0 else { return false }
        guards.reserve(1)
        let bucket = guards.bucket(of: id)
        guard !guards.isUsed(bucket) || guards.buckets[bucket].inserter < 0 else { return false }
        guards.set(id, at: bucket, outcome: outcome, inserter: transaction)
        connections[session(transaction)].writes.guards.append(id)
        return true
    }

    mutating func insertGuardIfAbsent(_ id: EventID, outcome: UInt8, _ transaction: Int32) {
        _ = insertGuard(id, known: -1, outcome: outcome, transaction)
    }

    /// The effect of one event: its ledger row and `balance + amount` on its account.
    /// The guard row this transaction inserted for the event keeps its account and amount.
    private mutating func applyEffect(_ entry: BatchEntry, account: Int32, batch: Int32, _ transaction: Int32) {
        let slot = account >= 0 ? account : accountSlot(entry.event.account)
        guards.setContent(entry.event.id, account: slot, amount: entry.event.amountCents, by: transaction)
        appendLedgerRow(entry, account: slot, batch: batch, transaction)
        accounts[Int(slot)].pending = lockAccount(slot, transaction) + entry.event.amountCents
    }

    private mutating func appendLedgerRow(_ entry: BatchEntry, account: Int32, batch: Int32, _ transaction: Int32) {
        connections[session(transaction)].writes.ledger.append(DatabaseHistory.LedgerRow(
            eventID: entry.event.id, amountCents: entry.event.amountCents, offset: entry.offset, partition: entry.partition,
            account: account, transaction: -1, batch: batch))
    }

    /// `consumer_offsets` upsert with `GREATEST`: never backwards, whoever writes.
    mutating func storeOffsets(_ stored: [PartitionOffset], _ transaction: Int32) {
        for offset in stored {
            let p = Int(offset.partition)
            if offsets.count <= p { offsets += Array(repeating: VersionedValue(), count: p + 1 - offsets.count) }
            if offsets[p].lockedBy != transaction { connections[session(transaction)].writes.offsets.append(Int32(p)) }
            let current = offsets[p].lock(for: transaction)
            offsets[p].pending = max(current ?? offset.offset, offset.offset)
        }
    }
}
