import CRdKafka
import LiveBlocking

/// A high-level (group) consumer over one `rd_kafka_t`.
///
/// Every C call runs on the consumer's own `BlockingExecutor` thread, in call order. Rebalances are not
/// applied by librdkafka on its own: `poll` returns them as `.rebalance` events and the assignment changes
/// only when the caller calls `acknowledge(_:)`, for both the eager and the cooperative protocol.
public final class KafkaConsumer: @unchecked Sendable {
    // Safe: `handle` is only used on `executor`'s single thread; `state` is internally locked; `closed` is
    // only touched on the executor thread.
    let handle: OpaquePointer
    let executor: BlockingExecutor
    let state: ConsumerCallbackState
    var closed = false
    public let config: KafkaConsumerConfig

    private init(handle: OpaquePointer, executor: BlockingExecutor, state: ConsumerCallbackState, config: KafkaConsumerConfig) {
        self.handle = handle
        self.executor = executor
        self.state = state
        self.config = config
    }

    /// Creates the consumer (no network I/O yet; `subscribe` joins the group).
    public static func make(_ config: KafkaConsumerConfig) throws(KafkaError) -> KafkaConsumer {
        let conf = try KafkaConf.make(config.librdkafkaProperties, operation: "consumer")
        let state = ConsumerCallbackState()
        guard let raw = conf.pointer else { throw KafkaError.invalid("no configuration", "consumer") }
        rd_kafka_conf_set_opaque(raw, Unmanaged.passUnretained(state).toOpaque())
        rd_kafka_conf_set_rebalance_cb(raw, consumerRebalanceCallback)
        rd_kafka_conf_set_offset_commit_cb(raw, consumerOffsetCommitCallback)
        rd_kafka_conf_set_error_cb(raw, consumerErrorCallback)
        let handle = try makeKafkaHandle(RD_KAFKA_CONSUMER, conf, operation: "consumer")
        // Serve every callback from rd_kafka_consumer_poll, on the executor thread.
        rd_kafka_poll_set_consumer(handle)
        return KafkaConsumer(
            handle: handle, executor: BlockingExecutor(name: "kafka-consumer-\(config.groupID)"),
            state: state, config: config
        )
    }

    deinit {
        let (handle, state, closed) = (SendableHandle(handle), state, closed)
        executor.submit {
            if !closed {
                state.isClosing = true
                _ = rd_kafka_consumer_close(handle.pointer)
            }
            rd_kafka_destroy(handle.pointer)
            withExtendedLifetime(state) {}
        }
        executor.shutdown()
    }

    /// Subscribes to `topics` (replacing any previous subscription); the group join happens while polling.
    public func subscribe(_ topics: [String]) async throws(KafkaError) {
        try await executor.run { () throws(KafkaError) in
            let list = TopicPartitionList.make(capacity: topics.count)
            for topic in topics {
                list.add(topic: topic, partition: RD_KAFKA_PARTITION_UA)
            }
            let err = list.withPointer { rd_kafka_subscribe(self.handle, $0) }
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.code(err, "subscribe") }
        }
    }

    /// Polls up to `maxMessages` events. Waits at most `timeout` for the first one, then takes whatever is
    /// already fetched. A batch ends early right after a rebalance so the caller can react before more messages.
    public func poll(maxMessages: Int = 500, timeout: Duration = .milliseconds(100)) async -> [KafkaConsumerEvent] {
        await executor.run { self.pollOnThread(maxMessages: maxMessages, timeoutMs: Int32(timeout.milliseconds)) }
    }

    private func pollOnThread(maxMessages: Int, timeoutMs: Int32) -> [KafkaConsumerEvent] {
        var events: [KafkaConsumerEvent] = []
        var wait = timeoutMs
        while events.count < maxMessages {
            let message = rd_kafka_consumer_poll(handle, wait)
            wait = 0
            let served = state.drain()
            events += served
            if let message {
                events.append(Self.event(from: message))
                rd_kafka_message_destroy(message)
            }
            let sawRebalance = served.contains { if case .rebalance = $0 { true } else { false } }
            if sawRebalance || (message == nil && served.isEmpty) { break }
        }
        return events
    }

    private static func event(from message: UnsafeMutablePointer<rd_kafka_message_t>) -> KafkaConsumerEvent {
        let err = message.pointee.err
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let text = rd_kafka_message_errstr(message).map { String(cString: $0) }
            return .error(KafkaError.code(err, "consume", message: text))
        }
        return .message(KafkaMessage(copying: message))
    }

    /// Applies `rebalance` to the assignment. For `.assigned`, `startOffsets` overrides where consumption
    /// starts (offsets kept outside Kafka, e.g. in the database); other partitions start at the committed offset.
    /// For `.revoked`/`.lost`, commit what must be committed before calling this.
    public func acknowledge(
        _ rebalance: KafkaRebalance, startOffsets: [KafkaTopicPartition: Int64] = [:]
    ) async throws(KafkaError) {
        try await executor.run { () throws(KafkaError) in
            guard let (recorded, list) = self.state.takePending(rebalance.id) else {
                throw KafkaError.code(RD_KAFKA_RESP_ERR__STATE, "acknowledge",
                                      message: "rebalance #\(rebalance.id) is not pending (already acknowledged?)")
            }
            for (partition, offset) in startOffsets { list.setOffset(offset, for: partition) }
            try applyRebalance(self.handle, recorded, list)
        }
    }

    /// Leaves the group: acknowledges anything pending, revokes the assignment (commits must come first),
    /// and closes. The consumer cannot be used afterwards.
    public func close() async throws(KafkaError) {
        try await executor.run { () throws(KafkaError) in
            if self.closed { return }
            self.closed = true
            for (rebalance, list) in self.state.takeAllPending() {
                try? applyRebalance(self.handle, rebalance, list)
            }
            self.state.isClosing = true
            let err = rd_kafka_consumer_close(self.handle)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.code(err, "close") }
        }
    }

    /// This member's id in the group, once joined.
    public func memberID() async -> String? {
        await executor.run {
            guard let raw = rd_kafka_memberid(self.handle) else { return nil }
            defer { rd_kafka_mem_free(self.handle, raw) }
            let id = String(cString: raw)
            return id.isEmpty ? nil : id
        }
    }
}

/// Carries a C handle into a job for the executor thread that owns it.
struct SendableHandle: @unchecked Sendable {
    // Safe: the handle is only dereferenced by librdkafka on the owning executor's thread.
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
}
