import Core

/// Partition assignment strategies as the group leader computes them.
enum Assignor {
    /// Kafka's `range` assignor (eager): members sorted by id, contiguous ranges, the first `P % M` members one more.
    static func range(members: [Int32], partitions: Int) -> [[PartitionID]] {
        guard !members.isEmpty else { return [] }
        let base = partitions / members.count
        let extra = partitions % members.count
        var next = 0
        return members.indices.map { index in
            let count = base + (index < extra ? 1 : 0)
            defer { next += count }
            return (next..<(next + count)).map { PartitionID($0) }
        }
    }

    /// `cooperative-sticky`, one round: every member keeps what it owns up to its balanced quota; partitions
    /// that must move are taken from their owner now and given to their new owner only in the follow-up
    /// round, after the owner has revoked them (KIP-429). Unowned partitions are assigned at once.
    static func cooperativeSticky(members: [Int32], owned: [[PartitionID]], partitions: Int) -> [[PartitionID]] {
        guard !members.isEmpty else { return [] }
        let count = members.count
        let base = partitions / count
        let extra = partitions % count
        // Members owning more get the larger quotas first: fewer partitions move.
        let order = members.indices.sorted { (owned[$0].count, members[$1]) > (owned[$1].count, members[$0]) }
        var quota = Array(repeating: base, count: count)
        for (rank, index) in order.enumerated() where rank < extra { quota[index] += 1 }
        var taken = Array(repeating: false, count: partitions)
        var claimed = Array(repeating: false, count: partitions)
        var result: [[PartitionID]] = Array(repeating: [], count: count)
        for index in order {
            for partition in owned[index].sorted() where Int(partition) < partitions {
                claimed[Int(partition)] = true
                guard !taken[Int(partition)], result[index].count < quota[index] else { continue }
                taken[Int(partition)] = true
                result[index].append(partition)
            }
        }
        // Withhold partitions someone owns but must give up; hand out the never-owned ones.
        var free = (0..<partitions).filter { !taken[$0] && !claimed[$0] }.makeIterator()
        for index in order {
            while result[index].count < quota[index], let partition = free.next() {
                result[index].append(PartitionID(partition))
            }
            result[index].sort()
        }
        return result
    }
}
