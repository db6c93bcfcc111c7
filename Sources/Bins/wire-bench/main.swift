import Core
import EventWire
import Foundation

// `make bench-wire`: EventWire's hand-written codec against Foundation doing the same job, in one run, so the
// ratios hold whatever the machine's speed. Each case runs in alternating rounds; a case's figure is its
// fastest round (the least disturbed by other work on the machine). The last line is one JSON object.

let requestBody = Array(#"{"event_id":"6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab","account_id":"acct-00042","amount_cents":1250}"#.utf8)
let event = Event(
    id: EventID(uuidString: "6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab")!, account: AccountID("acct-00042"), amountCents: 1250,
    occurredAt: Timestamp(milliseconds: 1_764_244_800_123)
)
let kafkaValue = EventValue.encode(event)

/// The same fields, the way Foundation reads them (what the api and the worker did before EventWire).
struct FoundationFields: Codable {
    var event_id: String?
    var account_id: String?
    var amount_cents: Int64?
    var occurred_at: String?
}

let decoder = JSONDecoder()
let encoder = JSONEncoder()
let dates: ISO8601DateFormatter = {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter
}()

@MainActor func foundationReadRequest() -> Int64 {
    let fields = try! decoder.decode(FoundationFields.self, from: Data(requestBody))
    return fields.amount_cents! + Int64(fields.account_id!.utf8.count)
}

@MainActor func foundationDecodeValue() -> Int64 {
    let fields = try! decoder.decode(FoundationFields.self, from: Data(kafkaValue))
    let id = UUID(uuidString: fields.event_id!)!
    let date = dates.date(from: fields.occurred_at!)!
    return fields.amount_cents! + Int64(id.uuid.0) + Int64(date.timeIntervalSince1970)
}

@MainActor func foundationEncodeValue() -> Int {
    let date = Date(timeIntervalSince1970: Double(event.occurredAt.milliseconds) / 1000)
    let fields = FoundationFields(
        event_id: UUID(uuidString: event.id.description)!.uuidString.lowercased(), account_id: event.account.rawValue,
        amount_cents: event.amountCents, occurred_at: dates.string(from: date)
    )
    return try! encoder.encode(fields).count
}

@MainActor func wireReadRequest() -> Int64 {
    guard case .success(let fields) = EventJSON.fields(requestBody), case .integer(let cents) = fields.amountCents,
          case .string(let account) = fields.accountID else { fatalError("the request body did not read") }
    return cents + Int64(account.utf8.count)
}

@MainActor func wireDecodeValue() -> Int64 {
    let decoded = try! EventValue.decode(kafkaValue).get()
    return decoded.amountCents + Int64(decoded.id.high & 0xFF) + decoded.occurredAt.milliseconds / 1000
}

@MainActor func wireEncodeValue() -> Int { EventValue.encode(event).count }

/// Nanoseconds per call: the fastest of `rounds` rounds, each of as many calls as fill about 50 ms.
@MainActor func measure(_ cases: [(name: String, body: @MainActor () -> Int64)], rounds: Int = 5) -> [String: Double] {
    var sink: Int64 = 0
    func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
    var iterations: [String: Int] = [:]
    for (name, body) in cases {
        let start = ContinuousClock.now
        for _ in 0..<200 { sink &+= body() }
        iterations[name] = max(200, Int(0.05 / (seconds(ContinuousClock.now - start) / 200)))
    }
    var best: [String: Double] = [:]
    for _ in 0..<rounds {
        for (name, body) in cases {
            let count = iterations[name]!
            let start = ContinuousClock.now
            for _ in 0..<count { sink &+= body() }
            best[name] = min(best[name] ?? .infinity, seconds(ContinuousClock.now - start) * 1e9 / Double(count))
        }
    }
    if sink == 42 { print("") }  // keeps the work observable to the optimiser
    return best
}

let figures = measure([
    ("request_eventwire", wireReadRequest), ("request_foundation", foundationReadRequest),
    ("value_decode_eventwire", wireDecodeValue), ("value_decode_foundation", foundationDecodeValue),
    ("value_encode_eventwire", { Int64(wireEncodeValue()) }), ("value_encode_foundation", { Int64(foundationEncodeValue()) }),
])
var report: [String: Double] = [:]
let jobs = [
    ("request", "read a request body (JSONDecoder)"),
    ("value_decode", "decode a Kafka value (JSONDecoder, UUID(uuidString:), ISO8601DateFormatter)"),
    ("value_encode", "encode a Kafka value (JSONEncoder, UUID, ISO8601DateFormatter)"),
]
for (job, label) in jobs {
    let wire = figures["\(job)_eventwire"]!, foundation = figures["\(job)_foundation"]!
    print("\(label): EventWire \(String(format: "%.0f", wire)) ns, Foundation \(String(format: "%.0f", foundation)) ns, "
          + "Foundation / EventWire = \(String(format: "%.1f", foundation / wire))")
    report["\(job)_eventwire_ns"] = (wire * 10).rounded() / 10
    report["\(job)_foundation_ns"] = (foundation * 10).rounded() / 10
    report["\(job)_ratio"] = (foundation / wire * 10).rounded() / 10
}
let json = try! JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
print(String(decoding: json, as: UTF8.self))
