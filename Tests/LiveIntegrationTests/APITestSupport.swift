import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LiveAPI
import LiveKafka
import LivePostgres
import LiveService
import Testing

/// One api "replica" wired to a mock cluster topic and a fresh migrated database, like production: the api
/// connects as the least-privilege role `api` (db/grants.sql).
struct APIFixture {
    let kafka: KafkaFixture
    let database: (name: String, url: String)
    let metrics = MetricsRegistry()

    static func make() async throws -> APIFixture {
        let kafka = try await KafkaFixture.make(brokers: 1, partitions: 3)
        let database = try await TestDatabase.makeDatabase()
        try await TestDatabase.migrateAndGrant(database.url)
        return APIFixture(kafka: kafka, database: database)
    }

    /// A replica: its own producer and pool, sharing cluster and database with the others.
    func replica(messageTimeout: Duration = .seconds(10), metrics: MetricsRegistry? = nil) async throws -> some ApplicationProtocol {
        let producer = try kafka.producer(timeout: messageTimeout)
        let pool = try await PostgresPool.connect(TestDatabase.config(TestDatabase.url(database.url, role: "api")), size: 4)
        let router = APIServer.router(
            config: APIConfig(topic: kafka.topic, maxBodyBytes: 1024, enableBareRoute: true),
            producer: producer, pool: pool, metrics: metrics ?? self.metrics
        )
        return Application(router: router)
    }

    /// Messages on the topic (sum of high watermarks).
    func producedCount() async throws -> Int64 {
        let consumer = try kafka.consumer(group: "count-\(UUID().uuidString)")
        var total: Int64 = 0
        for partition in 0..<kafka.partitions {
            total += try await consumer.watermarks(topic: kafka.topic, partition: Int32(partition)).high
        }
        return total
    }

    /// The event id and `occurred_at` of every message on the topic.
    func producedEvents() async throws -> [ProducedEvent] {
        let expected = try await producedCount()
        guard expected > 0 else { return [] }
        let consumer = try kafka.consumer(group: "read-\(UUID().uuidString)")
        try await consumer.subscribe([kafka.topic])
        var events: [ProducedEvent] = []
        try await pollUntil(consumer) { event, _ in
            if case .rebalance(let r) = event { try await consumer.acknowledge(r) }
            if let message = event.message {
                let value = try JSONSerialization.jsonObject(with: Data(message.value)) as? [String: Any] ?? [:]
                events.append(ProducedEvent(eventID: value["event_id"] as? String ?? "", occurredAt: value["occurred_at"] as? String ?? ""))
            }
            return events.count == expected
        }
        return events
    }

    func cleanup() async {
        await TestDatabase.drop(database.name)
    }
}

struct ProducedEvent: Hashable, Sendable {
    let eventID: String
    let occurredAt: String
}

struct APIResponse: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let json: [String: String]
}

extension TestClientProtocol {
    func postEvent(_ body: String, contentType: String = "application/json", idempotencyKey: String? = nil, path: String = "/v1/events") async throws -> APIResponse {
        var headers: HTTPFields = [.contentType: contentType]
        if let idempotencyKey { headers[HTTPField.Name("Idempotency-Key")!] = idempotencyKey }
        return try await execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
            let object = (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:]
            return APIResponse(
                status: response.status, headers: response.headers,
                json: object.mapValues { "\($0)" }
            )
        }
    }
}

func eventBody(account: String = "acct-1", amount: String = "125", eventID: String? = nil) -> String {
    let escaped = account.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    var fields = ["\"account_id\":\"\(escaped)\"", "\"amount_cents\":\(amount)"]
    if let eventID { fields.append("\"event_id\":\"\(eventID)\"") }
    return "{" + fields.joined(separator: ",") + "}"
}
