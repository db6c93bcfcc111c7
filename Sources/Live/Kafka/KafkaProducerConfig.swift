/// Producer settings. Idempotence and `acks=all` are the defaults, so retries cannot duplicate or reorder.
public struct KafkaProducerConfig: Sendable {
    public var bootstrapServers: String
    public var clientID: String = "replicasafe"
    public var idempotent: Bool = true
    public var acks: String = "all"
    /// `linger.ms`: how long librdkafka waits to fill a batch. The api's callers wait for each acknowledgement,
    /// so a longer linger costs throughput: 1 ms beat 2 ms in 6 of 7 paired `make bench-api`-style runs
    /// (0.59 vs 0.52 of the bare route), and 4 ms lost in all (0.40); docs/live.md.
    public var linger: Duration = .milliseconds(1)
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
