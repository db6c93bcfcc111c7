/// A tiny, fast, seedable generator (Steele, Lea, Flood 2014). Core takes its randomness only from a seed
/// injected through configuration, so the simulator can replay a run and the live runtime can seed from the OS.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) {
        self.state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `0...bound` without modulo bias worth caring about at these magnitudes
    /// (bounds are milliseconds of backoff, far below 2^32).
    public mutating func uniform(upTo bound: Int64) -> Int64 {
        guard bound > 0 else { return 0 }
        return Int64(next() % UInt64(bound + 1))
    }
}
