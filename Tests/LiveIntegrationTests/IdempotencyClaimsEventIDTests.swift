import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
@testable import LiveAPI
import LivePostgres
import Testing

/// A keyed request whose body names an `event_id` already claimed under another Idempotency-Key, on a real
/// PostgreSQL: the same event is answered with the claim's event, a different one is refused (409), and keys racing
/// for one id leave exactly one claim.
@Suite("Idempotency claims hold one event per event_id across keys", .serialized)
struct IdempotencyClaimsEventIDTests {
    @Test("the same event_id under another key: the same event is answered with it, another account or amount is a 409 and nothing is produced")
    func reuseUnderAnotherKey() async throws {
        let fixture = try await APIFixture.make()
        let app = try await fixture.replica()
        let named = UUID().uuidString.lowercased()
        let replayed = HTTPField.Name("Idempotent-Replayed")!
        let drawn = try await app.test(.router) { client -> String in
            let first = try await client.postEvent(eventBody(account: "acct-e", amount: "5", eventID: named), idempotencyKey: "k-first")
            #expect(first.status == .accepted && first.json["event_id"] == named)
            let amount = try await client.postEvent(eventBody(account: "acct-e", amount: "6", eventID: named), idempotencyKey: "k-amount")
            #expect(amount.status == .conflict)
            #expect(amount.json["error"] == "event_id_conflict" && amount.json["field"] == "event_id")
            #expect(amount.json["reason"]?.contains(named) == true, "\(amount.json)")
            let account = try await client.postEvent(eventBody(account: "acct-f", amount: "5", eventID: named), idempotencyKey: "k-account")
            #expect(account.status == .conflict && account.json["error"] == "event_id_conflict")
            let same = try await client.postEvent(eventBody(account: "acct-e", amount: "5", eventID: named.uppercased()), idempotencyKey: "k-same")
            #expect(same.status == .accepted && same.json["event_id"] == named)
            #expect(same.headers[replayed] == "true")
            // A claim made without an id, whose drawn id the client then names under another key.
            let unnamed = try await client.postEvent(eventBody(account: "acct-u", amount: "7"), idempotencyKey: "k-unnamed")
            let id = try #require(unnamed.json["event_id"])
            let sent = try await client.postEvent(eventBody(account: "acct-u", amount: "7", eventID: id), idempotencyKey: "k-sent")
            #expect(sent.status == .accepted && sent.json["event_id"] == id)
            let other = try await client.postEvent(eventBody(account: "acct-u", amount: "8", eventID: id), idempotencyKey: "k-other")
            #expect(other.status == .conflict && other.json["error"] == "event_id_conflict")
            // The key of a refused request is not taken: sent again with a new id it claims one.
            let fresh = try await client.postEvent(eventBody(account: "acct-e", amount: "6"), idempotencyKey: "k-amount")
            #expect(fresh.status == .accepted && fresh.json["event_id"] != named)
            return id
        }
        let produced = try await fixture.producedEvents()
        #expect(produced.filter { $0.eventID == named }.count == 2, "the first request and the same event again: \(produced)")
        #expect(produced.filter { $0.eventID == drawn }.count == 2)
        #expect(produced.count == 5, "nothing for the three 409s: \(produced)")
        #expect(Set(produced.filter { $0.eventID == named }.map(\.occurredAt)).count == 1, "the claim's occurred_at both times")
        let conn = try await TestDatabase.connect(fixture.database.url)
        let keys = try await conn.query("SELECT idempotency_key AS k FROM idempotency_keys ORDER BY 1").rows.compactMap { $0[0] }
        #expect(keys == ["k-amount", "k-first", "k-unnamed"])
        await fixture.cleanup()
    }

