import Core
@testable import Sim

/// What a client can observe of one step: the answer to the step itself, the answers that statements waiting
/// in other sessions got because of it, and which sessions wait for which afterwards.
struct ConformanceObservation: Equatable, CustomStringConvertible {
    enum Answer: Equatable, CustomStringConvertible {
        case ok(String)
        case waits
        case error(String)
        /// The model's COMMIT applied, and the client saw its connection drop: PostgreSQL must report a lost
        /// connection (whether it committed shows in what the next steps and the committed rows see).
        case ambiguous

        var isError: Bool {
            if case .error = self { return true }
            return false
        }

        var description: String {
            switch self {
            case .ok(let reply): return reply.isEmpty ? "ok" : reply
            case .waits: return "waits"
            case .error(let state): return "ERROR \(state)"
            case .ambiguous: return "ambiguous (committed, the connection dropped)"
            }
        }

        /// Whether PostgreSQL's `live` answer is this one; an ambiguous answer is a lost connection.
        func accepts(_ live: Answer) -> Bool {
            guard self == .ambiguous else { return self == live }
            guard case .error(let state) = live else { return false }
            return state == "connection lost" || state == "57P01" || state.hasPrefix("08")
        }
    }

    var answer: Answer
    var resumed: [Int: Answer] = [:]

    /// The balances a plain batch returns (Core's before-mode cache), in account order.
    /// A settlement's result rows: per period (relative to `base`) its total, the batches it marked and the event
    /// ids of the ledger rows it counted, in the order returned.
    static func render(settled: [(period: Int64, total: Int64, batches: Int64, events: [String])], base: Int64) -> String {
        "settled" + settled.map { " P\($0.period - base)=\($0.total)/\($0.batches)b[\($0.events.joined(separator: ","))]" }.joined()
    }

    static func render(balances: [(String, Int64)]) -> String {
        balances.isEmpty ? "" : " balances " + balances.sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
    }
    /// Waiting session -> the sessions it waits for (the model names one; PostgreSQL may name several, a lock
    /// queue's earlier waiters too).
    var waiting: [Int: Set<Int>] = [:]

    /// Same answers and the same waiting sessions.
    func matches(_ live: ConformanceObservation) -> Bool {
        answer.accepts(live.answer) && resumed == live.resumed && waiting.keys.sorted() == live.waiting.keys.sorted()
    }

    /// Whether each waiting session waits, in the model, for one of the sessions PostgreSQL names. They can
    /// differ: a PostgreSQL statement that waits keeps the rows it locked before, the model's holds none.
    func sameBlockers(as live: ConformanceObservation) -> Bool {
        waiting.allSatisfy { $0.value.isSubset(of: live.waiting[$0.key] ?? []) }
    }

    var description: String {
        var text = answer.description
        if !resumed.isEmpty { text += "; resumed " + resumed.sorted { $0.key < $1.key }.map { "s\($0.key): \($0.value)" }.joined(separator: ", ") }
        if !waiting.isEmpty {
            text += "; waiting " + waiting.sorted { $0.key < $1.key }
                .map { "s\($0.key) on \($0.value.sorted().map { "s\($0)" }.joined(separator: "/"))" }.joined(separator: ", ")
        }
        return text
    }
}

/// The committed state both sides end with, as sorted text lines per table.
struct ConformanceState: Equatable {
    var ledger: [String] = []
    var guards: [String] = []
    var balances: [String] = []
    var offsets: [String] = []
    var attempts: [String] = []
    var settlements: [String] = []
    var batches: [String] = []

    func differences(from other: ConformanceState) -> [String] {
        let tables: [(String, [String], [String])] = [
            ("ledger", ledger, other.ledger), ("processed_events", guards, other.guards), ("accounts", balances, other.balances),
            ("consumer_offsets", offsets, other.offsets), ("event_attempts", attempts, other.attempts),
            ("settlements", settlements, other.settlements), ("ledger_batches", batches, other.batches),
        ]
        return tables.filter { $0.1 != $0.2 }.map { "\($0.0): model \($0.1) vs PostgreSQL \($0.2)" }
    }
}

