import CRdKafka
import LiveBlocking

extension KafkaProducer {
    /// Low and high watermarks of a partition, asked from its leader through this producer's connections.
    ///
    /// The worker's lag gauge asks through the producer: that keeps the (blocking) ListOffsets round trips off
    /// the consumer's thread, which must stay free to poll, commit and acknowledge rebalances, and a broker outage
    /// then stalls only the lag refresh.
    public func watermarks(topic: String, partition: Int32, timeout: Duration = .seconds(1)) async throws(KafkaError) -> (low: Int64, high: Int64) {
        try await executor.run { () throws(KafkaError) in try queryWatermarks(self.handle, topic: topic, partition: partition, timeout: timeout) }
    }
}

/// `rd_kafka_query_watermark_offsets` on any client handle; call it on the handle's executor thread.
func queryWatermarks(_ handle: OpaquePointer, topic: String, partition: Int32, timeout: Duration) throws(KafkaError) -> (low: Int64, high: Int64) {
    var low: Int64 = 0
    var high: Int64 = 0
    let err = rd_kafka_query_watermark_offsets(handle, topic, partition, &low, &high, Int32(timeout.milliseconds))
    if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.code(err, "query_watermark_offsets") }
    return (low, high)
}
