import Foundation
import HTTPTypes
import HummingbirdTesting
import LiveAPI
import LiveKafka
import LivePostgres
import LiveService
import NIOCore
import Testing

@Suite("POST /v1/events produces and honours Idempotency-Key", .serialized)
struct APIEventsTests {
    @Test("202 with the event id after the broker acknowledged; the message is keyed by account with the contract's value")
    func accepted() async throws {
        let fixture = try await APIFixture.make()
        let app = try await fixture.replica()
        let eventID = UUID().uuidString.lowercased()
        try await app.test(.router) { client in
            let response = try await client.postEvent(eventBody(account: "acct-\"q\"", amount: "-250", eventID: eventID.uppercased()))
            #expect(response.status == .accepted)
            #expect(response.json["event_id"] == eventID)
            let generated = try await client.postEvent(eventBody())
            #expect(UUID(uuidString: generated.json["event_id"] ?? "") != nil, "server-chosen UUID")
        }
        let consumer = try fixture.kafka.consumer(group: "read-\(UUID().uuidString)")
        try await consumer.subscribe([fixture.kafka.topic])
        var messages: [KafkaMessage] = []
        try await pollUntil(consumer) { event, _ in
            if case .rebalance(let r) = event { try await consumer.acknowledge(r) }
            if let m = event.message { messages.append(m) }
            return messages.count == 2
        }
        let mine = try #require(messages.first { String(decoding: $0.value, as: UTF8.self).contains(eventID) })
        #expect(mine.key == Array("acct-\"q\"".utf8))
        let value = try #require(try JSONSerialization.jsonObject(with: Data(mine.value)) as? [String: Any])
        #expect(value["event_id"] as? String == eventID)
        #expect(value["account_id"] as? String == "acct-\"q\"")
        #expect((value["amount_cents"] as? NSNumber)?.int64Value == -250)
        let occurred = try #require(value["occurred_at"] as? String)
        #expect(ISO8601DateFormatter.withFractionalSeconds.date(from: occurred) != nil, "\(occurred)")
        await fixture.cleanup()
    }

    @Test("a retried request returns the same event id and produces the same event again; another body with the key is a 422")
    func sequentialRetry() async throws {
        let fixture = try await APIFixture.make()
        let app = try await fixture.replica()
        try await app.test(.router) { client in
            let first = try await client.postEvent(eventBody(amount: "10"), idempotencyKey: "order-1")
            let retry = try await client.postEvent(eventBody(amount: "10"), idempotencyKey: "order-1")
            #expect(first.status == .accepted && retry.status == .accepted)
            #expect(first.json["event_id"] == retry.json["event_id"])
            #expect(retry.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            let other = try await client.postEvent(eventBody(amount: "11"), idempotencyKey: "order-1")
            #expect(other.status == .unprocessableContent)
            #expect(other.json["error"] == "idempotency_key_reused")
            #expect(other.json["field"] == "Idempotency-Key")
            let events = try await fixture.producedEvents()
            #expect(events.count == 2 && Set(events).count == 1, "one event, twice: \(events)")
            #expect(events.first?.eventID == first.json["event_id"])
        }
        await fixture.cleanup()
    }

