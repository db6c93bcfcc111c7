/// Correlates an action that starts asynchronous work (a transaction, an offset commit, a dead-letter publish)
/// with the input that reports its result. Unique within one state machine.
public struct RequestID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: UInt64

    public init(_ value: UInt64) {
        self.value = value
    }

    public static func < (lhs: RequestID, rhs: RequestID) -> Bool { lhs.value < rhs.value }

    public var description: String { "#\(value)" }
}
