import Core
import EventWire
import Foundation
import Testing

/// The one reader of the api's bodies and the worker's values, against Foundation's JSONDecoder.
@Suite("EventJSON: the event's JSON reader")
struct EventJSONTests {
    /// The member values only: Foundation does not report repeated or foreign members (tested below).
    static func read(_ body: String) -> FoundationOracle.Outcome {
        switch EventJSON.fields(Array(body.utf8)) {
        case .success(var fields):
            fields.repeatedMember = nil
            fields.unknownMember = nil
            return .fields(fields)
        case .failure(.notAnObject): return .notAnObject
        case .failure(.notJSON): return .notJSON
        }
    }

    @Test("the first repeated member and the first foreign member are reported; the first value is kept")
    func repeatedAndForeignMembers() throws {
        let cases: [(String, EventFields.Key?, String?)] = [
            (#"{"account_id":"a","amount_cents":5}"#, nil, nil),
            (#"{"account_id":"a","account_id":"b","amount_cents":5,"amount_cents":6}"#, .accountID, nil),
            (#"{"event_id":null,"a\u0063count_id":"a","event_id":"x","note":1,"x":2}"#, .eventID, "note"),
            (#"{"n\u00f6te":1,"account_id":"a"}"#, nil, "nöte"),
        ]
        for (body, repeated, unknown) in cases {
            let fields = try EventJSON.fields(Array(body.utf8)).get()
            #expect(fields.repeatedMember == repeated, "\(body)")
            #expect(fields.unknownMember == unknown, "\(body)")
        }
        let kept = try EventJSON.fields(Array(#"{"account_id":"a","account_id":"b"}"#.utf8)).get()
        #expect(kept.accountID == .string("a"))
    }

    @Test("bodies clients send are read as Foundation reads them", arguments: [
        #"{"account_id":"acct-1","amount_cents":5}"#,
        #"{"amount_cents":-1000000000000,"account_id":"a b","event_id":"6F1C2D3E-4A5B-4C6D-8E7F-0123456789AB"}"#,
        " {\n\t\"account_id\" : \"x\" ,\r\n \"amount_cents\" : 0 , \"event_id\" : null } ",
        #"{"account_id":"acct","amount_cents":-0}"#, #"{}"#, #"{"account_id":null}"#, #"{"account_id":12,"amount_cents":"12"}"#,
        #"{"account_id":"caf\u00e9","amount_cents":5}"#, #"{"account_id":"café","amount_cents":5}"#,
        #"{"account_id":"a","amount_cents":5,"note":{"x":[1,2,{"y":null}]}}"#, #"{"account_id":"a","account_id":"b"}"#,
        #"{"amount_cents":5.0}"#, #"{"amount_cents":5e2}"#, #"{"amount_cents":2.50e1}"#, #"{"amount_cents":12.5}"#,
        #"{"amount_cents":1234567890123456789}"#, #"{"amount_cents":9223372036854775808}"#, #"{"amount_cents":-9223372036854775808}"#,
        #"{"amount_cents":1e30}"#, #"{"amount_cents":true}"#, #"{"account_id":["a"]}"#, #"{"amount_cents":012}"#,
        #"{"amount_cents":1} x"#, #"{"amount_cents":1"#, #"[{"amount_cents":1}]"#, "", "nul", "7", #""s""#,
        #"{"amount_cents":-}"#, #"{"a\u0063count_id":"escaped name"}"#, #"{"account_id":"\ud83d\ude00"}"#, #"{"account_id":"\ud800"}"#,
        "{\"account_id\":\"tab\there\"}", #"{"occurred_at":"2026-11-27T12:00:00.123Z","event_id":"x"}"#,
    ])
    func agreesWithFoundation(_ body: String) {
        #expect(Self.read(body) == FoundationOracle.read(body), "\(body)")
    }

    /// RFC 8259 has no trailing commas; Foundation on Linux takes them. The reader follows the RFC (and the worker
    /// always has): such a body is not JSON.
    @Test("a trailing comma is not JSON (Foundation on Linux accepts it)")
    func trailingComma() {
        for body in [#"{"amount_cents":1,}"#, #"{"note":[1,],"amount_cents":1}"#] {
            #expect(Self.read(body) == .notJSON)
            if case .fields = FoundationOracle.read(body) {} else { Issue.record("Foundation changed: \(body)") }
        }
    }

    @Test("bytes that are not UTF-8 are not JSON, wherever they are")
    func invalidUTF8() {
        for bytes in [[0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x22, 0x7D], [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]] as [[UInt8]] {
            #expect(EventJSON.fields(bytes) == .failure(.notJSON))
        }
    }

    @Test("on 5,000 generated bodies the reader answers what Foundation answers (trailing commas aside)")
    func generatedBodiesAgree() {
        var generator = SplitMix64(seed: 20261127)
        var objects = 0
        for _ in 0..<5_000 {
            let body = Self.randomBody(&generator)
            let mine = Self.read(body)
            if case .fields = mine { objects += 1 }
            #expect(mine == FoundationOracle.read(body), "\(body)")
        }
        #expect(objects > 2_000, "the generator mostly writes objects")
        #expect(objects < 4_900, "and sometimes not")
    }

    static func randomBody(_ g: inout SplitMix64) -> String {
        let keys = ["event_id", "account_id", "amount_cents", "occurred_at", "other", "Account_id"]
        let values = [
            "\"acct-7\"", "\"\"", "\"x y\"", "\"a\\\"b\"", "\"é\"", "\"\\u0001\"", "\"6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab\"",
            "\"not-a-uuid\"", "0", "-0", "5", "-17", "1000000000000", "1000000000001", "-1000000000001",
            "999999999999999999", "9999999999999999999", "99999999999999999999", "12.5", "12.0", "1e3", "-2.5E+1", "007",
            "true", "false", "null", "[1]", "{\"a\":1}", "\"2026-11-27T12:00:00Z\"", "\"\(String(repeating: "z", count: 129))\"",
        ]
        let spaces = ["", " ", "\n", "\t ", "\r\n"]
        func pick<T>(_ list: [T]) -> T { list[Int(g.next() % UInt64(list.count))] }
        var members: [String] = []
        for _ in 0..<Int(g.next() % 6) {
            members.append("\(pick(spaces))\"\(pick(keys))\"\(pick(spaces)):\(pick(spaces))\(pick(values))\(pick(spaces))")
        }
        var body = "\(pick(spaces)){" + members.joined(separator: ",") + "}\(pick(spaces))"
        switch g.next() % 20 {
        case 0: body = String(body.dropLast(Int(g.next() % 4) + 1))  // truncated
        case 1: body += "x"
        case 2: body = "[" + body + "]"
        case 3: body = pick(values)
        default: break
        }
        return body
    }
}
