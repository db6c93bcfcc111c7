/// Reads the results files of a sharded sweep and combines them into the report one sweep over the whole range
/// prints. Refuses (with the file and the reason) a file cut short, shards of different ranges, counts or
/// scenario flags, a shard given twice, a shard missing, and a file whose failure lines disagree with its
/// summary.
public struct ShardMerge: Sendable {
    public var range: SeedRange
    public var shards: Int
    public var report: SweepReport
    /// Every failing seed in seed order with its reproducer line.
    public var failures: [(failure: SeedFailure, reproduce: String)]
    public var longestShardSeconds: Double

    /// The merged report's keys: the sweep's, then what was merged.
    public var pairs: [(String, JSONValue)] {
        report.pairs + [("shards", .int(shards)), ("range", .string(range.description)),
                        ("longest_shard_seconds", .double(longestShardSeconds))]
    }

    public init(files: [(path: String, text: String)]) throws(ResultsError) {
        guard !files.isEmpty else { throw ResultsError(path: "sim merge", reason: "no results files given") }
        let parsed = try files.map { file throws(ResultsError) in try ShardResults.parse(file.text, path: file.path) }
        let first = parsed[0]
        var byIndex: [Int: String] = [:]
        for (file, shard) in zip(files, parsed) {
            guard shard.range == first.range, shard.shard.count == first.shard.count else {
                throw ResultsError(path: file.path, reason: "is shard \(shard.shard) of seeds \(shard.range); \(files[0].path) is shard \(first.shard) of seeds \(first.range): they are not shares of one sweep")
            }
            guard shard.report.settings == first.report.settings else {
                throw ResultsError(path: file.path, reason: "ran \(ShardMerge.describe(shard.report.settings)); \(files[0].path) ran \(ShardMerge.describe(first.report.settings)): different sweeps")
            }
            if let other = byIndex[shard.shard.index] {
                throw ResultsError(path: file.path, reason: "duplicated shard \(shard.shard): \(other) holds it too")
            }
            byIndex[shard.shard.index] = file.path
        }
        let missing = (0..<first.shard.count).filter { byIndex[$0] == nil }
        guard missing.isEmpty else {
            let named = missing.prefix(20).map { index in
                "\(index)/\(first.shard.count)" + (first.range.seeds(of: Shard(index: index, count: first.shard.count)).map { " (seeds \($0))" } ?? "")
            }
            throw ResultsError(path: "sim merge", reason: "missing \(missing.count) of \(first.shard.count) shards of seeds \(first.range): \(named.joined(separator: ", "))\(missing.count > 20 ? ", ..." : "")")
        }
        var tally = SweepTally()
        var failures: [(failure: SeedFailure, reproduce: String)] = []
        for shard in parsed {
            tally.merge(shard.report.tally)
            failures += shard.failures
        }
        range = first.range
        shards = first.shard.count
        self.failures = failures.sorted { $0.failure.seed < $1.failure.seed }
        report = SweepReport(tally: tally, settings: first.report.settings, seconds: parsed.reduce(0) { $0 + $1.report.seconds })
        longestShardSeconds = parsed.map(\.report.seconds).max() ?? 0
    }

    public static func describe(_ settings: SweepSettings) -> String {
        "mode \(settings.mode), \(settings.replicas) replicas, \(settings.partitions) partitions, \(settings.events) events, faults \(settings.faults)\(settings.flags)"
    }
}
