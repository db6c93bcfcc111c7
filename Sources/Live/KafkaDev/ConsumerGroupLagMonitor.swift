public import Hummingbird
public import LiveKafka
public import Logging
public import ServiceLifecycle
import Synchronization

/// Kafka Exporter's view of a consumer group, served by kafka-dev at `GET /metrics`: the group's lag as the
/// brokers see it, so it keeps reporting while the workers are stopped, paused or dead (their own lag gauge goes
/// with them). It asks through a consumer handle that never subscribes, so it never joins the group.
///
/// The broker requests run in a loop once a second (`run`, a Service) and a scrape reads the newest result, so a
/// slow broker never holds up a scrape. A result older than `maxAge` is not served: its series then go stale in
/// Prometheus, as they do when Kafka Exporter cannot reach Kafka.
public final class ConsumerGroupLagMonitor: Service, Sendable {
    public let group: String
    public let topic: String
    private let partitions: [Int32]
    private let consumer: KafkaConsumer
    private let logger: Logger
    private let latest = Mutex<(lag: ConsumerGroupLag, at: ContinuousClock.Instant)?>(nil)
    static let refreshInterval = Duration.seconds(1)
    static let maxAge = Duration.seconds(5)
    static let requestTimeout = Duration.milliseconds(1_500)

    public init(bootstrapServers: String, group: String, topic: String, partitions: Int, logger: Logger) throws(KafkaError) {
        var config = KafkaConsumerConfig(bootstrapServers: bootstrapServers, groupID: group)
        config.clientID = "kafka-dev-lag"
        self.consumer = try KafkaConsumer.make(config)
        self.group = group
        self.topic = topic
        self.partitions = (0..<Int32(partitions)).map { $0 }
        self.logger = logger
    }

    /// Asks the partition leaders for the watermarks and the group coordinator for the committed offsets.
    public func scrape() async -> ConsumerGroupLag {
        var rows: [ConsumerGroupLag.Partition] = []
        for partition in partitions {
            let marks: (low: Int64, high: Int64)?
            do {
                marks = try await consumer.watermarks(topic: topic, partition: partition, timeout: Self.requestTimeout)
            } catch {
                logger.debug("watermarks \(topic)[\(partition)]: \(error)")
                marks = nil
            }
            rows.append(.init(partition: partition, watermarks: marks, committed: nil))
        }
        do {
            let asked = partitions.map { KafkaTopicPartition(topic: topic, partition: $0) }
            for offset in try await consumer.committed(asked, timeout: Self.requestTimeout) where offset.offset >= 0 {
                if let index = rows.firstIndex(where: { $0.partition == offset.topicPartition.partition }) {
                    rows[index].committed = offset.offset
                }
            }
        } catch {
            logger.debug("committed offsets of \(group): \(error)")
        }
        return ConsumerGroupLag(group: group, topic: topic, partitions: rows)
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let lag = await self.scrape()
                self.latest.withLock { $0 = (lag, .now) }
                try? await Task.sleep(for: Self.refreshInterval)
            }
        }
    }

    /// The newest result as Prometheus text; empty when there is none younger than `maxAge`.
    public var metricsText: String {
        latest.withLock { latest in
            guard let latest, ContinuousClock.now - latest.at <= Self.maxAge else { return "" }
            return latest.lag.prometheusText
        }
    }

    /// `GET /metrics` on `router`.
    public func addRoute(to router: Router<BasicRequestContext>) {
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(string: self.metricsText))
            )
        }
    }
}
