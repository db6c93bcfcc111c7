/// An outstanding read of the offsets stored in the database for newly assigned partitions.
struct OffsetLoad: Hashable, Sendable {
    var request: RequestID
    var partitions: [PartitionID]
    var attempt: Int
}

/// An offset commit waiting for the coordinator's answer, and what depends on it.
struct PendingCommit: Hashable, Sendable {
    enum Purpose: Hashable, Sendable {
        /// Progress after a transaction (`after`) or the auto-commit timer (`before`).
        case progress
        /// Revoked partitions are released (acknowledged) only after their final commit.
        case revocation([PartitionID])
        /// The last commit of a drain; the consumer leaves the group and exits after it.
        case shutdown
    }

    var request: RequestID
    var commit: OffsetCommit
    var purpose: Purpose
}
