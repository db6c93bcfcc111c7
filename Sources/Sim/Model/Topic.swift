import Core

/// The `events` topic: one append-only log per partition. Records are the decoded messages consumers will
/// see, plus the index of the planned event each came from (for the checkers and explanations).
struct Topic {
    private(set) var logs: [[Message]]
    private(set) var origins: [[Int32]]
    /// Where each planned event was written: one offset normally, two after a producer retry.
    private(set) var placements: [[PartitionOffset]]

    init(partitions: Int, plannedEvents: Int) {
        logs = Array(repeating: [], count: partitions)
        origins = Array(repeating: [], count: partitions)
        placements = Array(repeating: [], count: plannedEvents)
    }

    var partitionCount: Int { logs.count }

    func end(_ partition: Int) -> Offset { Offset(logs[partition].count) }

    /// Appends and returns the new record's offset.
    @discardableResult
    mutating func append(_ payload: Payload, partition: Int, origin: Int32) -> Offset {
        let offset = Offset(logs[partition].count)
        logs[partition].append(Message(partition: PartitionID(partition), offset: offset, payload: payload))
        origins[partition].append(origin)
        placements[Int(origin)].append(PartitionOffset(partition: PartitionID(partition), offset: offset))
        return offset
    }

    func origin(partition: PartitionID, offset: Offset) -> Int32 {
        origins[Int(partition)][Int(offset)]
    }

    /// Kafka's default partitioner keys by account; any stable hash keeps one account on one partition.
    static func partition(forAccount account: Int, partitions: Int) -> Int {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        var value = UInt64(account)
        for _ in 0..<8 {
            hash = (hash ^ (value & 0xFF)) &* 0x0000_0100_0000_01B3
            value >>= 8
        }
        return Int(hash % UInt64(partitions))
    }
}
