import Core

/// The `events` topic: one append-only log per partition. Records are the decoded messages consumers will
/// see, plus the index of the planned event each came from (for the checkers and explanations).
struct Topic {
    private(set) var logs: [[Message]]
    private(set) var origins: [[Int32]]
    /// Where each planned event was first written (offset -1: not yet). One flat array rather than an array per
    /// event: a run writes thousands of events, and one allocation each is a measurable share of a sweep.
    private var firstPlacements: [PartitionOffset]
    /// Later writes of the same event (a producer retry), in the order they were written; rare.
    private var laterPlacements: [(origin: Int32, placement: PartitionOffset)] = []

    init(partitions: Int, plannedEvents: Int) {
        // Room for a fair share of the planned events and some retries, so the logs rarely grow while a run appends.
        let share = plannedEvents / max(1, partitions) * 5 / 4 + 16
        logs = (0..<partitions).map { _ in
            var log: [Message] = []
            log.reserveCapacity(share)
            return log
        }
        origins = (0..<partitions).map { _ in
            var log: [Int32] = []
            log.reserveCapacity(share)
            return log
        }
        firstPlacements = Array(repeating: PartitionOffset(partition: -1, offset: -1), count: plannedEvents)
    }

    /// Where a planned event was written: one offset normally, two after a producer retry; none if never.
    func placements(of event: Int) -> [PartitionOffset] {
        let first = firstPlacements[event]
        guard first.offset >= 0 else { return [] }
        let origin = Int32(event)
        return [first] + laterPlacements.filter { $0.origin == origin }.map(\.placement)
    }

    /// Where a planned event was first written (nil: never).
    func firstPlacement(of event: Int) -> PartitionOffset? {
        let first = firstPlacements[event]
        return first.offset >= 0 ? first : nil
    }

    var partitionCount: Int { logs.count }

    func end(_ partition: Int) -> Offset { Offset(logs[partition].count) }

    /// Appends and returns the new record's offset.
    @discardableResult
    mutating func append(_ payload: Payload, partition: Int, origin: Int32) -> Offset {
        let offset = Offset(logs[partition].count)
        logs[partition].append(Message(partition: PartitionID(partition), offset: offset, payload: payload))
        origins[partition].append(origin)
        let placement = PartitionOffset(partition: PartitionID(partition), offset: offset)
        if firstPlacements[Int(origin)].offset < 0 {
            firstPlacements[Int(origin)] = placement
        } else {
            laterPlacements.append((origin, placement))
        }
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
