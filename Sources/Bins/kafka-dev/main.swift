import ArgumentParser
import Foundation
import Hummingbird
import LiveKafka
import LiveKafkaDev
import LiveService
import Logging
import ServiceLifecycle

/// A local Kafka for development and tests: librdkafka's mock cluster on fixed loopback ports.
@main
struct KafkaDevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka-dev",
        abstract: "Run librdkafka's mock Kafka cluster on 127.0.0.1 with fault injection over HTTP.",
        discussion: """
            Prints the bootstrap list as the first line of stdout, then stays up until SIGTERM/SIGINT.
            Control interface (curl http://127.0.0.1:19099/...):
            \(KafkaDevControl.usage)
            GET /metrics: the --lag-group's offsets and lag on --lag-topic under Kafka Exporter's metric names.
            """
    )

    @Option(help: "Number of brokers.") var brokers = 3
    @Option(help: "Port of broker 1; broker n listens on first-port + n - 1.") var firstPort: UInt16 = 19092
    @Option(help: "Explicit comma-separated broker ports (overrides --brokers/--first-port).") var ports: String?
    @Option(help: "Topic to create as name:partitions (repeatable).") var topic: [String] = ["events:12", "events.dlq:3"]
    @Option(help: "Control interface port on 127.0.0.1 (0 disables it).") var controlPort = 19099
    @Option(help: "Consumer group whose lag GET /metrics reports (empty: no /metrics).") var lagGroup = "ledger-worker"
    @Option(help: "Topic of --lag-group's lag (one of --topic).") var lagTopic = "events"

    func run() async throws {
        LogSetup.bootstrap(level: ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info)
        let logger = Logger(label: "kafka-dev")
        let brokerPorts = try resolvedPorts()
        let topics = try topic.map(parseTopic)
        let cluster: KafkaMockCluster
        do {
            cluster = try FixedPortMockCluster.start(ports: brokerPorts)
        } catch {
            throw ValidationError(error.description)
        }
        for (name, partitions) in topics { try await cluster.createTopic(name, partitions: partitions) }
        // Unbuffered, so a script reading the first line sees it at once.
        FileHandle.standardOutput.write(Data((cluster.bootstrapServers + "\n").utf8))
        logger.info("mock cluster up: \(cluster.bootstrapServers); topics \(topic.joined(separator: " "))")

        var services: [any Service] = [ShutdownHook { logger.info("kafka-dev stopping") }]
        if controlPort != 0 {
            let router = KafkaDevControl.router(cluster: cluster, logger: logger)
            if !lagGroup.isEmpty {
                guard let partitions = topics.first(where: { $0.0 == lagTopic })?.1 else {
                    throw ValidationError("--lag-topic \(lagTopic) is not one of the --topic options")
                }
                let monitor = try ConsumerGroupLagMonitor(
                    bootstrapServers: cluster.bootstrapServers, group: lagGroup, topic: lagTopic, partitions: partitions,
                    logger: logger
                )
                monitor.addRoute(to: router)
                services.append(monitor)
            }
            services.append(Application(
                router: router,
                configuration: .init(address: .hostname("127.0.0.1", port: controlPort), serverName: nil),
                logger: logger
            ))
        }
        try await ServiceRunner.run(services, logger: logger)
        withExtendedLifetime(cluster) {}
    }

    private func resolvedPorts() throws -> [UInt16] {
        if let ports {
            let parsed = ports.split(separator: ",").map { UInt16($0.trimmingCharacters(in: .whitespaces)) }
            guard !parsed.isEmpty, parsed.allSatisfy({ $0 != nil && $0! > 0 }) else { throw ValidationError("--ports: comma-separated ports") }
            return parsed.compactMap { $0 }
        }
        guard (1...32).contains(brokers) else { throw ValidationError("--brokers must be 1...32") }
        guard Int(firstPort) + brokers - 1 <= 32767 else { throw ValidationError("ports must stay below 32768") }
        return (0..<brokers).map { firstPort + UInt16($0) }
    }

    private func parseTopic(_ spec: String) throws -> (String, Int) {
        let parts = spec.split(separator: ":")
        guard parts.count == 2, let count = Int(parts[1]), count >= 1 else {
            throw ValidationError("--topic must be name:partitions, got \(spec)")
        }
        return (String(parts[0]), count)
    }
}
