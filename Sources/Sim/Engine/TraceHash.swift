/// A running FNV-1a 64 hash over the numeric fingerprint of every executed event. Two runs are identical
/// when their hashes agree; cheap enough to keep on for every seed of a sweep.
public struct TraceHash: Hashable, Sendable {
    public private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    public init() {}

    public mutating func mix(_ word: UInt64) {
        var w = word
        for _ in 0..<8 {
            value ^= w & 0xFF
            value &*= 0x0000_0100_0000_01B3
            w >>= 8
        }
    }

    public mutating func mix(_ word: Int64) { mix(UInt64(bitPattern: word)) }
    public mutating func mix(_ word: Int) { mix(UInt64(bitPattern: Int64(word))) }

    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
