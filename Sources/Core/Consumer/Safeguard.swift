/// One replica-safe mechanism of the `after` mode. The simulator switches them off one at a time (`sim ablate`,
/// `--without NAME`) to show that each is needed: a run without one must end in a violation that names its
/// failure. The live worker always runs with all of them on.
///
/// Core honours the ones it decides; the ones that live in the database's statements (`guardInsertOnConflict`,
/// `exactSettlement`) are honoured by the driver that runs the statements (the simulator's database model).
public enum Safeguard: String, CaseIterable, Hashable, Sendable, Comparable {
    /// `processed_events` guard: the effect only when the event's guard row is new.
    case idempotencyGuard = "idempotency-guard"
    /// The guard decides by its own `INSERT ... ON CONFLICT DO NOTHING`, not by an earlier `SELECT`
    /// (off: check-then-insert, which two concurrent transactions both pass).
    case guardInsertOnConflict = "guard-insert-on-conflict"
    /// Offsets stored in the batch's transaction (`consumer_offsets`).
    case offsetsStoredWithEffects = "offsets-stored-with-effects"
    /// Offsets read from the database on assignment (and the consumer seeks to them).
    case offsetsLoadedOnAssignment = "offsets-loaded-on-assignment"
    /// A revoked partition is released only after its in-flight transaction answered and its final commit.
    case drainingRevocation = "draining-revocation"
    /// SIGTERM drains: not ready, finish in-flight work, final commit, leave the group, exit.
    case drainOnSigterm = "drain-on-sigterm"
    /// The singleton job writes only through the `(job, period)` fence.
    case settlementFence = "settlement-fence"
    /// Each applied batch is settled exactly once, by the first settlement run that sees it committed.
    case exactSettlement = "exact-settlement"
    /// Failed attempts of an event are counted in the database, not in process memory.
    case durableRetryCounter = "durable-retry-counter"
    /// Events that can never succeed go to the dead-letter topic with the reason.
    case deadLetterPoison = "dead-letter-poison"
    /// A batch that keeps failing transiently is taken apart: each of its partitions' events up to the batch's
    /// end is tried alone, so an event that always fails transiently stalls only itself, and it is counted
    /// (then dead-lettered) only while the database demonstrably works (off: the whole batch is retried
    /// forever, and every partition in it stalls).
    case stuckBatchIsolation = "stuck-batch-isolation"

    public static func < (lhs: Safeguard, rhs: Safeguard) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
