/// Running counters a driver exports as metrics and the simulator reports. Pure bookkeeping.
public struct ConsumerStatistics: Hashable, Sendable {
    public var eventsApplied = 0
    public var duplicatesSkipped = 0
    public var batchesCommitted = 0
    public var transientFailures = 0
    public var permanentFailures = 0
    public var ambiguousFailures = 0
    public var deadLettered = 0
    /// `after`: batches taken apart after failing transiently too often in a row (`stuck-batch-isolation`).
    public var batchesIsolated = 0
    public var offsetCommitsSucceeded = 0
    public var offsetCommitsFailed = 0
    public var partitionsAssigned = 0
    public var partitionsRevoked = 0
    public var partitionsLost = 0
    public var settlementsRun = 0
    public var settlementsFenced = 0
    public var settlementsFailed = 0
    public var lastSettledPeriod: Int64?
    /// `durable-retry-counter` switched off (the simulator's ablation): every failed attempt the consumer counted
    /// in process memory, with the count it believed, as its log would show them. Empty with the durable counter,
    /// whose counts are the database's.
    public var failuresCountedInMemory: [CountedFailure] = []

    public init() {}
}
