/// The timers a consumer asks its driver to run. At most one of each is pending; scheduling one again replaces it.
public enum TimerID: Hashable, Sendable, CustomStringConvertible {
    /// The periodic offset commit: `before` commits offsets stored at hand-off, `after` re-commits what the
    /// database holds where Kafka lags behind it.
    case autoCommit
    /// The end of a settlement period.
    case settlement
    /// Back-off before retrying the batch pipeline (batch, failure record, dead-letter publish or mark).
    case retryPipeline
    /// Back-off before retrying a settlement that failed.
    case retrySettlement
    /// Back-off before retrying a failed offset load for newly assigned partitions.
    case retryOffsetLoad
    /// A partition whose head event failed permanently may be retried at this time.
    case partitionRetry(PartitionID)
    /// The shutdown grace period is about to end: stop waiting and exit.
    case shutdownDeadline

    public var description: String {
        switch self {
        case .autoCommit: return "auto-commit"
        case .settlement: return "settlement"
        case .retryPipeline: return "retry-pipeline"
        case .retrySettlement: return "retry-settlement"
        case .retryOffsetLoad: return "retry-offset-load"
        case .partitionRetry(let partition): return "retry-p\(partition)"
        case .shutdownDeadline: return "shutdown-deadline"
        }
    }
}
