/// Consumer settings. Each field maps to one librdkafka property; `properties` overrides anything.
public struct KafkaConsumerConfig: Sendable {
    /// How partitions are assigned in the group; decides the rebalance protocol.
    public enum Assignment: String, Sendable {
        /// Eager: every rebalance revokes everything, then assigns. librdkafka's default (`range,roundrobin`).
        case range
        case roundRobin = "roundrobin"
        /// Cooperative (incremental): only moved partitions are revoked.
        case cooperativeSticky = "cooperative-sticky"
    }

    public var bootstrapServers: String
    public var groupID: String
    public var clientID: String = "replicasafe"
    public var assignment: Assignment = .cooperativeSticky
    /// `enable.auto.commit`: librdkafka commits stored offsets every `autoCommitInterval`.
    public var autoCommit: Bool = false
    public var autoCommitInterval: Duration = .seconds(5)
    /// `enable.auto.offset.store`: offsets are stored when a message is handed to the application.
    public var autoOffsetStore: Bool = false
    /// `auto.offset.reset` for partitions without a committed offset.
    public var autoOffsetReset: String = "earliest"
    public var sessionTimeout: Duration = .seconds(10)
    public var heartbeatInterval: Duration = .seconds(1)
    public var maxPollInterval: Duration = .seconds(60)
    /// Extra librdkafka properties, applied last.
    public var properties: [String: String] = [:]

    public init(bootstrapServers: String, groupID: String) {
        self.bootstrapServers = bootstrapServers
        self.groupID = groupID
    }

    /// The `before` mode of the design: librdkafka's defaults as most consumers ship them
    /// (eager range assignment, auto-commit every 5 s of offsets stored on hand-over).
    public static func autoCommitting(bootstrapServers: String, groupID: String) -> KafkaConsumerConfig {
        var config = KafkaConsumerConfig(bootstrapServers: bootstrapServers, groupID: groupID)
        config.assignment = .range
        config.autoCommit = true
        config.autoOffsetStore = true
        return config
    }

    var librdkafkaProperties: [(String, String)] {
        var list: [(String, String)] = [
            ("bootstrap.servers", bootstrapServers),
            ("group.id", groupID),
            ("client.id", clientID),
            ("partition.assignment.strategy", assignment.rawValue),
            ("enable.auto.commit", autoCommit ? "true" : "false"),
            ("auto.commit.interval.ms", String(autoCommitInterval.milliseconds)),
            ("enable.auto.offset.store", autoOffsetStore ? "true" : "false"),
            ("auto.offset.reset", autoOffsetReset),
            ("session.timeout.ms", String(sessionTimeout.milliseconds)),
            ("heartbeat.interval.ms", String(heartbeatInterval.milliseconds)),
            ("max.poll.interval.ms", String(maxPollInterval.milliseconds)),
            ("enable.partition.eof", "false"),
        ]
        // Idle connections closed by the broker are normal; librdkafka would log each one.
        list.append(("log.connection.close", "false"))
        list += properties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return list
    }
}

extension Duration {
    /// Whole milliseconds, rounded down, as librdkafka and libpq timeouts expect.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
