import Core
import EventWire
@testable import LiveWorker
import Testing

/// The worker's side of the wire format: a value becomes Core's payload; one that is not an event keeps its
/// bytes and the reason for the dead-letter topic. EventWireTests covers the decoding itself.
@Suite("Worker event decoding")
struct WorkerDecodingTests {
    @Test("an event becomes .event; anything else .undecodable with the reason and the original bytes")
    func payloads() {
        let event = Event(id: EventID(high: 1, low: 2), account: AccountID("a"), amountCents: -5, occurredAt: Timestamp(milliseconds: 1_764_244_800_123))
        #expect(EventDecoder().payload(of: EventValue.encode(event)) == .event(event))
        let text = Array(#"{"event_id":"not-a-uuid","account_id":"a","amount_cents":1,"occurred_at":"2026-11-27T12:00:00Z"}"#.utf8)
        #expect(EventDecoder().payload(of: text) == .undecodable(reason: "event_id is not a UUID", raw: text))
        #expect(EventDecoder().payload(of: Array("{".utf8)) == .undecodable(reason: "not a JSON object", raw: Array("{".utf8)))
    }
}
