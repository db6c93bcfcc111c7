public import Core

extension Safeguard {
    /// The violation that names this mechanism's failure: what a run of `after` without it must end in.
    public var failure: Violation.Kind {
        switch self {
        case .idempotencyGuard, .guardInsertOnConflict: return .duplicateEffect
        case .offsetsStoredWithEffects, .offsetsLoadedOnAssignment: return .replayAfterCommit
        case .drainingRevocation: return .writeAfterRevocation
        case .drainOnSigterm: return .uncleanShutdown
        case .settlementFence: return .doubleSettlement
        case .exactSettlement: return .settlementTotalMismatch
        case .durableRetryCounter: return .retryBudgetExceeded
        case .deadLetterPoison: return .poisonNotDeadLettered
        case .stuckBatchIsolation: return .notQuiet
        }
    }
}
