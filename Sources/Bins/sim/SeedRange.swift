import ArgumentParser

/// `A-B` (inclusive) or a single seed.
struct SeedRange: ExpressibleByArgument, Sendable {
    var lower: UInt64
    var upper: UInt64

    init?(argument: String) {
        let parts = argument.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, let lower = UInt64(parts[0]),
            let upper = parts.count == 2 ? UInt64(parts[1]) : lower, lower <= upper, upper - lower < 100_000_000
        else { return nil }
        self.lower = lower
        self.upper = upper
    }

    var count: Int { Int(upper - lower + 1) }
}
