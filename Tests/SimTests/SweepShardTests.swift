import Core
import Foundation
import Testing
@testable import Sim

/// Sharded sweeps: every seed in exactly one shard, results files that read back to the same tally, and a merge
/// that refuses anything but one complete sweep. (The seed runner, `ParallelSeeds` in `sim`, is checked end to end
/// by checks/fuzz/check-shards.sh: the same shard with one and with two workers writes the same file.)
@Suite("Sweep shards")
struct SweepShardTests {
    @Test func shardsCoverTheRangeExactlyOnce() {
        for (lower, upper) in [(UInt64(1), UInt64(1)), (1, 10), (7, 1_006), (0, 99)] {
            let range = SeedRange(lower: lower, upper: upper)
            for count in [1, 2, 3, 7, 16, 101, 250] {
                var covered: [UInt64] = []
                var sizes: [Int] = []
                for index in 0..<count {
                    guard let share = range.seeds(of: Shard(index: index, count: count)) else { sizes.append(0); continue }
                    covered += Array(share.closed)
                    sizes.append(share.count)
                }
                #expect(covered == Array(range.closed), "range \(range), \(count) shards")
                #expect((sizes.max() ?? 0) - (sizes.min() ?? 0) <= 1)
            }
        }
    }

    @Test func shardArgumentsAreChecked() {
        #expect(Shard(parsing: "0/1") == Shard(index: 0, count: 1))
        #expect(Shard(parsing: "3/4") == Shard(index: 3, count: 4))
        for bad in ["4/4", "-1/4", "1/0", "1", "a/b", "1/2/3", ""] { #expect(Shard(parsing: bad) == nil, "\(bad)") }
    }

    static let settings = SweepSettings(mode: "before", replicas: 5, partitions: 12, events: 200, faults: "swarm", flags: " --events 200")

    /// A shard's results file text from a real run of its seeds.
    static func results(range: SeedRange, shard: Shard) -> String {
        let generator = ScenarioGenerator(replicas: 5, partitions: 12, eventCount: 200, selection: .swarm)
        let tally = range.seeds(of: shard).map { SweepTally.run(seeds: $0.closed, generator: generator, modes: [.before]) } ?? SweepTally()
        let report = SweepReport(tally: tally, settings: settings, seconds: 1.5)
        return ShardResults(range: range, shard: shard, report: report).lines.joined(separator: "\n") + "\n"
    }

    @Test func resultsReadBackAndMergeToTheWholeSweep() throws {
        let range = SeedRange(lower: 1, upper: 9)
        let files = (0..<3).map { (path: "s\($0).jsonl", text: Self.results(range: range, shard: Shard(index: $0, count: 3))) }
        let merged = try ShardMerge(files: files)
        let whole = try ShardResults.parse(Self.results(range: range, shard: .whole), path: "whole.jsonl")
        let timing: Set<String> = ["seconds", "seeds_per_second", "events_per_second", "simulated_to_wall_ratio"]
        let mergedPairs = merged.pairs.filter { !timing.contains($0.0) }.map { "\($0.0)=\($0.1.serialized)" }
        let wholePairs = whole.report.pairs.filter { !timing.contains($0.0) }.map { "\($0.0)=\($0.1.serialized)" }
        #expect(Array(mergedPairs.prefix(wholePairs.count)) == wholePairs)
        #expect(merged.failures.map(\.failure) == whole.failures.map(\.failure))
        #expect(merged.failures.map(\.reproduce) == whole.failures.map(\.reproduce))
        #expect(merged.report.seconds == 4.5, "seconds add up over the shards")
        #expect(!merged.failures.isEmpty, "before mode at 5 replicas must fail somewhere in 9 seeds")
    }

    static func mergeError(_ files: [(path: String, text: String)]) -> String {
        do {
            _ = try ShardMerge(files: files)
            return "merged"
        } catch {
            return error.description
        }
    }

    @Test func mergeRefusesMissingDuplicatedAndForeignShards() {
        let range = SeedRange(lower: 1, upper: 6)
        let shards = (0..<3).map { (path: "s\($0).jsonl", text: Self.results(range: range, shard: Shard(index: $0, count: 3))) }
        #expect(Self.mergeError([shards[0], shards[2]]).contains("missing 1 of 3 shards of seeds 1-6: 1/3 (seeds 3-4)"))
        #expect(Self.mergeError([shards[0], shards[1], (path: "copy.jsonl", text: shards[1].text), shards[2]])
            .contains("copy.jsonl: duplicated shard 1/3: s1.jsonl holds it too"))
        let other = (path: "other.jsonl", text: Self.results(range: SeedRange(lower: 1, upper: 7), shard: Shard(index: 1, count: 3)))
        #expect(Self.mergeError([shards[0], other, shards[2]]).contains("other.jsonl: is shard 1/3 of seeds 1-7"))
        let lines = shards[1].text.split(separator: "\n")
        let cut = (path: "cut.jsonl", text: lines.dropLast().joined(separator: "\n") + "\n" + lines.last!.prefix(40))
        #expect(Self.mergeError([shards[0], cut, shards[2]]).contains("cut.jsonl: no summary line at the end"))
        #expect(Self.mergeError([]).contains("no results files given"))
    }

    @Test func mergeRefusesFailureLinesThatDisagreeWithTheSummary() {
        let range = SeedRange(lower: 1, upper: 6)
        let text = Self.results(range: range, shard: .whole)
        var lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count > 2, "before mode must fail in some of 6 seeds")
        lines.remove(at: 0)
        let error = Self.mergeError([(path: "edited.jsonl", text: lines.joined(separator: "\n"))])
        #expect(error.contains("edited.jsonl: its failure lines"), "\(error)")
        var foreign = text.split(separator: "\n").map(String.init)
        foreign[0] = foreign[0].replacingOccurrences(of: "\"duplicate-effect\"", with: "\"no-such-kind\"")
        #expect(Self.mergeError([(path: "kind.jsonl", text: foreign.joined(separator: "\n"))]).contains("does not know"))
    }

    @Test func emptyShardsMerge() throws {
        let range = SeedRange(lower: 5, upper: 6)
        let files = (0..<4).map { (path: "s\($0).jsonl", text: Self.results(range: range, shard: Shard(index: $0, count: 4))) }
        let merged = try ShardMerge(files: files)
        #expect(merged.report.tally.seeds == 2)
    }
}
