import Core
import Foundation
import LivePostgres
@testable import LiveWorker
import Synchronization
import TestPolling

/// PostgreSQL driven by a conformance sequence: one connection per session sending what `LedgerStore` sends,
/// and an observer connection that tells a statement waiting for a lock (`pg_blocking_pids` not empty) from
/// one still running, so every step ends in a state both sides can be compared in, without sleeping.
final class ConformanceLiveSide {
    /// A statement sent and not answered yet; its task fills `answer`.
    final class Pending: Sendable {
        let answer = Mutex<ConformanceObservation.Answer?>(nil)
    }

    static let groupID = "conformance-group"
    static let topic = "conformance-topic"

    let url: String
    let observer: PostgresConnection
    let periodSeconds: Int64
    let base: Int64
    private var sessions: [PostgresConnection] = []
    private var pids: [Int32] = []
    private var pending: [Pending?] = []
    private var terminated: [Bool] = []

    init(url: String, observer: PostgresConnection, sessions count: Int, periodSeconds: Int64, base: Int64) async throws {
        self.url = url
        self.observer = observer
        self.periodSeconds = periodSeconds
        self.base = base
        for _ in 0..<count {
            let connection = try await ConformanceDatabase.connect(url)
            for statement in LedgerSQL.all { try await connection.prepare(statement.name, statement.sql) }
            sessions.append(connection)
            pids.append(await connection.backendPID())
            pending.append(nil)
            terminated.append(false)
        }
    }

    /// Runs `step`; returns the observation and, for BEGIN, the transaction's `now()` in epoch milliseconds.
    func run(_ step: ConformanceStep) async throws -> (ConformanceObservation, time: Int64) {
        let s = step.session
        var time: Int64 = 0
        var commitAnswer: ConformanceObservation.Answer?
        switch step {
        case .begin:
            if terminated[s] {
                try await sessions[s].reconnect()
                pids[s] = await sessions[s].backendPID()
                terminated[s] = false
            }
            try await sessions[s].query("BEGIN")
            let rows = try await sessions[s].query("SELECT floor(extract(epoch FROM now()) * 1000)::bigint AS ms")
            time = rows.int64(0, "ms") ?? 0
        case .statement(_, let statement):
            start(s, statement)
        case .commit:
            start(s, sql: "COMMIT")
        case .ambiguousCommit:
            commitAnswer = try await commitAmbiguously(s)
        case .rollback:
            start(s, sql: "ROLLBACK")
        case .terminate:
            _ = try await terminate(s)
        case .disconnect:
            try await disconnect(s)
        }
        var observation = ConformanceObservation(answer: commitAnswer ?? .ok(""))
        // The acting session first: the others' waits change only once its step has been answered.
        let order = [s] + pending.indices.filter { $0 != s }
        for session in order where pending[session] != nil {
            let (answer, blockers) = try await settle(session)
            if session == s {
                observation.answer = answer ?? .waits
            } else if let answer {
                observation.resumed[session] = answer
            }
            if let blockers { observation.waiting[session] = Set(blockers.compactMap { pids.firstIndex(of: $0) }) }
        }
        return (observation, time)
    }

    private func start(_ s: Int, _ statement: ConformanceStatement) {
        let (name, parameters) = Self.prepared(statement, base: base, periodSeconds: periodSeconds)
        let connection = sessions[s]
        launch(s) { () async throws(PostgresError) -> PostgresRows in try await connection.execute(prepared: name, parameters) } render: { [base] in Self.render($0, statement, base: base) }
    }

    private func start(_ s: Int, sql: String) {
        let connection = sessions[s]
        launch(s) { () async throws(PostgresError) -> PostgresRows in try await connection.query(sql) } render: { _ in .ok("") }
    }

    private func launch(_ s: Int, _ body: @escaping @Sendable () async throws(PostgresError) -> PostgresRows,
                        render: @escaping @Sendable (PostgresRows) -> ConformanceObservation.Answer) {
        let box = Pending()
        pending[s] = box
        Task {
            let answer: ConformanceObservation.Answer
            do throws(PostgresError) {
                answer = render(try await body())
            } catch {
                answer = .error(error.sqlState ?? "connection lost")
            }
            box.answer.withLock { $0 = answer }
        }
    }

