import Core

/// The consumer-lag gauges' bookkeeping: what this consumer knows Kafka holds as committed per partition, and
/// which partitions have a gauge. The lag of a partition is its high watermark minus that committed offset.
struct LagTracker {
    private var committed: [PartitionID: Int64] = [:]
    private var gauged: Set<PartitionID> = []

    /// A commit the broker accepted: offsets only move forward.
    mutating func committed(_ offsets: [PartitionOffset]) {
        for offset in offsets { committed[offset.partition] = max(committed[offset.partition] ?? offset.offset, offset.offset) }
    }

    /// Offsets the coordinator holds for partitions this consumer has not committed yet.
    mutating func learnt(_ offsets: [PartitionID: Int64]) {
        for (partition, offset) in offsets where committed[partition] == nil { committed[partition] = offset }
    }

    /// A partition assigned, revoked or lost: its committed offset is someone else's to know from now on.
    mutating func forget(_ partitions: [PartitionID]) {
        for partition in partitions { committed[partition] = nil }
    }

    /// Owned partitions whose committed offset this consumer has to ask the coordinator for.
    func unknown(among owned: [PartitionID]) -> [PartitionID] {
        owned.filter { committed[$0] == nil }
    }

    /// The gauges to set: each owned partition with a known high watermark, and 0 for partitions no longer owned.
    mutating func gauges(owned: [PartitionID], high: [PartitionID: Int64]) -> [(partition: PartitionID, lag: Int64)] {
        let ownedSet = Set(owned)
        var values = gauged.subtracting(ownedSet).sorted().map { (partition: $0, lag: Int64(0)) }
        for partition in owned.sorted() {
            guard let watermark = high[partition] else { continue }
            values.append((partition, max(0, watermark - (committed[partition] ?? 0))))
        }
        gauged = ownedSet
        return values
    }
}
