/// A seeded search over the worker's grid, in batches the caller evaluates (on every core) and records:
/// first the shipped settings and a random sample of the grid, then steps from the best candidate so far to its
/// untried neighbours (one grid step along one dimension), until the budget of evaluations is spent. Pure: the
/// same search seed, grid and scores give the same candidates in the same order.
public struct TuningSearch: Sendable {
    public struct Evaluated: Sendable {
        public var point: [Int]
        public var score: WorkerScore
        /// 0: shipped; 1: random sample; 2...: refinement rounds.
        public var round: Int
    }

    public let space: TuningSpace<ScaledObjectSpec>
    public let shippedSpec: ScaledObjectSpec
    public let objective: TuningObjective
    public let budget: Int
    public private(set) var evaluated: [Evaluated] = []
    private var random: Xoshiro256
    private var round = 0
    private var pending: [[Int]] = []
    private let batchSize: Int

    public init(space: TuningSpace<ScaledObjectSpec>, shippedSpec: ScaledObjectSpec, objective: TuningObjective,
                budget: Int, seed: UInt64, batchSize: Int = 8) {
        self.space = space
        self.shippedSpec = shippedSpec
        self.objective = objective
        self.budget = max(1, budget)
        self.batchSize = max(1, batchSize)
        random = Xoshiro256(seed: seed ^ 0x7475_6E65)
    }

    /// The next candidates to evaluate; empty when the search is over.
    public mutating func nextBatch() -> [[Int]] {
        precondition(pending.isEmpty, "record the previous batch first")
        let remaining = budget - evaluated.count
        guard remaining > 0 else { return [] }
        var batch: [[Int]] = []
        if round == 0 {
            batch.append(space.shipped)
            var attempts = 0
            while batch.count < max(1, min(remaining, budget / 2)), attempts < 10_000 {
                attempts += 1
                let point = space.random(using: &random)
                if valid(point), !batch.contains(point) { batch.append(point) }
            }
        } else {
            batch = refinement(limit: min(remaining, batchSize))
        }
        pending = batch
        return batch
    }

    /// Scores of the last batch, in its order.
    public mutating func record(_ scores: [WorkerScore]) {
        precondition(scores.count == pending.count, "one score per candidate of the batch")
        for (point, score) in zip(pending, scores) {
            evaluated.append(Evaluated(point: point, score: score, round: point == space.shipped && round == 0 ? 0 : max(1, round)))
        }
        pending = []
        round += 1
    }

    /// The best candidate so far: the cheapest that meets the objective, else the one closest to it.
    public var best: Evaluated? {
        evaluated.indices.min { TuningSearch.ranks(evaluated[$0], $0, evaluated[$1], $1, objective) }.map { evaluated[$0] }
    }

    /// Whether `a` (at index `i`) ranks before `b` (at `j`): meeting the objective first, then lower cost (or
    /// smaller shortfall), then the front's axes, then evaluation order.
    static func ranks(_ a: Evaluated, _ i: Int, _ b: Evaluated, _ j: Int, _ objective: TuningObjective) -> Bool {
        let (shortA, shortB) = (objective.shortfall(a.score), objective.shortfall(b.score))
        if (shortA == 0) != (shortB == 0) { return shortA == 0 }
        if shortA != shortB { return shortA < shortB }
        if a.score.meanPodMinutes != b.score.meanPodMinutes { return a.score.meanPodMinutes < b.score.meanPodMinutes }
        if a.score.axes != b.score.axes { return a.score.axes.lexicographicallyPrecedes(b.score.axes) }
        return i < j
    }

    func valid(_ point: [Int]) -> Bool {
        let spec = space.spec(point, from: shippedSpec)
        return spec.boundsErrors().isEmpty && spec.trigger.validationErrors().isEmpty
    }

    private func isNew(_ point: [Int], _ batch: [[Int]]) -> Bool {
        !batch.contains(point) && !evaluated.contains { $0.point == point }
    }

    /// Untried neighbours of the best candidates, best first; random untried points when they run out.
    private mutating func refinement(limit: Int) -> [[Int]] {
        var batch: [[Int]] = []
        let order = evaluated.indices.sorted { TuningSearch.ranks(evaluated[$0], $0, evaluated[$1], $1, objective) }
        for index in order where batch.count < limit {
            var neighbours = space.neighbours(of: evaluated[index].point).filter { valid($0) && isNew($0, batch) }
            TuningSearch.shuffle(&neighbours, using: &random)
            batch += neighbours.prefix(limit - batch.count)
        }
        var attempts = 0
        while batch.count < limit, attempts < 10_000 {
            attempts += 1
            let point = space.random(using: &random)
            if valid(point), isNew(point, batch) { batch.append(point) }
        }
        return batch
    }

    /// Fisher-Yates with the search's own generator (the standard library's shuffle may change between
    /// releases; this one gives the same order for the same seed everywhere).
    static func shuffle<T>(_ items: inout [T], using random: inout Xoshiro256) {
        guard items.count > 1 else { return }
        for index in stride(from: items.count - 1, to: 0, by: -1) {
            items.swapAt(index, random.int(0...index))
        }
    }
}
