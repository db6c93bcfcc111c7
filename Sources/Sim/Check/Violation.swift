/// An invariant that did not hold, with a paragraph a person can act on.
public struct Violation: Hashable, Sendable {
    public enum Kind: String, CaseIterable, Hashable, Sendable, Comparable {
        /// An event's effect was applied more than once.
        case duplicateEffect = "duplicate-effect"
        /// A valid event was never applied, after every fault had healed.
        case lostEvent = "lost-event"
        /// An account's balance differs from the sum of its events.
        case balanceMismatch = "balance-mismatch"
        /// The singleton job ran more than once for a period.
        case doubleSettlement = "double-settlement"
        /// The singleton job never ran for a period.
        case missedSettlement = "missed-settlement"
        /// A settlement's total differs from the ledger rows it counted, a ledger row was counted twice, or a
        /// committed ledger row of a settled period was counted by none.
        case settlementTotalMismatch = "settlement-total-mismatch"
        /// A member committed a lower offset than it had committed before in the same generation.
        case offsetRegression = "offset-regression"
        /// A poison event was neither applied nor sent to the dead-letter topic.
        case poisonNotDeadLettered = "poison-not-dead-lettered"
        /// After every fault had healed, work was still pending when the run reached its time limit.
        case notQuiet = "not-quiet"
        /// A record whose processing had committed before its consumer was given the partition was processed again.
        case replayAfterCommit = "replay-after-commit"
        /// A transaction wrote to a partition after its writer had acknowledged the partition's revocation.
        case writeAfterRevocation = "write-after-revocation"
        /// A SIGTERMed process exited without leaving the group or with a transaction open, or outlived its grace.
        case uncleanShutdown = "unclean-shutdown"
        /// A poison event was tried beyond its retry budget because failures of it had been forgotten.
        case retryBudgetExceeded = "retry-budget-exceeded"
        /// An event that reuses another's id with another account or amount was neither applied nor sent to the
        /// dead-letter topic as `event_id_conflict`: the guard skipped it as a duplicate and its amount vanished.
        case silentIDConflict = "silent-id-conflict"

        public static func < (lhs: Kind, rhs: Kind) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    public var kind: Kind
    public var explanation: String
    /// A short name for the mechanism behind it ("SIGKILL before commit", "db-ambiguous retry"), for tallies.
    public var cause: String
    /// When the violating write (or the last chance to make the missing one) happened, for timelines.
    public var time: Int64
    public var partition: Int32?
    public var offset: Int64?

    public init(kind: Kind, explanation: String, cause: String = "", time: Int64, partition: Int32? = nil, offset: Int64? = nil) {
        self.kind = kind
        self.explanation = explanation
        self.cause = cause
        self.time = time
        self.partition = partition
        self.offset = offset
    }
}
