/// Everything a consumer needs to decide; a value so the simulator and the live runtime build it the same way.
public struct ConsumerConfiguration: Hashable, Sendable {
    public var mode: ProcessingMode
    /// Recorded as `applied_by` / `settled_by`.
    public var workerID: String
    /// Events per database transaction.
    public var batchMaxEvents: Int
    /// Fetched-but-unapplied events above which fetching pauses (and below `batchMaxEvents` resumes).
    public var queueHighWatermark: Int
    /// `before` mode: librdkafka's `auto.commit.interval.ms` default.
    public var autoCommitIntervalMilliseconds: Int64
    public var retry: RetryPolicy
    /// Length of one period of the singleton settlement job.
    public var settlementPeriodMilliseconds: Int64
    public var settlementJob: String
    /// `after`: how many periods back a run settles what nobody settled (all replicas down at the boundary).
    public var settlementLookbackPeriods: Int
    /// Seed for retry jitter: the only randomness Core uses.
    public var randomSeed: UInt64
    /// `after` mechanisms switched off (the simulator's ablation); empty in production. Sorted, no repeats.
    public var disabledSafeguards: [Safeguard]

    public init(
        mode: ProcessingMode,
        workerID: String,
        batchMaxEvents: Int = 500,
        queueHighWatermark: Int? = nil,
        autoCommitIntervalMilliseconds: Int64 = 5_000,
        retry: RetryPolicy = RetryPolicy(),
        settlementPeriodMilliseconds: Int64 = 60_000,
        settlementJob: String = "settlement",
        settlementLookbackPeriods: Int = 10,
        randomSeed: UInt64 = 0,
        disabledSafeguards: [Safeguard] = []
    ) {
        self.mode = mode
        self.workerID = workerID
        self.batchMaxEvents = max(1, batchMaxEvents)
        self.queueHighWatermark = queueHighWatermark ?? 2 * max(1, batchMaxEvents)
        self.autoCommitIntervalMilliseconds = autoCommitIntervalMilliseconds
        self.retry = retry
        self.settlementPeriodMilliseconds = settlementPeriodMilliseconds
        self.settlementJob = settlementJob
        self.settlementLookbackPeriods = max(1, settlementLookbackPeriods)
        self.randomSeed = randomSeed
        self.disabledSafeguards = Array(Set(disabledSafeguards)).sorted()
    }

    /// True unless the mechanism is switched off. Only meaningful in `after` mode.
    public func has(_ safeguard: Safeguard) -> Bool { !disabledSafeguards.contains(safeguard) }
}
