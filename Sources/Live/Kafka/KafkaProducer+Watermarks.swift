import CRdKafka
import LiveBlocking

extension KafkaProducer {
    /// Low and high watermarks of a partition, asked from its leader through this producer's connections.
    ///
    /// Added for the worker's lag gauge: asking through the producer keeps the (blocking) ListOffsets round
    /// trips off the consumer's thread, which must stay free to poll, commit and acknowledge rebalances, and a
    /// broker outage then stalls only the lag refresh.
    public func watermarks(topic: String, partition: Int32, timeout: Duration = .seconds(1)) async throws(KafkaError) -> (low: Int64, high: Int64) {
        try await executor.run { () throws(KafkaError) in
            var low: Int64 = 0
            var high: Int64 = 0
            let err = rd_kafka_query_watermark_offsets(self.handle, topic, partition, &low, &high, Int32(timeout.milliseconds))
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.code(err, "query_watermark_offsets") }
            return (low, high)
        }
    }
}
