import Core

/// What a conformance sequence does, one protocol step at a time: the steps `LedgerStore` sends (BEGIN, one
/// of its statements, COMMIT or ROLLBACK), from several sessions interleaved, plus the server ending a session.
enum ConformanceStep: CustomStringConvertible {
    case begin(Int)
    case statement(Int, ConformanceStatement)
    case commit(Int)
    /// COMMIT whose server process is terminated after the local commit, while it waits for a synchronous
    /// standby that never answers: PostgreSQL has committed, the client sees its connection drop.
    case ambiguousCommit(Int)
    case rollback(Int)
    /// `pg_terminate_backend` of the session's server process (the session reconnects at its next BEGIN).
    case terminate(Int)
    /// The client's connection goes away between statements (the server aborts the open transaction).
    case disconnect(Int)

    var session: Int {
        switch self {
        case .begin(let s), .statement(let s, _), .commit(let s), .ambiguousCommit(let s), .rollback(let s), .terminate(let s),
             .disconnect(let s):
            return s
        }
    }

    var description: String {
        switch self {
        case .begin(let s): return "s\(s) BEGIN"
        case .statement(let s, let statement): return "s\(s) \(statement)"
        case .commit(let s): return "s\(s) COMMIT"
        case .ambiguousCommit(let s): return "s\(s) COMMIT, its server process terminated while waiting for the synchronous standby"
        case .rollback(let s): return "s\(s) ROLLBACK"
        case .terminate(let s): return "s\(s) terminated by the server"
        case .disconnect(let s): return "s\(s) connection lost"
        }
    }
}

/// A `LedgerSQL` statement with its arguments. Settlement periods are relative to the period the sequence
/// starts in (`base`), so that the same sequence means the same on any day.
enum ConformanceStatement: CustomStringConvertible {
    case batch(BatchWrite, optimistic: Bool)
    /// `rs_guard_conflicts` over a batch's entries.
    case conflicts(BatchWrite)
    case deadLetter(DeadLetterMark)
    case failure(FailureRecord)
    case loadOffsets([PartitionID])
    case settle(from: Int64, through: Int64)
    /// The before worker's transaction: `rs_ensure_accounts`, then `rs_plain_batch` (no guard; balances as
    /// increments or Core's cached overwrites), then the offsets alone (`rs_guarded_batch` without entries).
    case ensureAccounts(BatchWrite)
    case plainBatch(BatchWrite)
    case offsetsOnly(BatchWrite)
    /// The before worker's `rs_plain_settlement` of one period.
    case plainSettle(Int64)

    func settlement(base: Int64) -> SettlementWrite {
        switch self {
        case .settle(let from, let through):
            return SettlementWrite(job: "settlement", fromPeriod: base + from, throughPeriod: base + through, fenced: true,
                                   settledBy: "conformance")
        case .plainSettle(let period):
            return SettlementWrite(job: "settlement", fromPeriod: base + period, throughPeriod: base + period, fenced: false,
                                   settledBy: "conformance")
        default: preconditionFailure("not a settlement")
        }
    }

    /// Whether it goes on a transaction whose last statement was `previous` (the before worker's three).
    func follows(_ previous: ConformanceStatement?) -> Bool {
        switch (previous, self) {
        case (.ensureAccounts?, .plainBatch), (.plainBatch?, .offsetsOnly): return true
        default: return false
        }
    }

    var description: String {
        switch self {
        case .batch(let write, let optimistic):
            let entries = write.entries.map { "\($0.event.id.description.prefix(4))@p\($0.partition):\($0.offset)" }
            return "\(optimistic ? "rs_optimistic_guarded_batch" : "rs_guarded_batch") [\(entries.joined(separator: " "))]"
                + " offsets \(write.storeOffsets.map { "p\($0.partition):\($0.offset)" }.joined(separator: " "))"
        case .conflicts(let write):
            return "rs_guard_conflicts [\(write.entries.map { "\($0.event.id.description.prefix(4))@p\($0.partition):\($0.offset)" }.joined(separator: " "))]"
        case .deadLetter(let mark):
            return "rs_mark_dead_lettered \(mark.eventID.map { String($0.description.prefix(4)) } ?? "-")@p\(mark.partition):\(mark.offset)"
        case .failure(let record): return "rs_record_failure \(record.eventID.description.prefix(4))"
        case .loadOffsets(let partitions): return "rs_load_offsets \(partitions)"
        case .settle(let from, let through): return "rs_fenced_settlement periods P\(from)...P\(through)"
        case .ensureAccounts(let write): return "rs_ensure_accounts \(write.entries.map(\.event.account.rawValue))"
        case .plainBatch(let write):
            let entries = write.entries.map { entry in
                let balance = if case .overwrite(let value) = entry.balance { " balance:=\(value)" } else { "" }
                return "\(entry.event.id.description.prefix(4))@p\(entry.partition):\(entry.offset)\(balance)"
            }
            return "rs_plain_batch [\(entries.joined(separator: " "))]"
        case .offsetsOnly(let write):
            return "rs_guarded_batch [] offsets \(write.storeOffsets.map { "p\($0.partition):\($0.offset)" }.joined(separator: " "))"
        case .plainSettle(let period): return "rs_plain_settlement period P\(period)"
        }
    }
}

/// The generated world of one sequence: a few events on a few accounts, each at one or two messages (a
/// producer retry puts the same event at a second offset; a client reusing an event id puts another event
/// under the same id), and the rules that pick each session's next step.
struct ConformanceGenerator {
    struct Message {
        var event: Event
        var partition: PartitionID
        var offset: Offset
    }

    enum SessionState {
        case idle
        case begun
        case ran
        case failed
    }

