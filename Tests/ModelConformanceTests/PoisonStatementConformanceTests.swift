import Core
import LivePostgres
@testable import Sim
import Testing

/// The simulator's poison flavours against PostgreSQL: each batch with one answers with the same SQLSTATE in
/// the model and in PostgreSQL, and the worker's failure class (Core's `DatabaseFailure.rejects`) follows:
/// `out-of-range` (`23514`) is rejected at once, `oversized-account` (`54000`, the simulator's own long id) is
/// a permanent failure retried within the budget.
@Suite("Poison statements: the model against PostgreSQL", .serialized)
struct PoisonStatementConformanceTests {
    static func event(_ serial: UInt64, account: AccountID = AccountID("acct-0"), amount: Int64 = 100) -> Event {
        Event(id: EventID(high: 9, low: serial), account: account, amountCents: amount, occurredAt: Timestamp(milliseconds: 0))
    }

    static func write(_ events: [Event]) -> BatchWrite {
        BatchWrite(entries: events.enumerated().map { BatchEntry(partition: 0, offset: Offset($0.offset), event: $0.element, balance: .increment) },
                   deduplicate: true, storeOffsets: [], workerID: "conformance")
    }

    @Test("out-of-range and oversized-account batches fail with the same SQLSTATE in the model and PostgreSQL")
    func poisonAnswers() async throws {
        let oversized = PlannedEvent.oversizedAccount(AccountID("acct-1"), event: EventID(high: 9, low: 2))
        let outOfRange: Int64 = 2_000_000_000_000  // as the scenario draws it
        let batches: [(String, [Event], String)] = [
            ("out-of-range", [Self.event(1), Self.event(2, amount: outOfRange)], "23514"),
            ("oversized account", [Self.event(1), Self.event(2, account: oversized)], "54000"),
            ("oversized account and out-of-range: the ledger's CHECK first", [Self.event(1, account: oversized), Self.event(2, amount: -outOfRange)], "23514"),
        ]
        var statements: [ConformanceStatement] = []
        for (_, events, _) in batches {
            statements += [.batch(Self.write(events), optimistic: true), .batch(Self.write(events), optimistic: false),
                           .ensureAccounts(Self.write(events))]
        }
        let run = try await ConformanceRun.make()
        let now = try await run.owner.query("SELECT floor(extract(epoch FROM now()))::bigint AS s").int64(0, "s") ?? 0
        let base = now / DatabaseModelConformanceTests.periodSeconds
        let live = try await ConformanceLiveSide(url: run.url, observer: run.owner, sessions: 1,
                                                 periodSeconds: DatabaseModelConformanceTests.periodSeconds, base: base)
        var model = ConformanceModelSide(sessions: 1, periodMilliseconds: DatabaseModelConformanceTests.periodSeconds * 1000, base: base)
        var answers: [(observed: ConformanceObservation.Answer, expected: ConformanceObservation.Answer)] = []
        for statement in statements {
            var time: Int64 = 0
            for step in [ConformanceStep.begin(0), .statement(0, statement), .rollback(0)] {
                let (observation, at) = try await live.run(step)
                if step.isBegin { time = at }
                let expected = model.run(step, at: time)
                if case .statement = step { answers.append((observation.answer, expected.answer)) }
            }
        }
        try await live.close()
        await run.drop()
        for (index, (name, events, state)) in batches.enumerated() {
            let (optimistic, guarded, ensure) = (answers[3 * index], answers[3 * index + 1], answers[3 * index + 2])
            #expect(optimistic.observed == .error(state) && optimistic.expected == optimistic.observed, "\(name), optimistic: \(optimistic)")
            #expect(guarded.observed == .error(state) && guarded.expected == guarded.observed, "\(name), guarded: \(guarded)")
            let accountFails = events.contains { !DatabaseModel.fitsAccountIndex($0.account) }
            #expect(ensure.observed == (accountFails ? .error("54000") : .ok("")), "\(name), rs_ensure_accounts: \(ensure)")
            #expect(ensure.expected == ensure.observed, "\(name), rs_ensure_accounts: \(ensure)")
        }
    }

    @Test("the worker's failure class: 23514 rejected at once naming its constraint, 54000 permanent")
    func failureClasses() {
        let check = DatabaseClient.failure(.checkViolation(entry: 1), duringCommit: false)
        #expect(check.kind == .rejected(entryIndex: 1))
        #expect(check.reason.hasPrefix("rejected_input: 23514 check_violation on constraint ledger_amount_cents_check: "), "\(check.reason)")
        let oversized = PlannedEvent.oversizedAccount(AccountID("acct-1"), event: EventID(high: 9, low: 2))
        let limit = DatabaseClient.failure(.indexRowTooLarge(entry: 2, account: oversized), duringCommit: false)
        #expect(limit.kind == .permanent(entryIndex: 2))
        #expect(DatabaseClient.failure(.deadlock, duringCommit: false).kind == .transient)
    }
}
