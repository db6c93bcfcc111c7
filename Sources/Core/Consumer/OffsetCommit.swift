/// A Kafka offset commit on behalf of a group member in a generation. The group coordinator rejects it
/// when the generation is no longer current (ILLEGAL_GENERATION) or the member is gone (UNKNOWN_MEMBER_ID).
public struct OffsetCommit: Hashable, Sendable {
    public var generation: Int32
    public var offsets: [PartitionOffset]

    public init(generation: Int32, offsets: [PartitionOffset]) {
        self.generation = generation
        self.offsets = offsets
    }
}

public enum CommitResult: Hashable, Sendable {
    case committed
    case failed(CommitFailure)
}

public enum CommitFailure: Hashable, Sendable {
    case staleGeneration
    case unknownMember
    case rebalanceInProgress
    case unavailable(String)
}
