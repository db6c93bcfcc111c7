import CRdKafka
import LiveBlocking

extension KafkaConsumer {
    /// The generation this member last joined, as librdkafka would send it with a commit (`-1` outside a group).
    /// librdkafka has no getter for it; its serialised group metadata (`rd_kafka_consumer_group_metadata_write`,
    /// format `CGMDv2:`) carries it as a native-endian int32 right after the 7-byte magic.
    public func groupGeneration() async -> Int32? {
        await executor.run {
            guard let metadata = rd_kafka_consumer_group_metadata(self.handle) else { return nil }
            defer { rd_kafka_consumer_group_metadata_destroy(metadata) }
            var buffer: UnsafeMutableRawPointer?
            var size = 0
            if let error = rd_kafka_consumer_group_metadata_write(metadata, &buffer, &size) {
                rd_kafka_error_destroy(error)
                return nil
            }
            guard let buffer else { return nil }
            defer { rd_kafka_mem_free(nil, buffer) }
            let magic = Array("CGMDv2:".utf8)
            guard size >= magic.count + 4,
                  Array(UnsafeRawBufferPointer(start: buffer, count: magic.count)) == magic else { return nil }
            return buffer.loadUnaligned(fromByteOffset: magic.count, as: Int32.self)
        }
    }
}
