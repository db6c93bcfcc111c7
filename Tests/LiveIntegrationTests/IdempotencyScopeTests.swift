import Foundation
import HTTPTypes
import HummingbirdTesting
@testable import LiveAPI
import LivePostgres
import Testing

/// An `Idempotency-Key` belongs to the API key that sent it: two clients using the same key text get their own
/// claims, on a real PostgreSQL through the api's router.
@Suite("Idempotency-Key claims are scoped to the API key", .serialized)
struct IdempotencyScopeTests {
    static let otherKey = "rsk_00000000000000bb_" + String(repeating: "6b", count: 32)
    private static let replayed = HTTPField.Name("Idempotent-Replayed")!

    @Test("two API keys sending the same Idempotency-Key each get their own event; each key's retry replays its own")
    func twoClientsOneKeyText() async throws {
        let fixture = try await APIFixture.make()
        try await APIFixture.storeKey(Self.otherKey, in: fixture.database.url, accounts: ["*"], ratePerSecond: 1_000_000, burst: 1_000_000)
        let app = try await fixture.replica()
        let other = "Bearer " + Self.otherKey
        let (a, b) = try await app.test(.router) { client -> (String, String) in
            let a = try await client.postEvent(eventBody(account: "acct-a", amount: "10"), idempotencyKey: "order-1")
            let b = try await client.postEvent(eventBody(account: "acct-b", amount: "99"), idempotencyKey: "order-1", authorization: other)
            #expect(a.status == .accepted && b.status == .accepted, "\(a.json) \(b.json)")
            #expect(b.headers[Self.replayed] == nil, "not a replay of the other client's request")
            let idA = try #require(a.json["event_id"]), idB = try #require(b.json["event_id"])
            #expect(idA != idB)
            // The same body under both API keys is still two clients' requests: two events.
            let sameA = try await client.postEvent(eventBody(account: "acct-s", amount: "5"), idempotencyKey: "order-2")
            let sameB = try await client.postEvent(eventBody(account: "acct-s", amount: "5"), idempotencyKey: "order-2", authorization: other)
            #expect(sameA.status == .accepted && sameB.status == .accepted && sameA.json["event_id"] != sameB.json["event_id"])
            // Within one API key nothing changes: a retry replays, another body is a reuse.
            let retryB = try await client.postEvent(eventBody(account: "acct-b", amount: "99"), idempotencyKey: "order-1", authorization: other)
            #expect(retryB.status == .accepted && retryB.json["event_id"] == idB && retryB.headers[Self.replayed] == "true")
            let reuseA = try await client.postEvent(eventBody(account: "acct-b", amount: "99"), idempotencyKey: "order-1")
            #expect(reuseA.status == .unprocessableContent && reuseA.json["error"] == "idempotency_key_reused")
            return (idA, idB)
        }
        let produced = try await fixture.producedEvents()
        #expect(produced.filter { $0.eventID == a }.count == 1)
        #expect(produced.filter { $0.eventID == b }.count == 2, "B's event and its replay: \(produced)")
        #expect(produced.count == 5, "\(produced)")
        let conn = try await TestDatabase.connect(fixture.database.url)
        let claims = try await conn.query("SELECT count(*) AS n FROM idempotency_keys").int64(0, "n")
        #expect(claims == 4, "one claim per API key and key text")
        await fixture.cleanup()
    }

    @Test("a version-4 claim (no API key) is still found after the migration: its retry replays it under any API key")
    func fromVersionFour() async throws {
        let fixture = try await APIFixture.make()
        try await APIFixture.storeKey(Self.otherKey, in: fixture.database.url, accounts: ["*"], ratePerSecond: 1_000_000, burst: 1_000_000)
        let owner = try await TestDatabase.connect(fixture.database.url)
        // Version 4: the key text alone is the primary key.
        let body = eventBody(account: "acct-old", amount: "3")
        let canonical = try EventRequest.parse(Data(body.utf8)).canonical
        let legacyID = UUID().uuidString.lowercased()
        try await owner.simpleQuery("""
            ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
            ALTER TABLE idempotency_keys DROP COLUMN key_scope;
            ALTER TABLE idempotency_keys ADD PRIMARY KEY (idempotency_key);
            """)
        try await owner.query("""
            INSERT INTO idempotency_keys (idempotency_key, request_hash, event_id)
            VALUES ('old-order', encode(sha256(convert_to($1, 'UTF8')), 'hex'), $2::uuid)
            """, [.text(canonical), .text(legacyID)])
        try await Schema.migrate(owner)
        try await Schema.migrate(owner)
        let app = try await fixture.replica()
        try await app.test(.router) { client in
            let retry = try await client.postEvent(body, idempotencyKey: "old-order", authorization: "Bearer " + Self.otherKey)
            #expect(retry.status == .accepted && retry.json["event_id"] == legacyID && retry.headers[Self.replayed] == "true")
            let reuse = try await client.postEvent(eventBody(account: "acct-old", amount: "4"), idempotencyKey: "old-order")
            #expect(reuse.status == .unprocessableContent && reuse.json["error"] == "idempotency_key_reused")
            let fresh = try await client.postEvent(body, idempotencyKey: "new-order")
            let freshOther = try await client.postEvent(body, idempotencyKey: "new-order", authorization: "Bearer " + Self.otherKey)
            #expect(fresh.status == .accepted && freshOther.status == .accepted)
            #expect(fresh.json["event_id"] != freshOther.json["event_id"], "new claims are scoped")
        }
        let scopes = try await owner.query("SELECT key_scope, idempotency_key FROM idempotency_keys ORDER BY 2, 1").rows
        #expect(scopes == [["00000000000000aa", "new-order"], ["00000000000000bb", "new-order"], ["", "old-order"]])
        await fixture.cleanup()
    }
}
