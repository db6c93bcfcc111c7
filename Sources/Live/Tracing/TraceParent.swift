public import LiveKafka

/// The W3C `traceparent` header (`00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`), read without a tracer:
/// the worker keeps only the headers of events whose trace is sampled, so an unsampled event costs no span.
public enum TraceParent {
    public static let headerName = "traceparent"

    /// The trace-context headers of a consumed message when its trace is sampled (flags bit 0); otherwise empty.
    public static func sampledContext(of headers: [KafkaHeader]) -> [KafkaHeader] {
        guard let parent = headers.first(where: { $0.name == headerName })?.value, isSampled(parent) else { return [] }
        return headers.filter { $0.name == headerName || $0.name == "tracestate" }
    }

    /// True for a well-formed version-00 value whose flags have the sampled bit set.
    public static func isSampled(_ value: [UInt8]) -> Bool {
        guard value.count == 55, value[2] == UInt8(ascii: "-"), value[35] == UInt8(ascii: "-"), value[52] == UInt8(ascii: "-"),
              let flags = hexValue(value[54]) else { return false }
        return flags & 1 == 1
    }

    /// The 32 hex digits of the trace id in these headers' `traceparent`, for log lines that link to the trace.
    public static func traceID(of headers: [KafkaHeader]) -> String? {
        guard let value = headers.first(where: { $0.name == headerName })?.value, value.count == 55 else { return nil }
        return String(decoding: value[3..<35], as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
