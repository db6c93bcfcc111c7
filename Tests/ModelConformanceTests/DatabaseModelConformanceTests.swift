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

    /// The seeds to run: `REPLICASAFE_CONFORMANCE_SEED` alone (the re-run a failure prints), or 1 to `sequences`.
    static var seeds: ClosedRange<UInt64> {
        if let seed = UInt64(ProcessInfo.processInfo.environment["REPLICASAFE_CONFORMANCE_SEED"] ?? "") { return seed...seed }
        return 1...UInt64(sequences)
    }

    @Test("generated interleavings give the same answers, waits and committed rows in the model and in PostgreSQL")
    func modelMatchesPostgres() async throws {
        let started = Date()
        let run = try await ConformanceRun.make(ambiguousCommits: true)
        var dropped = false
        defer { if !dropped { Task { await run.drop() } } }
        var steps = 0
        var waits = 0
        var otherBlocker = 0
        var ambiguous = 0
        var failures: [String] = []
        for seed in Self.seeds {
            let outcome = try await run.sequence(seed: seed)
            steps += outcome.steps
            waits += outcome.waits
            otherBlocker += outcome.otherBlocker
            ambiguous += outcome.executed.filter { if case .ambiguousCommit = $0 { return true }; return false }.count
            guard outcome.mismatch != nil else { continue }
            // Only the first failure is shrunk: the budget is for one.
            if failures.isEmpty {
                let shrunk = try await ConformanceShrinker(run: run, seed: seed).shrink(outcome)
                failures.append(shrunk.report)
            } else {
                failures.append("seed \(seed): the model differs from PostgreSQL (\(outcome.executed.count) steps)")
            }
        }
        await run.drop()
        dropped = true
        let seconds = Date().timeIntervalSince(started)
        print("database conformance: \(Self.seeds.count) sequences, \(failures.count) differ, \(steps) steps, \(waits) lock waits "
              + "(\(otherBlocker) steps with a waiter blocked by another session in the model), \(ambiguous) ambiguous commits, "
              + "\(String(format: "%.1f", seconds)) s")
        for failure in failures.prefix(3) { Issue.record(Comment(rawValue: failure)) }
        if Self.seeds.count > 1 {
            #expect(waits > Self.seeds.count / 4, "the sequences must make statements wait for each other")
            #expect(!run.ambiguousCommits || ambiguous > Self.seeds.count / 10, "the sequences must commit ambiguously")
        }
    }

    @Test("a model whose ambiguous COMMIT rolls back is caught (PostgreSQL has committed)")
    func plantedRolledBackAmbiguityIsCaught() async throws {
        let run = try await ConformanceRun.make(ambiguousCommitsRollBack: true, ambiguousCommits: true)
        guard run.ambiguousCommits else {
            await run.drop()
            return
        }
        var caught: UInt64?
        for seed in 1...UInt64(Self.sequences) {
            if try await run.sequence(seed: seed).mismatch != nil {
                caught = seed
                break
            }
        }
        await run.drop()
        #expect(caught != nil, "no sequence told the planted model from PostgreSQL")
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

    @Test("a model that forgets a dead letter's guard row is caught, and the failing sequence shrinks to a shorter reproducer")
    func plantedForgottenGuardShrinks() async throws {
        let run = try await ConformanceRun.make(forgetsDeadLetterGuard: true)
        defer { Task { await run.drop() } }
        var failing: (seed: UInt64, outcome: ConformanceRun.Outcome)?
        for seed in 1...UInt64(Self.sequences) {
            let outcome = try await run.sequence(seed: seed)
            if outcome.mismatch != nil {
                failing = (seed, outcome)
                break
            }
        }
        guard let failing else {
            Issue.record("no sequence told the planted model from PostgreSQL")
            return
        }
        let shrunk = try await ConformanceShrinker(run: run, seed: failing.seed).shrink(failing.outcome)
        print("planted defect (a dead letter without its guard row in the model):\n\(shrunk.report)")
        #expect(shrunk.steps.count < failing.outcome.executed.count, "the reproducer did not shrink")
        let again = try await run.sequence(seed: failing.seed, replaying: shrunk.steps)
        #expect(again.mismatch != nil, "the shrunk reproducer no longer fails")
        #expect(shrunk.steps.contains { if case .statement(_, .deadLetter) = $0 { return true }; return false },
                "the reproducer lost the statement the defect is in")
    }
}

/// One database for a test's sequences (emptied before each), and how a sequence runs on both sides.
struct ConformanceRun {
    struct Outcome {
        var steps = 0
        var waits = 0
        /// Steps where a session waits in both, but for another session in the model.
        var otherBlocker = 0
        /// What differed (nil: nothing); `transcript` shows the steps up to it.
        var mismatch: String?
        var transcript = ""
        /// The steps run, in order (a shared blocker's step replaced by its ROLLBACK): replaying them runs the
        /// same sequence again.
        var executed: [ConformanceStep] = []

        var report: String { transcript + (mismatch ?? "") }
    }

    let name: String
    let url: String
    let owner: PostgresConnection
    let conflictsWait: Bool
    let forgetsDeadLetterGuard: Bool
    let ambiguousCommitsRollBack: Bool
    let ambiguousCommits: Bool

