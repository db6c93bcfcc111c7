/// The singleton job's bookkeeping inside one consumer.
struct SettlementState: Hashable, Sendable {
    struct Attempt: Hashable, Sendable {
        var request: RequestID
        var write: SettlementWrite
        var attempt: Int
    }

    var inFlight: Attempt?
    /// `after`: a failed write waiting for `TimerID.retrySettlement`.
    var retrying: Attempt?
}
