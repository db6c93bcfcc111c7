/// A running hash over the numeric fingerprint of every executed event (a 64-bit multiply-rotate mix in the
/// style of FxHash: one multiplication per word). Two runs are identical when their hashes agree; cheap
/// enough to keep on for every seed of a sweep. Not a cryptographic hash: it detects divergence, nothing more.
public struct TraceHash: Hashable, Sendable {
    public private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    public init() {}

    @inline(__always)
    public mutating func mix(_ word: UInt64) {
        value = ((value << 5) | (value >> 59)) ^ word
        value &*= 0x517C_C1B7_2722_0A95
    }

    public mutating func mix(_ word: Int64) { mix(UInt64(bitPattern: word)) }
    public mutating func mix(_ word: Int) { mix(UInt64(bitPattern: Int64(word))) }

    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
