/// A point in time in milliseconds since an epoch chosen by the driver: virtual time in the simulator,
/// Unix time in the live runtime. Core never reads a clock; every input carries `now`.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var milliseconds: Int64

    public init(milliseconds: Int64) {
        self.milliseconds = milliseconds
    }

    public static let zero = Timestamp(milliseconds: 0)

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.milliseconds < rhs.milliseconds
    }

    public static func + (lhs: Timestamp, milliseconds: Int64) -> Timestamp {
        Timestamp(milliseconds: lhs.milliseconds + milliseconds)
    }

    public static func - (lhs: Timestamp, rhs: Timestamp) -> Int64 {
        lhs.milliseconds - rhs.milliseconds
    }

    /// `12.345s`: stable, locale-free, used in traces and explanations.
    public var description: String {
        let sign = milliseconds < 0 ? "-" : ""
        let magnitude = milliseconds.magnitude
        let fraction = String(magnitude % 1000)
        let padded = String(repeating: "0", count: 3 - fraction.count) + fraction
        return "\(sign)\(magnitude / 1000).\(padded)s"
    }
}
