/// Producer settings. Idempotence and `acks=all` are the defaults, so retries cannot duplicate or reorder.
public struct KafkaProducerConfig: Sendable {
    public var bootstrapServers: String
    public var clientID: String = "replicasafe"
    public var idempotent: Bool = true
    public var acks: String = "all"
    /// `linger.ms`: how long librdkafka waits to fill a batch; small keeps the API's latency low.
    public var linger: Duration = .milliseconds(2)
    /// `message.timeout.ms`: how long a message may be retried before its delivery report fails.
    public var messageTimeout: Duration = .seconds(30)
    /// Extra librdkafka properties, applied last.
    public var properties: [String: String] = [:]

    public init(bootstrapServers: String) {
        self.bootstrapServers = bootstrapServers
    }

    var librdkafkaProperties: [(String, String)] {
        var list: [(String, String)] = [
            ("bootstrap.servers", bootstrapServers),
            ("client.id", clientID),
            ("enable.idempotence", idempotent ? "true" : "false"),
            ("acks", acks),
            ("linger.ms", String(linger.milliseconds)),
            ("message.timeout.ms", String(messageTimeout.milliseconds)),
        ]
        // Idle connections closed by the broker are normal; librdkafka would log each one.
        list.append(("log.connection.close", "false"))
        list += properties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return list
    }
}
