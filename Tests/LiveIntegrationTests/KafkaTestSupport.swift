import Foundation
import LiveKafka
import Testing

/// A mock cluster with one fresh topic per test (names are unique so tests never share state).
struct KafkaFixture {
    let cluster: KafkaMockCluster
    let topic: String
    let partitions: Int

    static func make(brokers: Int = 3, partitions: Int = 6) async throws -> KafkaFixture {
        let cluster = try KafkaMockCluster.start(brokers: brokers)
        let topic = "t-\(UUID().uuidString.prefix(8))"
        try await cluster.createTopic(topic, partitions: partitions)
        return KafkaFixture(cluster: cluster, topic: topic, partitions: partitions)
    }

    func producer(timeout: Duration = .seconds(10)) throws -> KafkaProducer {
        var config = KafkaProducerConfig(bootstrapServers: cluster.bootstrapServers)
        config.messageTimeout = timeout
        config.properties["reconnect.backoff.max.ms"] = "500"
        return try KafkaProducer.make(config)
    }

    func consumer(group: String, assignment: KafkaConsumerConfig.Assignment = .cooperativeSticky) throws -> KafkaConsumer {
        var config = KafkaConsumerConfig(bootstrapServers: cluster.bootstrapServers, groupID: group)
        config.assignment = assignment
        config.sessionTimeout = .seconds(6)
        // librdkafka debug contexts (e.g. cgrp) for a failing run, as WORKER_TEST_RDKAFKA_DEBUG does for workers.
        if let debug = ProcessInfo.processInfo.environment["KAFKA_TEST_RDKAFKA_DEBUG"] { config.properties["debug"] = debug }
        return try KafkaConsumer.make(config)
    }

    func allPartitions() -> Set<KafkaTopicPartition> {
        Set((0..<partitions).map { KafkaTopicPartition(topic: topic, partition: Int32($0)) })
    }
}

/// Polls `consumer` until `done` returns true or `seconds` pass; returns every event seen.
@discardableResult
func pollUntil(
    _ consumer: KafkaConsumer, seconds: Double = 20,
    _ done: (KafkaConsumerEvent, [KafkaConsumerEvent]) async throws -> Bool
) async throws -> [KafkaConsumerEvent] {
    let deadline = Date().addingTimeInterval(seconds)
    var seen: [KafkaConsumerEvent] = []
    while Date() < deadline {
        for event in await consumer.poll(maxMessages: 100, timeout: .milliseconds(100)) {
            seen.append(event)
            if try await done(event, seen) { return seen }
        }
    }
    Issue.record("condition not met within \(seconds) s; saw \(seen.count) events")
    return seen
}

/// Polls until the next rebalance of `kind` and returns it without acknowledging.
func nextRebalance(_ consumer: KafkaConsumer, _ kind: KafkaRebalance.Kind, seconds: Double = 20) async throws -> KafkaRebalance? {
    var found: KafkaRebalance?
    try await pollUntil(consumer, seconds: seconds) { event, _ in
        if case .rebalance(let r) = event, r.kind == kind { found = r; return true }
        return false
    }
    return found
}

extension KafkaConsumerEvent {
    var message: KafkaMessage? { if case .message(let m) = self { m } else { nil } }
}

extension KafkaMessage {
    /// A header's value as text (nil when the message has no such header).
    func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value.map { String(decoding: $0, as: UTF8.self) }
    }
}
