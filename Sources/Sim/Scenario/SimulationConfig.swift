/// The fixed parameters of the simulated deployment. They mirror the live worker's settings
/// (docs/interfaces.md) where one exists, and public defaults (named) where not. Milliseconds throughout.
public struct SimulationConfig: Hashable, Sendable {
    public var sessionTimeout: Int64 = 10_000        // session.timeout.ms as the worker sets it
    public var heartbeatInterval: Int64 = 3_000      // heartbeat.interval.ms (librdkafka default)
    public var rebalanceTimeout: Int64 = 30_000      // max.poll.interval.ms as the worker sets it
    public var autoCommitInterval: Int64 = 5_000     // auto.commit.interval.ms (librdkafka default)
    public var batchMaxEvents = 100
    public var settlementPeriod: Int64 = 10_000
    public var maxAttempts = 5
    public var retryBase: Int64 = 100
    public var retryCap: Int64 = 5_000
    /// One round trip to the database (a protocol step: BEGIN, a statement, COMMIT).
    public var databaseLatency: ClosedRange<Int64> = 2...8
    /// Extra database time per batch entry (0 in the default scenario; the twin derives it from pod capacity).
    public var databaseLatencyPerEntry: Int64 = 0
    public var networkLatency: ClosedRange<Int64> = 1...3
    public var fetchLatency: ClosedRange<Int64> = 1...5
    public var maxPollRecords = 500
    public var podStartDelay: ClosedRange<Int64> = 1_000...3_000
    public var restartDelay: ClosedRange<Int64> = 2_000...6_000
    public var terminationGracePeriod: Int64 = 30_000   // terminationGracePeriodSeconds of the worker pod
    public var shutdownDrainDeadline: Int64 = 20_000    // SHUTDOWN_GRACE_SECONDS of the worker
    public var trafficDuration: Int64 = 60_000
    /// After the traffic phase every fault is healed; the run goes on until the system is quiet or this limit.
    public var healLimit: Int64 = 120_000
    public var accounts = 40
    /// `statement_timeout`: how long a statement waits for a row a stuck session holds before PostgreSQL cancels
    /// it (`stuck-account` poison). Shorter than the deployment's 15 s, so that a run whose `after` consumer
    /// finds, counts and dead-letters such an event still quiets down within `healLimit`.
    public var statementTimeout: Int64 = 5_000

    public init() {}
}
