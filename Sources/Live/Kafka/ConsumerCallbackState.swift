import CRdKafka
import Foundation

/// What librdkafka's callbacks record for the consumer. Callbacks run inside `rd_kafka_consumer_poll` or
/// `rd_kafka_consumer_close`, always on the consumer's executor thread.
final class ConsumerCallbackState: @unchecked Sendable {
    // Safe: every field is read and written only while `lock` is held.
    private let lock = NSLock()
    private var events: [KafkaConsumerEvent] = []
    private var pending: [UInt64: (KafkaRebalance, TopicPartitionList)] = [:]
    private var nextID: UInt64 = 1
    private var closing = false

    var isClosing: Bool {
        get { lock.withLock { closing } }
        set { lock.withLock { closing = newValue } }
    }

    func append(_ event: KafkaConsumerEvent) {
        lock.withLock { events.append(event) }
    }

    func drain() -> [KafkaConsumerEvent] {
        lock.withLock {
            defer { events.removeAll(keepingCapacity: true) }
            return events
        }
    }

    /// Records a rebalance to be acknowledged later and returns it.
    func record(kind: KafkaRebalance.Kind, protocolName: String, partitions: TopicPartitionList) -> KafkaRebalance {
        lock.withLock {
            let rebalance = KafkaRebalance(
                id: nextID, kind: kind,
                rebalanceProtocol: protocolName == "COOPERATIVE" ? .cooperative : .eager,
                partitions: partitions.partitions
            )
            nextID += 1
            pending[rebalance.id] = (rebalance, partitions)
            events.append(.rebalance(rebalance))
            return rebalance
        }
    }

    func takePending(_ id: UInt64) -> (KafkaRebalance, TopicPartitionList)? {
        lock.withLock { pending.removeValue(forKey: id) }
    }

    func takeAllPending() -> [(KafkaRebalance, TopicPartitionList)] {
        lock.withLock {
            defer { pending.removeAll() }
            return pending.keys.sorted().compactMap { pending[$0] }
        }
    }
}

/// Applies a rebalance to librdkafka's assignment: the acknowledgement.
func applyRebalance(
    _ handle: OpaquePointer, _ rebalance: KafkaRebalance, _ list: TopicPartitionList
) throws(KafkaError) {
    switch (rebalance.kind, rebalance.rebalanceProtocol) {
    case (.assigned, .cooperative):
        if let error = KafkaError.take(list.withPointer { rd_kafka_incremental_assign(handle, $0) }, "incremental_assign") {
            throw error
        }
    case (.revoked, .cooperative), (.lost, .cooperative):
        if let error = KafkaError.take(list.withPointer { rd_kafka_incremental_unassign(handle, $0) }, "incremental_unassign") {
            throw error
        }
    case (.assigned, .eager):
        let err = list.withPointer { rd_kafka_assign(handle, $0) }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.code(err, "assign") }
    case (.revoked, .eager), (.lost, .eager):
        let err = rd_kafka_assign(handle, nil)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.code(err, "unassign") }
    }
}

private func callbackState(_ opaque: UnsafeMutableRawPointer?) -> ConsumerCallbackState? {
    opaque.map { Unmanaged<ConsumerCallbackState>.fromOpaque($0).takeUnretainedValue() }
}

/// `rebalance_cb`: records the event; does not touch the assignment unless the consumer is closing.
func consumerRebalanceCallback(
    _ handle: OpaquePointer?, _ err: rd_kafka_resp_err_t,
    _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, _ opaque: UnsafeMutableRawPointer?
) {
    guard let handle, let partitions, let state = callbackState(opaque) else { return }
    let protocolName = rd_kafka_rebalance_protocol(handle).map { String(cString: $0) } ?? "NONE"
    let kind: KafkaRebalance.Kind
    switch err {
    case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
        kind = .assigned
    case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
        kind = rd_kafka_assignment_lost(handle) != 0 ? .lost : .revoked
    default:
        // librdkafka: on an arbitrary rebalance error the application must clear the assignment.
        _ = rd_kafka_assign(handle, nil)
        state.append(.error(KafkaError.code(err, "rebalance")))
        return
    }
    let list = TopicPartitionList.copy(of: partitions)
    if state.isClosing {
        // Closing: nobody will acknowledge; let the group move on at once.
        let rebalance = KafkaRebalance(
            id: 0, kind: kind, rebalanceProtocol: protocolName == "COOPERATIVE" ? .cooperative : .eager,
            partitions: list.partitions
        )
        try? applyRebalance(handle, rebalance, list)
        return
    }
    _ = state.record(kind: kind, protocolName: protocolName, partitions: list)
}

/// `offset_commit_cb`: results of asynchronous and automatic commits.
func consumerOffsetCommitCallback(
    _ handle: OpaquePointer?, _ err: rd_kafka_resp_err_t,
    _ offsets: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, _ opaque: UnsafeMutableRawPointer?
) {
    guard let state = callbackState(opaque) else { return }
    let partitions = offsets.map { TopicPartitionList.copy(of: $0).results(operation: "commit") } ?? []
    let ok = err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET
    state.append(.offsetsCommitted(KafkaCommitResult(error: ok ? nil : KafkaError.code(err, "commit"), partitions: partitions)))
}

/// `error_cb`: client-level errors (brokers down, fatal errors).
func consumerErrorCallback(
    _ handle: OpaquePointer?, _ err: Int32, _ reason: UnsafePointer<CChar>?, _ opaque: UnsafeMutableRawPointer?
) {
    guard let state = callbackState(opaque) else { return }
    var error = KafkaError.code(rd_kafka_resp_err_t(rawValue: err), "client",
                                message: reason.map { String(cString: $0) })
    if err == RD_KAFKA_RESP_ERR__FATAL.rawValue {
        error = KafkaError(code: err, name: error.name, message: error.message, operation: "client", isFatal: true)
    }
    state.append(.error(error))
}
