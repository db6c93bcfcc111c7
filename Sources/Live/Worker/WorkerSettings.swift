public import Core
public import LiveService

/// Everything the worker needs to run, built once from `RuntimeConfig` (docs/interfaces.md) plus the tuning
/// knobs that are not part of the contract.
public struct WorkerSettings: Sendable {
    public var mode: ProcessingMode
    public var workerID: String
    public var bootstrapServers: String
    public var topic: String
    public var deadLetterTopic: String
    public var groupID: String
    public var databaseURL: String
    public var batchMaxEvents: Int
    public var maxAttempts: Int
    public var settlementPeriodSeconds: Int
    public var shutdownGrace: Duration
    /// `HISTORY_FILE`: where to append the history `sim check-history` reads; nil: no history.
    public var historyFile: String?
    /// librdkafka settings the design fixes for both modes (the simulator uses the same values).
    public var sessionTimeout: Duration = .seconds(10)
    public var maxPollInterval: Duration = .seconds(30)
    /// Longest wait of one poll when nothing is fetched. Short, because pause/resume/seek/commit queue behind
    /// a poll on the consumer's single thread.
    public var pollTimeout: Duration = .milliseconds(10)
    public var pollMaxMessages: Int = 1_000
    /// Fetched-but-unapplied events above which fetching pauses (Core resumes below one batch).
    public var queueHighWatermark: Int
    /// How often the lag gauges are refreshed from the partition leaders.
    public var lagRefreshInterval: Duration = .seconds(5)
    /// Extra librdkafka consumer properties (tests shorten timeouts with these).
    public var consumerProperties: [String: String] = [:]
    public var producerProperties: [String: String] = [:]
    /// Spans for batches holding a sampled event (the process bootstrapped a tracer). Off, the worker reads no
    /// trace header and starts no span.
    public var tracing = false

    public init(
        mode: ProcessingMode, workerID: String, bootstrapServers: String, topic: String = "events",
        deadLetterTopic: String = "events.dlq", groupID: String = "ledger-worker",
        databaseURL: String, batchMaxEvents: Int = 500, maxAttempts: Int = 5, settlementPeriodSeconds: Int = 60,
        shutdownGrace: Duration = .seconds(20)
    ) {
        self.mode = mode
        self.workerID = workerID
        self.bootstrapServers = bootstrapServers
        self.topic = topic
        self.deadLetterTopic = deadLetterTopic
        self.groupID = groupID
        self.databaseURL = databaseURL
        self.batchMaxEvents = max(1, batchMaxEvents)
        self.maxAttempts = max(1, maxAttempts)
        self.settlementPeriodSeconds = max(1, settlementPeriodSeconds)
        self.shutdownGrace = shutdownGrace
        // Two batches of slack beyond Core's default: a pause purges librdkafka's prefetched messages, so
        // pausing less often keeps one consumer above 10,000 events/s.
        self.queueHighWatermark = 4 * max(1, batchMaxEvents)
    }

    /// The contract's configuration (environment and flags), validated.
    public init(_ config: RuntimeConfig) {
        self.init(
            mode: ProcessingMode(rawValue: config.workerMode) ?? .after, workerID: config.workerID,
            bootstrapServers: config.kafkaBootstrapServers, topic: config.kafkaTopic,
            deadLetterTopic: config.kafkaDLQTopic, groupID: config.kafkaGroupID, databaseURL: config.databaseURL,
            batchMaxEvents: config.batchMaxEvents, maxAttempts: config.maxAttempts,
            settlementPeriodSeconds: config.settlementPeriodSeconds,
            shutdownGrace: .seconds(config.shutdownGraceSeconds)
        )
        self.historyFile = config.historyFile
    }

    /// Core's configuration. The seed only spreads retry jitter; it comes from the OS so replicas differ.
    public func consumerConfiguration(seed: UInt64 = UInt64.random(in: 0...UInt64.max)) -> ConsumerConfiguration {
        ConsumerConfiguration(
            mode: mode, workerID: workerID, batchMaxEvents: batchMaxEvents, queueHighWatermark: queueHighWatermark,
            retry: RetryPolicy(maxAttempts: maxAttempts),
            settlementPeriodMilliseconds: Int64(settlementPeriodSeconds) * 1000, randomSeed: seed
        )
    }
}
