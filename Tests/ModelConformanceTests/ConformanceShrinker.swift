import Foundation

/// Shrinks a failing conformance sequence by delta debugging: drops a whole session's steps, then ever
/// smaller runs of consecutive steps, keeping each cut after which the replay still differs from PostgreSQL
/// (any difference, not only the first one), within a time and replay budget.
struct ConformanceShrinker {
    struct Result {
        let seed: UInt64
        /// The smallest failing sequence found.
        let steps: [ConformanceStep]
        let originalCount: Int
        let replays: Int
        let seconds: Double
        /// The shrunk sequence's run: transcript and difference.
        let report: String
    }

    let run: ConformanceRun
    let seed: UInt64
    var budgetSeconds = Double(ProcessInfo.processInfo.environment["REPLICASAFE_CONFORMANCE_SHRINK_SECONDS"] ?? "") ?? 30
    var maxReplays = 300

    init(run: ConformanceRun, seed: UInt64) {
        self.run = run
        self.seed = seed
    }

    func shrink(_ failing: ConformanceRun.Outcome) async throws -> Result {
        let started = Date()
        var current = failing.executed
        var last = failing
        var replays = 0
        func tries(_ candidate: [ConformanceStep]) async throws -> Bool {
            guard replays < maxReplays, Date().timeIntervalSince(started) < budgetSeconds, candidate.count < current.count else {
                return false
            }
            replays += 1
            let outcome = try await run.sequence(seed: seed, replaying: candidate)
            guard outcome.mismatch != nil else { return false }
            current = outcome.executed
            last = outcome
            return true
        }
        for session in Set(current.map(\.session)).sorted() {
            _ = try await tries(current.filter { $0.session != session })
        }
        var chunk = max(1, current.count / 2)
        while true {
            var start = 0
            var cut = false
            while start < current.count {
                let end = min(current.count, start + chunk)
                if try await tries(Array(current[..<start] + current[end...])) { cut = true } else { start += chunk }
            }
            if chunk == 1 && !cut { break }
            if !cut { chunk = max(1, chunk / 2) }
            if replays >= maxReplays || Date().timeIntervalSince(started) >= budgetSeconds { break }
        }
        let seconds = Date().timeIntervalSince(started)
        let report = """
            seed \(seed): the model differs from PostgreSQL; shrunk from \(failing.executed.count) to \(current.count) steps \
            (\(replays) replays, \(String(format: "%.1f", seconds)) s):\(last.report)
            re-run this seed alone: REPLICASAFE_CONFORMANCE_SEED=\(seed) swift test --filter modelMatchesPostgres \
            (PostgreSQL from scripts/local-postgres.sh start)
            """
        return Result(seed: seed, steps: current, originalCount: failing.executed.count, replays: replays, seconds: seconds,
                      report: report)
    }
}
