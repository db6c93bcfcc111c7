/// A ledger event as produced to the `events` topic. Its effect: one ledger row and
/// `amountCents` added to the account's balance, exactly once.
public struct Event: Hashable, Sendable {
    public var id: EventID
    public var account: AccountID
    public var amountCents: Int64
    public var occurredAt: Timestamp

    public init(id: EventID, account: AccountID, amountCents: Int64, occurredAt: Timestamp) {
        self.id = id
        self.account = account
        self.amountCents = amountCents
        self.occurredAt = occurredAt
    }
}
