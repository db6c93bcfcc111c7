/// What a JSON object said about one of the event's members, before the api's or the worker's rules.
public enum FieldValue: Sendable, Equatable {
    /// The member is absent.
    case missing
    case null
    case string(String)
    /// A number whose value is an integer within `Int64`: `5`, `-0`, and also `5.0` or `2.5e1`, as JSON
    /// decoders read a number into an integer type.
    case integer(Int64)
    /// A number whose value is an integer outside `Int64`: `99999999999999999999`, `1e30`.
    case integralBeyondInt64
    /// Any other value: `true`, `false`, a fraction, an object, an array.
    case other
}

/// The members of an event's JSON object that any reader looks at: the api's request body
/// (`event_id`, `account_id`, `amount_cents`) and the Kafka value (all four). Of a repeated member the first
/// value is kept, as with Foundation's `JSONDecoder`, and the repetition is reported; other members are skipped
/// and the first of them is named, so each reader decides what a repeated or foreign member means.
public struct EventFields: Sendable, Equatable {
    public var eventID = FieldValue.missing
    public var accountID = FieldValue.missing
    public var amountCents = FieldValue.missing
    public var occurredAt = FieldValue.missing
    /// The first of the event's members that appears more than once.
    public var repeatedMember: Key?
    /// The name of the first member that is none of the event's.
    public var unknownMember: String?

    public init(
        eventID: FieldValue = .missing, accountID: FieldValue = .missing, amountCents: FieldValue = .missing,
        occurredAt: FieldValue = .missing
    ) {
        self.eventID = eventID
        self.accountID = accountID
        self.amountCents = amountCents
        self.occurredAt = occurredAt
    }

    public enum Key: String, CaseIterable, Sendable {
        case eventID = "event_id", accountID = "account_id", amountCents = "amount_cents", occurredAt = "occurred_at"

        static let names: [(key: Key, bytes: [UInt8])] = allCases.map { ($0, Array($0.rawValue.utf8)) }
    }

    public subscript(key: Key) -> FieldValue {
        get {
            switch key {
            case .eventID: eventID
            case .accountID: accountID
            case .amountCents: amountCents
            case .occurredAt: occurredAt
            }
        }
        set {
            switch key {
            case .eventID: eventID = newValue
            case .accountID: accountID = newValue
            case .amountCents: amountCents = newValue
            case .occurredAt: occurredAt = newValue
            }
        }
    }
}
