extension DatabaseFailure {
    /// The first word of the reason of an event given up after failing transiently alone too often.
    public static let retriesExhaustedReason = "retries_exhausted"

    /// The transient SQLSTATEs one event can cause for ever, with their condition names: a statement that always
    /// runs past `statement_timeout` (57014 query_canceled), a row a stuck session never lets go of, waited for
    /// until `lock_timeout` (55P03 lock_not_available). Only these count against an isolated event. The other
    /// transient failures (a serialization failure, a deadlock, a lost connection) depend on what else runs at
    /// the time, not on the event: a run of them is bad luck, and counting it would dead-letter a valid event.
    public static let stallingConditions: [(state: String, name: String)] = [
        ("57014", "query_canceled"), ("55P03", "lock_not_available"),
    ]

    /// Whether this transient failure is one an event can cause for ever (`stallingConditions`).
    public var stalls: Bool {
        guard let sqlState else { return false }
        return Self.stallingConditions.contains { $0.state == sqlState }
    }
}
