import Core
import LiveKafka

/// What the claim writer does for a keyed request once its claim is known: produce the claimed event straight
/// from the writer's thread and hand the request the broker's answer, so the request's task waits once (claim
/// and acknowledgement together) instead of being resumed after the claim only to produce and wait again.
/// Outcomes without an event to produce (the key reused, the id claimed for another event) are answered as they
/// are.
struct ProduceAfterClaim: Sendable {
    let producer: KafkaProducer
    /// The event's message with the id and time the claim fixed.
    let message: @Sendable (_ eventID: EventID, _ occurredAtMilliseconds: Int64) -> KafkaOutgoingMessage
    /// The answer for a produce that failed (and its count in the metrics).
    let failed: @Sendable (KafkaError) -> APIError

    /// Produces the event `outcome` names, if any, and calls `resume` with `outcome` once the broker acknowledged
    /// it (or with the failure); `resume` runs on `loop` when one is given. False when there is nothing to produce.
    func produce(
        after outcome: IdempotencyClaims.Outcome, resumingOn loop: EventLoopDeliveryTarget?,
        _ resume: @escaping @Sendable (Result<IdempotencyClaims.Outcome, APIError>) -> Void
    ) -> Bool {
        guard let event = outcome.event else { return false }
        let id: EventID
        do throws(APIError) { id = try EventID(claimed: event.eventID) } catch {
            resume(.failure(error))
            return true
        }
        let failed = failed
        producer.send(message(id, event.occurredAtMilliseconds), resumingOn: loop) { delivery in
            switch delivery {
            case .success: resume(.success(outcome))
            case .failure(let error): resume(.failure(failed(error)))
            }
        }
        return true
    }
}

extension IdempotencyClaims.Outcome {
    /// The event to produce for this outcome: its id and time in milliseconds since the epoch.
    var event: (eventID: String, occurredAtMilliseconds: Int64)? {
        switch self {
        case .claimed(let id, let at), .earlier(let id, let at), .sameEvent(let id, let at): (id, at)
        case .keyReused, .eventIDConflict: nil
        }
    }
}

extension EventID {
    /// An id a claim stored (PostgreSQL's `uuid` text, always valid) as the event's id.
    init(claimed text: String) throws(APIError) {
        guard let id = EventID(uuidString: text) else { throw .unavailable("the claim's event id \(text) is not a UUID") }
        self = id
    }
}
