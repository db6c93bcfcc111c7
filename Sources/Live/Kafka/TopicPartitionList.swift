import CRdKafka

/// Owns one `rd_kafka_topic_partition_list_t` (C allocation freed in `deinit`). Internal to the wrapper.
/// C calls get the pointer through `withPointer`, which keeps the list alive for the call (Swift may end an
/// object's lifetime right after the last use of a stored property otherwise).
final class TopicPartitionList {
    private let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    private init(pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        self.pointer = pointer
    }

    deinit { rd_kafka_topic_partition_list_destroy(pointer) }

    func withPointer<R>(_ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(pointer) }
    }

    func add(topic: String, partition: Int32) {
        _ = rd_kafka_topic_partition_list_add(pointer, topic, partition)
    }

    static func make(capacity: Int = 0) -> TopicPartitionList {
        TopicPartitionList(pointer: rd_kafka_topic_partition_list_new(Int32(max(capacity, 1))))
    }

    /// Takes ownership of a list librdkafka allocated for us.
    static func adopt(_ pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> TopicPartitionList {
        TopicPartitionList(pointer: pointer)
    }

    /// Copies a list librdkafka owns (e.g. the one passed to a rebalance callback).
    static func copy(of pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> TopicPartitionList {
        TopicPartitionList(pointer: rd_kafka_topic_partition_list_copy(pointer))
    }

    static func of(_ partitions: [KafkaTopicPartition]) -> TopicPartitionList {
        let list = make(capacity: partitions.count)
        for tp in partitions {
            list.add(topic: tp.topic, partition: tp.partition)
        }
        return list
    }

    static func of(_ offsets: [KafkaTopicPartitionOffset]) -> TopicPartitionList {
        let list = make(capacity: offsets.count)
        for tpo in offsets {
            list.withPointer { rd_kafka_topic_partition_list_add($0, tpo.topicPartition.topic, tpo.topicPartition.partition) }?
                .pointee.offset = tpo.offset
        }
        return list
    }

    /// Sets the offset of `partition` if present (used to start assigned partitions at externally stored offsets).
    func setOffset(_ offset: Int64, for partition: KafkaTopicPartition) {
        let element = rd_kafka_topic_partition_list_find(pointer, partition.topic, partition.partition)
        element?.pointee.offset = offset
    }

    private func mapElements<T>(_ transform: (rd_kafka_topic_partition_t) -> T) -> [T] {
        withPointer { list in
            UnsafeMutableBufferPointer(start: list.pointee.elems, count: Int(list.pointee.cnt)).map(transform)
        }
    }

    var partitions: [KafkaTopicPartition] {
        mapElements { KafkaTopicPartition(topic: String(cString: $0.topic), partition: $0.partition) }
    }

    var offsets: [KafkaTopicPartitionOffset] {
        mapElements { KafkaTopicPartitionOffset(topic: String(cString: $0.topic), partition: $0.partition, offset: $0.offset) }
    }

    func results(operation: String) -> [KafkaPartitionResult] {
        mapElements { element in
            KafkaPartitionResult(
                topicPartition: KafkaTopicPartition(topic: String(cString: element.topic), partition: element.partition),
                offset: element.offset,
                error: element.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError.code(element.err, operation)
            )
        }
    }
}
