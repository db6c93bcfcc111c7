import Core

/// Locale-free number formatting without Foundation: pixel coordinates are kept in tenths of a pixel as
/// integers (no floating point, so the output is the same on every machine), times as virtual milliseconds.
enum TimelineFormat {
    /// `1234` tenths -> `123.4`; whole pixels drop the `.0` to keep large files small.
    static func tenths(_ value: Int64) -> String {
        let sign = value < 0 ? "-" : ""
        let magnitude = value.magnitude
        let fraction = magnitude % 10
        return fraction == 0 ? "\(sign)\(magnitude / 10)" : "\(sign)\(magnitude / 10).\(fraction)"
    }

    /// `12.345s`, the format of the simulator's traces and explanations.
    static func time(_ milliseconds: Int64) -> String {
        Timestamp(milliseconds: milliseconds).description
    }

    /// An axis label: `10 s`, `1.5 s`, `2 min`.
    static func axisLabel(_ milliseconds: Int64) -> String {
        if milliseconds % 60_000 == 0, milliseconds >= 120_000 { return "\(milliseconds / 60_000) min" }
        if milliseconds % 1_000 == 0 { return "\(milliseconds / 1_000) s" }
        let tenthsOfSecond = milliseconds / 100
        return "\(tenthsOfSecond / 10).\(tenthsOfSecond % 10) s"
    }
}