/// The simulator's `DatabaseModel` driven by a conformance sequence, one client per session.
struct ConformanceModelSide {
    var model: DatabaseModel
    var connections: [Int32]
    var transactions: [Int32]
    let base: Int64
    /// A planted defect: the model marks a dead letter without its guard row (the offset only).
    let forgetsDeadLetterGuard: Bool
    /// A planted defect: the model's ambiguous COMMIT rolls back.
    let ambiguousCommitsRollBack: Bool

    init(sessions: Int, periodMilliseconds: Int64, base: Int64, conflictsWait: Bool = true, forgetsDeadLetterGuard: Bool = false,
         ambiguousCommitsRollBack: Bool = false) {
        model = DatabaseModel(settlementPeriod: periodMilliseconds)
        model.conflictsWait = conflictsWait
        connections = []
        transactions = Array(repeating: -1, count: sessions)
        self.base = base
        self.forgetsDeadLetterGuard = forgetsDeadLetterGuard
        self.ambiguousCommitsRollBack = ambiguousCommitsRollBack
        for s in 0..<sessions { connections.append(model.connect(client: Int32(s))) }
    }

    /// Runs `step` at `time` (the transaction's `now()` for BEGIN, as PostgreSQL reported it).
    mutating func run(_ step: ConformanceStep, at time: Int64) -> ConformanceObservation {
        let s = step.session
        var wakeups: [DatabaseModel.Wakeup] = []
        var answer = ConformanceObservation.Answer.ok("")
        switch step {
        case .begin:
            if !model.isOpen(connections[s]) { connections[s] = model.connect(client: Int32(s)) }
            transactions[s] = model.begin(connections[s], writer: DatabaseModel.Writer(pod: Int32(s), member: 0, generation: 0), at: time)
        case .statement(_, let statement):
            let (result, woken) = model.execute(modelStatement(statement), on: connections[s], at: time)
            answer = Self.answer(result, to: statement, base: base)
            wakeups = woken
        case .commit:
            let (result, woken) = model.commit(connections[s], at: time)
            answer = Self.answer(result, to: nil, base: base)
            wakeups = woken
        case .ambiguousCommit where ambiguousCommitsRollBack:
            answer = .ambiguous
            wakeups = model.terminate(connections[s], at: time)
            transactions[s] = -1
        case .ambiguousCommit:
            let (result, woken) = model.commit(connections[s], at: time)
            answer = Self.answer(result, to: nil, base: base)
            if case .ok = answer { answer = .ambiguous }
            wakeups = woken + model.terminate(connections[s], at: time)
            transactions[s] = -1
        case .rollback:
            wakeups = model.rollback(connections[s], at: time)
        case .terminate:
            wakeups = model.terminate(connections[s], at: time)
            transactions[s] = -1
        case .disconnect:
            wakeups = model.disconnect(connections[s], at: time)
            transactions[s] = -1
        }
        var observation = ConformanceObservation(answer: answer)
        for wakeup in wakeups {
            guard let woken = connections.firstIndex(of: wakeup.connection) else { continue }
            observation.resumed[woken] = Self.answer(wakeup.result, to: nil, base: base)
        }
        if case .terminate = step { observation.resumed[s] = nil }
        for (session, connection) in connections.enumerated() {
            guard let waiting = model.connections[Int(connection)].waiting,
                  let blocker = transactions.firstIndex(of: waiting.on) else { continue }
            observation.waiting[session] = [blocker]
        }
        return observation
    }

