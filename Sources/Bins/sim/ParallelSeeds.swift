import Foundation
import Sim

/// What a run over some seeds adds up to; partial results of chunks merge into the whole, in any order.
protocol SeedTally: Sendable {
    init()
    mutating func merge(_ other: Self)
}

/// Runs a range of seeds on every core: chunks handed out in seed order to a task group, each chunk's tally
/// merged as it completes. Every seed command (`sim sweep`, `sim scale --seeds`, `sim tune`) goes through it, so
/// chunking, worker count and progress behave the same everywhere.
struct ParallelSeeds: Sendable {
    var seeds: SeedRange
    var workers: Int
    var chunk: UInt64

    /// `workers`: nil = every core the process may use.
    init(seeds: SeedRange, workers: Int? = nil, chunk: UInt64 = 8) {
        self.seeds = seeds
        self.workers = max(1, workers ?? ProcessInfo.processInfo.activeProcessorCount)
        self.chunk = max(1, chunk)
    }

    /// `work` runs one chunk of consecutive seeds; `progress` sees the merged tally after each chunk. `stop`:
    /// once the merged tally satisfies it, no further chunk starts; chunks already started finish, so every seed
    /// below the one that satisfied it has run (a search for the first failing seed gets the same answer however
    /// the chunks interleaved).
    func run<Tally: SeedTally>(
        _ work: @escaping @Sendable (ClosedRange<UInt64>) -> Tally,
        stop: (Tally) -> Bool = { _ in false },
        progress: (Tally) -> Void = { _ in }
    ) async -> Tally {
        var total = Tally()
        var next: UInt64? = seeds.lower
        let upper = seeds.upper
        let chunk = self.chunk
        await withTaskGroup(of: Tally.self) { group in
            func launch() {
                guard let first = next else { return }
                let last = upper - first < chunk ? upper : first + chunk - 1
                next = last == upper ? nil : last + 1
                group.addTask { work(first...last) }
            }
            for _ in 0..<(workers * 2) { launch() }
            for await partial in group {
                total.merge(partial)
                progress(total)
                if stop(total) { next = nil }
                launch()
            }
        }
        return total
    }
}

/// Wall-clock seconds since `start`, for reports (never inside a simulation).
struct Stopwatch {
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant

    init() { started = clock.now }

    var seconds: Double {
        let elapsed = started.duration(to: clock.now)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
