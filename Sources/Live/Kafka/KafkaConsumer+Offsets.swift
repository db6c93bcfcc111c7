import CRdKafka
import LiveBlocking

extension KafkaConsumer {
    /// Commits `offsets` (next offset to consume per partition) and waits for the broker's answer.
    /// Never throws: the result carries the request error and one entry per partition.
    public func commit(_ offsets: [KafkaTopicPartitionOffset]) async -> KafkaCommitResult {
        await executor.run {
            let list = TopicPartitionList.of(offsets)
            let err = list.withPointer { rd_kafka_commit(self.handle, $0, 0) }
            let ok = err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET
            return KafkaCommitResult(error: ok ? nil : KafkaError.code(err, "commit"), partitions: list.results(operation: "commit"))
        }
    }

    /// Sends a commit without waiting; its result arrives from `poll` as `.offsetsCommitted`.
    public func commitAsync(_ offsets: [KafkaTopicPartitionOffset]) async throws(KafkaError) {
        try await executor.run { () throws(KafkaError) in
            let list = TopicPartitionList.of(offsets)
            let err = list.withPointer { rd_kafka_commit(self.handle, $0, 1) }
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.code(err, "commit_async") }
        }
    }

    /// Stores offsets for the auto-committer (`enable.auto.offset.store=false` setups).
    public func storeOffsets(_ offsets: [KafkaTopicPartitionOffset]) async throws(KafkaError) {
        try await executor.run { () throws(KafkaError) in
            let list = TopicPartitionList.of(offsets)
            let err = list.withPointer { rd_kafka_offsets_store(self.handle, $0) }
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.code(err, "offsets_store") }
        }
    }

    /// The group's committed offsets for `partitions` (`KafkaTopicPartitionOffset.invalid` when none).
    public func committed(_ partitions: [KafkaTopicPartition], timeout: Duration = .seconds(5)) async throws(KafkaError) -> [KafkaTopicPartitionOffset] {
        try await executor.run { () throws(KafkaError) in
            let list = TopicPartitionList.of(partitions)
            let err = list.withPointer { rd_kafka_committed(self.handle, $0, Int32(timeout.milliseconds)) }
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.code(err, "committed") }
            return list.offsets
        }
    }

    /// Low and high watermarks of a partition, asked from its leader (lag = high - committed).
    public func watermarks(topic: String, partition: Int32, timeout: Duration = .seconds(5)) async throws(KafkaError) -> (low: Int64, high: Int64) {
        try await executor.run { () throws(KafkaError) in try queryWatermarks(self.handle, topic: topic, partition: partition, timeout: timeout) }
    }

    /// The current assignment as applied through `acknowledge`.
    public func assignment() async throws(KafkaError) -> [KafkaTopicPartition] {
        try await executor.run { () throws(KafkaError) in
            var raw: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
            let err = rd_kafka_assignment(self.handle, &raw)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.code(err, "assignment") }
            guard let raw else { return [] }
            return TopicPartitionList.adopt(raw).partitions
        }
    }

    /// Stops fetching `partitions`; already fetched messages may still be returned once.
    public func pause(_ partitions: [KafkaTopicPartition]) async throws(KafkaError) -> [KafkaPartitionResult] {
        try await executor.run { () throws(KafkaError) in
            let list = TopicPartitionList.of(partitions)
            let err = list.withPointer { rd_kafka_pause_partitions(self.handle, $0) }
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.code(err, "pause_partitions") }
            return list.results(operation: "pause")
        }
    }

    public func resume(_ partitions: [KafkaTopicPartition]) async throws(KafkaError) -> [KafkaPartitionResult] {
        try await executor.run { () throws(KafkaError) in
            let list = TopicPartitionList.of(partitions)
            let err = list.withPointer { rd_kafka_resume_partitions(self.handle, $0) }
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.code(err, "resume_partitions") }
            return list.results(operation: "resume")
        }
    }

    /// Moves the fetch position of assigned partitions (e.g. back to the last committed offset after a
    /// failed batch, so the batch is consumed again).
    public func seek(_ offsets: [KafkaTopicPartitionOffset], timeout: Duration = .seconds(5)) async throws(KafkaError) -> [KafkaPartitionResult] {
        try await executor.run { () throws(KafkaError) in
            let list = TopicPartitionList.of(offsets)
            if let error = KafkaError.take(list.withPointer { rd_kafka_seek_partitions(self.handle, $0, Int32(timeout.milliseconds)) }, "seek_partitions") {
                throw error
            }
            return list.results(operation: "seek")
        }
    }
}
