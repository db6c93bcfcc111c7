/// `A-B` (inclusive) or a single seed.
public struct SeedRange: Sendable, Hashable, CustomStringConvertible {
    public var lower: UInt64
    public var upper: UInt64

    public init(lower: UInt64, upper: UInt64) {
        self.lower = lower
        self.upper = upper
    }

    /// `A-B` or `A`, at most 100,000,000 seeds; nil otherwise.
    public init?(parsing text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, let lower = UInt64(parts[0]),
            let upper = parts.count == 2 ? UInt64(parts[1]) : lower, lower <= upper, upper - lower < 100_000_000
        else { return nil }
        self.lower = lower
        self.upper = upper
    }

    public var count: Int { Int(upper - lower + 1) }
    public var closed: ClosedRange<UInt64> { lower...upper }
    public var description: String { lower == upper ? "\(lower)" : "\(lower)-\(upper)" }

    /// The seeds of shard `shard.index` of `shard.count`: contiguous blocks whose sizes differ by at most one,
    /// the larger ones first. A function of the range and the shard alone, so the same shard runs the same seeds
    /// on any machine, and the shards of one count cover the range exactly once. nil when the shard is empty
    /// (more shards than seeds).
    public func seeds(of shard: Shard) -> SeedRange? {
        let total = UInt64(count)
        let count = UInt64(shard.count)
        let index = UInt64(shard.index)
        let base = total / count
        let extra = total % count
        let start = index * base + min(index, extra)
        let size = base + (index < extra ? 1 : 0)
        guard size > 0 else { return nil }
        return SeedRange(lower: lower + start, upper: lower + start + size - 1)
    }
}

/// `I/N`: the I-th of N shares of a seed range (0 <= I < N <= 100,000).
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public static let whole = Shard(index: 0, count: 1)

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]),
            (1...100_000).contains(count), (0..<count).contains(index)
        else { return nil }
        self.init(index: index, count: count)
    }

    public var description: String { "\(index)/\(count)" }
}
