import Core

/// `Idempotency-Key` handling across api replicas: claim the key (`IdempotencyClaims`, committed before
/// anything is produced), then produce the event the claim fixed.
///
/// A request that claims the key produces its event; a retry with the same body produces that same event again
/// (same `event_id`, same `occurred_at`) and is answered as a replay, so a key and its event cannot be
/// separated by a failure at any step: if the api dies or the broker does not acknowledge, the key stays claimed
/// and the retry delivers the event. The `after` worker applies an event id once; a retry after a success costs
/// one more copy of the message. A body naming an event id that another key claimed for the same event is that
/// event: it is produced again too, because the other key's request may have stopped between its claim and the
/// broker's acknowledgement, and a 202 must mean the event is on the topic.
struct IdempotencyStore: Sendable {
    enum Outcome: Sendable, Equatable {
        /// This request claimed the key and its event was acknowledged.
        case accepted(eventID: String)
        /// An earlier request with the same key and body claimed it; its event was (again) acknowledged.
        case replay(eventID: String)
        /// Another key claimed the body's event id for the same event; that event was (again) acknowledged.
        case sameEvent(eventID: String)
        /// The key was used with a different body.
        case keyReused
        /// Another key claimed the body's event id for another account or amount; nothing was produced.
        case eventIDConflict(eventID: String)
    }

    let claims: IdempotencyClaims

    /// Claims `key` in `scope` (the caller's API key id) for `eventID`, or finds the earlier claim of the key or of the event id, and runs `produce`
    /// with the claimed event's id and time in milliseconds since the epoch.
    func run(
        key: String, scope: String, request: EventRequest, eventID: String,
        produce: @Sendable (_ eventID: EventID, _ occurredAtMilliseconds: Int64) async throws(APIError) -> Void
    ) async throws(APIError) -> Outcome {
        let claim = IdempotencyClaims.Request(
            scope: scope, key: key, canonical: request.canonical, eventID: eventID, unnamedCanonical: request.unnamedCanonical)
        switch try await claims.claim(claim) {
        case .claimed(let id, let occurredAt):
            try await produce(try Self.parse(id), occurredAt)
            return .accepted(eventID: id)
        case .earlier(let id, let occurredAt):
            try await produce(try Self.parse(id), occurredAt)
            return .replay(eventID: id)
        case .sameEvent(let id, let occurredAt):
            try await produce(try Self.parse(id), occurredAt)
            return .sameEvent(eventID: id)
        case .keyReused:
            return .keyReused
        case .eventIDConflict(let id):
            return .eventIDConflict(eventID: id)
        }
    }

    /// An id the claim stored (PostgreSQL's `uuid` text, always valid) as the event's id.
    private static func parse(_ text: String) throws(APIError) -> EventID {
        guard let id = EventID(uuidString: text) else { throw .unavailable("the claim's event id \(text) is not a UUID") }
        return id
    }
}
