import Foundation
import Hummingbird
import HummingbirdTesting
import LiveKafka
import LiveKafkaDev
import Logging
import Testing

@Suite("kafka-dev control interface")
struct KafkaDevControlTests {
    @Test("commands change the running cluster; bad commands are 400 with the reason")
    func commands() async throws {
        let fixture = try await KafkaFixture.make(brokers: 2, partitions: 1)
        let app = Application(router: KafkaDevControl.router(cluster: fixture.cluster, logger: Logger(label: "test")))
        let producer = try fixture.producer(timeout: .seconds(2))
        try await app.test(.router) { client in
            try await client.execute(uri: "/brokers", method: .get) { #expect(String(buffer: $0.body) == fixture.cluster.bootstrapServers + "\n") }
            try await client.execute(uri: "/errors/Produce?codes=NOT_ENOUGH_REPLICAS&count=2", method: .post) {
                #expect($0.status == .ok)
                #expect(String(buffer: $0.body).contains("2 produce request error(s)"))
            }
            try await client.execute(uri: "/errors/Produce", method: .delete) { #expect($0.status == .ok) }
            try await client.execute(uri: "/brokers/all/down", method: .post) { #expect($0.status == .ok) }
            await #expect(throws: KafkaError.self) { _ = try await producer.send(KafkaOutgoingMessage(topic: fixture.topic, key: nil, value: [1])) }
            try await client.execute(uri: "/brokers/all/up", method: .post) { #expect($0.status == .ok) }
            try await client.execute(uri: "/topics/extra?partitions=4", method: .post) { #expect($0.status == .ok) }
            for (uri, needle) in [
                ("/errors/Nope?codes=NOT_ENOUGH_REPLICAS", "unknown api key"),
                ("/errors/Produce?codes=NO_SUCH_ERROR", "unknown librdkafka error name"),
                ("/brokers/x/down", "broker id"),
                ("/brokers/1/rtt?ms=-5", "ms"),
            ] {
                try await client.execute(uri: uri, method: .post) { response in
                    #expect(response.status == .badRequest, "\(uri)")
                    #expect(String(buffer: response.body).contains(needle), "\(uri)")
                }
            }
        }
    }
}
