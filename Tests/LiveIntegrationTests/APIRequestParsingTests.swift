import Core
import Foundation
@testable import LiveAPI
@testable import LiveWorker
import Testing

/// The api's hand-written request path (it replaced JSONDecoder and Foundation string handling, which cost
/// more per request than the rest of the handler): checked against the decoder path and against the worker.
@Suite("API request parsing")
struct APIRequestParsingTests {
    /// The general path alone, as `EventRequest.parse` was before the scanner.
    static func decoderOnly(_ body: String) -> Result<EventRequest, APIError> {
        Result { () throws(APIError) in try EventRequest.validated(EventFields.decoded(Data(body.utf8))) }
    }

    static func parsed(_ body: String) -> Result<EventRequest, APIError> {
        Result { () throws(APIError) in try EventRequest.parse(Data(body.utf8)) }
    }

    static func scanned(_ body: String) -> EventFields? {
        Array(body.utf8).withUnsafeBytes { EventBodyScanner.fields($0) }
    }

    @Test("the bodies clients send take the scanner, and it reads them as the decoder does")
    func commonBodies() throws {
        let bodies = [
            #"{"account_id":"acct-1","amount_cents":5}"#,
            #"{"amount_cents":-1000000000000,"account_id":"a b","event_id":"6F1C2D3E-4A5B-4C6D-8E7F-0123456789AB"}"#,
            " {\n\t\"account_id\" : \"x\" ,\r\n \"amount_cents\" : 0 , \"event_id\" : null } ",
            #"{"account_id":"acct","amount_cents":-0}"#,
            #"{"account_id":"acct","amount_cents":999999999999999999}"#,
            #"{}"#,
            #"{"account_id":null}"#,
            #"{"account_id":12,"amount_cents":"12"}"#,
        ]
        for body in bodies {
            let fields = try #require(Self.scanned(body), "\(body)")
            #expect(fields == (try EventFields.decoded(Data(body.utf8))), "\(body)")
            #expect(Self.parsed(body) == Self.decoderOnly(body), "\(body)")
        }
        #expect(try EventRequest.parse(Data(bodies[1].utf8)).eventID == "6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab")
    }

    @Test("everything outside the plain shape goes to the decoder")
    func unusualBodiesFallBack() {
        let bodies = [
            #"{"account_id":"caf\u00e9","amount_cents":5}"#, #"{"account_id":"café","amount_cents":5}"#,
            #"{"account_id":"a","amount_cents":5,"note":1}"#, #"{"account_id":"a","account_id":"b","amount_cents":5}"#,
            #"{"account_id":"a","amount_cents":5.0}"#, #"{"account_id":"a","amount_cents":5e2}"#,
            #"{"account_id":"a","amount_cents":1234567890123456789}"#, #"{"account_id":"a","amount_cents":012}"#,
            #"{"account_id":"a","amount_cents":true}"#, #"{"account_id":["a"],"amount_cents":1}"#,
            #"{"account_id":"a","amount_cents":1,}"#, #"{"account_id":"a","amount_cents":1} x"#,
            #"{"account_id":"a","amount_cents":1"#, #"[{"account_id":"a","amount_cents":1}]"#, "", "nul",
            #"{"account_id":"a","amount_cents":nul}"#, #"{"account_id":"a","amount_cents":-}"#,
        ]
        for body in bodies {
            #expect(Self.scanned(body) == nil, "\(body)")
            #expect(Self.parsed(body) == Self.decoderOnly(body), "\(body)")
        }
    }

    @Test("on generated bodies, parse answers exactly what the decoder path answers")
    func generatedBodiesAgree() {
        var generator = SplitMix64(seed: 20261127)
        var scannedCount = 0
        for _ in 0..<5_000 {
            let body = Self.randomBody(&generator)
            if let fields = Self.scanned(body) {
                scannedCount += 1
                #expect(fields == (try? EventFields.decoded(Data(body.utf8))), "\(body)")
            }
            #expect(Self.parsed(body) == Self.decoderOnly(body), "\(body)")
        }
        // Both paths are exercised: the generator is not so odd that the scanner never applies, nor so tame
        // that the decoder never does.
        #expect(scannedCount > 1_000)
        #expect(scannedCount < 4_500)
    }

    static func randomBody(_ g: inout SplitMix64) -> String {
        let keys = ["event_id", "account_id", "amount_cents", "other", "Account_id"]
        let values = [
            "\"acct-7\"", "\"\"", "\"x y\"", "\"a\\\"b\"", "\"é\"", "\"\\u0001\"", "\"6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab\"",
            "\"not-a-uuid\"", "0", "-0", "5", "-17", "1000000000000", "1000000000001", "-1000000000001",
            "999999999999999999", "9999999999999999999", "99999999999999999999", "12.5", "12.0", "1e3", "007",
            "true", "false", "null", "[1]", "{\"a\":1}", "\"\(String(repeating: "z", count: 129))\"",
        ]
        let spaces = ["", " ", "\n", "\t ", "\r\n"]
        func pick<T>(_ list: [T]) -> T { list[Int(g.next() % UInt64(list.count))] }
        var members: [String] = []
        for _ in 0..<Int(g.next() % 5) {
            members.append("\(pick(spaces))\"\(pick(keys))\"\(pick(spaces)):\(pick(spaces))\(pick(values))\(pick(spaces))")
        }
        var body = "\(pick(spaces)){" + members.joined(separator: ",") + "}\(pick(spaces))"
        switch g.next() % 20 {
        case 0: body = String(body.dropLast(Int(g.next() % 4) + 1))  // truncated
        case 1: body += "x"
        case 2: body = "[" + body + "]"
        default: break
        }
        return body
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

    @Test("the Kafka value the api writes is what the worker reads, for any account id and amount")
    func valueRoundTripsThroughTheWorker() throws {
        var generator = SplitMix64(seed: 11)
        let accounts = ["acct-1", "a \"quoted\" \\ name", "tab\there", "café ☕", "line\nbreak", "\u{7F}del", "{,}"]
        for index in 0..<500 {
            let eventID = LiveAPI.EventID.random()
            let request = EventRequest(
                eventID: nil, accountID: accounts[index % accounts.count],
                amountCents: Int64(bitPattern: generator.next()) % (EventRequest.amountBound + 1)
            )
            let millis = Int64(generator.next() % 8_000_000_000_000)
            let value = EventValue.json(eventID: eventID, request: request, occurredAt: Date(timeIntervalSince1970: Double(millis) / 1000))
            let event = try EventDecoder().decode(value).get()
            #expect(event.id == Core.EventID(uuidString: eventID))
            #expect(event.account == AccountID(request.accountID))
            #expect(event.amountCents == request.amountCents)
            #expect(event.occurredAt.milliseconds == millis, "\(String(decoding: value, as: UTF8.self))")
        }
    }

    @Test("server-chosen event ids are distinct version-4 UUIDs")
    func eventIDs() {
        var seen = Set<String>()
        for _ in 0..<2_000 {
            let id = LiveAPI.EventID.random()
            #expect(id.utf8.count == 36)
            #expect(UUID(uuidString: id)?.uuidString.lowercased() == id)
            let characters = Array(id)
            #expect(characters[14] == "4")
            #expect("89ab".contains(characters[19]))
            seen.insert(id)
        }
        #expect(seen.count == 2_000)
    }
}
