import Foundation

/// The Kafka value of an event (docs/interfaces.md):
/// `{"event_id":"<uuid>","account_id":"<string>","amount_cents":<int64>,"occurred_at":"<RFC 3339>"}`.
enum EventValue {
    static func json(eventID: String, request: EventRequest, occurredAt: Date) -> [UInt8] {
        let text = "{\"event_id\":\"\(eventID)\",\"account_id\":\(JSONText.quoted(request.accountID)),"
            + "\"amount_cents\":\(request.amountCents),\"occurred_at\":\"\(rfc3339(occurredAt))\"}"
        return Array(text.utf8)
    }

    /// UTC with milliseconds, e.g. `2026-11-27T12:00:00.123Z`.
    static func rfc3339(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        let millis = Int((interval - Double(seconds)) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(millis), 3))Z"
    }
}