    var random: SplitMix64
    let sessions: Int
    private(set) var messages: [Message] = []
    private(set) var events: [Event] = []
    /// The statements each session's transaction still has to send (the before worker's).
    private var plans: [[ConformanceStatement]]
    /// Whether the sessions are before workers (one sequence in four); the two modes never share a database.
    private(set) var beforeMode = false

    /// Whether the server is set up for ambiguous commits (`ConformanceRun.make`).
    let ambiguousCommits: Bool

    init(seed: UInt64, ambiguousCommits: Bool = false) {
        self.ambiguousCommits = ambiguousCommits
        random = SplitMix64(seed: seed)
        sessions = 2 + Int(random.next() % 3)
        plans = Array(repeating: [], count: sessions)
        let accounts = (0..<3).map { AccountID("acct-\($0)") }
        var nextOffset: [Offset] = [0, 0]
        for _ in 0..<(4 + Int(random.next() % 5)) {
            // One event in five reuses an earlier event's id with its own account and amount.
            let reused = !events.isEmpty && random.next() % 5 == 0 ? events[Int(random.next() % UInt64(events.count))].id : nil
            let id = reused ?? EventID(high: random.next(), low: random.next())
            let amount = random.next() % 16 == 0 ? 2_000_000_000_000 : Int64(random.next() % 20_000) - 5_000
            let event = Event(id: id, account: accounts[Int(random.next() % 3)], amountCents: amount,
                              occurredAt: Timestamp(milliseconds: 0))
            events.append(event)
            for _ in 0..<(random.next() % 4 == 0 ? 2 : 1) {
                let partition = PartitionID(Int32(random.next() % 2))
                messages.append(Message(event: event, partition: partition, offset: nextOffset[Int(partition)]))
                nextOffset[Int(partition)] += 1
            }
        }
        beforeMode = random.next() % 4 == 0
    }

    /// The next step of session `s` in `state` (`blocked` sessions are never asked).
    mutating func step(for s: Int, in state: SessionState) -> ConformanceStep {
        if random.next() % 40 == 0 { return random.next() % 3 == 0 ? .disconnect(s) : .terminate(s) }
        switch state {
        case .idle: return .begin(s)
        case .begun:
            plans[s] = beforeMode ? beforeTransaction() : [statement()]
            return .statement(s, plans[s].removeFirst())
        case .ran:
            if !plans[s].isEmpty, random.next() % 8 != 0 { return .statement(s, plans[s].removeFirst()) }
            if random.next() % 5 == 0 { return .rollback(s) }
            return ambiguousCommits && random.next() % 6 == 0 ? .ambiguousCommit(s) : .commit(s)
        case .failed: return .rollback(s)
        }
    }

    private mutating func statement() -> ConformanceStatement {
        switch random.next() % 22 {
        case 0..<12: return batch()
        case 12, 13:
            let message = messages[Int(random.next() % UInt64(messages.count))]
            return .deadLetter(DeadLetterMark(eventID: message.event.id, partition: message.partition, offset: message.offset))
        case 14, 15:
            let message = messages[Int(random.next() % UInt64(messages.count))]
            return .failure(FailureRecord(eventID: message.event.id, partition: message.partition, offset: message.offset,
                                          reason: "conformance"))
        case 16: return .loadOffsets([0, 1])
        case 20, 21:
            guard case .batch(let write, _) = batch() else { preconditionFailure("batch() makes batches") }
            return .conflicts(write)
        default:
            let through = -Int64(random.next() % 2)
            return .settle(from: through - Int64(random.next() % 2), through: through)
        }
    }

    /// What the before worker sends: a batch's three statements, or a plain settlement of the current or the
    /// previous period.
    private mutating func beforeTransaction() -> [ConformanceStatement] {
        if random.next() % 6 == 0 { return [.plainSettle(-Int64(random.next() % 2))] }
        guard case .batch(var write, _) = batch() else { preconditionFailure("batch() makes batches") }
        write.deduplicate = false
        // Whether rs_plain_batch fails its ledger CHECK before or after it waits for a locked account row
        // follows PostgreSQL's plan for the statement (both seen), which the model cannot know: such entries
        // stay out of the before worker's batches (the guarded batches keep them).
        write.entries.removeAll { abs($0.event.amountCents) > 1_000_000_000_000 }
        guard !write.entries.isEmpty else { return [.plainSettle(0)] }
        for index in write.entries.indices where random.next() % 3 == 0 {
            write.entries[index].balance = .overwrite(Int64(random.next() % 10_000))
        }
        return [.ensureAccounts(write), .plainBatch(write), .offsetsOnly(write)]
    }

    /// One to four messages in partition and offset order, as a consumer's batch holds them, with the offsets
    /// after each partition's last one stored.
    private mutating func batch() -> ConformanceStatement {
        let count = 1 + Int(random.next() % 4)
        var picked: [Int] = []
        for _ in 0..<count {
            let index = Int(random.next() % UInt64(messages.count))
            if !picked.contains(index) { picked.append(index) }
        }
        let chosen = picked.map { messages[$0] }.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
        let entries = chosen.map { BatchEntry(partition: $0.partition, offset: $0.offset, event: $0.event, balance: .increment) }
        var stored: [PartitionOffset] = []
        for entry in entries {
            if let last = stored.indices.last, stored[last].partition == entry.partition {
                stored[last].offset = entry.offset + 1
            } else {
                stored.append(PartitionOffset(partition: entry.partition, offset: entry.offset + 1))
            }
        }
        let write = BatchWrite(entries: entries, deduplicate: true, storeOffsets: stored, workerID: "conformance")
        return .batch(write, optimistic: random.next() % 3 == 0)
    }
}
