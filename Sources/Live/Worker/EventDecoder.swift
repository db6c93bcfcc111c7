public import Core
import Foundation

/// Turns a Kafka value into Core's `Payload`. The value is the api's JSON (docs/interfaces.md):
/// `{"event_id":"<uuid>","account_id":"<string>","amount_cents":<int64>,"occurred_at":"<RFC 3339>"}`.
/// Anything else becomes `.undecodable` with the reason, so Core can dead-letter it instead of crashing or
/// silently dropping it. Range checks (the ledger's amount bounds) are the database's job: a value that
/// decodes but cannot be applied is a permanent database failure, which Core isolates and dead-letters.
public struct EventDecoder: Sendable {
    public init() {}

    public func payload(of bytes: [UInt8]) -> Payload {
        switch decode(bytes) {
        case .success(let event): return .event(event)
        case .failure(let failure): return .undecodable(reason: failure.reason, raw: bytes)
        }
    }

    public struct Failure: Error, Sendable, Equatable {
        public var reason: String
    }

    public func decode(_ bytes: [UInt8]) -> Result<Event, Failure> {
        let fields: EventJSON.Fields
        switch EventJSON.parse(bytes) {
        case .success(let parsed): fields = parsed
        case .failure(.notJSON): return .failure(Failure(reason: "not a JSON object"))
        case .failure(.wrongType(let field)): return .failure(Failure(reason: "wrong type for \(field)"))
        }
        guard let rawID = fields.eventID else { return .failure(Failure(reason: "missing field event_id")) }
        guard let account = fields.accountID else { return .failure(Failure(reason: "missing field account_id")) }
        guard let amount = fields.amountCents else { return .failure(Failure(reason: "missing field amount_cents")) }
        guard let rawOccurred = fields.occurredAt else { return .failure(Failure(reason: "missing field occurred_at")) }
        guard let id = UUIDText.parse(rawID) else { return .failure(Failure(reason: "event_id is not a UUID")) }
        guard !account.isEmpty else { return .failure(Failure(reason: "account_id is empty")) }
        guard let occurred = RFC3339.milliseconds(rawOccurred) else {
            return .failure(Failure(reason: "occurred_at is not RFC 3339"))
        }
        return .success(Event(id: id, account: AccountID(account), amountCents: amount, occurredAt: Timestamp(milliseconds: occurred)))
    }

    /// The canonical value of an event, byte-identical to what the api produces. Used for a dead letter only
    /// when the original bytes are no longer at hand.
    public static func canonicalValue(of event: Event) -> [UInt8] {
        let account = String(decoding: (try? JSONEncoder().encode(event.account.rawValue)) ?? Data("\"\"".utf8), as: UTF8.self)
        let text = "{\"event_id\":\"\(UUIDText.string(event.id))\",\"account_id\":\(account),"
            + "\"amount_cents\":\(event.amountCents),\"occurred_at\":\"\(RFC3339.format(event.occurredAt.milliseconds))\"}"
        return Array(text.utf8)
    }
}
