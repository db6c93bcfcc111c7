import Core

/// The results file of one shard (`sim sweep --results FILE`): one JSON line per failing seed, then one summary
/// line (the shard's report and what `sim merge` needs to check and combine shards).
///
///     {"type":"failure","seed":7,"mode":"before","replicas":5,"violation_kinds":["duplicate-effect"],"reproduce":"...",...}
///     {"type":"summary","format":1,"range":"1-1000","shard":"0/4","shard_seeds":"1-250","report":{...sweep --json...}}
public struct ShardResults: Sendable {
    public static let format = 1

    public var range: SeedRange
    public var shard: Shard
    /// nil for an empty shard (more shards than seeds).
    public var shardSeeds: SeedRange?
    public var report: SweepReport
    /// Failing seeds in seed order with their reproducer lines.
    public var failures: [(failure: SeedFailure, reproduce: String)]

    public init(range: SeedRange, shard: Shard, report: SweepReport) {
        self.range = range
        self.shard = shard
        shardSeeds = range.seeds(of: shard)
        self.report = report
        failures = report.tally.sortedFailures.map { ($0, report.settings.reproduce(seed: $0.seed)) }
    }

    public init(range: SeedRange, shard: Shard, shardSeeds: SeedRange?, report: SweepReport,
                failures: [(failure: SeedFailure, reproduce: String)]) {
        self.range = range
        self.shard = shard
        self.shardSeeds = shardSeeds
        self.report = report
        self.failures = failures
    }

    func failureLine(_ failure: SeedFailure, reproduce: String) -> JSONValue {
        let kinds = failure.kinds
        return .object([
            ("type", .string("failure")),
            ("seed", .int(Int64(bitPattern: failure.seed))),
            ("mode", .string(report.settings.mode)),
            ("replicas", .int(report.settings.replicas)),
            ("violation_kinds", .array(kinds.map { .string($0.0) })),
            ("reproduce", .string(reproduce)),
            ("failing_modes", .array(failure.modes.map { .string($0.rawValue) })),
            ("violations_by_kind", .object(kinds.map { ($0.0, .int($0.1)) })),
            ("shard", .string(shard.description)),
        ])
    }

    var summaryLine: JSONValue {
        .object([
            ("type", .string("summary")),
            ("format", .int(ShardResults.format)),
            ("range", .string(range.description)),
            ("shard", .string(shard.description)),
            ("shard_seeds", shardSeeds.map { .string($0.description) } ?? .null),
            ("reproduce_flags", .string(report.settings.flags)),
            ("report", report.json),
        ])
    }

    /// The file's lines, the summary last.
    public var lines: [String] {
        failures.map { failureLine($0.failure, reproduce: $0.reproduce).serialized } + [summaryLine.serialized]
    }
}

/// A results file that cannot be written, read or merged; the reason names the file.
public struct ResultsError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}
