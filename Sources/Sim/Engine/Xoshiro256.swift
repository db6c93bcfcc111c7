import Core

/// xoshiro256** (Blackman & Vigna): the simulator's generator. Seeded through SplitMix64 as its authors
/// recommend. Each concern draws from its own stream so that, for example, the scenario (traffic and fault
/// schedule) is the same in both modes even though the runs diverge.
public struct Xoshiro256: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var mixer = SplitMix64(seed: seed)
        s = (mixer.next(), mixer.next(), mixer.next(), mixer.next())
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in `range` (inclusive). Modulo bias is irrelevant at these widths.
    public mutating func int(_ range: ClosedRange<Int64>) -> Int64 {
        let width = UInt64(range.upperBound - range.lowerBound) &+ 1
        return width == 0 ? Int64(bitPattern: next()) : range.lowerBound + Int64(next() % width)
    }

    public mutating func int(_ range: ClosedRange<Int>) -> Int {
        Int(int(Int64(range.lowerBound)...Int64(range.upperBound)))
    }

    /// True with probability `numerator / denominator`.
    public mutating func chance(_ numerator: Int, in denominator: Int) -> Bool {
        Int(next() % UInt64(denominator)) < numerator
    }

    /// A derived stream for a named purpose.
    public mutating func fork(_ salt: UInt64) -> Xoshiro256 {
        Xoshiro256(seed: next() ^ salt)
    }
}
