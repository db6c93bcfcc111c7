import Core
public import LiveKafka
import LivePostgres
import LiveService
public import Logging
import Prometheus
public import ServiceLifecycle

/// Why the worker stopped with an error.
public enum WorkerError: Error, CustomStringConvertible {
    case kafka(KafkaError)
    case fatal(String)

    public var description: String {
        switch self {
        case .kafka(let error): "kafka: \(error)"
        case .fatal(let reason): "fatal: \(reason)"
        }
    }
}

/// The worker as a ServiceLifecycle service: connects (waiting for the database as long as it takes),
/// migrates the schema, then drives Core until it exits. SIGTERM becomes Core's `shutdownRequested`, so the
/// mode decides what a shutdown does (`before`: stop on the spot; `after`: drain within the grace period).
public struct WorkerService: Service {
    public let settings: WorkerSettings
    public let metrics: WorkerMetrics
    public let health: WorkerHealth
    let logger: Logger
    /// Called when Core stops without leaving the group (`before` on SIGTERM), while the consumer is still
    /// open: the executable exits the process here, so nothing closes the consumer behind Core's back.
    let onAbandon: @Sendable () -> Void

    public init(
        settings: WorkerSettings, metrics: WorkerMetrics, health: WorkerHealth, logger: Logger,
        onAbandon: @escaping @Sendable () -> Void = {}
    ) {
        self.settings = settings
        self.metrics = metrics
        self.health = health
        self.logger = logger
        self.onAbandon = onAbandon
    }

    public func run() async throws {
        let mailbox = Mailbox()
        let outcome = try await withGracefulShutdownHandler { () async throws -> WorkerExit? in
            guard let connection = await connectUntilReachable() else { return nil }
            try await Schema.migrate(connection)
            let store = LedgerStore(
                connection: connection, groupID: settings.groupID, topic: settings.topic,
                settlementPeriodSeconds: settings.settlementPeriodSeconds, settledEvents: settings.historyFile != nil, logger: logger)
            try await store.prepare()
            health.set(databaseUp: true)
            metrics.databaseUp.set(1.0)
            let producer = try KafkaProducer.make(Self.producerConfig(settings))
            let consumer = try KafkaConsumer.make(Self.consumerConfig(settings))
            let driver = WorkerDriver(
                settings: settings, consumer: consumer, producer: producer, store: store, metrics: metrics,
                health: health, mailbox: mailbox, logger: logger)
            logger.info("""
                worker \(settings.workerID) running in \(settings.mode.rawValue) mode: group \(settings.groupID), \
                topic \(settings.topic), batch \(settings.batchMaxEvents), brokers \(settings.bootstrapServers)
                """)
            let exit = await driver.run()
            if exit == .abandoned {
                logger.notice("exiting without leaving the group (\(settings.mode.rawValue) mode)")
                onAbandon()
            }
            withExtendedLifetime((consumer, producer)) {}
            return exit
        } onGracefulShutdown: {
            mailbox.post(.shutdown)
        }
        if case .fatal(let reason) = outcome { throw WorkerError.fatal(reason) }
        logger.info("worker stopped")
    }

    /// Waits for the database (not ready meanwhile); nil if a shutdown came first.
    private func connectUntilReachable() async -> PostgresConnection? {
        health.set(phase: "connecting to the database")
        var attempt = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                return try await PostgresConnection.connect(Self.postgresConfig(settings))
            } catch {
                if attempt % 10 == 0 { logger.warning("database not reachable yet: \(error)") }
                attempt += 1
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
        return nil
    }

    static func postgresConfig(_ settings: WorkerSettings) -> PostgresConfig {
        var config = PostgresConfig(url: settings.databaseURL)
        config.applicationName = "worker-\(settings.workerID)"
        config.connectTimeout = .seconds(3)
        // One reconnect attempt per transaction: Core's own back-off decides when to try again.
        config.reconnect = Backoff(base: .milliseconds(50), cap: .seconds(1), maxAttempts: 1)
        return config
    }

    static func consumerConfig(_ settings: WorkerSettings) -> KafkaConsumerConfig {
        var config = KafkaConsumerConfig(bootstrapServers: settings.bootstrapServers, groupID: settings.groupID)
        config.clientID = "worker-\(settings.workerID)"
        // Design table: `before` uses librdkafka's eager default, `after` incremental rebalancing. Both let Core
        // drive commits; `before`'s 5 s auto-commit timer in Core commits the offsets stored at hand-off,
        // which is what librdkafka's auto-commit does with enable.auto.offset.store=true.
        config.assignment = settings.mode == .before ? .range : .cooperativeSticky
        config.autoCommit = false
        config.autoOffsetStore = false
        config.autoOffsetReset = "earliest"
        config.sessionTimeout = settings.sessionTimeout
        config.maxPollInterval = settings.maxPollInterval
        config.properties = settings.consumerProperties
        return config
    }

    static func producerConfig(_ settings: WorkerSettings) -> KafkaProducerConfig {
        var config = KafkaProducerConfig(bootstrapServers: settings.bootstrapServers)
        config.clientID = "worker-dlq-\(settings.workerID)"
        config.properties = settings.producerProperties
        return config
    }
}
