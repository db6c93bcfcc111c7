import ArgumentParser
import Core
import Foundation
import LiveOTel
import LivePostgres
import LiveService
import LiveWorker
import Logging

/// The ledger worker: consumes `events`, applies them to Postgres through Core, in `before` or `after` mode.
@main
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "ReplicaSafe ledger worker (Kafka events -> Postgres) with /healthz, /readyz and /metrics.",
        discussion: "Every option also reads its environment variable (docs/interfaces.md); a flag wins.",
        subcommands: [Run.self, Migrate.self],
        defaultSubcommand: Run.self
    )
}

extension WorkerCommand {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Consume and apply events (the default).")

        @OptionGroup var runtime: RuntimeOptions

        func run() async throws {
            let (environment, config) = try runtime.start()
            var settings = WorkerSettings(config)
            let client = try KafkaClientProperties.parse(
                environment[KafkaClientProperties.environmentKey], variable: KafkaClientProperties.environmentKey)
            settings.consumerProperties = client.merging(try Self.properties(environment["WORKER_CONSUMER_PROPERTIES"])) { $1 }
            settings.producerProperties = client
            var logger = Logger(label: "worker")
            logger[metadataKey: "worker"] = "\(settings.workerID)"
            logger[metadataKey: "mode"] = "\(settings.mode.rawValue)"

            let telemetry = try TracingBootstrap.start(serviceName: "worker", role: .follower, environment: environment, logger: logger)
            settings.tracing = telemetry != nil
            let registry = MetricsRegistry()
            let metrics = WorkerMetrics(registry: registry, mode: settings.mode, settlementPeriodSeconds: settings.settlementPeriodSeconds)
            let health = WorkerHealth()
            let http = OperationalRoutes.application(
                host: config.httpHost, port: config.httpPort, metrics: registry,
                readiness: { health.readiness }, logger: logger)
            let worker = WorkerService(settings: settings, metrics: metrics, health: health, logger: logger) {
                // `before` mode on SIGTERM: gone at once, the consumer never closed (no LeaveGroup).
                Foundation.exit(0)
            }
            logger.info("metrics on \(config.httpHost):\(config.httpPort)")
            // The group shuts services down in reverse order: the worker drains first, the metrics server next, the
            // span exporter last (it sends the spans of the final batches).
            try await ServiceRunner.run(Array(telemetry.map { [$0] } ?? []) + [http, worker], logger: logger)
        }

        /// `WORKER_CONSUMER_PROPERTIES=fetch.wait.max.ms=50,queued.min.messages=20000`: extra librdkafka consumer
        /// properties (tuning only; the design's settings are fixed in `WorkerService.consumerConfig`).
        static func properties(_ text: String?) throws -> [String: String] {
            try KafkaClientProperties.parse(text, variable: "WORKER_CONSUMER_PROPERTIES")
        }

    }

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply db/schema.sql idempotently and exit.")

        @OptionGroup var runtime: RuntimeOptions

        func run() async throws {
            let config = try runtime.start().config
            let connection = try await PostgresConnection.connect(PostgresConfig(url: config.databaseURL))
            try await Schema.migrate(connection)
            print("schema applied")
        }
    }
}

private extension RuntimeOptions {
    /// How each subcommand starts: logging at `LOG_LEVEL`, then the configuration from flags and environment.
    func start() throws -> (environment: [String: String], config: RuntimeConfig) {
        let environment = ProcessInfo.processInfo.environment
        LogSetup.bootstrap(level: environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info)
        return (environment, try resolve(environment: environment, httpPort: 9090, hostName: ProcessInfo.processInfo.hostName))
    }
}
