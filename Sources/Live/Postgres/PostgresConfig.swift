/// How to reach the database and how hard to try.
public struct PostgresConfig: Sendable {
    /// A libpq connection string or `postgresql://` URL.
    public var url: String
    public var applicationName: String = "replicasafe"
    public var connectTimeout: Duration = .seconds(5)
    /// Backoff between reconnect attempts (exponential with full jitter).
    public var reconnect: Backoff = Backoff()

    public init(url: String) {
        self.url = url
    }
}

/// Exponential backoff with full jitter: attempt n waits a random time in [0, min(cap, base * 2^n)].
public struct Backoff: Sendable {
    public var base: Duration = .milliseconds(50)
    public var cap: Duration = .seconds(2)
    /// Attempts before giving up (nil: keep trying).
    public var maxAttempts: Int? = 8

    public init(base: Duration = .milliseconds(50), cap: Duration = .seconds(2), maxAttempts: Int? = 8) {
        self.base = base
        self.cap = cap
        self.maxAttempts = maxAttempts
    }

    /// The delay before attempt `attempt` (0-based), with `unit` in [0, 1) supplying the jitter.
    public func delay(attempt: Int, unit: Double) -> Duration {
        let ceiling = min(cap, base * (1 << min(attempt, 20)))
        return ceiling * max(0, min(unit, 1))
    }
}
