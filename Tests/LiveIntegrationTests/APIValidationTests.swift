import Foundation
import HTTPTypes
import HummingbirdTesting
import LiveAPI
import LivePostgres
import Testing

@Suite("POST /v1/events validation", .serialized)
struct APIValidationTests {
    @Test("every client error has its status, code, field and reason; nothing is produced")
    func clientErrors() async throws {
        let fixture = try await APIFixture.make()
        let app = try await fixture.replica()
        try await app.test(.router) { client in
            let cases: [(String, String, String?, Int, String, String?)] = [
                // body, content type, idempotency key, status, error, field
                (eventBody(), "text/plain", nil, 415, "unsupported_media_type", nil),
                ("{\"account_id\": ", "application/json", nil, 400, "malformed_json", nil),
                ("[1, 2]", "application/json", nil, 400, "malformed_json", nil),
                (String(repeating: " ", count: 2000) + eventBody(), "application/json", nil, 413, "body_too_large", nil),
                ("{\"amount_cents\": 5}", "application/json", nil, 422, "invalid_field", "account_id"),
                (eventBody(account: ""), "application/json", nil, 422, "invalid_field", "account_id"),
                ("{\"account_id\": 7, \"amount_cents\": 5}", "application/json", nil, 422, "invalid_field", "account_id"),
                (eventBody(amount: "12.5"), "application/json", nil, 422, "invalid_field", "amount_cents"),
                (eventBody(amount: "\"12\""), "application/json", nil, 422, "invalid_field", "amount_cents"),
                (eventBody(amount: "true"), "application/json", nil, 422, "invalid_field", "amount_cents"),
                (eventBody(amount: "1000000000001"), "application/json", nil, 422, "invalid_field", "amount_cents"),
                (eventBody(amount: "-1000000000001"), "application/json", nil, 422, "invalid_field", "amount_cents"),
                (eventBody(amount: "99999999999999999999"), "application/json", nil, 422, "invalid_field", "amount_cents"),
                ("{\"account_id\": \"a\"}", "application/json", nil, 422, "invalid_field", "amount_cents"),
                (eventBody(eventID: "not-a-uuid"), "application/json", nil, 422, "invalid_field", "event_id"),
                (eventBody(), "application/json", "has space", 422, "invalid_field", "Idempotency-Key"),
            ]
            for (body, type, key, status, code, field) in cases {
                let response = try await client.postEvent(body, contentType: type, idempotencyKey: key)
                #expect(response.status.code == status, "\(body.prefix(60))")
                #expect(response.json["error"] == code, "\(body.prefix(60))")
                #expect(response.json["field"] == field, "\(body.prefix(60))")
                #expect(response.json["reason"]?.isEmpty == false)
            }
        }
        #expect(try await fixture.producedCount() == 0, "rejected requests produce nothing")
        await fixture.cleanup()
    }

    @Test("the amount bounds are exactly what the ledger CHECK accepts")
    func boundsMatchTheLedger() async throws {
        let fixture = try await APIFixture.make()
        let app = try await fixture.replica()
        let conn = try await TestDatabase.connect(fixture.database.url)
        try await app.test(.router) { client in
            for amount in ["1000000000000", "-1000000000000", "0"] {
                let response = try await client.postEvent(eventBody(amount: amount))
                #expect(response.status == .accepted, "\(amount)")
                // The ledger takes every accepted amount...
                try await conn.query(
                    "INSERT INTO ledger (event_id, account_id, amount_cents, kafka_partition, kafka_offset, applied_by) VALUES ($1::uuid, 'a', $2, 0, 0, 't')",
                    [.text(UUID().uuidString), .int64(Int64(amount)!)]
                )
            }
        }
        // ...and refuses one past the bound, which the api rejects with 422.
        let error = await #expect(throws: PostgresError.self) {
            try await conn.query(
                "INSERT INTO ledger (event_id, account_id, amount_cents, kafka_partition, kafka_offset, applied_by) VALUES ($1::uuid, 'a', $2, 0, 0, 't')",
                [.text(UUID().uuidString), .int64(EventRequest.amountBound + 1)]
            )
        }
        #expect(error?.sqlState == "23514")
        await fixture.cleanup()
    }
}
