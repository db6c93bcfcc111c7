/// The two behaviours the project compares. Chosen once at start-up.
public enum ProcessingMode: String, Hashable, Sendable, CaseIterable {
    /// What teams ship first: auto-commit of handed-off offsets, plain inserts, immediate in-memory retries,
    /// exit on SIGTERM, the singleton job on every replica, derived totals cached in process memory.
    case before
    /// Replica-safe: offsets committed after (and stored inside) the database transaction, idempotent effects,
    /// cooperative revocation that drains first, durable retries with jittered backoff and a dead-letter topic,
    /// graceful drain on SIGTERM, a fenced singleton job, derived totals in the database.
    case after
}