    @Test("concurrent duplicates on two replicas claim the key once and all get its event")
    func concurrentDuplicates() async throws {
        let fixture = try await APIFixture.make()
        let replicas = [try await fixture.replica(), try await fixture.replica()]
        let ids = try await withThrowingTaskGroup(of: [String].self) { group in
            for replica in replicas {
                group.addTask {
                    try await replica.test(.router) { client in
                        try await withThrowingTaskGroup(of: String.self) { inner in
                            for _ in 0..<8 {
                                inner.addTask {
                                    let r = try await client.postEvent(eventBody(amount: "7"), idempotencyKey: "dup-key")
                                    #expect(r.status == .accepted)
                                    return r.json["event_id"] ?? "missing"
                                }
                            }
                            return try await inner.reduce(into: []) { $0.append($1) }
                        }
                    }
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(ids.count == 16)
        #expect(Set(ids).count == 1, "\(Set(ids))")
        let events = try await fixture.producedEvents()
        #expect((1...16).contains(events.count) && Set(events).count == 1, "copies of one event: \(events)")
        #expect(events.first?.eventID == ids.first)
        await fixture.cleanup()
    }

    @Test("when producing fails the key stays claimed, and a retry produces the claimed event")
    func failedProduceKeepsClaim() async throws {
        let fixture = try await APIFixture.make()
        let app = try await fixture.replica(messageTimeout: .seconds(1))
        try await fixture.kafka.cluster.setBrokerDown(-1)
        try await app.test(.router) { client in
            let failed = try await client.postEvent(eventBody(), idempotencyKey: "k-retry")
            #expect(failed.status == .serviceUnavailable)
            #expect(failed.json["error"] == "unavailable")
            #expect(failed.headers[.retryAfter] == "1")
            let conn = try await TestDatabase.connect(fixture.database.url)
            let claimed = try await conn.query("SELECT event_id::text AS id FROM idempotency_keys").value(0, "id")
            #expect(claimed != nil, "the claim commits before the event is produced")
            try await fixture.kafka.cluster.setBrokerUp(-1)
            // The client retries, as the 503's Retry-After asks, until the producer has reconnected.
            var retried: APIResponse?
            try await eventually(20, "a retry is accepted once the broker is back", every: .milliseconds(250)) {
                retried = try await client.postEvent(eventBody(), idempotencyKey: "k-retry")
                return retried?.status == .accepted
            }
            #expect(retried?.json["event_id"] == claimed)
            #expect(try await conn.query("SELECT count(*) AS n FROM idempotency_keys").int64(0, "n") == 1)
            let produced = try await fixture.producedEvents().map(\.eventID)
            #expect(!produced.isEmpty && Set(produced) == Set([claimed].compactMap { $0 }), "\(produced)")
        }
        await fixture.cleanup()
    }

    @Test("health, readiness (broker down makes it 503) and the contract's metrics")
    func operationalRoutes() async throws {
        let fixture = try await APIFixture.make()
        let app = try await fixture.replica()
        try await app.test(.router) { client in
            _ = try await client.postEvent(eventBody())
            _ = try await client.postEvent("{", idempotencyKey: nil)
            _ = try await client.postEvent(eventBody(), idempotencyKey: "m1")
            _ = try await client.postEvent(eventBody(), idempotencyKey: "m1")
            let bare = try await client.postEvent(eventBody(), path: "/bench/bare-202")
            #expect(bare.status == .accepted)
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
            let text = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            for series in [
                #"replicasafe_http_requests_total{route="/v1/events",method="POST",status="202"} 3"#,
                #"replicasafe_http_requests_total{route="/v1/events",method="POST",status="400"} 1"#,
                "replicasafe_api_events_accepted_total 2",
                "replicasafe_api_idempotent_replays_total 1",
                #"replicasafe_http_request_duration_seconds_bucket{route="/v1/events",method="POST",le="10.0"} 4"#,
            ] {
                #expect(text.contains(series), "missing \(series)")
            }
            try await fixture.kafka.cluster.setBrokerDown(-1)
            // Readiness is cached for a second: poll until it reports the broker down, and says so.
            var body = ""
            try await eventually(10, "/readyz is 503 while the broker is down", every: .milliseconds(100)) {
                try await client.execute(uri: "/readyz", method: .get) { response in
                    body = String(buffer: response.body)
                    return response.status == .serviceUnavailable
                }
            }
            #expect(body.contains("Kafka"), "\(body)")
            try await fixture.kafka.cluster.setBrokerUp(-1)
        }
        await fixture.cleanup()
    }
}

extension ISO8601DateFormatter {
    nonisolated(unsafe) static let withFractionalSeconds: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()
}
