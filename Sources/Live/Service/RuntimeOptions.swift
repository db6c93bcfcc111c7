public import ArgumentParser

/// The `--flag` form of every `RuntimeConfig` variable, for executables to embed with `@OptionGroup`.
/// A flag beats its environment variable, which beats the default.
public struct RuntimeOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("kafka-bootstrap-servers"), help: "KAFKA_BOOTSTRAP_SERVERS (default 127.0.0.1:19092)")
    public var kafkaBootstrapServers: String?
    @Option(name: .customLong("kafka-topic"), help: "KAFKA_TOPIC (default events)") public var kafkaTopic: String?
    @Option(name: .customLong("kafka-dlq-topic"), help: "KAFKA_DLQ_TOPIC (default events.dlq)") public var kafkaDLQTopic: String?
    @Option(name: .customLong("kafka-group-id"), help: "KAFKA_GROUP_ID (default ledger-worker)") public var kafkaGroupID: String?
    @Option(name: .customLong("database-url"), help: "DATABASE_URL") public var databaseURL: String?
    @Option(name: .customLong("worker-mode"), help: "WORKER_MODE: before | after (default after)") public var workerMode: String?
    @Option(name: .customLong("http-host"), help: "HTTP_HOST (default 127.0.0.1)") public var httpHost: String?
    @Option(name: .customLong("http-port"), help: "HTTP_PORT (api 8080, worker 9090)") public var httpPort: String?
    @Option(name: .customLong("shutdown-grace-seconds"), help: "SHUTDOWN_GRACE_SECONDS (default 20)") public var shutdownGraceSeconds: String?
    @Option(name: .customLong("batch-max-events"), help: "BATCH_MAX_EVENTS (default 500)") public var batchMaxEvents: String?
    @Option(name: .customLong("settlement-period-seconds"), help: "SETTLEMENT_PERIOD_SECONDS (default 60)") public var settlementPeriodSeconds: String?
    @Option(name: .customLong("max-attempts"), help: "MAX_ATTEMPTS (default 5)") public var maxAttempts: String?
    @Option(name: .customLong("worker-id"), help: "WORKER_ID (default: host name)") public var workerID: String?
    @Option(name: .customLong("history-file"), help: "HISTORY_FILE: append the worker's history (JSON Lines, for sim check-history); off by default")
    public var historyFile: String?

    public init() {}

    var values: [RuntimeConfig.Key: String] {
        let pairs: [(RuntimeConfig.Key, String?)] = [
            (.kafkaBootstrapServers, kafkaBootstrapServers), (.kafkaTopic, kafkaTopic), (.kafkaDLQTopic, kafkaDLQTopic),
            (.kafkaGroupID, kafkaGroupID), (.databaseURL, databaseURL), (.workerMode, workerMode), (.httpHost, httpHost),
            (.httpPort, httpPort), (.shutdownGraceSeconds, shutdownGraceSeconds), (.batchMaxEvents, batchMaxEvents),
            (.settlementPeriodSeconds, settlementPeriodSeconds), (.maxAttempts, maxAttempts), (.workerID, workerID),
            (.historyFile, historyFile),
        ]
        return Dictionary(uniqueKeysWithValues: pairs.compactMap { key, value in value.map { (key, $0) } })
    }

    /// Defaults, then `environment`, then these flags.
    public func resolve(environment: [String: String], httpPort: Int, hostName: String) throws(RuntimeConfig.InvalidValue) -> RuntimeConfig {
        var config = RuntimeConfig(httpPort: httpPort, workerID: hostName)
        try config.apply(RuntimeConfig.values(fromEnvironment: environment))
        try config.apply(values)
        return config
    }
}