    /// Waits until the session's statement has answered (returned, and cleared) or waits for a lock (its
    /// blockers returned), whichever PostgreSQL shows first; bounded.
    private func settle(_ s: Int) async throws -> (ConformanceObservation.Answer?, [Int32]?) {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let answer = pending[s]!.answer.withLock({ $0 }) {
                pending[s] = nil
                return (answer, nil)
            }
            let blockers = try await observer.blockers(of: pids[s])
            if !blockers.isEmpty {
                if let answer = pending[s]!.answer.withLock({ $0 }) {
                    pending[s] = nil
                    return (answer, nil)
                }
                return (nil, blockers)
            }
            try await Task.sleep(for: .milliseconds(1))
        }
        throw PollTimeout(what: "session \(s)'s statement neither answered nor waited for a lock", seconds: 10)
    }

    /// Runs COMMIT with `synchronous_commit = on` (the server names a synchronous standby that never
    /// connects: `ConformanceAmbiguity`), so that it waits after the local commit; terminates the server
    /// process once it waits there, and returns what the client saw. The transaction writes a marker row
    /// first: one that wrote no WAL does not wait.
    private func commitAmbiguously(_ s: Int) async throws -> ConformanceObservation.Answer? {
        try await sessions[s].query("SET LOCAL synchronous_commit = on")
        try await sessions[s].query(ConformanceAmbiguity.marker)
        start(s, sql: "COMMIT")
        let pid = pids[s]
        try await waitUntil(10, "session \(s)'s COMMIT waits for the synchronous standby", every: .milliseconds(1)) { [observer] in
            try await observer.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event = 'SyncRep'", [.int32(pid)])
                .count == 1
        }
        return try await terminate(s)
    }

    /// Closes the session's connection from the client side (libpq closes the socket and opens a new one)
    /// and waits until the old server process has gone, having aborted its transaction.
    private func disconnect(_ s: Int) async throws {
        let old = pids[s]
        try await sessions[s].reconnect()
        pids[s] = await sessions[s].backendPID()
        try await waitUntil(10, "backend \(old) gone", every: .milliseconds(1)) { [observer] in
            try await observer.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [.int32(old)]).count == 0
        }
    }

    /// Ends the session's server process and waits until PostgreSQL has released what it held; returns the
    /// answer of the statement it was running, if any.
    private func terminate(_ s: Int) async throws -> ConformanceObservation.Answer? {
        try await observer.query("SELECT pg_terminate_backend($1)", [.int32(pids[s])])
        try await waitUntil(10, "backend \(pids[s]) gone", every: .milliseconds(1)) {
            try await observer.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [.int32(pids[s])]).count == 0
        }
        var answer: ConformanceObservation.Answer?
        if let box = pending[s] {
            try await waitUntil(10, "the terminated session's statement answers", every: .milliseconds(1)) {
                box.answer.withLock { $0 } != nil
            }
            answer = box.answer.withLock { $0 }
            pending[s] = nil
        }
        terminated[s] = true
        return answer
    }

    static func prepared(_ statement: ConformanceStatement, base: Int64, periodSeconds: Int64) -> (String, [PostgresValue]) {
        switch statement {
        case .batch(let write, let optimistic):
            return ((optimistic ? LedgerSQL.optimisticGuardedBatch : LedgerSQL.guardedBatch).name,
                    LedgerStore.guardedBatchParameters(write, groupID: groupID, topic: topic))
        case .conflicts(let write): return (LedgerSQL.guardConflicts.name, LedgerStore.guardConflictsParameters(write))
        case .deadLetter(let mark):
            return (LedgerSQL.markDeadLettered.name, LedgerStore.markDeadLetteredParameters(mark, groupID: groupID, topic: topic))
        case .failure(let record): return (LedgerSQL.recordFailure.name, LedgerStore.recordFailureParameters(record))
        case .loadOffsets(let partitions):
            return (LedgerSQL.loadOffsets.name, LedgerStore.loadOffsetsParameters(partitions, groupID: groupID, topic: topic))
        case .settle:
            return (LedgerSQL.fencedSettlement.name,
                    LedgerStore.fencedSettlementParameters(statement.settlement(base: base), periodSeconds: periodSeconds))
        case .ensureAccounts(let write): return (LedgerSQL.ensureAccounts.name, LedgerStore.ensureAccountsParameters(write))
        case .plainBatch(let write): return (LedgerSQL.plainBatch.name, LedgerStore.plainBatchParameters(write))
        case .offsetsOnly(let write):
            return (LedgerSQL.guardedBatch.name, LedgerStore.offsetsOnlyParameters(write, groupID: groupID, topic: topic))
        case .plainSettle:
            return (LedgerSQL.plainSettlement.name,
                    LedgerStore.plainSettlementParameters(statement.settlement(base: base), periodSeconds: periodSeconds))
        }
    }

    /// PostgreSQL's rows as the answer the model gives (`LedgerStore` reads the same columns).
    static func render(_ rows: PostgresRows, _ statement: ConformanceStatement, base: Int64) -> ConformanceObservation.Answer {
        switch statement {
        case .batch, .offsetsOnly: return .ok("applied \(rows.int64(0, "applied") ?? -1)")
        case .conflicts:
            guard rows.count > 0 else { return .ok("no conflict") }
            return .ok("conflict \(rows.int64(0, "entry") ?? -1) \(rows.value(0, "account_id") ?? "NULL") \(rows.int64(0, "amount_cents") ?? -1)")
        case .plainBatch(let write):
            let balances = (0..<rows.count).compactMap { row in
                rows.value(row, "account_id").map { ($0, rows.int64(row, "balance_cents") ?? -1) }
            }
            return .ok("applied \(write.entries.count)" + ConformanceObservation.render(balances: balances))
        case .deadLetter, .ensureAccounts: return .ok("")
        case .failure: return .ok("attempts \(rows.int64(0, "attempts") ?? -1)")
        case .loadOffsets(let partitions):
            var stored: [Int64: Int64] = [:]
            for row in 0..<rows.count {
                if let p = rows.int64(row, "kafka_partition"), let next = rows.int64(row, "next_offset") { stored[p] = next }
            }
            return .ok("offsets " + partitions.map { "p\($0):\(stored[Int64($0)].map(String.init) ?? "-")" }.joined(separator: " "))
        case .settle, .plainSettle:
            return .ok(ConformanceObservation.render(settled: (0..<rows.count).map { row in
                (rows.int64(row, "period") ?? -1, rows.int64(row, "total_cents") ?? -1, rows.int64(row, "batches") ?? -1,
                 (rows.value(row, "events") ?? "").split(separator: ",").map(String.init))
            }, base: base))
        }
    }

    /// Ends every session's server process (a statement may still wait, so a ROLLBACK on its connection
    /// would queue behind it) and waits until they are gone.
    func close() async throws {
        for s in sessions.indices where !terminated[s] { _ = try await terminate(s) }
    }
}
