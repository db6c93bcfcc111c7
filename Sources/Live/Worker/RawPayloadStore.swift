import Core
import LiveKafka

/// The original bytes and Kafka timestamp of every message Core may still act on, per partition in offset
/// order: the dead-letter topic gets the original payload (docs/interfaces.md), and the processing delay is
/// measured from the message timestamp.
///
/// Entries are dropped once their partition has moved past them: a committed batch or a dead-lettered event at
/// offset `o` means everything at or below `o` in that partition is done (Core keeps each partition in order).
struct RawPayloadStore {
    struct Entry {
        var offset: Offset
        var bytes: [UInt8]
        var timestampMilliseconds: Int64?
        /// The message's `traceparent`/`tracestate` headers when its trace is sampled and tracing is on; else empty.
        var traceContext: [KafkaHeader] = []
    }

    private var partitions: [PartitionID: [Entry]] = [:]
    /// Index of the first live entry per partition (dropping from the front without shifting every time).
    private var heads: [PartitionID: Int] = [:]

    mutating func append(partition: PartitionID, offset: Offset, bytes: [UInt8], timestamp: Int64?, traceContext: [KafkaHeader] = []) {
        // Mutated in place through the subscript: copying the array out and back would copy it per message.
        if let last = partitions[partition]?.last, last.offset >= offset {
            // Fetched again after a seek back: start this partition over from here.
            partitions[partition]?.removeAll(keepingCapacity: true)
            heads[partition] = 0
        }
        partitions[partition, default: []].append(
            Entry(offset: offset, bytes: bytes, timestampMilliseconds: timestamp, traceContext: traceContext))
    }

    func entry(partition: PartitionID, offset: Offset) -> Entry? {
        guard let list = partitions[partition] else { return nil }
        var low = heads[partition] ?? 0
        var high = list.count
        while low < high {
            let mid = (low + high) / 2
            if list[mid].offset < offset { low = mid + 1 } else { high = mid }
        }
        return low < list.count && list[low].offset == offset ? list[low] : nil
    }

    /// Forgets everything at or below `offset` in `partition`.
    mutating func drop(partition: PartitionID, through offset: Offset) {
        guard let count = partitions[partition]?.count else { return }
        var head = heads[partition] ?? 0
        while head < count, partitions[partition]![head].offset <= offset { head += 1 }
        if head == count {
            partitions[partition]!.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 4096 {
            partitions[partition]!.removeFirst(head)
            head = 0
        }
        heads[partition] = head
    }

    mutating func forget(partition: PartitionID) {
        partitions[partition] = nil
        heads[partition] = nil
    }

    var count: Int {
        partitions.reduce(0) { $0 + $1.value.count - (heads[$1.key] ?? 0) }
    }
}
