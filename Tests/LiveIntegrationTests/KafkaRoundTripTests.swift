import Foundation
import LiveKafka
import Testing

@Suite("Kafka producer and consumer against the mock cluster", .serialized)
struct KafkaRoundTripTests {
    @Test("keyed messages with headers arrive once each, same key on the same partition")
    func roundTrip() async throws {
        let fixture = try await KafkaFixture.make()
        let producer = try fixture.producer()
        var reports: [String: KafkaDeliveryReport] = [:]
        for index in 0..<30 {
            let key = "account-\(index % 5)"
            let report = try await producer.send(KafkaOutgoingMessage(
                topic: fixture.topic, key: Array(key.utf8), value: Array("v\(index)".utf8),
                headers: [KafkaHeader(name: "n", string: "\(index)"), KafkaHeader(name: "null", value: nil)]
            ))
            #expect(report.offset >= 0)
            if let earlier = reports[key] { #expect(earlier.partition == report.partition, "same key, same partition") }
            reports[key] = report
        }
        let consumer = try fixture.consumer(group: "g-\(UUID().uuidString)")
        try await consumer.subscribe([fixture.topic])
        var values: [String] = []
        try await pollUntil(consumer) { event, _ in
            switch event {
            case .rebalance(let r): try await consumer.acknowledge(r)
            case .message(let m):
                values.append(String(decoding: m.value, as: UTF8.self))
                #expect(m.headers.first { $0.name == "n" }?.value == Array(m.value.dropFirst()))
                #expect(m.headers.contains(KafkaHeader(name: "null", value: nil)))
                #expect(reports[String(decoding: m.key ?? [], as: UTF8.self)]?.partition == m.partition)
            default: break
            }
            return values.count == 30
        }
        #expect(Set(values) == Set((0..<30).map { "v\($0)" }))
        #expect(values.count == 30)
        try await consumer.close()
        try await producer.close()
    }

    @Test("a produce to a cluster that is down fails with the delivery error, and works again when it is up")
    func brokerDownAndUp() async throws {
        let fixture = try await KafkaFixture.make(brokers: 1)
        let producer = try fixture.producer(timeout: .seconds(2))
        _ = try await producer.send(KafkaOutgoingMessage(topic: fixture.topic, key: [1], value: [1]))
        try await fixture.cluster.setBrokerDown(-1)
        let error = await #expect(throws: KafkaError.self) {
            _ = try await producer.send(KafkaOutgoingMessage(topic: fixture.topic, key: [1], value: [2]))
        }
        #expect(error?.name == "_MSG_TIMED_OUT", "\(String(describing: error))")
        try await fixture.cluster.setBrokerUp(-1)
        let report = try await producer.send(KafkaOutgoingMessage(topic: fixture.topic, key: [1], value: [3]))
        #expect(report.offset >= 1)
    }

    @Test("injected produce errors are retried by the idempotent producer without duplicating")
    func injectedProduceErrors() async throws {
        let fixture = try await KafkaFixture.make(brokers: 1, partitions: 1)
        let producer = try fixture.producer()
        let notEnough = try #require(KafkaError.code(named: "NOT_ENOUGH_REPLICAS"))
        try await fixture.cluster.pushRequestErrors(apiKey: .produce, errors: [notEnough, notEnough, notEnough])
        let report = try await producer.send(KafkaOutgoingMessage(topic: fixture.topic, key: [7], value: [7]))
        #expect(report.offset == 0)
        let (low, high) = try await watermarks(fixture)
        #expect(low == 0 && high == 1, "exactly one copy stored")
    }

    @Test("added round-trip time delays acknowledgements by at least that much")
    func latencyInjection() async throws {
        let fixture = try await KafkaFixture.make(brokers: 1, partitions: 1)
        let producer = try fixture.producer()
        _ = try await producer.send(KafkaOutgoingMessage(topic: fixture.topic, key: nil, value: [0]))
        try await fixture.cluster.setRoundTripTime(broker: -1, milliseconds: 300)
        let clock = ContinuousClock()
        let start = clock.now
        _ = try await producer.send(KafkaOutgoingMessage(topic: fixture.topic, key: nil, value: [1]))
        #expect(clock.now - start >= .milliseconds(300))
    }

    private func watermarks(_ fixture: KafkaFixture) async throws -> (Int64, Int64) {
        let consumer = try fixture.consumer(group: "wm-\(UUID().uuidString)")
        return try await consumer.watermarks(topic: fixture.topic, partition: 0)
    }
}
