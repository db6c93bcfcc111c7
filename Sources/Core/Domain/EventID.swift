/// An event's identity and idempotency key: a 128-bit UUID, kept as two words so Core needs no Foundation.
/// Its text is the canonical lower-case `8-4-4-4-12` form; parsing takes either case. This is the one
/// implementation of UUID text: the wire format (EventWire), the database statements and traces use it.
public struct EventID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Parses the canonical `8-4-4-4-12` hexadecimal form, case-insensitively.
    public init?(uuidString: String) {
        self.init(uuidText: uuidString.utf8)
    }

    /// Parses the canonical form from its bytes, case-insensitively.
    public init?<Bytes: Collection<UInt8>>(uuidText bytes: Bytes) {
        guard bytes.count == 36 else { return nil }
        var words: (UInt64, UInt64) = (0, 0)
        var digits = 0
        for (index, byte) in bytes.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            guard let nibble = Self.nibble(byte) else { return nil }
            if digits < 16 { words.0 = words.0 << 4 | nibble } else { words.1 = words.1 << 4 | nibble }
            digits += 1
        }
        self.init(high: words.0, low: words.1)
    }

    public static func < (lhs: EventID, rhs: EventID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    /// Appends the canonical lower-case text (36 bytes) without going through `String`.
    public func appendText(to out: inout [UInt8]) {
        for nibble in 0..<32 {
            if nibble == 8 || nibble == 12 || nibble == 16 || nibble == 20 { out.append(UInt8(ascii: "-")) }
            let word = nibble < 16 ? high : low
            out.append(Self.hexDigits[Int((word >> UInt64(60 - 4 * (nibble % 16))) & 0xF)])
        }
    }

    public var description: String {
        var out: [UInt8] = []
        out.reserveCapacity(36)
        appendText(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private static func nibble(_ byte: UInt8) -> UInt64? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt64(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt64(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt64(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
