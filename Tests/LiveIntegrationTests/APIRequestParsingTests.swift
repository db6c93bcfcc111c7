import Core
import EventWire
import Foundation
@testable import LiveAPI
@testable import LiveWorker
import Testing

/// The api's request rules on top of EventWire's reader (which EventWireTests checks against Foundation), and the
/// value the api produces as the worker reads it.
@Suite("API request parsing")
struct APIRequestParsingTests {
    static func parsed(_ body: String) -> Result<EventRequest, APIError> {
        Result { () throws(APIError) in try EventRequest.parse(Data(body.utf8)) }
    }

    @Test("valid bodies, with and without an event id, null as absent")
    func validBodies() throws {
        let request = try EventRequest.parse(Data(#"{"amount_cents":-5,"account_id":"a b","event_id":"6F1C2D3E-4A5B-4C6D-8E7F-0123456789AB"}"#.utf8))
        #expect(request.eventID?.description == "6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab")
        #expect(request.accountID == "a b")
        #expect(request.amountCents == -5)
        #expect(try EventRequest.parse(Data(#"{"account_id":"x","amount_cents":5.0,"event_id":null}"#.utf8)) ==
                EventRequest(eventID: nil, accountID: "x", amountCents: 5))
    }

    @Test("each malformed body gets its 400 and each bad field its 422", arguments: [
        ("", "body is not valid JSON"), (#"{"account_id":"a","amount_cents":1,}"#, "body is not valid JSON"),
        (#"[{"account_id":"a"}]"#, "body must be a JSON object"), ("7", "body must be a JSON object"),
        (#"{"amount_cents":1}"#, "account_id: is required"), (#"{"account_id":null,"amount_cents":1}"#, "account_id: is required"),
        (#"{"account_id":5,"amount_cents":1}"#, "account_id: must be a string"), (#"{"account_id":"","amount_cents":1}"#, "account_id: must not be empty"),
        (#"{"account_id":"a\u0001","amount_cents":1}"#, "account_id: must not contain control characters"),
        (#"{"account_id":"a"}"#, "amount_cents: is required"), (#"{"account_id":"a","amount_cents":"1"}"#, "amount_cents: must be an integer number of cents"),
        (#"{"account_id":"a","amount_cents":1.5}"#, "amount_cents: must be an integer number of cents"),
        (#"{"account_id":"a","amount_cents":1e30}"#, "amount_cents: must be between -1000000000000 and 1000000000000"),
        (#"{"account_id":"a","amount_cents":1000000000001}"#, "amount_cents: must be between -1000000000000 and 1000000000000"),
        (#"{"account_id":"a","amount_cents":1,"event_id":"nope"}"#, "event_id: must be a UUID"),
        (#"{"account_id":"a","amount_cents":1,"event_id":7}"#, "event_id: must be a UUID string"),
        (#"{"account_id":"a","amount_cents":1,"amount_cents":-1}"#, "amount_cents: appears more than once"),
        (#"{"account_id":"a","account_id":"a","amount_cents":1}"#, "account_id: appears more than once"),
        (#"{"event_id":null,"account_id":"a","amount_cents":1,"event_id":null}"#, "event_id: appears more than once"),
        (#"{"account_id":"a","amount_cents":1,"note":"x"}"#, "note: is not a member of an event (event_id, account_id, amount_cents)"),
        (#"{"Account_id":"a","amount_cents":1}"#, "Account_id: is not a member of an event (event_id, account_id, amount_cents)"),
        (#"{"account_id":"a","amount_cents":1,"occurred_at":"2026-12-06T12:00:00Z"}"#, "occurred_at: is set by the server when it accepts the event"),
        (#"{"account_id":"a","amount_cents":1,"occurred_at":"yesterday"}"#, "occurred_at: is set by the server when it accepts the event"),
    ])
    func rejects(_ body: String, _ expected: String) {
        guard case .failure(let error) = Self.parsed(body) else {
            Issue.record("accepted \(body)")
            return
        }
        #expect((error.field.map { "\($0): " } ?? "") + error.reason == expected, "\(body)")
    }

    @Test("Content-Type: application/json with any case, parameters and optional whitespace")
    func mediaType() {
        for value in ["application/json", "Application/JSON", "application/json; charset=utf-8", " application/json ;x=1", "\tapplication/json"] {
            #expect(MediaType.isJSON(value), "\(value)")
        }
        for value in ["", "text/plain", "application/jsonx", "application/json-patch+json", "application/ json", "json", ";application/json"] {
            #expect(!MediaType.isJSON(value), "\(value)")
        }
    }

    @Test("the Kafka value the api writes is an event to the worker's decoder")
    func valueReachesTheWorker() {
        let event = Event(id: RandomEventIDs.next(), account: AccountID("a \"b\""), amountCents: 7, occurredAt: Timestamp(milliseconds: 1_764_244_800_123))
        #expect(EventDecoder().payload(of: EventValue.encode(event)) == .event(event))
    }

    @Test("server-chosen event ids are distinct version-4 UUIDs")
    func eventIDs() {
        var seen = Set<EventID>()
        for _ in 0..<2_000 {
            let text = Array(RandomEventIDs.next().description)
            #expect(text[14] == "4")
            #expect("89ab".contains(text[19]))
            seen.insert(EventID(uuidString: String(text))!)
        }
        #expect(seen.count == 2_000)
    }
}
