import Core
import EventWire
import Foundation
import Testing

/// The Kafka value: what the api writes (`EventValue.encode`) is what the worker reads (`EventValue.decode`).
@Suite("EventValue: the Kafka value of an event")
struct EventValueTests {
    static let valid = #"{"event_id":"6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab","account_id":"acct-1","amount_cents":-1250,"occurred_at":"2026-11-27T12:00:00.123Z"}"#

    @Test("a value as the api writes it decodes to the event it describes")
    func decodesTheAPIValue() throws {
        let event = try EventValue.decode(Array(Self.valid.utf8)).get()
        #expect(event.id == EventID(uuidString: "6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab"))
        #expect(event.account == AccountID("acct-1"))
        #expect(event.amountCents == -1250)
        let expected = ISO8601DateFormatter.withFractions.date(from: "2026-11-27T12:00:00.123Z")!
        #expect(event.occurredAt.milliseconds == Int64((expected.timeIntervalSince1970 * 1000).rounded()))
        #expect(EventValue.encode(event) == Array(Self.valid.utf8), "and encodes back to the same bytes")
    }

    @Test("api encoder to worker decoder: any account id, amount and time round-trip, and Foundation reads the same")
    func roundTrip() throws {
        var generator = SplitMix64(seed: 11)
        let accounts = ["acct-1", "a \"quoted\" \\ name", "tab\there", "café ☕", "line\nbreak", "\u{7F}del", "{,}", "a/b", "\u{1}"]
        for index in 0..<2_000 {
            let event = Event(
                id: EventID(high: generator.next(), low: generator.next()), account: AccountID(accounts[index % accounts.count]),
                amountCents: Int64(bitPattern: generator.next()), occurredAt: Timestamp(milliseconds: Int64(generator.next() % 8_000_000_000_000))
            )
            let value = EventValue.encode(event)
            #expect(try EventValue.decode(value).get() == event, "\(String(decoding: value, as: UTF8.self))")
            let foundation = try #require(try JSONSerialization.jsonObject(with: Data(value)) as? [String: Any])
            #expect(foundation["account_id"] as? String == event.account.rawValue)
            #expect((foundation["amount_cents"] as? NSNumber)?.int64Value == event.amountCents)
            #expect(foundation["event_id"] as? String == event.id.description)
        }
    }

    @Test("member order, whitespace, escapes and unknown members are handled as JSON defines them")
    func jsonVariants() throws {
        let text = """
             { "extra" : [1, {"a": null, "b": [true, false, -0.5e+3]}, "x\\"y"], "amount_cents" : 0,
               "occurred_at":"2026-01-01T00:00:00+01:00","account_id":"caf\\u00e9 \\ud83d\\ude00 \\"q\\" \\\\ ,{}",
               "event_id":"6F1C2D3E-4A5B-4C6D-8E7F-0123456789AB" }
            """
        let event = try EventValue.decode(Array(text.utf8)).get()
        #expect(event.account.rawValue == "café 😀 \"q\" \\ ,{}")
        #expect(event.amountCents == 0)
        #expect(event.occurredAt.milliseconds == 1_767_222_000_000, "+01:00 is an hour before UTC midnight")
    }

    @Test("inputs that are not RFC 8259 JSON objects are rejected", arguments: [
        "", "{", "[]", "null", #"{"event_id":"x",}"#, #"{"a":01}"#, #"{"a":1.}"#, #"{"a":tru}"#, #"{"a":"\x"}"#,
        "{\"a\":\"tab\there\"}", #"{"a":1} x"#, #"{"a" 1}"#, #"{"a":[1,]}"#, #"{'a':1}"#,
    ])
    func rejectsWhatIsNotJSON(_ text: String) {
        #expect(EventValue.decode(Array(text.utf8)) == .failure(.init(reason: "not a JSON object")))
    }

