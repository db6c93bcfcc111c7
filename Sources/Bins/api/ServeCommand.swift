import ArgumentParser
import Foundation
import LiveAPI
import LiveKafka
import LiveOTel
import LivePostgres
import LiveService
import Logging

/// `api serve` (the default): `POST /v1/events` -> Kafka `events`, API keys and Idempotency-Key in Postgres.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the API (the default).")

    @OptionGroup var runtime: RuntimeOptions
    @Flag(help: "Serve POST /bench/bare-202 (the benchmark's baseline route).") var enableBareRoute = false
    @Option(help: "Postgres connections for API keys and Idempotency-Key handling.") var databasePoolSize = 32
    @Option(help: "Largest accepted request body in bytes.") var maxBodyBytes = 16 * 1024
    @Option(help: "Seconds a replica trusts its answer about an API key (a revocation takes effect within this).")
    var apiKeyCacheSeconds = 5
    @Option(help: "Concurrent Idempotency-Key claim statements (fewer writers make larger group-commit batches).")
    var claimWriters = 1
    @Option(help: "Extra librdkafka producer property name=value (repeatable), e.g. linger.ms=5.") var kafkaProperty: [String] = []

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        LogSetup.bootstrap(level: environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info)
        let logger = Logger(label: "api")
        let config = try runtime.resolve(environment: environment, httpPort: 8080, hostName: ProcessInfo.processInfo.hostName)
        guard apiKeyCacheSeconds >= 0 else { throw ValidationError("--api-key-cache-seconds must be 0 or more") }
        guard claimWriters >= 1 else { throw ValidationError("--claim-writers must be at least 1") }

        var producerConfig = KafkaProducerConfig(bootstrapServers: config.kafkaBootstrapServers)
        producerConfig.properties = try KafkaClientProperties.parse(
            environment[KafkaClientProperties.environmentKey], variable: KafkaClientProperties.environmentKey)
        for property in kafkaProperty {
            let parts = property.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("--kafka-property must be name=value, got \(property)") }
            producerConfig.properties[parts[0]] = parts[1]
        }
        let producer = try KafkaProducer.make(producerConfig)
        let pool = try await PostgresPool.connect(PostgresConfig(url: config.databaseURL), size: databasePoolSize)
        try await pool.withConnection { (conn: PostgresConnection) throws(PostgresError) in try await Schema.migrate(conn) }

        let telemetry = try TracingBootstrap.start(serviceName: "api", role: .edge, environment: environment, logger: logger)
        var apiConfig = APIConfig(topic: config.kafkaTopic, maxBodyBytes: maxBodyBytes, enableBareRoute: enableBareRoute,
                                  apiKeyCacheTTL: .seconds(apiKeyCacheSeconds), tracing: telemetry != nil,
                                  claimWriters: claimWriters)
        apiConfig.traceSampleRatio = try TracingBootstrap.edgeRatio(environment)
        let app = APIServer.application(
            host: config.httpHost, port: config.httpPort, config: apiConfig,
            producer: producer, pool: pool, metrics: MetricsRegistry(), logger: logger
        )
        let flush = ShutdownHook {
            do { try await producer.close(timeout: .seconds(10)) } catch { logger.error("flush on shutdown: \(error)") }
        }
        logger.info("api listening on \(config.httpHost):\(config.httpPort), producing to \(config.kafkaBootstrapServers)/\(config.kafkaTopic)")
        // The group stops services in reverse order: the server drains first, then the producer flushes, then the
        // span exporter sends what is left.
        try await ServiceRunner.run(Array(telemetry.map { [$0] } ?? []) + [flush, app], logger: logger)
    }
}
