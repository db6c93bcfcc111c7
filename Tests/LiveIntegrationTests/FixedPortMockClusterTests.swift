import LiveKafka
import LiveKafkaDev
import Testing

@Suite("kafka-dev fixed broker ports")
struct FixedPortMockClusterTests {
    @Test("brokers listen on the requested ports and serve clients there")
    func fixedPorts() async throws {
        let cluster = try FixedPortMockCluster.start(ports: [19192, 19193])
        #expect(cluster.bootstrapServers == "127.0.0.1:19192,127.0.0.1:19193")
        try await cluster.createTopic("fixed", partitions: 2)
        let producer = try KafkaProducer.make(KafkaProducerConfig(bootstrapServers: "127.0.0.1:19193"))
        let report = try await producer.send(KafkaOutgoingMessage(topic: "fixed", key: [1], value: [1]))
        #expect(report.offset == 0)
    }

    @Test("a port already taken is reported, not silently replaced")
    func portInUse() throws {
        let first = try FixedPortMockCluster.start(ports: [19194])
        #expect(throws: FixedPortMockCluster.StartError.self) { _ = try FixedPortMockCluster.start(ports: [19194]) }
        withExtendedLifetime(first) {}
    }
}
