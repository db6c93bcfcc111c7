import CRdKafka
import Foundation
import LiveBlocking

/// librdkafka's built-in mock Kafka cluster (`rdkafka_mock.h`): N brokers listening on 127.0.0.1 that real
/// clients, in this or other processes, talk to over TCP. Supports produce (idempotent), fetch, consumer
/// groups with rebalances and offset commits, and fault injection.
///
/// The cluster runs on librdkafka's own thread; control calls are synchronous requests to that thread, so
/// they run on this object's executor, off the cooperative pool.
public final class KafkaMockCluster: @unchecked Sendable {
    // Safe: `cluster` and `handle` are only used on `executor`'s thread after init.
    private let handle: OpaquePointer
    private let cluster: OpaquePointer
    private let executor: BlockingExecutor
    /// Comma-separated `host:port` list of the brokers (broker ids 1...N in order).
    public let bootstrapServers: String
    public let brokerCount: Int

    private init(handle: OpaquePointer, cluster: OpaquePointer, brokerCount: Int) {
        self.handle = handle
        self.cluster = cluster
        self.brokerCount = brokerCount
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        self.executor = BlockingExecutor(name: "kafka-mock")
    }

    /// Starts `brokers` brokers on 127.0.0.1, each on a port the kernel picks (see `KafkaMockPorts` in
    /// kafka-dev for fixed ports).
    public static func start(brokers: Int) throws(KafkaError) -> KafkaMockCluster {
        guard brokers >= 1 else { throw KafkaError.invalid("at least one broker", "mock_cluster_new") }
        // The cluster needs an rd_kafka_t for bookkeeping only; a bare producer that never connects.
        let conf = try KafkaConf.make([("log_level", "3")], operation: "mock_cluster_new")
        let handle = try makeKafkaHandle(RD_KAFKA_PRODUCER, conf, operation: "mock_cluster_new")
        guard let cluster = rd_kafka_mock_cluster_new(handle, Int32(brokers)) else {
            rd_kafka_destroy(handle)
            throw KafkaError.code(RD_KAFKA_RESP_ERR__FAIL, "mock_cluster_new", message: "could not start the mock brokers")
        }
        return KafkaMockCluster(handle: handle, cluster: cluster, brokerCount: brokers)
    }

    deinit {
        let (cluster, handle) = (SendableHandle(cluster), SendableHandle(handle))
        executor.submit {
            rd_kafka_mock_cluster_destroy(cluster.pointer)
            rd_kafka_destroy(handle.pointer)
        }
        executor.shutdown()
    }

    /// Creates a topic (the mock has no CreateTopics API; clients cannot create topics themselves).
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) async throws(KafkaError) {
        try await control("topic_create") { rd_kafka_mock_topic_create($0, name, Int32(partitions), Int32(replicationFactor)) }
    }

    /// Disconnects broker `id` (1...N, or -1 for all) and refuses new connections. No leader change.
    public func setBrokerDown(_ id: Int32) async throws(KafkaError) {
        try await control("broker_set_down") { rd_kafka_mock_broker_set_down($0, id) }
    }

    public func setBrokerUp(_ id: Int32) async throws(KafkaError) {
        try await control("broker_set_up") { rd_kafka_mock_broker_set_up($0, id) }
    }

    /// Adds `milliseconds` of round-trip delay to every response of broker `id` (-1 for all; 0 removes it).
    public func setRoundTripTime(broker id: Int32, milliseconds: Int) async throws(KafkaError) {
        try await control("broker_set_rtt") { rd_kafka_mock_broker_set_rtt($0, id, Int32(milliseconds)) }
    }

    /// Makes the next `errors.count` requests of type `apiKey` (any broker) fail with these codes, in order.
    /// `_TRANSPORT` disconnects the client instead.
    public func pushRequestErrors(apiKey: KafkaApiKey, errors: [Int32]) async throws(KafkaError) {
        guard !errors.isEmpty else { return }
        try await executor.run { () throws(KafkaError) in
            let codes = errors.map { rd_kafka_resp_err_t(rawValue: $0) }
            rd_kafka_mock_push_request_errors_array(self.cluster, apiKey.rawValue, codes.count, codes)
        }
    }

    /// Forgets the pending injected errors for `apiKey`.
    public func clearRequestErrors(apiKey: KafkaApiKey) async {
        await executor.run { rd_kafka_mock_clear_request_errors(self.cluster, apiKey.rawValue) }
    }

    /// Moves the leadership of a partition (or makes it leaderless with -1).
    public func setPartitionLeader(topic: String, partition: Int32, broker: Int32) async throws(KafkaError) {
        try await control("partition_set_leader") { rd_kafka_mock_partition_set_leader($0, topic, partition, broker) }
    }

    /// Pins the group coordinator of `group` to `broker` (so taking that broker down hits the group).
    public func setGroupCoordinator(group: String, broker: Int32) async throws(KafkaError) {
        try await control("coordinator_set") { rd_kafka_mock_coordinator_set($0, "group", group, broker) }
    }

    private func control(
        _ operation: String, _ call: @escaping @Sendable (OpaquePointer) -> rd_kafka_resp_err_t
    ) async throws(KafkaError) {
        try await executor.run { () throws(KafkaError) in
            let err = call(self.cluster)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.code(err, operation) }
        }
    }
}

/// Kafka protocol request types that fault injection can target.
public enum KafkaApiKey: Int16, Sendable, CaseIterable {
    case produce = 0, fetch = 1, listOffsets = 2, metadata = 3, offsetCommit = 8, offsetFetch = 9
    case findCoordinator = 10, joinGroup = 11, heartbeat = 12, leaveGroup = 13, syncGroup = 14
    case initProducerId = 22

    /// Parses a name as used by the kafka-dev control interface (`Produce`, `offset_commit`, `OffsetCommit`, `8`).
    public init?(name: String) {
        if let number = Int16(name), let key = KafkaApiKey(rawValue: number) {
            self = key
            return
        }
        let normalized = name.lowercased().replacingOccurrences(of: "_", with: "").replacingOccurrences(of: "request", with: "")
        guard let key = KafkaApiKey.allCases.first(where: { "\($0)".lowercased() == normalized }) else { return nil }
        self = key
    }
}
