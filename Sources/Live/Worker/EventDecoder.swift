import Core
import Foundation

/// Turns a Kafka value into Core's `Payload`. The value is the api's JSON (docs/interfaces.md):
/// `{"event_id":"<uuid>","account_id":"<string>","amount_cents":<int64>,"occurred_at":"<RFC 3339>"}`.
/// Anything else becomes `.undecodable` with the reason, so Core can dead-letter it instead of crashing or
/// silently dropping it. Range checks (the ledger's amount bounds) are the database's job: a value that
/// decodes but cannot be applied is a permanent database failure, which Core isolates and dead-letters.
public struct EventDecoder: Sendable {
    private struct Wire: Decodable {
        var event_id: String
        var account_id: String
        var amount_cents: Int64
        var occurred_at: String
    }

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
        let wire: Wire
        do {
            wire = try JSONDecoder().decode(Wire.self, from: Data(bytes))
        } catch let DecodingError.keyNotFound(key, _) {
            return .failure(Failure(reason: "missing field \(key.stringValue)"))
        } catch let DecodingError.typeMismatch(_, context) {
            return .failure(Failure(reason: "wrong type for \(Self.path(context))"))
        } catch let DecodingError.valueNotFound(_, context) {
            return .failure(Failure(reason: "null \(Self.path(context))"))
        } catch let DecodingError.dataCorrupted(context) {
            return .failure(Failure(reason: context.codingPath.isEmpty ? "not JSON" : "invalid \(Self.path(context))"))
        } catch {
            return .failure(Failure(reason: "not JSON"))
        }
        guard let id = EventID(uuidString: wire.event_id) else {
            return .failure(Failure(reason: "event_id is not a UUID"))
        }
        guard !wire.account_id.isEmpty else { return .failure(Failure(reason: "account_id is empty")) }
        guard let occurred = RFC3339.milliseconds(wire.occurred_at) else {
            return .failure(Failure(reason: "occurred_at is not RFC 3339"))
        }
        return .success(Event(
            id: id, account: AccountID(wire.account_id), amountCents: wire.amount_cents,
            occurredAt: Timestamp(milliseconds: occurred)
        ))
    }

    /// The canonical value of an event, byte-identical to what the api produces. Used for a dead letter only
    /// when the original bytes are no longer at hand.
    public static func canonicalValue(of event: Event) -> [UInt8] {
        let account = String(decoding: (try? JSONEncoder().encode(event.account.rawValue)) ?? Data("\"\"".utf8), as: UTF8.self)
        let text = "{\"event_id\":\"\(event.id)\",\"account_id\":\(account),"
            + "\"amount_cents\":\(event.amountCents),\"occurred_at\":\"\(RFC3339.format(event.occurredAt.milliseconds))\"}"
        return Array(text.utf8)
    }

    private static func path(_ context: DecodingError.Context) -> String {
        context.codingPath.map(\.stringValue).joined(separator: ".")
    }
}