    @Test("keys racing for one event_id on two writers: one claim per id, the others get its event (same content) or 409")
    func keysRacingForAnID() async throws {
        let made = try await ClaimReplicas.make(smallBatch: 4)
        let database = made.database, replicas = made.replicas
        let ids = (0..<10).map { _ in UUID().uuidString.lowercased() }
        let asked = try await withThrowingTaskGroup(of: (IdempotencyClaims.Request, Int64, IdempotencyClaims.Outcome).self) { group in
            for (n, id) in ids.enumerated() {
                for racer in 0..<6 {
                    // Half the racers send the event (amount 100), half another amount under the same id.
                    let amount: Int64 = racer % 2 == 0 ? 100 : 100 + Int64(racer)
                    let request = Self.request("race-\(n)-\(racer)", id, account: "acct-\(n)", amount: amount)
                    let replica = replicas[racer % 2]
                    group.addTask { (request, amount, try await replica.claim(request)) }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let conn = try await TestDatabase.connect(database.url)
        let stored = try await conn.query("""
            SELECT event_id::text AS id, idempotency_key AS k, (extract(epoch FROM created_at) * 1000)::bigint AS ms
            FROM idempotency_keys ORDER BY 1
            """)
        #expect(stored.count == ids.count, "one claim per event id")
        for row in 0..<stored.count {
            let id = try #require(stored.value(row, "id")), key = try #require(stored.value(row, "k"))
            let ms = try #require(stored.int64(row, "ms"))
            let racers = asked.filter { $0.0.eventID == id }
            let winner = try #require(racers.first { $0.0.key == key })
            #expect(winner.2 == .claimed(eventID: id, occurredAtMilliseconds: ms))
            for racer in racers where racer.0.key != key {
                let expected: IdempotencyClaims.Outcome = racer.1 == winner.1
                    ? .sameEvent(eventID: id, occurredAtMilliseconds: ms) : .eventIDConflict(eventID: id)
                #expect(racer.2 == expected, "\(racer.0.key) amount \(racer.1), winner amount \(winner.1)")
            }
        }
        await TestDatabase.drop(database.name)
    }

    @Test("a claim batch chosen as a deadlock victim runs again: its requests are answered, not 503")
    func deadlockVictimRunsAgain() async throws {
        let database = try await TestDatabase.makeDatabase()
        try await TestDatabase.migrateAndGrant(database.url)
        let config = TestDatabase.config(TestDatabase.url(database.url, role: "api"))
        let claims = IdempotencyClaims(pool: try await PostgresPool.connect(config, size: 1), writers: 1)
        let first = UUID().uuidString.lowercased(), second = UUID().uuidString.lowercased()
        // Two sessions of other writers. The gate holds a key so the claim writer waits while two requests queue
        // behind it (one batch); the rival holds the second id and, once the batch holds the first id and waits for
        // the second, asks for the first. The rival's deadlock_timeout is long: the batch finds the cycle and is
        // the victim.
        let gate = try await TestDatabase.connect(database.url)
        let rival = try await TestDatabase.connect(database.url)
        let observer = try await TestDatabase.connect(database.url)
        try await rival.query("SET deadlock_timeout = '60s'")
        try await gate.begin()
        try await gate.query("INSERT INTO idempotency_keys (key_scope, idempotency_key, request_hash, event_id) VALUES ('s', 'gate', 'x', gen_random_uuid())")
        try await rival.begin()
        try await rival.query("INSERT INTO idempotency_keys (key_scope, idempotency_key, request_hash, event_id) VALUES ('s', 'rival-2', 'x', $1::uuid)", [.text(second)])
        let gatePID = await gate.backendPID(), rivalPID = await rival.backendPID()
        let gated = Task { try await claims.claim(Self.request("gate", UUID().uuidString.lowercased())) }
        try await eventually(10, "the claim writer waits for the gate") { try await observer.isBlocking(gatePID) }
        let batch = Task {
            async let one = claims.claim(Self.request("batch-1", first))
            async let two = claims.claim(Self.request("batch-2", second))
            return try await [one, two]
        }
        try await eventually(10, "both requests queue behind the gate") { claims.waitingCount == 2 }
        try await gate.rollback()
        _ = try await gated.value
        try await eventually(10, "the batch holds the first id and waits for the rival") { try await observer.isBlocking(rivalPID) }
        try await rival.query("INSERT INTO idempotency_keys (key_scope, idempotency_key, request_hash, event_id) VALUES ('s', 'rival-1', 'x', $1::uuid)", [.text(first)])
        try await rival.commit()
        #expect(try await batch.value == [.eventIDConflict(eventID: first), .eventIDConflict(eventID: second)])
        await TestDatabase.drop(database.name)
    }

    private static func request(_ key: String, _ id: String, account: String = "acct-d", amount: Int64 = 1) -> IdempotencyClaims.Request {
        let event = EventRequest(eventID: EventID(uuidString: id), accountID: account, amountCents: amount)
        return .init(scope: "s", key: key, canonical: event.canonical, eventID: id, unnamedCanonical: event.unnamedCanonical)
    }
}

extension PostgresConnection {
    /// Whether some session waits for a lock backend `pid` holds.
    fileprivate func isBlocking(_ pid: Int32) async throws -> Bool {
        try await query("SELECT count(*) AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))", [.int32(pid)])
            .int64(0, "n") ?? 0 > 0
    }
}
