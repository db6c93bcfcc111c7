import LiveKafka
import LiveKafkaDev
import Logging
import Testing

@Suite("kafka-dev /metrics: a consumer group's lag under Kafka Exporter's names")
struct ConsumerGroupLagTests {
    @Test("the text follows Kafka Exporter: -1 without a commit, no lag without a watermark, sums as upstream")
    func rendering() {
        let lag = ConsumerGroupLag(group: "g", topic: "events", partitions: [
            .init(partition: 2, watermarks: nil, committed: 3),  // its leader did not answer
            .init(partition: 0, watermarks: (low: 0, high: 10), committed: 4),
            .init(partition: 1, watermarks: (low: 2, high: 5), committed: nil),
        ])
        let samples = lag.prometheusText.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(samples == [
            #"kafka_topic_partition_current_offset{topic="events",partition="0"} 10"#,
            #"kafka_topic_partition_current_offset{topic="events",partition="1"} 5"#,
            #"kafka_topic_partition_oldest_offset{topic="events",partition="0"} 0"#,
            #"kafka_topic_partition_oldest_offset{topic="events",partition="1"} 2"#,
            #"kafka_consumergroup_current_offset{consumergroup="g",topic="events",partition="0"} 4"#,
            #"kafka_consumergroup_current_offset{consumergroup="g",topic="events",partition="1"} -1"#,
            #"kafka_consumergroup_current_offset{consumergroup="g",topic="events",partition="2"} 3"#,
            #"kafka_consumergroup_current_offset_sum{consumergroup="g",topic="events"} 6"#,
            #"kafka_consumergroup_lag{consumergroup="g",topic="events",partition="0"} 6"#,
            #"kafka_consumergroup_lag{consumergroup="g",topic="events",partition="1"} -1"#,
            #"kafka_consumergroup_lag_sum{consumergroup="g",topic="events"} 6"#,
        ])
        #expect(lag.prometheusText.contains("# TYPE kafka_consumergroup_lag gauge\n"))
        let uncommitted = ConsumerGroupLag(group: "g", topic: "events", partitions: [.init(partition: 0, watermarks: (0, 7), committed: nil)])
        #expect(!uncommitted.prometheusText.contains("consumergroup"), "a group that never committed on the topic has no series")
    }

    @Test("asked of a real cluster: watermarks from the leaders, the group's commits from its coordinator")
    func scrapeOfTheMockCluster() async throws {
        let fixture = try await KafkaFixture.make(brokers: 3, partitions: 3)
        let producer = try fixture.producer()
        for (partition, count) in [(Int32(0), 10), (1, 5)] {
            for index in 0..<count {
                _ = try await producer.send(KafkaOutgoingMessage(topic: fixture.topic, key: nil, value: [UInt8(index)], partition: partition))
            }
        }
        let committer = try fixture.consumer(group: "lag-test")
        let commit = await committer.commit([KafkaTopicPartitionOffset(topic: fixture.topic, partition: 0, offset: 4)])
        #expect(commit.error == nil)
        let monitor = try ConsumerGroupLagMonitor(
            bootstrapServers: fixture.cluster.bootstrapServers, group: "lag-test", topic: fixture.topic, partitions: 3,
            logger: Logger(label: "test")
        )
        let lag = await monitor.scrape()
        #expect(lag == ConsumerGroupLag(group: "lag-test", topic: fixture.topic, partitions: [
            .init(partition: 0, watermarks: (0, 10), committed: 4),
            .init(partition: 1, watermarks: (0, 5), committed: nil),
            .init(partition: 2, watermarks: (0, 0), committed: nil),
        ]))
        #expect(lag.prometheusText.contains("kafka_consumergroup_lag_sum{consumergroup=\"lag-test\",topic=\"\(fixture.topic)\"} 6\n"))
        #expect(monitor.metricsText.isEmpty, "nothing is served before the refresh loop has a result")
    }
}
