import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LiveAPI
import LiveAPIKeys
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

    /// Every fixture's database holds this key (scope `*`, no practical rate limit); `postEvent` sends it
    /// unless told otherwise. Fixed so helpers need no fixture to authenticate.
    static let testKey = "rsk_00000000000000aa_" + String(repeating: "5a", count: 32)

    static func make() async throws -> APIFixture {
        let kafka = try await KafkaFixture.make(brokers: 1, partitions: 3)
        let database = try await TestDatabase.makeDatabase()
        try await TestDatabase.migrateAndGrant(database.url)
        try await storeKey(testKey, in: database.url, accounts: ["*"], ratePerSecond: 1_000_000, burst: 1_000_000)
        return APIFixture(kafka: kafka, database: database)
    }

    /// Inserts a key as the owner would (`api keys create` draws a random one; tests need known ones).
    static func storeKey(_ key: String, in url: String, accounts: [String], ratePerSecond: Int, burst: Int) async throws {
        let token = try #require(APIKeyToken.parse(key[...]))
        let owner = try await TestDatabase.connect(url)
        let array = "{" + accounts.map { "\"\($0)\"" }.joined(separator: ",") + "}"
        try await owner.query("""
            INSERT INTO api_keys (key_id, secret_sha256, name, accounts, rate_per_second, burst)
            VALUES ($1, encode(sha256(convert_to($2, 'UTF8')), 'hex'), 'test', $3::text[], $4::int, $5::int)
            """, [.text(token.keyID), .text(token.secret), .text(array), .int32(Int32(ratePerSecond)), .int32(Int32(burst))])
    }

    /// A replica: its own producer and pool, sharing cluster and database with the others.
    func replica(
        messageTimeout: Duration = .seconds(10), metrics: MetricsRegistry? = nil, apiKeyCacheTTL: Duration = .seconds(5)
    ) async throws -> some ApplicationProtocol {
        let producer = try kafka.producer(timeout: messageTimeout)
        let pool = try await PostgresPool.connect(TestDatabase.config(TestDatabase.url(database.url, role: "api")), size: 4)
        let router = APIServer.router(
            config: APIConfig(topic: kafka.topic, maxBodyBytes: 1024, enableBareRoute: true, apiKeyCacheTTL: apiKeyCacheTTL),
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
    func postEvent(
        _ body: String, contentType: String = "application/json", idempotencyKey: String? = nil, path: String = "/v1/events",
        authorization: String? = "Bearer " + APIFixture.testKey
    ) async throws -> APIResponse {
        var headers: HTTPFields = [.contentType: contentType]
        if let idempotencyKey { headers[HTTPField.Name("Idempotency-Key")!] = idempotencyKey }
        if let authorization { headers[.authorization] = authorization }
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
