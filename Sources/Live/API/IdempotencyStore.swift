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

    /// How the claimed event reaches the broker.
    enum Producing: Sendable {
        /// By the claim writer, right after the claim (the request waits once).
        case byClaimWriter(ProduceAfterClaim)
        /// By the request's task after the claim: for a traced request, whose produce span needs its context.
        case byRequest(@Sendable (_ eventID: EventID, _ occurredAtMilliseconds: Int64) async throws(APIError) -> Void)
    }

    /// Claims `key` in `scope` (the caller's API key id) for `eventID`, or finds the earlier claim of the key or of
    /// the event id, and produces the claimed event with its id and time in milliseconds since the epoch.
    func run(key: String, scope: String, request: EventRequest, eventID: String, producing: Producing) async throws(APIError) -> Outcome {
        let claim = IdempotencyClaims.Request(
            scope: scope, key: key, canonical: request.canonical, eventID: eventID, unnamedCanonical: request.unnamedCanonical)
        let outcome: IdempotencyClaims.Outcome
        switch producing {
        case .byClaimWriter(let then):
            outcome = try await claims.claim(claim, then: then)
        case .byRequest(let produce):
            outcome = try await claims.claim(claim)
            if let event = outcome.event { try await produce(try EventID(claimed: event.eventID), event.occurredAtMilliseconds) }
        }
        switch outcome {
        case .claimed(let id, _): return .accepted(eventID: id)
        case .earlier(let id, _): return .replay(eventID: id)
        case .sameEvent(let id, _): return .sameEvent(eventID: id)
        case .keyReused: return .keyReused
        case .eventIDConflict(let id): return .eventIDConflict(eventID: id)
        }
    }
}
