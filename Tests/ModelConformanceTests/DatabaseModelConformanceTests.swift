import Core
import Foundation
import LivePostgres
import Testing

/// The simulator's PostgreSQL model is what PostgreSQL does for the worker's statements: generated sequences of
/// BEGIN, `LedgerSQL` statements, COMMIT, ROLLBACK and server-side terminations, from two to four sessions
/// interleaved step by step, run on `DatabaseModel` and on PostgreSQL, must give the same answers, the same
/// statements waiting for the same sessions, and the same committed tables.
@Suite("The database model against PostgreSQL", .serialized)
struct DatabaseModelConformanceTests {
    static let periodSeconds: Int64 = 3600
    static var sequences: Int {
        Int(ProcessInfo.processInfo.environment["REPLICASAFE_CONFORMANCE_SEQUENCES"] ?? "") ?? 200
    }

    @Test("generated interleavings give the same answers, waits and committed rows in the model and in PostgreSQL")
    func modelMatchesPostgres() async throws {
        let started = Date()
        let run = try await ConformanceRun.make()
        defer { Task { await run.drop() } }
        var steps = 0
        var waits = 0
        var otherBlocker = 0
        var failures: [String] = []
        for seed in 1...UInt64(Self.sequences) {
            let outcome = try await run.sequence(seed: seed)
            steps += outcome.steps
            waits += outcome.waits
            otherBlocker += outcome.otherBlocker
            if let mismatch = outcome.mismatch { failures.append("seed \(seed): the model differs from PostgreSQL\n\(mismatch)") }
        }
        let seconds = Date().timeIntervalSince(started)
        print("database conformance: \(Self.sequences) sequences, \(failures.count) differ, \(steps) steps, \(waits) lock waits "
              + "(\(otherBlocker) steps with a waiter blocked by another session in the model), "
              + "\(String(format: "%.1f", seconds)) s")
        for failure in failures.prefix(3) { Issue.record(Comment(rawValue: failure)) }
        #expect(waits > Self.sequences / 4, "the sequences must make statements wait for each other")
    }

    @Test("a model whose ON CONFLICT does not wait for an uncommitted insert is caught")
    func plantedNonWaitingConflictIsCaught() async throws {
        let run = try await ConformanceRun.make(conflictsWait: false)
        defer { Task { await run.drop() } }
        var caught: UInt64?
        for seed in 1...UInt64(Self.sequences) {
            if try await run.sequence(seed: seed).mismatch != nil {
                caught = seed
                break
            }
        }
        #expect(caught != nil, "no sequence told the planted model from PostgreSQL")
    }
}

/// One database for a test's sequences (emptied before each), and how a sequence runs on both sides.
struct ConformanceRun {
    struct Outcome {
        var steps = 0
        var waits = 0
        /// Steps where a session waits in both, but for another session in the model.
        var otherBlocker = 0
        var mismatch: String?
    }

    let name: String
    let url: String
    let owner: PostgresConnection
    let conflictsWait: Bool

    static func make(conflictsWait: Bool = true) async throws -> ConformanceRun {
        let (name, url) = try await ConformanceDatabase.makeDatabase()
        let owner = try await ConformanceDatabase.connect(url)
        try await Schema.migrate(owner)
        return ConformanceRun(name: name, url: url, owner: owner, conflictsWait: conflictsWait)
    }

    func drop() async { await ConformanceDatabase.drop(name) }

    func sequence(seed: UInt64) async throws -> Outcome {
        try await owner.simpleQuery("""
            TRUNCATE processed_events, ledger, ledger_batches, accounts, consumer_offsets, event_attempts,
                     settlement_fence, settlements
            """)
        let now = try await owner.query("SELECT floor(extract(epoch FROM now()))::bigint AS s").int64(0, "s") ?? 0
        let period = DatabaseModelConformanceTests.periodSeconds
        let base = now / period
        var generator = ConformanceGenerator(seed: seed)
        var model = ConformanceModelSide(sessions: generator.sessions, periodMilliseconds: period * 1000, base: base,
                                         conflictsWait: conflictsWait)
        let live = try await ConformanceLiveSide(url: url, observer: owner, sessions: generator.sessions,
                                                 periodSeconds: period, base: base)
        var script = ConformanceScript(sessions: generator.sessions)
        var outcome = Outcome()
        let length = 10 + Int(generator.random.next() % 16)
        while var step = script.next(using: &generator, draining: outcome.steps >= length) {
            if Self.wouldShareABlocker(step, model) { step = .rollback(step.session) }
            var (observed, time) = try await live.run(step)
            var expected = model.run(step, at: step.isBegin ? time : script.time(of: step.session))
            // LedgerStore rolls back at once after a failed statement (one that failed after waiting too).
            // PostgreSQL has already aborted the transaction at the error, and waiters on it resume then; the
            // model aborts at the ROLLBACK, which follows before anything else can happen.
            var failed = Self.failedSessions(step, observed)
            while let s = failed.popLast() {
                let (rolledBack, _) = try await live.run(.rollback(s))
                let modelRolledBack = model.run(.rollback(s), at: script.time(of: s))
                observed.resumed.merge(rolledBack.resumed) { first, _ in first }
                observed.waiting = rolledBack.waiting
                expected.resumed.merge(modelRolledBack.resumed) { first, _ in first }
                expected.waiting = modelRolledBack.waiting
                failed += Self.failedSessions(.rollback(s), rolledBack)
            }
            if step.isBegin { script.started(step.session, at: time) }
            outcome.steps += 1
            outcome.waits += observed.answer == .waits ? 1 : 0
            script.record(step, observed)
            guard expected.matches(observed) else {
                outcome.mismatch = script.transcript + "\n  model:      \(expected)\n  PostgreSQL: \(observed)"
                try await live.close()
                return outcome
            }
            if !expected.sameBlockers(as: observed) { outcome.otherBlocker += 1 }
            script.apply(step, observed)
            guard outcome.steps < 400 else { break }
        }
        try await live.close()
        let differences = model.state(events: generator.events).differences(from: try await Self.state(owner, base: base))
        if !differences.isEmpty {
            outcome.mismatch = script.transcript + "\n  committed rows differ:\n    " + differences.joined(separator: "\n    ")
        }
        return outcome
    }

