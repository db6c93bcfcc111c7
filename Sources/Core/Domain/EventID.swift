/// An event's identity and idempotency key: a 128-bit UUID, kept as two words so Core needs no Foundation.
public struct EventID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Parses the canonical `8-4-4-4-12` hexadecimal form, case-insensitively.
    public init?(uuidString: String) {
        var words: (UInt64, UInt64) = (0, 0)
        var digits = 0
        for (index, scalar) in uuidString.unicodeScalars.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard scalar == "-" else { return nil }
                continue
            }
            guard let nibble = EventID.nibble(scalar) else { return nil }
            if digits < 16 { words.0 = words.0 << 4 | nibble } else { words.1 = words.1 << 4 | nibble }
            digits += 1
        }
        guard digits == 32, uuidString.unicodeScalars.count == 36 else { return nil }
        self.init(high: words.0, low: words.1)
    }

    public static func < (lhs: EventID, rhs: EventID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    public var description: String {
        let hex = EventID.hex(high, width: 16) + EventID.hex(low, width: 16)
        let chars = Array(hex)
        let groups = [chars[0..<8], chars[8..<12], chars[12..<16], chars[16..<20], chars[20..<32]]
        return groups.map { String($0) }.joined(separator: "-")
    }

    private static func nibble(_ scalar: Unicode.Scalar) -> UInt64? {
        switch scalar.value {
        case 48...57: return UInt64(scalar.value - 48)
        case 97...102: return UInt64(scalar.value - 87)
        case 65...70: return UInt64(scalar.value - 55)
        default: return nil
        }
    }

    private static func hex(_ value: UInt64, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: width - digits.count) + digits
    }
}
