import Foundation

/// The Kafka value of an event (docs/interfaces.md):
/// `{"event_id":"<uuid>","account_id":"<string>","amount_cents":<int64>,"occurred_at":"<RFC 3339>"}`.
/// Written as bytes: string interpolation and padded formatting were a visible share of the handler.
enum EventValue {
    static func json(eventID: String, request: EventRequest, occurredAt: Date) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(128 + request.accountID.utf8.count)
        out += #"{"event_id":""#.utf8
        out += eventID.utf8
        out += #"","account_id":"#.utf8
        JSONText.appendQuoted(request.accountID, to: &out)
        out += #","amount_cents":"#.utf8
        out += String(request.amountCents).utf8
        out += #","occurred_at":""#.utf8
        appendRFC3339(occurredAt, to: &out)
        out += #""}"#.utf8
        return out
    }

    /// UTC with milliseconds, e.g. `2026-11-27T12:00:00.123Z`.
    static func appendRFC3339(_ date: Date, to out: inout [UInt8]) {
        // Whole milliseconds first: splitting the Double into seconds and fraction turned .123 into .122.
        let total = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var seconds = time_t(total.floorDivided(by: 1000))
        let millis = Int32(total - Int64(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int32, _ width: Int) {
            var divisor: Int32 = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(parts.tm_year + 1900, 4); out.append(UInt8(ascii: "-"))
        digits(parts.tm_mon + 1, 2); out.append(UInt8(ascii: "-"))
        digits(parts.tm_mday, 2); out.append(UInt8(ascii: "T"))
        digits(parts.tm_hour, 2); out.append(UInt8(ascii: ":"))
        digits(parts.tm_min, 2); out.append(UInt8(ascii: ":"))
        digits(parts.tm_sec, 2); out.append(UInt8(ascii: "."))
        digits(millis, 3); out.append(UInt8(ascii: "Z"))
    }
}

private extension Int64 {
    func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor < 0) ? quotient - 1 : quotient
    }
}
