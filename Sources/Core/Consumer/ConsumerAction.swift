/// What a consumer asks its driver to do. The driver carries actions out in order and reports results
/// through the state machine's inputs.
public enum ConsumerAction: Hashable, Sendable {
    case reportReadiness(Bool)
    /// Stop fetching from these partitions (backpressure, offset loading, draining).
    case pause([PartitionID])
    case resume([PartitionID])
    /// Continue fetching this partition from this offset.
    case seek(PartitionOffset)
    /// Run one transaction; report with `databaseCompleted`.
    case execute(RequestID, DatabaseWork)
    /// Commit to the group coordinator; report with `offsetCommitCompleted`.
    case commitOffsets(RequestID, OffsetCommit)
    /// Produce to the dead-letter topic; report with `deadLetterCompleted` (the `before` mode does not wait).
    case publishDeadLetter(RequestID, DeadLetter)
    case scheduleTimer(TimerID, at: Timestamp)
    case cancelTimer(TimerID)
    /// Let the rebalance go on: these partitions are released (incremental unassign / unassign).
    case acknowledgeRevocation([PartitionID])
    /// Close the consumer so that the group rebalances at once instead of after the session timeout.
    case leaveGroup
    case exit
}