    @Test("a well-formed value with a missing or wrong field names the field", arguments: [
        (#"{"account_id":"a","amount_cents":1,"occurred_at":"2026-11-27T12:00:00Z"}"#, "missing field event_id"),
        (#"{"event_id":"6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab","amount_cents":1,"occurred_at":"2026-11-27T12:00:00Z"}"#, "missing field account_id"),
        (#"{"event_id":"6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab","account_id":"a","amount_cents":1.5,"occurred_at":"2026-11-27T12:00:00Z"}"#, "wrong type for amount_cents"),
        (#"{"event_id":"6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab","account_id":"a","amount_cents":"1","occurred_at":"2026-11-27T12:00:00Z"}"#, "wrong type for amount_cents"),
        (#"{"event_id":"6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab","account_id":"a","amount_cents":9223372036854775808,"occurred_at":"2026-11-27T12:00:00Z"}"#, "wrong type for amount_cents"),
        (#"{"event_id":"not-a-uuid","account_id":"a","amount_cents":1,"occurred_at":"2026-11-27T12:00:00Z"}"#, "event_id is not a UUID"),
        (#"{"event_id":"6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab","account_id":"","amount_cents":1,"occurred_at":"2026-11-27T12:00:00Z"}"#, "account_id is empty"),
        (#"{"event_id":"6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab","account_id":"a","amount_cents":1,"occurred_at":"2026-02-30T12:00:00Z"}"#, "occurred_at is not RFC 3339"),
        (#"{"event_id":7,"account_id":"a","amount_cents":1,"occurred_at":"2026-11-27T12:00:00Z"}"#, "wrong type for event_id"),
        (#"{"event_id":null,"account_id":"a","amount_cents":1,"occurred_at":"2026-11-27T12:00:00Z"}"#, "wrong type for event_id"),
        (#"{"event_id":"6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab","account_id":"a","amount_cents":1,"amount_cents":-1,"occurred_at":"2026-11-27T12:00:00Z"}"#, "amount_cents appears more than once"),
    ])
    func namesTheField(_ text: String, _ reason: String) {
        #expect(EventValue.decode(Array(text.utf8)) == .failure(.init(reason: reason)))
    }

    @Test("Int64 bounds are exact")
    func integerBounds() throws {
        for value in [Int64.max, Int64.min, 0, -1] {
            let text = #"{"event_id":"6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab","account_id":"a","amount_cents":\#(value),"occurred_at":"2026-11-27T12:00:00Z"}"#
            #expect(try EventValue.decode(Array(text.utf8)).get().amountCents == value)
        }
    }

    @Test("UUID text: the canonical lower-case form parses back, in either case, and malformed text does not parse")
    func uuidText() {
        var generator = SplitMix64(seed: 42)
        for _ in 0..<2_000 {
            let id = EventID(high: generator.next(), low: generator.next())
            #expect(id.description == UUID(uuid: Self.bytes(id)).uuidString.lowercased(), "Foundation prints the same")
            #expect(EventID(uuidString: id.description) == id)
            #expect(EventID(uuidString: id.description.uppercased()) == id)
        }
        for text in ["6f1c2d3e-4a5b-4c6d-8e7f-0123456789a", "6f1c2d3e_4a5b-4c6d-8e7f-0123456789ab", "6f1c2d3e-4a5b-4c6d-8e7f-0123456789ag"] {
            #expect(EventID(uuidString: text) == nil)
        }
    }

    static func bytes(_ id: EventID) -> uuid_t {
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<8 {
            bytes[index] = UInt8(truncatingIfNeeded: id.high >> UInt64(56 - 8 * index))
            bytes[index + 8] = UInt8(truncatingIfNeeded: id.low >> UInt64(56 - 8 * index))
        }
        return (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10],
                bytes[11], bytes[12], bytes[13], bytes[14], bytes[15])
    }

    @Test("RFC 3339 agrees with Foundation across dates, offsets and fractions, and formats back")
    func rfc3339() {
        var generator = SplitMix64(seed: 7)
        for _ in 0..<2_000 {
            let millis = Int64(generator.next() % 8_000_000_000_000) - 2_000_000_000_000
            let text = RFC3339.format(millis)
            let date = ISO8601DateFormatter.withFractions.date(from: text)
            #expect(date != nil, "\(text)")
            if let date { #expect(Int64((date.timeIntervalSince1970 * 1000).rounded()) == millis, "\(text)") }
            #expect(RFC3339.milliseconds(text) == millis, "\(text)")
        }
        #expect(RFC3339.milliseconds("2024-02-29T23:59:59.999-05:30") == RFC3339.milliseconds("2024-03-01T05:29:59.999Z"))
        #expect(RFC3339.milliseconds("2023-02-29T00:00:00Z") == nil, "not a leap year")
        #expect(RFC3339.milliseconds("2026-11-27 12:00:00Z") != nil, "RFC 3339 allows a space")
        #expect(RFC3339.milliseconds("2026-11-27T12:00:00") == nil, "an offset is required")
        #expect(RFC3339.milliseconds("2026-11-27T24:00:00Z") == nil)
    }
}

extension ISO8601DateFormatter {
    static var withFractions: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