    func modelStatement(_ statement: ConformanceStatement) -> DatabaseModel.Statement {
        switch statement {
        case .batch(let write, let optimistic): return optimistic ? .optimisticGuardedBatch(write) : .guardedBatch(write)
        case .conflicts(let write): return .guardConflicts(write)
        case .deadLetter(var mark):
            if forgetsDeadLetterGuard { mark.eventID = nil }
            return .markDeadLettered(mark)
        case .failure(let record): return .recordFailure(record)
        case .loadOffsets(let partitions): return .loadOffsets(partitions)
        case .settle: return .fencedSettlement(statement.settlement(base: base))
        case .ensureAccounts(let write): return .ensureAccounts(Set(write.entries.map(\.event.account)).sorted())
        case .plainBatch(let write): return .plainBatch(write)
        case .offsetsOnly(let write):
            return .guardedBatch(BatchWrite(entries: [], deduplicate: true, storeOffsets: write.storeOffsets, workerID: write.workerID))
        case .plainSettle: return .plainSettlement(statement.settlement(base: base))
        }
    }

    /// A result as a client sees it: replies rendered as the live side renders PostgreSQL's rows.
    static func answer(_ result: DatabaseModel.StatementResult, to statement: ConformanceStatement?, base: Int64) -> ConformanceObservation.Answer {
        switch result {
        case .blocked: return .waits
        case .failed(let error): return .error(error.connectionLost && error.state != "57P01" ? "connection lost" : error.state)
        case .done(let reply):
            switch reply {
            case .none: return .ok("")
            case .applied(let count, let balances):
                return .ok("applied \(count)" + ConformanceObservation.render(balances: balances.map { ($0.account.rawValue, $0.balanceCents) }))
            case .attempts(let count): return .ok("attempts \(count)")
            case .offsets(let stored):
                return .ok("offsets " + stored.map { "p\($0.partition):\($0.nextOffset.map(String.init) ?? "-")" }.joined(separator: " "))
            case .settled(let rows):
                return .ok(ConformanceObservation.render(
                    settled: rows.map { ($0.period, $0.totalCents, Int64($0.batches), $0.events.map(\.description)) }, base: base))
            case .guardRows: return .ok("guard rows")
            case .conflict(let found?): return .ok("conflict \(found.entry) \(found.account) \(found.amountCents)")
            case .conflict(nil): return .ok("no conflict")
            }
        }
    }

    /// The committed tables, over the sequence's events, accounts and partitions.
    func state(events: [Event]) -> ConformanceState {
        var state = ConformanceState()
        let history = model.history
        state.ledger = history.ledger.map {
            "\($0.eventID) \(history.account(of: $0)) \($0.amountCents) p\($0.partition):\($0.offset)"
        }.sorted()
        var seen = Set<EventID>()
        for event in events where seen.insert(event.id).inserted {
            if let outcome = model.guardOutcome(of: event.id) {
                let content = model.guards.content(of: event.id).flatMap { $0.account >= 0 ? $0 : nil }
                let stored = content.map { "\(model.accountIDs[Int($0.account)]) \($0.amount)" } ?? "NULL NULL"
                state.guards.append("\(event.id) \(outcome == 1 ? "applied" : "dead_lettered") \(stored)")
            }
            let attempts = model.attemptCount(of: event.id)
            if attempts > 0 { state.attempts.append("\(event.id) \(attempts)") }
        }
        state.guards.sort()
        state.attempts.sort()
        let accounts = Set(events.map(\.account)).sorted()
        state.balances = accounts.map { "\($0) \(model.balance(of: $0))" }.filter { !$0.hasSuffix(" 0") }
        state.offsets = [PartitionID(0), 1].compactMap { p in model.storedOffset(p).map { "p\(p):\($0)" } }
        state.settlements = history.settlements.map { "\($0.job) P\($0.period - base) \($0.totalCents)" }.sorted()
        state.batches = history.batches.map { batch in
            let period = batch.settlement >= 0 ? "P\(history.settlements[Int(batch.settlement)].period - base)" : "unsettled"
            return "\(batch.rows) \(batch.totalCents) \(period)"
        }.sorted()
        return state
    }
}