    static func failedSessions(_ step: ConformanceStep, _ observed: ConformanceObservation) -> [Int] {
        var sessions = observed.resumed.filter { $0.value.isError }.map(\.key).sorted()
        if case .statement = step, observed.answer.isError { sessions.append(step.session) }
        return sessions
    }

    /// Whether the statement would wait for a transaction another statement already waits for. PostgreSQL
    /// wakes all of them at once when it ends and they race (who takes a contended row next is up to the
    /// scheduler), so a deterministic comparison leaves such interleavings out; the session rolls back instead.
    static func wouldShareABlocker(_ step: ConformanceStep, _ model: ConformanceModelSide) -> Bool {
        guard case .statement = step else { return false }
        var copy = model
        let predicted = copy.run(step, at: model.base)
        guard let blocker = predicted.waiting[step.session]?.first else { return false }
        return predicted.waiting.contains { $0.key != step.session && $0.value.contains(blocker) }
    }

    /// PostgreSQL's committed tables, rendered as the model side renders its own.
    static func state(_ db: PostgresConnection, base: Int64) async throws -> ConformanceState {
        func lines(_ sql: String) async throws -> [String] {
            let rows = try await db.query(sql)
            return (0..<rows.count).map { row in rows.columns.map { rows.value(row, $0) ?? "NULL" }.joined(separator: " ") }.sorted()
        }
        var state = ConformanceState()
        state.ledger = try await lines("""
            SELECT event_id::text, account_id, amount_cents, 'p' || kafka_partition || ':' || kafka_offset FROM ledger
            """)
        state.guards = try await lines("SELECT event_id::text, outcome, account_id, amount_cents FROM processed_events")
        state.balances = try await lines("SELECT account_id, balance_cents FROM accounts WHERE balance_cents <> 0")
        state.offsets = try await lines("SELECT 'p' || kafka_partition || ':' || next_offset FROM consumer_offsets")
        state.attempts = try await lines("SELECT event_id::text, attempts FROM event_attempts")
        state.settlements = try await lines("SELECT job, 'P' || (period - \(base)), total_cents FROM settlements")
        state.batches = try await lines("""
            SELECT entries, total_cents, coalesce('P' || (settled_period - \(base)), 'unsettled') FROM ledger_batches
            """)
        return state
    }
}

/// Each session's state as both sides agreed it is, the steps so far, and the choice of the next step.
struct ConformanceScript {
    private var states: [ConformanceGenerator.SessionState]
    private var waiting: Set<Int> = []
    private var begunAt: [Int64]
    private(set) var transcript = ""

    init(sessions: Int) {
        states = Array(repeating: .idle, count: sessions)
        begunAt = Array(repeating: 0, count: sessions)
    }

    func time(of session: Int) -> Int64 { begunAt[session] }
    mutating func started(_ session: Int, at time: Int64) { begunAt[session] = time }

    /// A session that is not waiting takes its next step; when draining, sessions only end their transactions.
    /// Nil when the sequence is over.
    mutating func next(using generator: inout ConformanceGenerator, draining: Bool) -> ConformanceStep? {
        let free = states.indices.filter { !waiting.contains($0) && (!draining || states[$0] != .idle) }
        guard !free.isEmpty else { return nil }
        let s = free[Int(generator.random.next() % UInt64(free.count))]
        guard draining else { return generator.step(for: s, in: states[s]) }
        return states[s] == .ran ? .commit(s) : .rollback(s)
    }

    mutating func record(_ step: ConformanceStep, _ observed: ConformanceObservation) {
        transcript += "\n  \(step) -> \(observed)"
    }

    mutating func apply(_ step: ConformanceStep, _ observed: ConformanceObservation) {
        let s = step.session
        switch step {
        case .begin: states[s] = .begun
        case .statement:
            switch observed.answer {
            case .ok: states[s] = .ran
            case .error: states[s] = .idle
            case .waits: break
            }
        case .commit, .rollback, .terminate: states[s] = .idle
        }
        for (session, answer) in observed.resumed {
            if case .error = answer { states[session] = .idle } else { states[session] = .ran }
        }
        waiting = Set(observed.waiting.keys)
    }
}

extension ConformanceStep {
    var isBegin: Bool {
        if case .begin = self { return true }
        return false
    }
}