    /// `conflictsWait: false`, `forgetsDeadLetterGuard: true` and `ambiguousCommitsRollBack: true` plant
    /// defects in the model the tests must catch.
    /// `ambiguousCommits`: sequences may end transactions with an ambiguous COMMIT, where the server allows
    /// it (`ConformanceAmbiguity`; `drop` undoes the server setting).
    static func make(conflictsWait: Bool = true, forgetsDeadLetterGuard: Bool = false, ambiguousCommitsRollBack: Bool = false,
                     ambiguousCommits: Bool = false) async throws -> ConformanceRun {
        let (name, url) = try await ConformanceDatabase.makeDatabase()
        let owner = try await ConformanceDatabase.connect(url)
        try await Schema.migrate(owner)
        var ambiguous = false
        if ambiguousCommits { ambiguous = try await ConformanceAmbiguity.enable(owner, url: url) }
        if ambiguousCommits && !ambiguous {
            print("database conformance: no ambiguous commits (the server's synchronous_commit is on, or ALTER SYSTEM is not allowed)")
        }
        return ConformanceRun(name: name, url: url, owner: owner, conflictsWait: conflictsWait,
                              forgetsDeadLetterGuard: forgetsDeadLetterGuard, ambiguousCommitsRollBack: ambiguousCommitsRollBack,
                              ambiguousCommits: ambiguous)
    }

    func drop() async {
        if ambiguousCommits { await ConformanceAmbiguity.disable(owner) }
        await ConformanceDatabase.drop(name)
    }

    /// Runs the sequence of `seed`: generated step by step, or, with `replaying`, the given steps (those that
    /// do not fit the sessions' states at their turn are left out, so any subsequence of a run replays).
    func sequence(seed: UInt64, replaying replay: [ConformanceStep]? = nil) async throws -> Outcome {
        try await owner.simpleQuery("""
            TRUNCATE processed_events, ledger, ledger_batches, accounts, consumer_offsets, event_attempts,
                     settlement_fence, settlements
            """)
        let now = try await owner.query("SELECT floor(extract(epoch FROM now()))::bigint AS s").int64(0, "s") ?? 0
        let period = DatabaseModelConformanceTests.periodSeconds
        let base = now / period
        var generator = ConformanceGenerator(seed: seed, ambiguousCommits: ambiguousCommits)
        var model = ConformanceModelSide(sessions: generator.sessions, periodMilliseconds: period * 1000, base: base,
                                         conflictsWait: conflictsWait, forgetsDeadLetterGuard: forgetsDeadLetterGuard,
                                         ambiguousCommitsRollBack: ambiguousCommitsRollBack)
        let live = try await ConformanceLiveSide(url: url, observer: owner, sessions: generator.sessions,
                                                 periodSeconds: period, base: base)
        var script = ConformanceScript(sessions: generator.sessions)
        var outcome = Outcome()
        let length = 10 + Int(generator.random.next() % 16)
        var queue = replay.map { ArraySlice($0) }
        while var step = queue == nil
            ? script.next(using: &generator, draining: outcome.steps >= length) : script.next(from: &queue!) {
            if Self.wouldShareABlocker(step, model) { step = .rollback(step.session) }
            outcome.executed.append(step)
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
                outcome.transcript = script.transcript
                outcome.mismatch = "\n  model:      \(expected)\n  PostgreSQL: \(observed)"
                try await live.close()
                return outcome
            }
            if !expected.sameBlockers(as: observed) { outcome.otherBlocker += 1 }
            script.apply(step, observed)
            guard outcome.steps < 400 else { break }
        }
        try await live.close()
        outcome.transcript = script.transcript
        let differences = model.state(events: generator.events).differences(from: try await Self.state(owner, base: base))
        if !differences.isEmpty {
            outcome.mismatch = "\n  committed rows differ:\n    " + differences.joined(separator: "\n    ")
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
    /// The last statement each session's open transaction ran.
    private var last: [ConformanceStatement?]
    private(set) var transcript = ""

    init(sessions: Int) {
        states = Array(repeating: .idle, count: sessions)
        last = Array(repeating: nil, count: sessions)
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

    /// The next step of a replay that fits the sessions' states (the others are dropped); nil when none is left.
    mutating func next(from queue: inout ArraySlice<ConformanceStep>) -> ConformanceStep? {
        while let step = queue.popFirst() {
            if allows(step) { return step }
        }
        return nil
    }

    /// Whether `step` can be taken now: its session is not waiting and is in a state the step follows from.
    func allows(_ step: ConformanceStep) -> Bool {
        let s = step.session
        guard s < states.count, !waiting.contains(s) else { return false }
        switch step {
        case .begin: return states[s] == .idle
        case .statement(_, let statement): return states[s] == .begun || states[s] == .ran && statement.follows(last[s])
        case .commit, .rollback: return states[s] != .idle
        case .ambiguousCommit: return states[s] == .begun || states[s] == .ran
        case .terminate, .disconnect: return true
        }
    }

    mutating func record(_ step: ConformanceStep, _ observed: ConformanceObservation) {
        transcript += "\n  \(step) -> \(observed)"
    }

    mutating func apply(_ step: ConformanceStep, _ observed: ConformanceObservation) {
        let s = step.session
        switch step {
        case .begin:
            states[s] = .begun
            last[s] = nil
        case .statement(_, let statement):
            last[s] = statement
            switch observed.answer {
            case .ok, .ambiguous: states[s] = .ran
            case .error: states[s] = .idle
            case .waits: break
            }
        case .commit, .ambiguousCommit, .rollback, .terminate, .disconnect: states[s] = .idle
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
