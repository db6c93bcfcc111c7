/// What KEDA reads for one partition: the log end offset (ListOffsets, OffsetNewest) and the group's committed
/// offset (OffsetFetch). nil committed = Kafka's -1, "no offset committed yet".
public struct PartitionOffsets: Sendable, Equatable, Hashable {
    public var partition: Int
    public var logEndOffset: Int64
    public var committedOffset: Int64?

    public init(partition: Int, logEndOffset: Int64, committedOffset: Int64?) {
        self.partition = partition
        self.logEndOffset = logEndOffset
        self.committedOffset = committedOffset
    }
}
