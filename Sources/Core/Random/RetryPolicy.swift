/// Retry timing for the `after` mode: exponential backoff with "full jitter" (AWS Architecture Blog,
/// "Exponential Backoff And Jitter"): sleep = random(0, min(cap, base * 2^attempt)). Full jitter spreads the
/// retries of many replicas hit by the same outage, instead of having them return in lockstep.
public struct RetryPolicy: Hashable, Sendable {
    public var baseMilliseconds: Int64
    public var capMilliseconds: Int64
    /// Failures of one event before it goes to the dead-letter topic (counted durably in `after`): permanent
    /// ones, and transient ones of an isolated event while the database demonstrably works.
    public var maxAttempts: Int
    /// `before` mode: immediate attempts of a failing batch, counted in memory, before giving up on it
    /// (Spring Kafka's DefaultErrorHandler default: 10 attempts with no back-off).
    public var immediateAttempts: Int
    /// `after` mode: consecutive transient (or ambiguous) failures of one batch after which its partitions'
    /// events are tried alone (`stuck-batch-isolation`). An outage fails every batch, so the isolation costs it
    /// little; an event that always fails transiently (a statement that always reaches `statement_timeout`, a
    /// row a stuck session never unlocks) would otherwise hold every partition of its batch back forever.
    public var isolateAfterTransientFailures: Int

    public init(baseMilliseconds: Int64 = 100, capMilliseconds: Int64 = 10_000, maxAttempts: Int = 5, immediateAttempts: Int = 10,
                isolateAfterTransientFailures: Int = 3) {
        self.baseMilliseconds = baseMilliseconds
        self.capMilliseconds = capMilliseconds
        self.maxAttempts = maxAttempts
        self.immediateAttempts = immediateAttempts
        self.isolateAfterTransientFailures = max(1, isolateAfterTransientFailures)
    }

    /// The ceiling of the jitter window for a 0-based attempt number.
    public func ceiling(attempt: Int) -> Int64 {
        let shift = min(max(attempt, 0), 40)
        let (scaled, overflow) = baseMilliseconds.multipliedReportingOverflow(by: Int64(1) << Int64(shift))
        return overflow ? capMilliseconds : min(capMilliseconds, scaled)
    }

    public func delay(attempt: Int, using random: inout SplitMix64) -> Int64 {
        random.uniform(upTo: ceiling(attempt: attempt))
    }
}
