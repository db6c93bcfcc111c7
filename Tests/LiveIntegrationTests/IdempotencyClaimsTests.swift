import Foundation
import HTTPTypes
import HummingbirdTesting
@testable import LiveAPI
import LiveAPIKeys
import LivePostgres
import Testing

/// The claim writer on a real PostgreSQL: batches of claims from two writers (two api replicas) racing on the
/// same keys, and a retry after each step at which a keyed request can stop.
@Suite("Idempotency-Key claims are written in batches and never separate a key from its event", .serialized)
struct IdempotencyClaimsTests {
    private struct Asked: Sendable {
        let request: IdempotencyClaims.Request
        let outcome: IdempotencyClaims.Outcome
    }

    @Test("concurrent claims of the same keys on two writers: one claim per key, same body replays it, another body is a reuse (422)")
    func concurrentClaims() async throws {
        let made = try await ClaimReplicas.make(smallBatch: 8)
        let database = made.database, replicas = made.replicas
        let asked = try await withThrowingTaskGroup(of: Asked.self) { group in
            for key in 0..<12 {
                for attempt in 0..<20 {
                    let request = IdempotencyClaims.Request(
                        scope: "s", key: "key-\(key)", canonical: attempt % 3 == 0 ? "body-b" : "body-a",
                        eventID: UUID().uuidString.lowercased())
                    let replica = replicas[attempt % 2]
                    group.addTask { Asked(request: request, outcome: try await replica.claim(request)) }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let conn = try await TestDatabase.connect(database.url)
        let stored = try await conn.query("""
            SELECT idempotency_key AS k, event_id::text AS id, request_hash = encode(sha256('body-a'::bytea), 'hex') AS a,
                   (extract(epoch FROM created_at) * 1000)::bigint AS ms
            FROM idempotency_keys ORDER BY 1
            """)
        #expect(stored.count == 12)
        for row in 0..<stored.count {
            let key = try #require(stored.value(row, "k"))
            let id = try #require(stored.value(row, "id")), ms = try #require(stored.int64(row, "ms"))
            let winner = stored.bool(row, "a") == true ? "body-a" : "body-b"
            let mine = asked.filter { $0.request.key == key }
            let claimed = mine.filter { if case .claimed = $0.outcome { return true } else { return false } }
            #expect(claimed.count == 1, "\(key): exactly one request claims it")
            #expect(claimed.first?.outcome == .claimed(eventID: id, occurredAtMilliseconds: ms))
            #expect(claimed.first?.request.canonical == winner)
            for other in mine where other.request.eventID != claimed.first?.request.eventID {
                let expected: IdempotencyClaims.Outcome =
                    other.request.canonical == winner ? .earlier(eventID: id, occurredAtMilliseconds: ms) : .keyReused
                #expect(other.outcome == expected, "\(key) \(other.request.canonical)")
            }
        }
        await TestDatabase.drop(database.name)
    }

    @Test("a retry after the api stopped at each step of a keyed request gets the claimed event, produced")
    func retryAfterEachStep() async throws {
        let fixture = try await APIFixture.make()
        let app = try await fixture.replica()
        let pool = try await PostgresPool.connect(TestDatabase.config(TestDatabase.url(fixture.database.url, role: "api")), size: 1)
        let claims = IdempotencyClaims(pool: pool, writers: 1)
        // Stopped after the claim committed, before producing: the claim is made as the api makes it, nothing
        // is produced.
        let body = eventBody(account: "acct-stop", amount: "42")
        let canonical = try EventRequest.parse(Data(body.utf8)).canonical
        let scope = try #require(APIKeyToken.parse(APIFixture.testKey[...])).keyID
        let orphan = try await claims.claim(
            .init(scope: scope, key: "k-stopped", canonical: canonical, eventID: UUID().uuidString.lowercased()))
        guard case .claimed(let orphanID, let orphanAt) = orphan else { Issue.record("\(orphan)"); return }
        let conn = try await TestDatabase.connect(fixture.database.url)
        try await app.test(.router) { client in
            let retry = try await client.postEvent(body, idempotencyKey: "k-stopped")
            #expect(retry.status == .accepted && retry.json["event_id"] == orphanID)
            #expect(retry.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            // The claim writer's connection cut (the database restarted or the api's socket dropped): 503 until the
            // pool reconnects, then the key is claimed once. Only this test's database: suites run in parallel, and
            // the other api tests' pools connect as the same role.
            try await conn.query("""
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE usename = 'api' AND datname = current_database() AND pid <> pg_backend_pid()
                """)
            var cut: APIResponse?
            try await eventually(20, "a keyed request is accepted after its connection was cut", every: .milliseconds(100)) {
                cut = try await client.postEvent(eventBody(account: "acct-cut"), idempotencyKey: "k-cut")
                return cut?.status == .accepted
            }
            // Stopped after the broker acknowledged, before answering: the retry answers with the same event.
            let again = try await client.postEvent(eventBody(account: "acct-cut"), idempotencyKey: "k-cut")
            #expect(again.status == .accepted && again.json["event_id"] == cut?.json["event_id"])
        }
        let events = try await fixture.producedEvents()
        let stopped = events.filter { $0.eventID == orphanID }
        #expect(stopped.count == 1, "the orphaned claim's event is produced by the retry")
        let occurred = stopped.first.flatMap { ISO8601DateFormatter.withFractionalSeconds.date(from: $0.occurredAt) }
        #expect(occurred.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) } == orphanAt, "occurred_at is the claim's time")
        let cutEvents = events.filter { $0.eventID != orphanID }
        #expect(cutEvents.count >= 2 && Set(cutEvents.map(\.eventID)).count == 1, "\(cutEvents)")
        let rows = try await conn.query("SELECT count(*) AS n FROM idempotency_keys").int64(0, "n")
        #expect(rows == 2)
        await fixture.cleanup()
    }

    @Test("200 concurrent keyed requests: every accepted event id is claimed once and on the topic")
    func noLostEvent() async throws {
        let fixture = try await APIFixture.make()
        let app = try await fixture.replica()
        let ids = try await app.test(.router) { client in
            try await withThrowingTaskGroup(of: String?.self) { group in
                for n in 0..<200 {
                    group.addTask {
                        let response = try await client.postEvent(eventBody(account: "acct-\(n % 7)"), idempotencyKey: "bulk-\(n)")
                        return response.status == .accepted ? response.json["event_id"] : nil
                    }
                }
                return try await group.reduce(into: [String?]()) { $0.append($1) }
            }
        }
        #expect(ids.allSatisfy { $0 != nil }, "all 200 accepted")
        let accepted = Set(ids.compactMap { $0 })
        #expect(accepted.count == 200)
        #expect(Set(try await fixture.producedEvents().map(\.eventID)) == accepted)
        let conn = try await TestDatabase.connect(fixture.database.url)
        let claimed = try await conn.query("SELECT event_id::text AS id FROM idempotency_keys")
        #expect(Set((0..<claimed.count).compactMap { claimed.value($0, "id") }) == accepted)
        await fixture.cleanup()
    }
}
